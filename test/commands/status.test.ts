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
    '--var',
    '--verbose',
    '--yes',
  ];
  const expected: Record<string, string[]> = {
    status: [...common, '--backend-url', '--endpoint-url', '--profile', '--secrets-provider'],
    promote: [
      ...common,
      '--backend-url',
      '--endpoint-url',
      '--force',
      '--full',
      '--profile',
      '--report',
      '--secrets-provider',
      '--wait',
    ],
    rollback: [...common, '--backend-url', '--endpoint-url', '--force', '--profile', '--secrets-provider'],
    history: [
      ...common,
      '--backend-url',
      '--deployment',
      '--endpoint-url',
      '--limit',
      '--profile',
      '--report',
      '--secrets-provider',
    ],
    preview: [...common, '--adopt', '--backend-url', '--endpoint-url', '--profile', '--secrets-provider'],
    undeploy: [...common, '--backend-url', '--endpoint-url', '--force', '--profile', '--secrets-provider'],
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

describe('ecs-crd history --limit', () => {
  before(requireBuild);

  for (const value of ['0', '-2', 'five', '1.5']) {
    it(`refuses --limit ${value}: a usage error naming the flag, exit 2`, () => {
      const { status, stderr } = runCli(['history', ...SEED, `--limit=${value}`]);
      expect(status).to.equal(2);
      expect(stderr).to.match(/--limit/);
      expect(stderr).to.match(/Expected an integer/);
    });
  }
});

describe('ecs-crd --secrets-provider', () => {
  let home: string;
  before(requireBuild);
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ecs-crd-secrets-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('refuses what is neither `passphrase` nor a key URL, from the flag or the environment: exit 2, saying what is accepted', () => {
    for (const [args, env] of [
      [['--secrets-provider', 'kms'], {}],
      [[], { PULUMI_SECRETS_PROVIDER: 'alias/team' }],
    ] as const) {
      const { status, stderr } = runCli(['history', ...SEED, ...args], {
        env: { ECS_CRD_HOME: home, ...env },
      });
      expect(status, stderr).to.equal(2);
      expect(stderr).to.match(
        args.length ? /--secrets-provider "kms"/ : /PULUMI_SECRETS_PROVIDER "alias\/team"/,
      );
      expect(stderr).to.match(/Hint: Use `passphrase`, or the URL of a key: awskms:\/\/alias\/NAME/);
      expect(stderr).not.to.match(/\n\s+at /);
    }
  });
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
      paused: null,
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

  it('a paused deployment whose candidate cannot be looked at: status says paused, health unknown with the error, exit 0', async () => {
    const config = buildConfig({ canary: { releases: { blue: '1', green: '2' } } });
    const meta = buildMeta({
      phase: 'paused',
      deploymentId: 'd-paused',
      candidateVersion: '1.10.0',
      candidateSlot: 'green',
      liveVersion: '1.9.0',
      step: 1,
      outcome: null,
      pause: { since: '2025-01-01T12:03:00.000Z', weight: 10, until: null },
    });
    await makeStack(dir, meta, { blue: 90, green: 10 }, config, {
      serviceNames: { green: 'shop-catalog-prod-green' },
      targetGroupArns: { green: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/g/1'] },
    });
    // Nothing listens on port 9: the one AWS call fails at once.
    const aws = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' };
    const args = ['status', ...SEED, '--endpoint-url', 'http://127.0.0.1:9'];
    const run = runCli([...args, '--json'], { env: { ...env, ...aws } });
    expect(run.status, run.stderr).to.equal(0);
    const status = JSON.parse(run.stdout) as StatusDocument & { paused: Record<string, unknown> | null };
    expect(status.phase).to.equal('paused');
    expect(status.paused).to.deep.include({
      deployment_id: 'd-paused',
      since: '2025-01-01T12:03:00.000Z',
      weight: 10,
      step: 2,
      until: null,
      candidate_health: null,
    });
    expect(status.paused?.health_error).to.be.a('string').and.not.equal('');
    expect(status.paused?.health).to.equal(`unknown: ${String(status.paused?.health_error)}`);

    const human = runCli(args, { env: { ...env, ...aws } });
    expect(human.status, human.stderr).to.equal(0);
    expect(human.stdout).to.match(/phase +paused/);
    expect(human.stdout).to.match(/until +promoted/);
    expect(human.stdout).to.match(/health +unknown: \S/);
  });

  it('history reads every page of a long stack history, and --limit keeps the newest', async () => {
    // Six deployments of three updates each: more than the engine lists without a page size (10).
    const runs = Array.from({ length: 6 }, (_, run) => {
      const startedAt = Date.UTC(2024, 4, 1 + run, 10);
      const meta = buildMeta({
        deploymentId: `d-${run + 1}`,
        candidateVersion: `1.${run + 1}.0`,
        candidateSlot: run % 2 === 0 ? 'blue' : 'green',
        startedAt: new Date(startedAt).toISOString(),
      });
      return { meta, startedAt };
    });
    const config = buildConfig({ canary: { releases: { blue: '1', green: '2' } } });
    // One real update makes the stack; the older ones are written beside it as the backend keeps them.
    const newest = runs.at(-1);
    if (!newest) throw new Error('no run');
    await makeStack(dir, newest.meta, { blue: 100, green: 0 }, config);
    for (const { meta, startedAt } of runs) {
      for (const step of [0, 1, 2]) {
        const start = startedAt / 1000 + step * 60;
        if (meta === newest.meta && step === 2) continue;
        const phase = step === 2 ? 'stable' : 'deploying';
        writeHistoryEntry(dir, start, start + 5, { ...meta, phase, outcome: step === 2 ? 'deployed' : null });
      }
    }

    const all = json<HistoryDocument>(['history']);
    expect(all.map((r) => r.deployment_id)).to.deep.equal(['d-6', 'd-5', 'd-4', 'd-3', 'd-2', 'd-1']);
    expect(all.slice(1).map((r) => r.duration_s)).to.deep.equal([125, 125, 125, 125, 125]);

    const limited = json<HistoryDocument>(['history', '--limit', '2']);
    expect(limited.map((r) => r.deployment_id)).to.deep.equal(['d-6', 'd-5']);
  });
});

/**
 * One entry of the file backend's update history, as the engine writes it after an update:
 * for a long history without running an update for each entry.
 */
function writeHistoryEntry(dir: string, startS: number, endS: number, meta: DeploymentMeta): void {
  const history = join(dir, 'state', '.pulumi', 'history', PULUMI_PROJECT, STACK);
  const entry = {
    kind: 'update',
    startTime: startS,
    endTime: endS,
    message: updateMessage(meta),
    environment: {},
    config: {},
    version: 0,
    result: 'succeeded',
    resourceChanges: { same: 1 },
  };
  // The backend orders the entries by name: the update's start in nanoseconds.
  writeFileSync(join(history, `${STACK}-${startS}000000000.history.json`), JSON.stringify(entry));
}

/**
 * Records one update of the service's stack as a deployment would leave it: its outputs and
 * the update message carrying the meta. The program declares no resource: no AWS needed.
 */
async function makeStack(
  dir: string,
  meta: DeploymentMeta,
  weights: StackOutputs['weights'],
  config: ReturnType<typeof buildConfig>,
  extra: Partial<Pick<StackOutputs, 'serviceNames' | 'targetGroupArns'>> = {},
): Promise<void> {
  const outputs: StackOutputs = {
    meta,
    releases: {
      blue: { ...config, service: { ...config.service, fqdn: ['catalog.prod.shop.example.com'] } },
    },
    weights,
    targetGroupArns: {},
    serviceNames: {},
    ...extra,
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
