/**
 * `aws:lb/listenerCertificate:ListenerCertificate`: an extra (non-default) certificate of an
 * HTTPS listener, as pulumi-aws serves it (terraform-provider-aws `elbv2/listener_certificate.go`):
 * both inputs replace, the id is `<listener ARN>_<certificate ARN>`, create is
 * AddListenerCertificates, read looks the certificate up among the listener's non-default ones,
 * delete is RemoveListenerCertificates. moto enforces the 25 certificates a listener may hold.
 */
import {
  AddListenerCertificatesCommand,
  DescribeListenerCertificatesCommand,
  RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type ResourceKind, unlessGone } from './kind.js';
import { asString, plainProps } from './values.js';

function notFound(error: unknown): boolean {
  return /NotFound/.test((error as { name?: string })?.name ?? '');
}

export const listenerCertificate: ResourceKind = {
  token: 'aws:lb/listenerCertificate:ListenerCertificate',
  replaceOn: ['listenerArn', 'certificateArn', 'region'],
  computed: ['id'],
  optionalComputed: ['region'],
  required: ['listenerArn', 'certificateArn'],

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const listenerArn = asString(inputs.listenerArn) ?? '';
    const certificateArn = asString(inputs.certificateArn) ?? '';
    await ctx.aws.elbv2(asString(inputs.region)).send(
      new AddListenerCertificatesCommand({
        ListenerArn: listenerArn,
        Certificates: [{ CertificateArn: certificateArn }],
      }),
    );
    return { id: `${listenerArn}_${certificateArn}`, outs: inputs };
  },

  async read(ctx, _id, state) {
    return unlessGone(notFound, async () => {
      const found = await ctx.aws
        .elbv2(asString(state.region))
        .send(new DescribeListenerCertificatesCommand({ ListenerArn: asString(state.listenerArn) }));
      const held = (found.Certificates ?? []).some(
        (certificate) =>
          certificate.CertificateArn === asString(state.certificateArn) && certificate.IsDefault !== true,
      );
      return held ? state : undefined;
    });
  },

  async update() {
    // Every input replaces: nothing is updated in place.
    return {};
  },

  async delete(ctx, _id, state) {
    await unlessGone(notFound, () =>
      ctx.aws.elbv2(asString(state.region)).send(
        new RemoveListenerCertificatesCommand({
          ListenerArn: asString(state.listenerArn),
          Certificates: [{ CertificateArn: asString(state.certificateArn) }],
        }),
      ),
    );
  },
};
