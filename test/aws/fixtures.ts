/**
 * Builders for the AWS tests: the shared sample deployment file in the sandbox's names, and
 * SDK shapes as the services return them.
 */
import type { LoadBalancer, Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { DeploymentConfig, ListenerConfig } from '../../src/config/types.js';
import { buildConfig, buildListener, SAMPLE_REGION } from '../helpers/builders.js';

export const REGION = SAMPLE_REGION;

/**
 * The sample deployment file as the sandbox names things: canary group `sandbox`, releases
 * `blue` / `green`, cluster `sandbox`, HTTP on port 80, one fqdn in sandbox.example.com.
 */
export function deploymentConfig(
  overrides: { group?: string; fqdn?: string[]; listeners?: Partial<ListenerConfig>[] } = {},
): DeploymentConfig {
  const fqdn = overrides.fqdn ?? ['api.sandbox.example.com'];
  return buildConfig({
    canary: { group: overrides.group ?? 'sandbox', releases: { blue: 'blue', green: 'green' } },
    service: { fqdn, cluster: 'sandbox' },
    listeners: (overrides.listeners ?? [{}]).map((listener) =>
      buildListener({
        port: 80,
        protocol: 'HTTP',
        certificate_arns: [],
        rule: { conditions: { host_header: fqdn } },
        ...listener,
      }),
    ),
  });
}

/** The ARN of a load balancer named `name`. */
export const lbArn = (name: string): string =>
  `arn:aws:elasticloadbalancing:${REGION}:123456789012:loadbalancer/app/${name}/0123456789abcdef`;

/** An active application load balancer named `name`. */
export function loadBalancer(name: string, type: LoadBalancer['Type'] = 'application'): LoadBalancer {
  return {
    LoadBalancerArn: lbArn(name),
    LoadBalancerName: name,
    DNSName: `${name}-1234.${REGION}.elb.amazonaws.com`,
    CanonicalHostedZoneId: 'Z32O12XQLNTSW2',
    VpcId: 'vpc-0abc',
    Type: type,
  };
}

/** The slot tags of a load balancer. */
export function slotTags(group: string, release: string) {
  return [
    { Key: 'CanaryGroup', Value: group },
    { Key: 'CanaryRelease', Value: release },
  ];
}

/** A listener rule at `priority` forwarding `hosts`. */
export function rule(priority: number | 'default', hosts: string[] = ['other.example.com']): Rule {
  return {
    RuleArn: `arn:aws:elasticloadbalancing:${REGION}:123456789012:listener-rule/app/x/1/2/${priority}`,
    Priority: String(priority),
    IsDefault: priority === 'default',
    Conditions: priority === 'default' ? [] : [{ Field: 'host-header', HostHeaderConfig: { Values: hosts } }],
  };
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
