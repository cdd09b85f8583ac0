/**
 * `status`, `history`, `preview` and `undeploy` as a user runs them: flags, usage errors, and
 * the two read-only commands against a real file backend (the engine runs; AWS is never
 * called). The sandbox scenarios with AWS are in test/e2e.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWorkspace } from '@pulumi/pulumi/automation/index.js';
import { expect } from 'chai';
import { pinnedPulumiCommand } from '../../sandbox/engine.js';
import type { LeaseHolder } from '../../src/canary/ports/lease.js';
import type { DeploymentMeta, StackOutputs } from '../../src/canary/ports/stack.js';
import { PULUMI_PROJECT } from '../../src/stack/runner.js';
import { updateMessage } from '../../src/stack/state.js';
import type { HistoryDocument, StatusDocument } from '../../src/ui/documents.js';
import { buildConfig, buildMeta } from '../helpers/builders.js';
import { requireBuild, runCli } from './cli.js';

const SEED = ['-e', 'prod', '-r', 'eu-west-1', '-f', 'examples/seed.deploy.yml'];
const STACK = 'shop-catalog-prod-eu-west-1';

/** The long flag names a command's help lists. */
function flagsOf(help: string): string[] {
  return [...help.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1] ?? '').sort();
}

describe('ecs-crd status, history, preview, undeploy: flags and usage', () => {
  before(requireBuild);

  const common = [
    '--configuration-dir',
    '--configuration-file',
    '--environment',
    '--json',
    '--log-file',
    '--region',
    '--verbose',
  ];
  const expected: Record<string, string[]> = {
    status: [...common, '--backend-url'],
    history: [...common, '--backend-url'],
    preview: [...common, '--adopt', '--backend-url', '--endpoint-url', '--profile'],
    undeploy: [...common, '--backend-url', '--endpoint-url', '--force', '--profile', '--yes'],
  };
  for (const [command, flags] of Object.entries(expected)) {
    it(`${command} --help lists its flags and the exit codes`, () => {
      const { status, stdout } = runCli([command, '--help']);
      expect(status).to.equal(0);
      expect(flagsOf(stdout)).to.deep.equal([...flags].sort());
      expect(stdout).to.match(/^EXIT CODES$/m);
    });

    it(`${command} exits 2 on an unknown environment, naming the choices`, () => {
      const { status, stderr } = runCli([command, '-e', 'production', '-r', 'eu-west-1']);
      expect(status).to.equal(2);
      expect(stderr).to.match(/production/);
      expect(stderr).to.match(/dev, qua, stage,\s+(› +)?preprod, prod/);
    });

    it(`${command} exits 2 without a region, saying how to give one`, () => {
      const { status, stdout } = runCli([command, '-e', 'prod', '-f', 'examples/seed.deploy.yml', '--json']);
      expect(status).to.equal(2);
      expect(JSON.parse(stdout)).to.deep.equal({
        error: {
          exitCode: 2,
          name: 'UsageError',
          message: 'no AWS region',
          hint: 'pass -r/--region, or set AWS_REGION',
        },
      });
    });
  }
});

describe('ecs-crd status and history on a file backend', function () {
  // Each run starts the Pulumi CLI a few times; the stack-making fixture runs two updates.
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(requireBuild);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-status-'));
    env = {
      ECS_CRD_HOME: join(dir, 'home'),
      PULUMI_BACKEND_URL: `file://${join(dir, 'state')}`,
      PULUMI_CONFIG_PASSPHRASE: '',
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const json = <T>(args: string[]): T => {
    const { status, stdout, stderr } = runCli([...args, ...SEED, '--json'], { env });
    expect(status, stderr).to.equal(0);
    return JSON.parse(stdout) as T;
  };

  it('status of a service never deployed: phase none, nothing live, exit 0', () => {
    expect(json<StatusDocument>(['status'])).to.deep.equal({
      service: 'catalog',
      project: 'shop',
      environment: 'prod',
      region: 'eu-west-1',
      stack: STACK,
      phase: 'none',
      live: null,
      weights: {},
      last_deployment: null,
      lease: null,
    });
    const { status, stdout } = runCli(['status', ...SEED], { env });
    expect(status).to.equal(0);
    expect(stdout).to.equal(`shop/catalog in prod (eu-west-1), stack ${STACK}\n  phase  not deployed\n`);
  });

  it('history of a service never deployed: an empty list', () => {
    expect(json<HistoryDocument>(['history'])).to.deep.equal([]);
    const { status, stdout } = runCli(['history', ...SEED], { env });
    expect(status).to.equal(0);
    expect(stdout).to.equal('No deployment recorded in the stack history.\n');
  });

  it('a deployment killed mid-way: status says interrupted, naming the dead holder; history lists each run once', async () => {
    const config = buildConfig({ canary: { releases: { blue: '1', green: '2' } } });
    const v1 = buildMeta({
      deploymentId: 'd-1',
      candidateVersion: '1.9.0',
      candidateSlot: 'blue',
      liveVersion: '1.9.0',
    });
    const v2 = buildMeta({
      phase: 'deploying',
      deploymentId: 'd-2',
      candidateVersion: '1.10.0',
      candidateSlot: 'green',
      liveVersion: '1.9.0',
      startedAt: new Date().toISOString(),
      outcome: null,
    });
    // d-1: provision, then finalize (a first deployment); d-2: provision, then killed.
    await makeStack(dir, { ...v1, phase: 'deploying', outcome: null }, { blue: 0, green: 100 }, config);
    await makeStack(dir, v1, { blue: 100, green: 0 }, config);
    await makeStack(dir, v2, { blue: 90, green: 10 }, config);
    writeLease(dir, { host: hostname(), pid: deadPid(), user: 'ci', command: 'deploy', since: v2.startedAt });

    const status = json<StatusDocument>(['status']);
    expect(status.phase).to.equal('interrupted');
    expect(status.live).to.deep.equal({ slot: 'blue', version: '1.9.0', release_id: '1' });
    expect(status.weights).to.deep.equal({ 'catalog.prod.shop.example.com': { '1': 90, '2': 10 } });
    expect(status.last_deployment?.version).to.equal('1.10.0');
    expect(status.last_deployment?.outcome).to.equal('interrupted');
    expect(status.lease?.liveness).to.equal('dead');

    const history = json<HistoryDocument>(['history']);
    expect(history.map((r) => [r.deployment_id, r.version, r.outcome, r.slot])).to.deep.equal([
      ['d-2', '1.10.0', 'interrupted', 'green'],
      ['d-1', '1.9.0', 'deployed', 'blue'],
    ]);

    const { stdout } = runCli(['status', ...SEED], { env });
    expect(stdout).to.match(/phase +interrupted/);
    expect(stdout).to.match(/Run `ecs-crd rollback`/);
  });
});

/**
 * Records one update of the service's stack as a deployment would leave it: its outputs and
 * the update message carrying the meta. The program declares no resource: no AWS needed.
 */
async function makeStack(
  dir: string,
  meta: DeploymentMeta,
  weights: StackOutputs['weights'],
  config: ReturnType<typeof buildConfig>,
): Promise<void> {
  const outputs: StackOutputs = {
    meta,
    releases: {
      blue: { ...config, service: { ...config.service, fqdn: ['catalog.prod.shop.example.com'] } },
    },
    weights,
    targetGroupArns: {},
    serviceNames: {},
  };
  const workDir = join(dir, 'fixture');
  mkdirSync(workDir, { recursive: true });
  mkdirSync(join(dir, 'state'), { recursive: true });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: STACK, projectName: PULUMI_PROJECT, program: async () => ({ ...outputs }) },
    {
      workDir,
      pulumiCommand: await pinnedPulumiCommand(),
      projectSettings: {
        name: PULUMI_PROJECT,
        runtime: 'nodejs',
        backend: { url: `file://${join(dir, 'state')}` },
      },
      envVars: { PULUMI_CONFIG_PASSPHRASE: '', PULUMI_SKIP_UPDATE_CHECK: 'true' },
    },
  );
  await stack.up({ message: updateMessage(meta) });
}

/** The lease a deploy leaves beside the file backend's state when it is killed. */
function writeLease(dir: string, holder: LeaseHolder): void {
  const leases = join(dir, 'state', '.ecs-crd', 'leases');
  mkdirSync(leases, { recursive: true });
  writeFileSync(join(leases, `${STACK}.json`), JSON.stringify(holder));
}

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}
