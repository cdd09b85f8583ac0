/**
 * The CI examples run against the sandbox: every `ecs-crd` line of examples/ci/github-actions.yml
 * and examples/ci/gitlab-ci.yml, as written, in the order a pipeline runs them (merge request:
 * validate, preview; main: deploy, which pauses at 10 %; the manual jobs: status and promote,
 * promote --full, rollback). Only what the sandbox must change is changed: `ecs-crd` is the
 * built bin, the deployment file at the same path (deploy/prod.deploy.yml) is one for the
 * sandbox's cluster, ALBs and zone with the example's strategy, pause, hooks and version
 * template but short waits, and the CI's variables (GIT_SHA, GITHUB_SHA…) are set as the runner
 * would set them. The exit codes and `--json` documents are what the jobs' scripts act on.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { type CliResult, SandboxCli } from '../../sandbox/ecs-crd.js';
import { type Sandbox, startSandbox } from '../../sandbox/harness.js';
import {
  CI_DIR,
  type CiCommand,
  type CiFile,
  ciCommands,
  expandWords,
  fileFlag,
} from '../helpers/ci-commands.js';

const ACCOUNT_ID = '123456789012';

interface ExampleFile {
  canary: { strategy: { weight: number; wait?: number; pause?: true | number }[]; hooks?: unknown };
  service: { version: string };
}

/** One CI file's jobs run by hand, in a project folder of their own. */
class Pipeline {
  readonly dir = mkdtempSync(join(tmpdir(), 'ecs-crd-ci-'));
  private readonly commands: CiCommand[];

  constructor(
    private readonly cli: SandboxCli,
    readonly file: CiFile,
    /** The CI's own variables for a commit (and, on GitHub, a manual run's version input). */
    private readonly variables: (sha: string, version?: string) => Record<string, string>,
    readonly service: { name: string; fqdn: string },
  ) {
    this.commands = ciCommands(file);
    const paths = new Set(this.commands.map((c) => fileFlag(c.words)));
    expect([...paths]).to.deep.equal(['deploy/prod.deploy.yml']);
    this.writeDeploymentFile();
  }

  /** The sandbox's file at deploy/prod.deploy.yml: the example's strategy, pauses, hooks and version. */
  private writeDeploymentFile(): void {
    const { service } = this;
    const example = parse(readFileSync(new URL('deploy/prod.deploy.yml', CI_DIR), 'utf8')) as ExampleFile;
    const strategy = example.canary.strategy.map(({ weight, pause }) => ({
      weight,
      wait: 1,
      ...(pause === true ? { pause: true as const } : typeof pause === 'number' ? { pause: 2 } : {}),
    }));
    const file = this.cli.release({
      version: example.service.version,
      strategy,
      service,
      ...(example.canary.hooks ? { hooks: example.canary.hooks as Record<string, unknown> } : {}),
    });
    mkdirSync(join(this.dir, 'deploy'));
    writeFileSync(join(this.dir, 'deploy', 'prod.deploy.yml'), readFileSync(file));
    // The example's smoke test curls the candidate's ALB, which the sandbox does not serve: a
    // stand-in at the same path records that it ran, with what, and passes.
    writeFileSync(
      join(this.dir, 'deploy', 'smoke.sh'),
      '#!/bin/sh\necho "$ECS_CRD_HOOK $ECS_CRD_VERSION $ECS_CRD_WEIGHT $ECS_CRD_CANDIDATE_HOST" >> smoke.log\n',
      { mode: 0o755 },
    );
  }

  /** The `ecs-crd` lines of a job, in order. */
  lines(job: string): CiCommand[] {
    const lines = this.commands.filter((c) => c.job === job);
    expect(lines, `${this.file}: job ${job}`).to.not.deep.equal([]);
    return lines;
  }

  /** Runs one line as the job's shell would (its `> FILE` too), in the project folder. */
  async run(command: CiCommand, sha: string, version?: string): Promise<CliResult & { json?: unknown }> {
    const env = this.variables(sha, version);
    const result = await this.cli.run(expandWords(command.words, env), { cwd: this.dir, env });
    if (command.stdout) writeFileSync(join(this.dir, command.stdout), result.stdout);
    if (!command.words.includes('--json')) return result;
    try {
      return { ...result, json: JSON.parse(result.stdout) };
    } catch {
      throw new Error(`${command.line}: not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
  }

  /** Runs every line of a job in order; the first that fails stops it, as `set -e` would. */
  async job(job: string, sha: string, version?: string): Promise<(CliResult & { json?: unknown })[]> {
    const results = [];
    for (const line of this.lines(job)) {
      const result = await this.run(line, sha, version);
      results.push(result);
      if (result.code !== 0) break;
    }
    return results;
  }

  /** What a `> FILE` kept. */
  saved(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  smokeLog(): string[] {
    const log = join(this.dir, 'deploy', 'smoke.log');
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

type Result = CliResult & { json?: unknown };
const outcome = (result: Result | undefined) => (result?.json as { outcome?: string } | undefined)?.outcome;
const ok = (result: Result | undefined, what: string) => {
  expect(result?.code, `${what}\n${result?.stderr}\n${result?.stdout}`).to.equal(0);
};

describe('examples/ci: every ecs-crd line of the pipelines, against the sandbox', function () {
  this.timeout(900_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
  });

  after(async () => {
    cli?.cleanup();
    await sandbox?.stop();
  });

  /** `status --json` of the pipeline's service, by the same deployment file. */
  async function live(
    pipeline: Pipeline,
    sha: string,
  ): Promise<{ phase: string; version: string | undefined }> {
    const result = await cli.run(['status', '-e', 'prod', '-f', 'deploy/prod.deploy.yml', '--json'], {
      cwd: pipeline.dir,
      env: { GIT_SHA: sha },
    });
    ok(result, 'status');
    const doc = JSON.parse(result.stdout) as { phase: string; live: { version: string } | null };
    return { phase: doc.phase, version: doc.live?.version };
  }

  interface StoryJobs {
    /** The job with `status` and `promote` lines. */
    promote: string;
    /** The `promote --full` line. */
    full: CiCommand;
    /** A promote line run with another version than the paused one: refused. */
    wrong: CiCommand;
    rollback: string;
  }

  /**
   * The story both files go through: a first release (no pause: nothing to compare with), a
   * second one paused at 10 % and promoted from the manual job, a third paused and rolled
   * back, a fifth refused by a promote of another version and promoted straight to 100 %.
   * `extras`: a preview that shows the pause, and a deploy refused while one is paused.
   */
  async function story(pipeline: Pipeline, jobs: StoryJobs, extras: boolean) {
    const sha = (n: number) => `${n}${'0a1b2c3d'.repeat(5)}`.slice(0, 40);

    // A merge request: validate and preview.
    const [validated] = await pipeline.job('validate', sha(1));
    ok(validated, 'validate');
    const [previewed] = await pipeline.job('preview', sha(1));
    ok(previewed, 'preview (first deployment)');

    // Its merge: a first deployment goes straight to 100 %.
    const [first] = await pipeline.job('deploy', sha(1));
    ok(first, 'deploy (first)');
    expect(JSON.parse(pipeline.saved('deploy.json'))).to.deep.include({
      outcome: 'deployed',
      version: sha(1),
    });

    // The next merge request shows the pause in its preview; its merge pauses at 10 %.
    if (extras) {
      const [preview2] = await pipeline.job('preview', sha(2));
      ok(preview2, 'preview (second)');
      expect(preview2?.stdout).to.match(/pause/i);
    }
    const [paused] = await pipeline.job('deploy', sha(2));
    ok(paused, 'deploy (paused)');
    expect(paused?.json).to.deep.include({ outcome: 'paused', version: sha(2) });
    expect((paused?.json as { paused?: unknown } | undefined)?.paused).to.deep.include({
      weight: 10,
      step: 1,
    });
    // The before_traffic hook of the example ran, in the file's folder, before any traffic.
    expect(pipeline.smokeLog().at(-1)).to.equal(`before_traffic ${sha(2)} 0 ${pipeline.service.fqdn}`);

    // Someone approves the promote job: status, then promote.
    const promoted = await pipeline.job(jobs.promote, sha(2));
    ok(promoted[0], 'status');
    expect(promoted[0]?.stdout)
      .to.match(/paused/i)
      .and.to.include('10 %');
    ok(promoted[1], 'promote');
    expect(promoted[1]?.json).to.deep.include({ outcome: 'deployed', version: sha(2) });

    // Paused again (the next merge's deploy is refused, exit 5, while it waits); rollback.
    const [paused3] = await pipeline.job('deploy', sha(3));
    expect(outcome(paused3)).to.equal('paused');
    if (extras) {
      const [refused] = await pipeline.job('deploy', sha(4));
      expect(refused?.code, refused?.stdout).to.equal(5);
      expect(JSON.parse(pipeline.saved('deploy.json')).error.message).to.include(sha(3));
    }
    const [rolledBack] = await pipeline.job(jobs.rollback, sha(3), sha(3));
    ok(rolledBack, 'rollback');
    expect(await live(pipeline, sha(3))).to.deep.equal({ phase: 'rolled_back', version: sha(2) });

    // Paused once more; a promote naming another version is refused (exit 2); --full goes to 100 %.
    const [paused5] = await pipeline.job('deploy', sha(5));
    expect(outcome(paused5)).to.equal('paused');
    const wrong = await pipeline.run(jobs.wrong, sha(6), sha(6));
    expect(wrong.code, wrong.stdout + wrong.stderr).to.equal(2);
    expect(wrong.stdout + wrong.stderr)
      .to.include(sha(5))
      .and.to.include(sha(6));
    const full = await pipeline.run(jobs.full, sha(5), sha(5));
    ok(full, 'promote --full');
    const doc = full.json as { outcome: string; steps: { weight: number; outcome: string }[] };
    expect(doc.outcome).to.equal('deployed');
    expect(doc.steps.filter((s) => s.weight === 50).map((s) => s.outcome)).to.not.include('passed');
    // The pause and the --full promote left a settled stack (test/e2e/pause.test.ts checks the rest).
    expect(await live(pipeline, sha(5))).to.deep.equal({ phase: 'stable', version: sha(5) });
  }

  async function github(): Promise<void> {
    const pipeline = new Pipeline(
      cli,
      'github-actions.yml',
      // env GIT_SHA: ${{ inputs.version || github.sha }}; ACTION: ${{ inputs.action }} (manual-promote).
      (sha, version) => ({ GITHUB_SHA: sha, GIT_SHA: version ?? sha, AWS_ACCOUNT_ID: ACCOUNT_ID }),
      { name: 'api', fqdn: 'api.sandbox.example.com' },
    );
    try {
      // manual-promote: promote --full or promote, behind an `if` on the action input.
      const [full, plain] = pipeline.lines('manual-promote');
      expect([full?.words.includes('--full'), plain?.words.includes('--full')]).to.deep.equal([true, false]);
      if (!full || !plain) return;
      await story(pipeline, { promote: 'promote', full, wrong: plain, rollback: 'rollback' }, true);
    } finally {
      pipeline.cleanup();
    }
  }

  async function gitlab(): Promise<void> {
    const pipeline = new Pipeline(
      cli,
      'gitlab-ci.yml',
      // variables: GIT_SHA: $CI_COMMIT_SHA; a manual job runs in its deploy's pipeline.
      (sha, version) => ({
        CI_COMMIT_SHA: version ?? sha,
        GIT_SHA: version ?? sha,
        AWS_ACCOUNT_ID: ACCOUNT_ID,
      }),
      { name: 'web', fqdn: 'web.sandbox.example.com' },
    );
    try {
      const [full] = pipeline.lines('promote-full');
      if (!full) return;
      await story(pipeline, { promote: 'promote', full, wrong: full, rollback: 'rollback' }, false);
    } finally {
      pipeline.cleanup();
    }
  }

  // One after the other: two deployments creating listener rules on the same ALBs at the same
  // time may pick the same free priority (discovery reads the listener, then the engine creates).
  it(
    'github-actions.yml: PR (validate, preview), main (deploy to the pause), promote, rollback, manual promote --full',
    github,
  );
  it(
    'gitlab-ci.yml: MR (validate, preview), main (deploy to the pause), manual promote, rollback, promote-full',
    gitlab,
  );
});
