/**
 * The world of test/e2e/state-s3.test.ts: one release on the blue ALB's HTTPS listener whose
 * rule authenticates with OIDC, so that its client secret is a Pulumi secret in the state.
 */
import type { Sandbox } from '../../sandbox/harness.js';
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
import { oidcAdminRules } from './https-oidc.js';

export { httpsListener } from './https-oidc.js';

const FQDN = 'orders.sandbox.example.com';
export const CLIENT_SECRET = 'oidc-client-secret-7d2e91';
export const SECRET_ARN = 'arn:aws:ssm:eu-west-1:123456789012:parameter/shop/orders/oidc';

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
        rules: oidcAdminRules(FQDN, SECRET_ARN),
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
