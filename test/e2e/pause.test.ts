/**
 * Pauses through the CLI and the real engine (issue 14's bars): `deploy` stops at a
 * `pause: true` step with exit 0 and outcome `paused`, `status` says so, a second `deploy`
 * refuses, and `promote` from another process with another HOME (another machine, as far as
 * ecs-crd can tell: nothing of the first run's local files) on the same backend finishes it; a
 * paused deployment rolled back leaves the stable release at 100 % and no candidate; a timed
 * pause goes on by itself; and `version: "{{env.GIT_SHA}}"` deploys the variable's value.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { type CliResult, SandboxCli } from '../../sandbox/ecs-crd.js';
import { pinnedPulumiVersion } from '../../sandbox/engine.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { activeSlots as slotsOf } from './deploy-world.js';

const FQDN = 'api.sandbox.example.com';
const PAUSED_AT_20 = [
  { weight: 20, wait: 1, pause: true as const },
  { weight: 100, wait: 1 },
];

interface StatusJson {
  phase: string;
  live: { slot: string; version: string | null; release_id: string } | null;
  weights: Record<string, Record<string, number>>;
  [key: string]: unknown;
}

describe('pause and promote through the CLI', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let ecs: ECSClient;
  let elsewhere: string;

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
    ecs = new ECSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
    });
    elsewhere = otherHome();
    const first = await cli.run(['deploy', ...cli.flags(cli.release({ version: '1.0.0' }))]);
    expect(first.code, first.stderr).to.equal(0);
  });

  // A scenario that failed half-way may leave its deployment paused: the next one starts from a
  // settled stack, so that one failure is reported once, not again by every later scenario.
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    await cli.run(['rollback', ...cli.flags(cli.release({ version: '0.0.0' }))]);
  });

  after(async () => {
    ecs?.destroy();
    cli?.cleanup();
    // Every HOME made here, `elsewhere` and those of single scenarios, whatever they ended with.
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
    await sandbox?.stop();
  });

  const activeSlots = () => slotsOf(ecs, sandbox.fixtures.clusterName);

  async function status(file: string, env: Record<string, string> = {}): Promise<StatusJson> {
    const result = await cli.run(['status', ...cli.flags(file, '--json')], { env });
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    return JSON.parse(result.stdout) as StatusJson;
  }

  /** The percent of `FQDN`'s traffic per slot release id. */
  const weightsOf = (doc: StatusJson) => doc.weights[FQDN] ?? {};

  function json<T>(result: CliResult): T {
    try {
      return JSON.parse(result.stdout) as T;
    } catch {
      throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
  }

  it('deploy stops at the pause (exit 0, paused), status shows it at 20 %, a second deploy refuses, promote from another HOME finishes it', async () => {
    const file = cli.release({ version: '2.0.0', strategy: PAUSED_AT_20 });
    const started = Date.now();
    const paused = await cli.run(['deploy', ...cli.flags(file, '--json')]);
    expect(paused.code, paused.stderr).to.equal(0);
    const doc = json<{
      outcome: string;
      version: string;
      slot: string;
      deployment_id: string;
      paused: Record<string, unknown>;
    }>(paused);
    expect(doc.outcome).to.equal('paused');
    expect(doc.version).to.equal('2.0.0');
    expect(doc.paused).to.deep.include({ weight: 20, step: 1 });
    const since = Date.parse(String(doc.paused.since));
    expect(since).to.be.within(started - 1000, Date.now());

    const now = await status(file);
    expect(now.phase).to.equal('paused');
    expect(now.paused).to.deep.include({ weight: 20, step: 1, until: null, since: doc.paused.since });
    expect(now.live?.version, 'the stable release stays live').to.equal('1.0.0');
    const candidate = doc.slot === 'blue' ? 'blue' : 'green';
    expect(weightsOf(now)).to.deep.equal({ [candidate]: 20, [candidate === 'blue' ? 'green' : 'blue']: 80 });
    const text = await cli.run(['status', ...cli.flags(file)]);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout)
      .to.match(/paused/i)
      .and.to.match(/20 %/);
    expect(await activeSlots()).to.deep.equal(['blue', 'green']);

    const second = await cli.run(['deploy', ...cli.flags(cli.release({ version: '2.0.1' }))]);
    expect(second.code, second.stderr).to.equal(5);
    expect(second.stderr)
      .to.include('2.0.0')
      .and.to.include('ecs-crd promote')
      .and.to.include('ecs-crd rollback');

    // Another machine: another HOME and ECS_CRD_HOME (no report, no passphrase, no workspace of
    // the first run), the same backend.
    const page = join(elsewhere, 'promoted.html');
    const promoted = await cli.run(['promote', ...cli.flags(file, '--json', '--report', page)], {
      env: { HOME: elsewhere, ECS_CRD_HOME: join(elsewhere, '.ecs-crd') },
    });
    expect(promoted.code, promoted.stderr).to.equal(0);
    expect(json<{ outcome: string; version: string }>(promoted)).to.deep.include({
      outcome: 'deployed',
      version: '2.0.0',
    });
    expect(readFileSync(page, 'utf8')).to.contain('outcome-deployed').and.contain(doc.deployment_id);
    const after = await status(file);
    expect(after.phase).to.equal('stable');
    expect(after.live?.version).to.equal('2.0.0');
    expect(weightsOf(after)[candidate]).to.equal(100);
    expect(await activeSlots()).to.deep.equal([candidate]);
  });

  it('a paused deployment rolled back: the stable release at 100 %, the candidate removed', async () => {
    const file = cli.release({ version: '3.0.0', strategy: PAUSED_AT_20 });
    const paused = await cli.run(['deploy', ...cli.flags(file, '--json')]);
    expect(paused.code, paused.stderr).to.equal(0);
    const { slot } = json<{ outcome: string; slot: string }>(paused);
    expect(await activeSlots()).to.deep.equal(['blue', 'green']);

    const rolledBack = await cli.run(['rollback', ...cli.flags(file, '--json')]);
    expect(rolledBack.code, rolledBack.stderr).to.equal(0);
    const now = await status(file);
    expect(now.phase).to.not.equal('paused');
    expect(now.live?.version).to.equal('2.0.0');
    const stable = slot === 'blue' ? 'green' : 'blue';
    expect(weightsOf(now)[stable]).to.equal(100);
    expect(weightsOf(now)[slot] ?? 0).to.equal(0);
    expect(await activeSlots()).to.deep.equal([stable]);
    // Nothing left to promote.
    const promote = await cli.run(['promote', ...cli.flags(file)]);
    expect(promote.code).to.equal(2);
  });

  it('version "{{env.GIT_SHA}}": unset, an error at its line that names it; set, a timed pause that goes on by itself', async () => {
    const file = cli.release({
      version: '{{env.GIT_SHA}}',
      strategy: [
        // Long enough for a `status` (a few seconds on a busy machine) to see it.
        { weight: 20, wait: 1, pause: 12 },
        { weight: 100, wait: 1 },
      ],
    });
    const unset = await cli.run(['deploy', ...cli.flags(file)], { env: { GIT_SHA: undefined } });
    expect(unset.code, unset.stderr).to.equal(2);
    expect(unset.stderr)
      .to.match(/:\d+:\d+ service\.version/)
      .and.to.include('GIT_SHA');

    const sha = 'c0ffee1234';
    const env = { GIT_SHA: sha };
    const run = cli.start(['deploy', ...cli.flags(file, '--json')], { env });
    let result: CliResult;
    try {
      // While it holds the pause: status says paused, with an end.
      let seen: StatusJson | undefined;
      const deadline = Date.now() + 120_000;
      while (!seen && Date.now() < deadline && run.child.exitCode === null) {
        const now = await status(file, env);
        if (now?.phase === 'paused') seen = now;
        else await new Promise((r) => setTimeout(r, 300));
      }
      expect(seen, `never seen paused; output:\n${run.output()}`).to.not.equal(undefined);
      const pause = seen?.paused as { since: string; until: string | null; weight: number } | undefined;
      expect(pause?.weight).to.equal(20);
      expect(Date.parse(pause?.until ?? '') - Date.parse(pause?.since ?? ''), 'until − since').to.equal(
        12_000,
      );
      result = await run.done;
    } finally {
      run.child.kill('SIGKILL');
    }
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(json<{ outcome: string; version: string }>(result)).to.deep.include({
      outcome: 'deployed',
      version: sha,
    });
    const now = await status(file, env);
    expect(now.phase).to.equal('stable');
    expect(now.live?.version).to.equal(sha);
  });

  it('deploy --wait holds the pause and goes on when promoted from another process, while two more terminals read its status back to back', async () => {
    // One machine (its HOME, its temp folder) running five processes on one stack at once: the
    // engine's work folders must never be shared, or a reader's rewrite of Pulumi.yaml tears the
    // deploy's next step (a CI run saw "expected project to be an object, was '<nil>'").
    const machine = otherHome();
    mkdirSync(join(machine, 'tmp'), { mode: 0o700 });
    const env = { HOME: machine, TMPDIR: join(machine, 'tmp') };
    const file = cli.release({ version: '5.0.0', strategy: PAUSED_AT_20 });
    const run = cli.start(['deploy', ...cli.flags(file, '--wait', '--json')], { env });
    let finished = false;
    const reads: CliResult[] = [];
    const reader = async () => {
      while (!finished) reads.push(await cli.run(['status', ...cli.flags(file, '--json')], { env }));
    };
    let result: CliResult;
    let readers: Promise<unknown> | undefined;
    try {
      const deadline = Date.now() + 120_000;
      while ((await status(file, env)).phase !== 'paused') {
        if (Date.now() > deadline || run.child.exitCode !== null)
          throw new Error(`never paused; output:\n${run.output()}`);
        await new Promise((r) => setTimeout(r, 300));
      }
      readers = Promise.all([reader(), reader()]);
      const promoted = await cli.run(['promote', ...cli.flags(file)], { env });
      expect(promoted.code, promoted.stdout + promoted.stderr).to.equal(0);
      expect(promoted.stdout + promoted.stderr).to.match(/running|holds|goes on/i);
      result = await run.done;
    } finally {
      finished = true;
      run.child.kill('SIGKILL');
      await readers;
    }
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(json<{ outcome: string }>(result).outcome).to.equal('deployed');
    expect((await status(file, env)).live?.version).to.equal('5.0.0');
    const failed = reads.filter((r) => r.code !== 0);
    expect(
      failed.map((r) => `exit ${r.code ?? r.signal}: ${r.stdout}${r.stderr}`),
      `${failed.length} of ${reads.length} status reads failed`,
    ).to.deep.equal([]);
    expect(reads.length, 'status read while the deploy went on').to.be.at.least(2);
    // Every run removed its work folder and the engine's note of the stack it selected there.
    expect(readdirSync(join(machine, 'tmp'))).to.deep.equal([]);
    const notes = join(machine, '.pulumi', 'workspaces');
    expect(existsSync(notes) ? readdirSync(notes) : []).to.deep.equal([]);
  });
});

const homes: string[] = [];

/** A HOME of its own, with the pinned Pulumi CLI a second machine would have installed. */
function otherHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'ecs-crd-elsewhere-'));
  homes.push(home);
  const version = pinnedPulumiVersion();
  mkdirSync(join(home, '.pulumi', 'versions'), { recursive: true });
  symlinkSync(join(homedir(), '.pulumi', 'versions', version), join(home, '.pulumi', 'versions', version));
  return home;
}
