/**
 * The world of test/e2e/state-s3.test.ts: the blue ALB's HTTPS listener and one release on it
 * whose rule authenticates with OIDC, so that its client secret is a Pulumi secret in the state.
 */
import {
  CreateListenerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, UploadServerCertificateCommand } from '@aws-sdk/client-iam';
import { FAKE_CREDENTIALS, type Sandbox } from '../../sandbox/harness.js';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import {
  buildConfig,
  buildContainer,
  buildDesiredState,
  buildEnvironment,
  buildIdentity,
  buildListener,
  buildSlotListener,
} from '../helpers/builders.js';

const FQDN = 'orders.sandbox.example.com';
export const CLIENT_SECRET = 'oidc-client-secret-7d2e91';
export const SECRET_ARN = 'arn:aws:ssm:eu-west-1:123456789012:parameter/shop/orders/oidc';

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

/** One release on blue whose HTTPS rule authenticates with OIDC: its client secret is a Pulumi secret. */
export function desired(
  sandbox: Sandbox,
  name: string,
  listenerArn: string,
  certificate: string,
): DesiredState {
  const f = sandbox.fixtures;
  const release = buildConfig({
    service: {
      name,
      cluster: f.clusterName,
      fqdn: [FQDN],
      network: { subnets: [...f.subnetIds], security_groups: [f.securityGroupId], assign_public_ip: false },
      containers: [buildContainer({ secrets: {} })],
    },
    listeners: [
      buildListener({
        port: 443,
        protocol: 'HTTPS',
        certificate_arns: [certificate],
        rule: { conditions: { host_header: [FQDN] } },
        rules: [
          {
            conditions: [
              { field: 'host-header', values: [FQDN] },
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
                client_secret: SECRET_ARN,
              },
              { type: 'forward', order: 2 },
            ],
          },
        ],
      }),
    ],
  });
  const slot = (color: 'blue' | 'green') => {
    const lb = f.loadBalancers[color];
    return {
      albArn: lb.arn,
      albName: lb.name,
      albDnsName: lb.dnsName,
      albZoneId: lb.canonicalHostedZoneId,
      vpcId: f.vpcId,
      listeners:
        color === 'blue'
          ? [buildSlotListener('blue', { port: 443, listenerArn, priority: 20, rulePriorities: [21] })]
          : [],
    };
  };
  return buildDesiredState({
    identity: buildIdentity({ name, region: sandbox.region }),
    environment: {
      ...buildEnvironment({ slots: { blue: slot('blue'), green: slot('green') } }),
      accountId: f.accountId,
      region: sandbox.region,
      zones: [{ fqdn: FQDN, zoneId: f.hostedZoneId, zoneName: f.hostedZoneName }],
    },
    releases: { blue: release },
  });
}
