/**
 * The `StackRunner` over Pulumi's Automation API: one inline stack per (project, service,
 * environment, region) in Pulumi project `ecs-crd`, a stable work dir, the pinned CLI.
 * Pulumi itself is imported lazily: `--help` and `validate` never pay for it.
 */
import type {
  ChangeSummary,
  DesiredState,
  HistoryEntry,
  PlannedChange,
  RunOptions,
  StackIdentity,
  StackOutputs,
  StackRunner,
} from '../canary/ports/stack.js';
import { EcsCrdError, StackLockedError, UsageError } from '../errors.js';
import { type Backend, ecsCrdHome, stackWorkspace } from './backend.js';
import { EngineEventTranslator, plannedChanges, type RawEngineEvent, summaryOf } from './events.js';
import { stackName } from './naming.js';
import { awsProviderConfig, type ProviderSettings } from './provider-config.js';
import { parseOutputs, readWholeHistory, updateMessage } from './state.js';

type Automation = typeof import('@pulumi/pulumi/automation/index.js');
type Stack = import('@pulumi/pulumi/automation/index.js').Stack;

export const PULUMI_PROJECT = 'ecs-crd';

export interface StackRunnerOptions {
  identity: StackIdentity;
  /** The pinned CLI version (package.json `config.pulumiVersion`). */
  pulumiVersion: string;
  /** From `resolveBackend`: where the state lives and how its secrets are sealed. */
  backend: Backend;
  provider: ProviderSettings;
  /** Extra engine environment (the sandbox puts its stand-in provider first on PATH). */
  engineEnv?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  /**
   * Reads what an SSM parameter or Secrets Manager ARN holds (the app layer's, from src/aws):
   * the client secrets of authenticate-oidc actions, read at each run, given to the program as
   * Pulumi secrets. Absent: a release with such an action cannot be declared.
   */
  readSecret?: (arn: string) => Promise<string>;
}

/** Opens (lazily: no engine call yet) the runner for one service's stack. */
export async function openStackRunner(options: StackRunnerOptions): Promise<StackRunner> {
  const auto = await import('@pulumi/pulumi/automation/index.js');
  return new PulumiStackRunner(auto, options, options.backend, ecsCrdHome(options.env ?? process.env));
}

class PulumiStackRunner implements StackRunner {
  private readonly name: string;
  private stack: Stack | undefined;
  /**
   * The outputs the last `up` already read back (the Automation API reads them after every
   * update): reading them again costs two more CLI calls. undefined: not known, ask the engine.
   */
  private known: StackOutputs | null | undefined;

  constructor(
    private readonly auto: Automation,
    private readonly options: StackRunnerOptions,
    private readonly backend: Backend,
    private readonly home: string,
  ) {
    this.name = stackName(options.identity);
  }

  async preview(state: DesiredState, options: RunOptions = {}): Promise<PlannedChange[]> {
    const stack = await this.open(true);
    const events: RawEngineEvent[] = [];
    await this.engine(() =>
      stack.preview({
        program: this.program(state),
        ...this.watch(options, (e) => events.push(e)),
      }),
    );
    return plannedChanges(events);
  }

  async up(state: DesiredState, options: RunOptions = {}): Promise<ChangeSummary> {
    const stack = await this.open(true);
    this.known = undefined;
    const result = await this.engine(() =>
      stack.up({
        program: this.program(state),
        message: updateMessage(state.meta),
        // Nothing here reads secret values back: without this, the summary the API fetches
        // after the update decrypts the whole history (a passphrase key derivation per update).
        showSecrets: false,
        ...this.watch(options),
      }),
    );
    this.known = parseOutputs(result.outputs);
    const endedAt = new Date(result.summary.endTime).getTime();
    return {
      ...summaryOf(result.summary.resourceChanges),
      ...(Number.isFinite(endedAt) ? { endedAt } : {}),
    };
  }

  async destroy(options: RunOptions = {}): Promise<ChangeSummary> {
    const stack = await this.open(false);
    if (!stack) return { changes: {} };
    this.known = undefined;
    const result = await this.engine(() => stack.destroy({ ...this.watch(options) }));
    return summaryOf(result.summary.resourceChanges);
  }

  async outputs(): Promise<StackOutputs | null> {
    if (this.known !== undefined) return this.known;
    const stack = await this.open(false);
    if (!stack) return null;
    this.known = parseOutputs(await this.engine(() => beyondTornReads(() => stack.outputs())));
    return this.known;
  }

  async history(): Promise<HistoryEntry[]> {
    const stack = await this.open(false);
    if (!stack) return [];
    // No secret is read from history: skip the decryption (a passphrase key derivation).
    return readWholeHistory((pageSize, page) =>
      this.engine(() => beyondTornReads(() => stack.history(pageSize, page, false))),
    );
  }

  async cancel(): Promise<void> {
    const stack = await this.open(false);
    if (stack) await this.engine(() => stack.cancel());
  }

  async clearPending(): Promise<boolean> {
    const stack = await this.open(false);
    if (!stack) return false;
    // Export/import rather than `refresh --clear-pending-creates`: it needs no provider call,
    // so it works even when the cloud side is what failed.
    const exported = await this.engine(() => stack.exportStack());
    const deployment = exported.deployment as { pending_operations?: unknown[] } | undefined;
    if (!deployment?.pending_operations?.length) return false;
    deployment.pending_operations = [];
    this.known = undefined;
    await this.engine(() => stack.importStack(exported));
    return true;
  }

  async remove(): Promise<void> {
    const stack = await this.open(false);
    this.known = undefined;
    if (stack) await this.engine(() => stack.workspace.removeStack(this.name));
  }

  /** The program of one run: the pure function of the desired state, loaded on first use. */
  private program(state: DesiredState): () => Promise<Record<string, unknown>> {
    return async () => {
      const [{ deploymentProgram }, { clientSecretArns }] = await Promise.all([
        import('./program.js'),
        import('./routing-inputs.js'),
      ]);
      const arns = clientSecretArns(Object.values(state.releases));
      if (arns.length === 0) return deploymentProgram(state)();
      const read = this.options.readSecret;
      if (read === undefined) throw new EcsCrdError('authenticate-oidc client secrets cannot be read here');
      // Read at every run (deploy, rollback, recovery alike), never stored: a rotated secret is picked up.
      const values = await Promise.all(arns.map(read));
      return deploymentProgram(state, {
        clientSecrets: new Map(arns.map((arn, i) => [arn, values[i] ?? ''])),
      })();
    };
  }

  private watch(options: RunOptions, also?: (e: RawEngineEvent) => void) {
    const translator = new EngineEventTranslator();
    return {
      onEvent: (raw: RawEngineEvent) => {
        also?.(raw);
        const event = translator.translate(raw);
        if (event) options.onEvent?.(event);
      },
      ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }

  /** Selects the stack (creating it only when asked), configuring the AWS provider once. */
  private async open(create: true): Promise<Stack>;
  private async open(create: boolean): Promise<Stack | undefined>;
  private async open(create: boolean): Promise<Stack | undefined> {
    if (this.stack) return this.stack;
    const pulumiCommand = await this.command();
    const workDir = stackWorkspace(this.home, this.backend.url, this.name);
    const args = { stackName: this.name, projectName: PULUMI_PROJECT, program: async () => ({}) };
    const opts = {
      workDir,
      pulumiCommand,
      projectSettings: {
        name: PULUMI_PROJECT,
        runtime: 'nodejs' as const,
        backend: { url: this.backend.url },
      },
      envVars: {
        PULUMI_SKIP_UPDATE_CHECK: 'true',
        // The workspace keeps no salt between runs (see stackWorkspace, adoptSalt); should another
        // run on this machine drop it while this one runs, the engine takes the stack's own.
        PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: 'true',
        ...this.backend.env,
        ...this.options.engineEnv,
      },
    };
    let stack: Stack;
    try {
      stack = create
        ? await this.engine(() => this.auto.LocalWorkspace.createOrSelectStack(args, opts))
        : await this.engine(() => this.auto.LocalWorkspace.selectStack(args, opts));
    } catch (err) {
      if (!create && err instanceof EcsCrdError && err.cause instanceof this.auto.StackNotFoundError)
        return undefined;
      throw err;
    }
    await this.adoptSalt(stack);
    const config = awsProviderConfig(this.options.provider);
    await this.engine(() =>
      stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }]))),
    );
    this.stack = stack;
    return stack;
  }

  /**
   * The stack's passphrase salt, from its state into the work folder's settings (which keep
   * none between runs): the engine then checks the passphrase before its first operation, and a
   * wrong one is refused before anything changes. A salt the engine had to find in the state by
   * itself would let a wrong passphrase through until it first needs a secret.
   */
  private async adoptSalt(stack: Stack): Promise<void> {
    const exported = await this.engine(() => stack.exportStack());
    const providers = (
      exported.deployment as { secrets_providers?: { type?: string; state?: { salt?: unknown } } } | undefined
    )?.secrets_providers;
    const salt = providers?.type === 'passphrase' ? providers.state?.salt : undefined;
    if (typeof salt !== 'string') return;
    const settings = await stack.workspace.stackSettings(this.name).catch(() => ({}));
    await stack.workspace.saveStackSettings(this.name, { ...settings, encryptionSalt: salt });
  }

  private async command() {
    const version = this.options.pulumiVersion;
    try {
      const semver = (await import('semver')).default;
      const parsed = semver.parse(version);
      if (!parsed) throw new Error(`not a version: ${version}`);
      return await this.auto.PulumiCommand.install({ version: parsed });
    } catch (cause) {
      throw new EcsCrdError(`The Pulumi CLI v${version} is not installed and could not be downloaded.`, {
        cause,
        hint: `Install it with \`bash scripts/install-pulumi.sh\` (builds it from Go modules when offline), or the official installer: it must be at ~/.pulumi/versions/${version}/bin/pulumi.`,
      });
    }
  }

  /** Runs one engine call, translating its failures into ecs-crd's errors. */
  private async engine<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw translateEngineError(err, this.auto);
    }
  }
}

/** What the engine says when it read a checkpoint another process was writing. */
const TORN_CHECKPOINT = /failed to load checkpoint: (?:unexpected )?EOF/;

/**
 * A read (`status`, `history`) beside a running `deploy` on a file backend may catch the
 * checkpoint while that run's engine rewrites it, and the engine then fails with `failed to
 * load checkpoint: EOF`: a torn read, not a broken stack. It is read again, a few times,
 * before the error is the user's.
 */
export async function beyondTornReads<T>(
  read: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !TORN_CHECKPOINT.test(engineText(err))) throw err;
      await sleep(200 * attempt);
    }
  }
}

function engineText(err: unknown): string {
  const result = (err as { commandResult?: { stdout?: string; stderr?: string } }).commandResult;
  if (result) return `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * A locked stack is exit 5 and names the holder; a wrong passphrase is the user's input (exit
 * 2); anything else keeps the engine's own error lines.
 */
export function translateEngineError(
  err: unknown,
  auto: Pick<Automation, 'ConcurrentUpdateError'>,
): EcsCrdError {
  if (err instanceof EcsCrdError) return err;
  // The command result's own text echoes the whole command line (the update message included):
  // read what the engine said on its streams instead.
  const said = engineText(err);
  if (
    err instanceof auto.ConcurrentUpdateError ||
    /currently locked by|conflict: Another update/.test(said)
  ) {
    const holders = said
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /created by|locked by/i.test(l) && !/currently locked by/.test(l));
    return new StackLockedError(
      `The stack is locked by another deployment${holders.length ? `: ${holders.join('; ')}` : '.'}`,
      {
        cause: err,
        hint: 'Wait for it to finish. If that process is gone (killed, machine lost), run `ecs-crd rollback`: it removes the stale lock and restores the stable release.',
      },
    );
  }
  if (/incorrect passphrase/.test(said)) {
    return new UsageError('The secrets passphrase is not the one this stack was created with.', {
      cause: err,
      hint: 'Set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to the passphrase of this stack’s backend (on the default backend, ~/.ecs-crd/passphrase holds it), or pass --backend-url for the backend you meant.',
    });
  }
  const lines = engineErrorLines(said);
  return new EcsCrdError(`The Pulumi engine failed${lines.length ? `: ${lines.join('; ')}` : '.'}`, {
    cause: err,
  });
}

/** The distinct `error:` lines the engine printed, without their prefixes, at most five. */
export function engineErrorLines(text: string): string[] {
  const found = new Set<string>();
  for (const raw of text.split('\n')) {
    const at = raw.indexOf('error: ');
    if (at < 0) continue;
    const line = raw.slice(at + 'error: '.length).trim();
    // "update failed" only repeats that the lines before it are errors.
    if (line !== '' && !/^update failed$/.test(line)) found.add(line);
  }
  return [...found].slice(0, 5);
}
