/**
 * A command hook: argv run without a shell, in its own process group, with a timeout. Whatever
 * happens to it ends in a `HookResult`, never an exception: a hook that cannot start, fails,
 * hangs or is aborted is a failed hook, and the rollout decides what that means.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { HookResult, HookRunOptions } from '../canary/ports/hooks.js';
import { lineSplitter } from './lines.js';

/** After SIGTERM at the timeout, how long a hook has to clean up before SIGKILL. */
export const KILL_GRACE_MS = 5000;

/** After the hook itself exited, how long its output may still flow from a descendant holding the pipes. */
const OUTPUT_GRACE_MS = 2000;

export interface CommandRun {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutS: number;
}

export function runCommand(run: CommandRun, options: HookRunOptions = {}): Promise<HookResult> {
  const started = performance.now();
  const result = (ok: boolean, detail: string): HookResult => ({
    ok,
    detail,
    durationMs: Math.round(performance.now() - started),
  });
  const [file, ...args] = run.argv;
  if (file === undefined || file === '') return Promise.resolve(result(false, 'no command to run'));
  if (options.signal?.aborted) return Promise.resolve(result(false, 'aborted'));
  return new Promise((resolve) => {
    const child = start(file, args, run);
    if (typeof child === 'string') {
      resolve(result(false, child));
      return;
    }
    const supervision = supervise(child, run.timeoutS, options.signal);
    pipeLines(child, options);
    let settled = false;
    const finish = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      supervision.stop();
      resolve(result(ok, detail));
    };
    child.once('error', (err: NodeJS.ErrnoException) => finish(false, startFailure(err, file, run.cwd)));
    child.once('exit', (code, signal) => {
      // A descendant may still hold the pipes open: its output is kept for a moment, not waited for.
      const late = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, OUTPUT_GRACE_MS);
      child.once('close', () => {
        clearTimeout(late);
        const why = supervision.why();
        if (why) finish(false, why);
        else if (signal) finish(false, `killed by ${signal}`);
        else finish(code === 0, `exit code ${code ?? 'unknown'}`);
      });
    });
  });
}

/** The hook's process, or why the system refused to start it. */
function start(file: string, args: string[], run: CommandRun): ChildProcess | string {
  try {
    // `detached` makes the hook the leader of its own process group: a timeout or an abort
    // kills what a script started too (kill(-pid)), and the terminal's Ctrl-C, sent to our
    // group, does not reach it, so that a first Ctrl-C lets the hook finish.
    return spawn(file, args, {
      cwd: run.cwd,
      env: run.env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // Refused before any process (an argument with a NUL byte): the message may quote it.
    return `could not start ${file}: ${(err as NodeJS.ErrnoException).code ?? 'invalid command'}`;
  }
}

/** Why a spawn failed, in the words of a user who wrote `command: [argv0, …]`. */
function startFailure(err: NodeJS.ErrnoException, file: string, cwd: string): string {
  switch (err.code) {
    case 'ENOENT':
      // The same error for a missing working directory: say which is missing.
      return existsSync(cwd) ? `not found: ${file}` : `folder not found: ${cwd}`;
    case 'EACCES':
      return `not executable: ${file}`;
    default:
      return `could not start ${file}: ${err.code ?? err.message}`;
  }
}

function pipeLines(child: ChildProcess, options: HookRunOptions): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const pipe = child[stream];
    if (!pipe) continue;
    const lines = lineSplitter((line) => options.onOutput?.(line, stream));
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => lines.push(chunk));
    pipe.once('close', () => lines.end());
    // A pipe destroyed after the grace period errors: the hook's result is decided elsewhere.
    pipe.on('error', () => {});
  }
}

interface Supervision {
  /** Why the hook was stopped (`timed out after 60 s`, `aborted`); undefined while it was not. */
  why(): string | undefined;
  stop(): void;
}

/** The timeout and the abort signal of a running hook; both kill its whole process group. */
function supervise(child: ChildProcess, timeoutS: number, signal: AbortSignal | undefined): Supervision {
  let why: string | undefined;
  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // The group is gone already.
    }
  };
  const timer = setTimeout(() => {
    why ??= `timed out after ${timeoutS} s`;
    killGroup('SIGTERM');
    // Left running when the hook itself is gone: a descendant that ignores SIGTERM still gets
    // its SIGKILL; unref'd so that it never keeps ecs-crd alive.
    setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
  }, timeoutS * 1000);
  // A second Ctrl-C means "stop now": no grace period.
  const onAbort = () => {
    why ??= 'aborted';
    killGroup('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  // Should ecs-crd itself exit while the hook runs, the hook (in its own group) must not outlive it.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  return {
    why: () => why,
    stop() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onExit);
    },
  };
}
