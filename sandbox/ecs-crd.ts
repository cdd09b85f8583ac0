/**
 * Runs the built CLI (`bin/run.js`, as a user would) against a sandbox, with its own state
 * backend and ecs-crd home in a temporary folder: for the end-to-end suite and the demo.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { REPO_ROOT, type Sandbox } from './harness.js';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ReleaseOptions {
  version: string;
  /** `SANDBOX_HEALTH` of the container: what the sandbox's scheduler makes of it. */
  health?: 'unhealthy' | 'crash' | 'flaky-start' | 'slow-start';
  strategy?: { weight: number; wait?: number; pause?: true | number }[];
  health_timeout?: number;
  /** `canary.drain`, seconds (the example's is short). */
  drain?: number;
  /** Another service on the same ALBs: its `service.name` and `service.fqdn`. */
  service?: { name: string; fqdn: string };
  /** The host names of its rule on the port-80 listener, when not its fqdn. */
  hosts?: string[];
  /** `SANDBOX_ERROR_RATE` of the container: the share (0–1) of requests its healthy targets answer 5xx. */
  errorRate?: number;
  /** `SANDBOX_LATENCY_MS` of the container: its mean response time (the sandbox's default is 20). */
  latencyMs?: number;
  /** Written as `canary.analysis`, verbatim. */
  analysis?: Record<string, unknown>;
  /** Written as `canary.hooks`, verbatim. */
  hooks?: Record<string, unknown>;
}

/** How one run differs from the CLI's own: its working folder, variables added (`undefined` removes one). */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** A team backend for the CLI: state in the emulator's S3, secrets sealed by a key (no passphrase). */
export interface TeamBackend {
  /** `s3://bucket/prefix`. */
  url: string;
  /** `awskms://alias/…`; absent: a passphrase (`PULUMI_CONFIG_PASSPHRASE` empty). */
  secretsProvider?: string;
  /** Added to every run's environment (`ECS_CRD_LEASE_TTL` of the sandbox, say). */
  env?: Record<string, string>;
}

/** A CLI bound to one sandbox and one private state folder. */
export class SandboxCli {
  readonly home: string;
  private files = 0;

  /**
   * `colour`: false in tests (plain, comparable output), true for a person watching the demo.
   * `backend`: `private` (default) is a file backend in the temporary folder with an empty
   * passphrase; `default` leaves both to ecs-crd, whose own default then lives under
   * `ECS_CRD_HOME` in the temporary folder (a generated passphrase, as for a new user); a
   * `TeamBackend` puts the state in the emulator's S3, where another `SandboxCli` (another
   * machine: its own home, workspaces and passphrase folder) finds it.
   */
  constructor(
    private readonly sandbox: Sandbox,
    private readonly options: { colour?: boolean; backend?: 'private' | 'default' | TeamBackend } = {},
  ) {
    this.home = mkdtempSync(join(tmpdir(), 'ecs-crd-e2e-'));
    mkdirSync(join(this.home, 'state'));
  }

  get env(): NodeJS.ProcessEnv {
    // The test runner's own loader (tsx) must not leak into the CLI or the engine's plugins.
    // So must a backend or passphrase of the shell that runs them.
    const {
      NODE_OPTIONS: _loader,
      PULUMI_BACKEND_URL: _backend,
      PULUMI_CONFIG_PASSPHRASE: _passphrase,
      PULUMI_CONFIG_PASSPHRASE_FILE: _passphraseFile,
      ...inherited
    } = process.env;
    return {
      ...inherited,
      ...this.sandbox.env,
      ECS_CRD_HOME: join(this.home, 'ecs-crd'),
      ...this.backendEnv(),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(this.options.colour ? {} : { NO_COLOR: '1' }),
    };
  }

  private backendEnv(): Record<string, string> {
    const backend = this.options.backend ?? 'private';
    if (backend === 'default') return {};
    if (backend === 'private')
      return { PULUMI_BACKEND_URL: `file://${join(this.home, 'state')}`, PULUMI_CONFIG_PASSPHRASE: '' };
    return {
      PULUMI_BACKEND_URL: backend.url,
      ...(backend.secretsProvider
        ? { PULUMI_SECRETS_PROVIDER: backend.secretsProvider }
        : { PULUMI_CONFIG_PASSPHRASE: '' }),
      ...backend.env,
    };
  }

  /** Writes a deployment file for the sandbox fixtures from examples/sandbox.deploy.yml. */
  release(options: ReleaseOptions): string {
    const doc = parseDocument(readFileSync(join(REPO_ROOT, 'examples', 'sandbox.deploy.yml'), 'utf8'));
    doc.setIn(['service', 'version'], options.version);
    const environment = {
      ...(options.health ? { SANDBOX_HEALTH: options.health } : {}),
      ...(options.errorRate !== undefined ? { SANDBOX_ERROR_RATE: String(options.errorRate) } : {}),
      ...(options.latencyMs !== undefined ? { SANDBOX_LATENCY_MS: String(options.latencyMs) } : {}),
    };
    if (Object.keys(environment).length > 0)
      doc.setIn(['service', 'containers', 0, 'environment'], environment);
    if (options.analysis) doc.setIn(['canary', 'analysis'], options.analysis);
    if (options.hooks) doc.setIn(['canary', 'hooks'], options.hooks);
    if (options.strategy) doc.setIn(['canary', 'strategy'], options.strategy);
    if (options.health_timeout) doc.setIn(['canary', 'health', 'timeout'], options.health_timeout);
    if (options.drain !== undefined) doc.setIn(['canary', 'drain'], options.drain);
    if (options.hosts) {
      doc.set('listeners', [
        { port: 80, protocol: 'HTTP', rule: { conditions: { host_header: options.hosts } } },
      ]);
    }
    if (options.service) {
      doc.setIn(['service', 'name'], options.service.name);
      doc.setIn(['service', 'fqdn'], options.service.fqdn);
    }
    const file = join(this.home, `release-${++this.files}.deploy.yml`);
    writeFileSync(file, doc.toString());
    return file;
  }

  start(
    args: string[],
    options: RunOptions = {},
  ): { child: ChildProcess; done: Promise<CliResult>; output: () => string } {
    const env = { ...this.env, ...options.env };
    for (const [key, value] of Object.entries(options.env ?? {})) if (value === undefined) delete env[key];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'run.js'), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    return this.watch(child);
  }

  /** Runs a command on this process's own terminal (the live view shows), without capturing it. */
  show(args: string[]): Promise<number | null> {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'run.js'), ...args], {
      env: this.env,
      stdio: 'inherit',
    });
    return new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  private watch(child: ChildProcess): {
    child: ChildProcess;
    done: Promise<CliResult>;
    output: () => string;
  } {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const done = new Promise<CliResult>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, done, output: () => stderr + stdout };
  }

  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const started = Date.now();
    const done = this.start(args, options).done;
    // ECS_CRD_E2E_TIMES=1: each command's exit code and time on stderr, to keep a file's run time in view.
    if (process.env.ECS_CRD_E2E_TIMES)
      void done.then((r) =>
        console.error(`    ecs-crd ${args[0]} → ${r.code} in ${Date.now() - started} ms`),
      );
    return done;
  }

  /** The common flags of a command on one deployment file, in the environment `dev`. */
  flags(file: string, ...more: string[]): string[] {
    return this.flagsIn('dev', file, ...more);
  }

  /** The common flags of a command on one deployment file, in `environment`. */
  flagsIn(environment: string, file: string, ...more: string[]): string[] {
    return ['-e', environment, '-r', this.sandbox.region, '-f', file, ...more];
  }

  /** Whether ecs-crd created its default passphrase in this machine's home. */
  passphraseFileExists(): boolean {
    return existsSync(join(this.home, 'ecs-crd', 'passphrase'));
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Resolves once `output()` matches, or rejects after `timeoutMs`. */
export async function waitForOutput(
  output: () => string,
  pattern: RegExp,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${pattern}; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
