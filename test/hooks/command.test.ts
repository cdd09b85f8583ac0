/**
 * Command hooks through `createHookRunner`, with real child processes: `node -e` scripts (the
 * running Node, `process.execPath`) and a shell script, in a temporary folder.
 */
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { HookResult } from '../../src/canary/ports/hooks.js';
import { createHookRunner, WITHHELD_VARIABLES } from '../../src/hooks/runner.js';
import { sampleEvent } from './sample-event.js';

const node = process.execPath;

interface Ran {
  result: HookResult;
  lines: { line: string; stream: 'stdout' | 'stderr' }[];
}

describe('command hooks: child processes without a shell', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'ecs-crd-hooks-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(
    command: string[],
    options: { timeout?: number; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
  ): Promise<Ran> {
    const runner = createHookRunner({
      cwd: dir,
      version: '1.2.3',
      env: options.env ?? { PATH: process.env.PATH },
    });
    const lines: Ran['lines'] = [];
    const result = await runner.run(
      { kind: 'command', command, timeout: options.timeout ?? 30 },
      sampleEvent(),
      {
        onOutput: (line, stream) => lines.push({ line, stream }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    return { result, lines };
  }

  it('passes on exit code 0 and passes each line of stdout and stderr on as it comes', async () => {
    const { result, lines } = await run([
      node,
      '-e',
      'console.log("one"); console.error("warn"); process.stdout.write("two\\nlast, no newline")',
    ]);
    expect(result.ok).to.equal(true);
    expect(result.detail).to.equal('exit code 0');
    expect(result.durationMs).to.be.a('number').at.least(0);
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).to.deep.equal([
      'one',
      'two',
      'last, no newline',
    ]);
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).to.deep.equal(['warn']);
  });

  it('fails with the exit code of a failing command', async () => {
    const { result } = await run([node, '-e', 'process.exit(3)']);
    expect(result).to.include({ ok: false, detail: 'exit code 3' });
  });

  it('passes arguments as they are, with no shell to expand them', async () => {
    const { lines } = await run([
      node,
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1)))',
      '$HOME',
      '*',
      'a b',
    ]);
    expect(JSON.parse(lines[0]?.line ?? 'null')).to.deep.equal(['$HOME', '*', 'a b']);
  });

  it('runs in the deployment file’s folder, with stdin closed', async () => {
    const { result, lines } = await run([
      node,
      '-e',
      'process.stdin.on("data", () => {}).on("end", () => console.log(process.cwd()))',
    ]);
    expect(result.ok).to.equal(true);
    expect(lines.map((l) => l.line)).to.deep.equal([dir]);
  });

  it('inherits the environment less the engine’s and AWS’s secrets, plus the event as ECS_CRD_*', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, KEEP_ME: 'kept', AWS_PROFILE: 'deployer' };
    for (const name of WITHHELD_VARIABLES) env[name] = 'do-not-pass';
    const { lines } = await run([node, '-e', 'console.log(JSON.stringify(process.env))'], { env });
    const seen = JSON.parse(lines[0]?.line ?? '{}') as Record<string, string>;
    for (const name of WITHHELD_VARIABLES) expect(seen, name).not.to.have.property(name);
    expect(JSON.stringify(seen)).not.to.contain('do-not-pass');
    expect(seen).to.include({
      KEEP_ME: 'kept',
      AWS_PROFILE: 'deployer',
      ECS_CRD_HOOK: 'after_step',
      ECS_CRD_VERSION: '1.4.2',
      ECS_CRD_STEP: '1',
      ECS_CRD_CANDIDATE_HOST: 'orders.example.com',
    });
  });

  it('fails "not found" for a missing executable, without throwing', async () => {
    const { result } = await run(['./no-such-hook.sh']);
    expect(result).to.include({ ok: false, detail: 'not found: ./no-such-hook.sh' });
  });

  it('says so when the working directory is missing, rather than blaming the command', async () => {
    rmSync(dir, { recursive: true, force: true });
    const { result } = await run([node, '-e', '0']);
    expect(result).to.include({ ok: false, detail: `folder not found: ${dir}` });
  });

  it('fails, without throwing or quoting it, for an argument the system refuses', async () => {
    const { result } = await run([node, '-e', '0', 'token\u0000s3cr3t']);
    expect(result.ok).to.equal(false);
    expect(result.detail).to.match(/^could not start /);
    expect(result.detail).not.to.contain('s3cr3t');
  });

  it('fails "not executable" for a script without its x bit', async () => {
    writeFileSync(join(dir, 'smoke.sh'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, 'smoke.sh'), 0o644);
    const { result } = await run(['./smoke.sh']);
    expect(result).to.include({ ok: false, detail: 'not executable: ./smoke.sh' });
  });

  it('runs a script of the deployment file’s folder by its relative path', async () => {
    writeFileSync(join(dir, 'smoke.sh'), '#!/bin/sh\necho "smoke $1 at $ECS_CRD_WEIGHT %"\nexit 0\n');
    chmodSync(join(dir, 'smoke.sh'), 0o755);
    const { result, lines } = await run(['./smoke.sh', 'orders']);
    expect(result.ok).to.equal(true);
    expect(lines.map((l) => l.line)).to.deep.equal(['smoke orders at 10 %']);
  });

  it('says which signal killed a command', async () => {
    const { result } = await run([node, '-e', 'process.kill(process.pid, "SIGTERM")']);
    expect(result).to.include({ ok: false, detail: 'killed by SIGTERM' });
  });

  it('stops a command at its timeout (SIGTERM) and keeps what it printed', async () => {
    const { result, lines } = await run([node, '-e', 'console.log("started"); setInterval(() => {}, 1000)'], {
      timeout: 1,
    });
    expect(result).to.include({ ok: false, detail: 'timed out after 1 s' });
    expect(result.durationMs).to.be.within(900, 4000);
    expect(lines.map((l) => l.line)).to.deep.equal(['started']);
  });

  it('kills a command that ignores SIGTERM 5 s after its timeout', async () => {
    const { result } = await run(
      [node, '-e', 'process.on("SIGTERM", () => console.log("ignored")); setInterval(() => {}, 1000)'],
      { timeout: 1 },
    );
    expect(result).to.include({ ok: false, detail: 'timed out after 1 s' });
    expect(result.durationMs).to.be.within(5900, 9000);
  });

  it('kills what a shell script started too (its whole process group) at the timeout', async () => {
    const script = join(dir, 'slow.sh');
    writeFileSync(script, '#!/bin/sh\nsleep 60 &\necho $! > grandchild.pid\nwait\n');
    chmodSync(script, 0o755);
    const { result } = await run(['./slow.sh'], { timeout: 1 });
    expect(result).to.include({ ok: false, detail: 'timed out after 1 s' });
    const pid = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8').trim());
    expect(pid).to.be.greaterThan(0);
    expect(await gone(pid)).to.equal(true, `the grandchild ${pid} outlived its hook`);
  });

  it('kills a running command at once when the run is aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { result } = await run(
      [node, '-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'],
      { signal: controller.signal, timeout: 60 },
    );
    expect(result).to.include({ ok: false, detail: 'aborted' });
    expect(result.durationMs).to.be.below(3000);
  });

  it('does not start a command when the run was aborted already', async () => {
    const { result } = await run([node, '-e', 'require("fs").writeFileSync("ran", "")'], {
      signal: AbortSignal.abort(),
    });
    expect(result).to.include({ ok: false, detail: 'aborted' });
    expect(() => readFileSync(join(dir, 'ran'))).to.throw();
  });
});

/**
 * Whether `pid` is gone within 3 s. A killed process whose parent died waits as a zombie until
 * init reaps it, which a container's init may do late: a zombie counts as gone.
 */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 30; i++) {
    if (!running(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}
