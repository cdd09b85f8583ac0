/**
 * An HTTPS listener on the blue slot ALB and a rule that authenticates with OIDC before it
 * forwards: what a release needs for its client secret to be a Pulumi secret in the state
 * (routing.test.ts, state-s3.test.ts).
 */
import {
  CreateListenerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, UploadServerCertificateCommand } from '@aws-sdk/client-iam';
import { FAKE_CREDENTIALS, type Sandbox } from '../../sandbox/harness.js';
import type { ListenerRuleConfig } from '../../src/config/types.js';

/** The blue ALB's HTTPS listener (authentication needs one) and its certificate, once per emulator. */
export async function httpsListener(sandbox: Sandbox): Promise<{ listenerArn: string; certificate: string }> {
  const client = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
  const iam = new IAMClient(client);
  const elbv2 = new ElasticLoadBalancingV2Client(client);
  try {
    const uploaded = await iam.send(
      new UploadServerCertificateCommand({
        ServerCertificateName: 'orders',
        CertificateBody: '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----',
        PrivateKey: '-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----',
      }),
    );
    const certificate = uploaded.ServerCertificateMetadata?.Arn ?? '';
    const created = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: sandbox.fixtures.loadBalancers.blue.arn,
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: certificate }],
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    return { listenerArn: created.Listeners?.[0]?.ListenerArn ?? '', certificate };
  } finally {
    iam.destroy();
    elbv2.destroy();
  }
}

/** `/admin/*` of `fqdn` behind an OIDC login whose client secret is read from `clientSecretArn`. */
export function oidcAdminRules(fqdn: string, clientSecretArn: string): ListenerRuleConfig[] {
  return [
    {
      conditions: [
        { field: 'host-header', values: [fqdn] },
        { field: 'path-pattern', values: ['/admin/*'] },
      ],
      actions: [
        {
          type: 'authenticate-oidc',
          order: 1,
          issuer: 'https://idp.example.com',
          authorization_endpoint: 'https://idp.example.com/auth',
          token_endpoint: 'https://idp.example.com/token',
          user_info_endpoint: 'https://idp.example.com/userinfo',
          client_id: 'orders',
          client_secret: clientSecretArn,
        },
        { type: 'forward', order: 2 },
      ],
    },
  ];
}
