/**
 * The yardstick: the smallest Automation API inline program that makes the change a canary
 * step makes — one weighted alias record per slot for one fqdn, declared exactly as
 * `src/stack/program.ts` declares them — on its own stack, with what ecs-crd's runner uses:
 * the pinned CLI, the same file backend and passphrase, the same `aws:*` stack config set once
 * with `setAllConfig`, the same stand-in provider (inherited PATH).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Record as DnsRecord } from '@pulumi/aws/route53/record.js';
import { LocalWorkspace, type Stack } from '@pulumi/pulumi/automation/index.js';
import { pinnedPulumiCommand } from '../../sandbox/engine.js';
import { SLOTS, type Slot } from '../../src/canary/ports/aws.js';
import { awsProviderConfig } from '../../src/stack/provider-config.js';
import type { BenchEnv } from './env.js';

const PROJECT = 'ecs-crd-bench-minimal';

export interface MinimalStack {
  fqdn: string;
  /** One `up` declaring these weights: its wall time in ms and what it changed. */
  up(weights: Record<Slot, number>): Promise<{ ms: number; changes: Partial<Record<string, number>> }>;
}

export async function openMinimalStack(env: BenchEnv, name: string): Promise<MinimalStack> {
  const { fixtures } = env.sandbox;
  const fqdn = `${name}.${fixtures.hostedZoneName}`;
  const workDir = join(env.dir, 'minimal', name);
  mkdirSync(workDir, { recursive: true });
  const program = (weights: Record<Slot, number>) => async () => {
    for (const slot of SLOTS) {
      const alb = fixtures.loadBalancers[slot];
      new DnsRecord(`record-${fqdn}-${slot}`, {
        zoneId: fixtures.hostedZoneId,
        name: fqdn,
        type: 'A',
        setIdentifier: slot,
        weightedRoutingPolicies: [{ weight: weights[slot] }],
        aliases: [{ name: alb.dnsName, zoneId: alb.canonicalHostedZoneId, evaluateTargetHealth: true }],
        allowOverwrite: true,
      });
    }
    return {};
  };
  const stack: Stack = await LocalWorkspace.createOrSelectStack(
    { stackName: name, projectName: PROJECT, program: program({ blue: 100, green: 0 }) },
    {
      workDir,
      pulumiCommand: await pinnedPulumiCommand(),
      projectSettings: { name: PROJECT, runtime: 'nodejs', backend: { url: env.backend.url } },
      envVars: { PULUMI_SKIP_UPDATE_CHECK: 'true', ...env.backend.env },
    },
  );
  const config = awsProviderConfig(env.provider);
  await stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }])));
  return {
    fqdn,
    async up(weights) {
      env.signal.throwIfAborted();
      const started = performance.now();
      const result = await stack.up({ program: program(weights), signal: env.signal });
      return { ms: performance.now() - started, changes: result.summary.resourceChanges ?? {} };
    },
  };
}
