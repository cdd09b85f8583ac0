/**
 * What the deploy scenarios (deploy*.test.ts) read back from the emulator and the CLI: the
 * service's records, its ECS services, its status, and the traffic a scenario's clients saw.
 * One sandbox per file, so that the files run side by side.
 */
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { describeTraffic, type TrafficReport } from '../../sandbox/traffic/run.js';

export const FQDN = 'api.sandbox.example.com';
/** A second service on the same two ALBs. */
export const WEB = { name: 'web', fqdn: 'web.sandbox.example.com' };

export interface DeployDoc {
  outcome: string;
  slot: string;
  version: string;
  reason: string | null;
  steps: { weight: number; outcome: string }[];
}

export class DeployWorld {
  readonly route53: Route53Client;
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;

  private constructor(
    readonly sandbox: Sandbox,
    readonly cli: SandboxCli,
  ) {
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    this.route53 = new Route53Client(config);
    this.ecs = new ECSClient(config);
    this.elbv2 = new ElasticLoadBalancingV2Client(config);
  }

  /** A sandbox whose traffic flows by itself (the zero-downtime checks read it), at its default rate unless `ratePerSecond`. */
  static async start(traffic: { ratePerSecond?: number } = {}): Promise<DeployWorld> {
    const sandbox = await startSandbox({ traffic });
    return new DeployWorld(sandbox, new SandboxCli(sandbox));
  }

  async stop(): Promise<void> {
    for (const client of [this.route53, this.ecs, this.elbv2]) client.destroy();
    this.cli.cleanup();
    await this.sandbox.stop();
  }

  /** Set identifier → weight of the service's weighted records, as Route 53 has them. */
  async weights(): Promise<Record<string, number>> {
    const out = await this.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: this.sandbox.fixtures.hostedZoneId }),
    );
    return Object.fromEntries(
      (out.ResourceRecordSets ?? [])
        .filter((r) => r.Name === `${FQDN}.` && r.Type === 'A')
        .map((r) => [r.SetIdentifier ?? '', r.Weight ?? -1]),
    );
  }

  /** The task definition of each ACTIVE service of the sandbox's `api` (project sandbox, environment dev), by slot. */
  services(): Promise<Record<string, string>> {
    return apiServices(this.ecs, this.sandbox.fixtures.clusterName);
  }

  /** `status --json` of the file, as `cli` (this world's own by default: another machine's otherwise) sees it. */
  async status(
    file: string,
    cli: SandboxCli = this.cli,
  ): Promise<{ phase: string; live: { slot: string; version: string } | null }> {
    const result = await cli.run(['status', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(0);
    const doc = JSON.parse(result.stdout) as {
      phase: string;
      live: { slot: string; version: string } | null;
    };
    return { phase: doc.phase, live: doc.live && { slot: doc.live.slot, version: doc.live.version } };
  }

  /**
   * Runs `work` while the sandbox's own traffic (simulated clients sending requests to every
   * name with records, a 1 s DNS TTL: the sandbox's scaled 60 s) flows, and prints what they saw
   * meanwhile: the failed-request figure of the scenario.
   */
  async withTraffic<T>(work: () => Promise<T>): Promise<{ value: T; traffic: TrafficReport }> {
    const mark = await this.sandbox.traffic.mark();
    const value = await work();
    const traffic = this.sandbox.traffic.since(mark);
    console.log(`      traffic: ${describeTraffic(traffic)}`);
    // Judged against a fresh picture of the emulator (read every 500 ms), never a stale one.
    expect(traffic.worldReads, 'reads of the emulator').to.be.at.least(traffic.durationS);
    expect(traffic.worldReadErrors, 'failed reads of the emulator').to.be.at.most(traffic.worldReads / 10);
    return { value, traffic };
  }

  /**
   * The state the failure scenarios start from: api 1.0.0 deployed on blue, then 2.0.0 on
   * green (its canary done), so that a candidate goes to blue, where other services live.
   */
  async stableOnGreen(): Promise<void> {
    for (const version of ['1.0.0', '2.0.0']) {
      const file = this.cli.release({ version, strategy: [{ weight: 50, wait: 1 }] });
      const result = await this.cli.run(['deploy', ...this.cli.flags(file)]);
      expect(result.code, result.stderr).to.equal(0);
    }
    expect(await this.weights()).to.deep.equal({ blue: 0, green: 100 });
  }
}

/** The task definition of each ACTIVE service of the sandbox's `api` (project sandbox, environment dev), by slot. */
export async function apiServices(ecs: ECSClient, cluster: string): Promise<Record<string, string>> {
  const out = await ecs.send(
    new DescribeServicesCommand({ cluster, services: ['sandbox-api-dev-blue', 'sandbox-api-dev-green'] }),
  );
  return Object.fromEntries(
    (out.services ?? [])
      .filter((s) => s.status === 'ACTIVE')
      .map((s) => [(s.serviceName ?? '').replace(/^sandbox-api-dev-/, ''), s.taskDefinition ?? '']),
  );
}

/** The slots holding an ACTIVE service of `api`, sorted. */
export async function activeSlots(ecs: ECSClient, cluster: string): Promise<string[]> {
  return Object.keys(await apiServices(ecs, cluster)).sort();
}

export function deployDoc(stdout: string): DeployDoc {
  return JSON.parse(stdout) as DeployDoc;
}
