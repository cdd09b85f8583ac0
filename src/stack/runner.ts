/**
 * The `StackRunner` over Pulumi's Automation API: one inline stack per (project, service,
 * environment, region) in Pulumi project `ecs-crd`, a work dir of its own per run, the pinned CLI.
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
import { EcsCrdError } from '../errors.js';
import type { Backend } from './backend.js';
import { beyondTornReads, stackRemoved, translateEngineError } from './engine-errors.js';
import { EngineEventTranslator, plannedChanges, type RawEngineEvent, summaryOf } from './events.js';
import { stackName } from './naming.js';
import { awsProviderConfig, engineAwsEnv, type ProviderSettings } from './provider-config.js';
import { checkSecretsProvider, isKeyService, recordedSecretsProvider } from './secrets-provider.js';
import { parseOutputs, readWholeHistory, updateMessage } from './state.js';
import { checkTempFolder, runWorkspace } from './workspace.js';

type Automation = typeof import('@pulumi/pulumi/automation/index.js');
type Stack = import('@pulumi/pulumi/automation/index.js').Stack;
type StackSettings = import('@pulumi/pulumi/automation/index.js').StackSettings;

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
  checkTempFolder();
  const auto = await import('@pulumi/pulumi/automation/index.js');
  return new PulumiStackRunner(auto, options, options.backend);
}

class PulumiStackRunner implements StackRunner {
  private readonly name: string;
  private stack: Stack | undefined;
  /**
   * The outputs the last `up` already read back (the Automation API reads them after every
   * update): reading them again costs two more CLI calls. undefined: not known, ask the engine.
   */
  private known: StackOutputs | null | undefined;
  /** This run's engine work folder, made on first use. */
  private workDir: string | undefined;

  constructor(
    private readonly auto: Automation,
    private readonly options: StackRunnerOptions,
    private readonly backend: Backend,
  ) {
    this.name = stackName(options.identity);
  }

  async preview(state: DesiredState, options: RunOptions = {}): Promise<PlannedChange[]> {
    const stack = await this.open(true);
    let events: RawEngineEvent[] = [];
    await this.read(() => {
      // A torn read fails as the engine loads the checkpoint, before any event: start afresh.
      events = [];
      return stack.preview({
        program: this.program(state),
        ...this.watch(options, (e) => events.push(e)),
      });
    });
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
    this.known = await this.unlessRemoved(
      async () => parseOutputs(await this.read(() => stack.outputs())),
      null,
    );
    return this.known;
  }

  async history(): Promise<HistoryEntry[]> {
    const stack = await this.open(false);
    if (!stack) return [];
    // No secret is read from history: skip the decryption (a passphrase key derivation).
    return this.unlessRemoved(
      () => readWholeHistory((pageSize, page) => this.read(() => stack.history(pageSize, page, false))),
      [],
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
    const args = { stackName: this.name, projectName: PULUMI_PROJECT, program: async () => ({}) };
    const asked = this.backend.secretsProvider;
    const envVars: Record<string, string> = {
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      // The work folder is new (see runWorkspace): the engine takes the secrets settings from
      // the stack's state, or from what adoptSecretsSettings puts there.
      PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: 'true',
      ...this.backend.env,
      ...engineAwsEnv(this.options.provider, this.options.env ?? process.env),
      ...this.options.engineEnv,
    };
    this.workDir ??= runWorkspace(PULUMI_PROJECT, this.name, {
      pulumiHome: envVars.PULUMI_HOME ?? process.env.PULUMI_HOME,
    });
    const opts = {
      workDir: this.workDir,
      pulumiCommand,
      // Used by `stack init` only: an existing stack keeps the provider its state records.
      ...(asked ? { secretsProvider: asked } : {}),
      projectSettings: {
        name: PULUMI_PROJECT,
        runtime: 'nodejs' as const,
        backend: { url: this.backend.url },
      },
      envVars,
    };
    let stack: Stack;
    try {
      stack = create
        ? await this.read(() => this.auto.LocalWorkspace.createOrSelectStack(args, opts))
        : await this.read(() => this.auto.LocalWorkspace.selectStack(args, opts));
    } catch (err) {
      if (!create && err instanceof EcsCrdError && err.cause instanceof this.auto.StackNotFoundError)
        return undefined;
      throw err;
    }
    const configured = async () => {
      await this.adoptSecretsSettings(stack);
      const config = awsProviderConfig(this.options.provider);
      await this.read(() =>
        stack.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, value]) => [k, { value }]))),
      );
      return stack;
    };
    const opened = create ? await configured() : await this.unlessRemoved(configured, undefined);
    this.stack = opened;
    return opened;
  }

  /**
   * `read`'s value, or `removed` when the stack is gone: an `undeploy` in another terminal may
   * remove it between this run's select and its next engine call ("no stack named … found"),
   * and a stack removed meanwhile reads as one that never was.
   */
  private async unlessRemoved<T>(read: () => Promise<T>, removed: T): Promise<T> {
    try {
      return await read();
    } catch (err) {
      if (!stackRemoved(err)) throw err;
      this.stack = undefined;
      return removed;
    }
  }

  /**
   * The work folder is new to this run (see runWorkspace): the secrets settings come from the
   * stack's state. A passphrase stack's salt goes into the settings, so the engine
   * checks the passphrase before its first operation and a wrong one is refused before
   * anything changes (a salt the engine had to find in the state by itself would let a wrong
   * passphrase through until it first needs a secret). A key service's stack needs nothing:
   * the engine takes the provider from the state, and opens the key (KMS Decrypt) at once.
   * A stack whose state records no provider (`stack init` of this engine records one at once;
   * one created otherwise may not) gets the one asked in its settings, or the engine would seal
   * its first checkpoint with its default, a passphrase.
   */
  private async adoptSecretsSettings(stack: Stack): Promise<void> {
    const exported = await this.read(() => stack.exportStack());
    const deployment = exported.deployment as
      | { secrets_providers?: { type?: string; state?: { salt?: unknown } } }
      | undefined;
    const asked = this.backend.secretsProvider;
    const recorded = recordedSecretsProvider(deployment);
    checkSecretsProvider(this.name, asked, recorded);
    const providers = deployment?.secrets_providers;
    const salt = providers?.type === 'passphrase' ? providers.state?.salt : undefined;
    if (typeof salt === 'string') {
      const settings = await this.settings(stack);
      await stack.workspace.saveStackSettings(this.name, { ...settings, encryptionSalt: salt });
      return;
    }
    if (recorded !== undefined || !isKeyService(asked)) return;
    const settings = await this.settings(stack);
    // Already there when this run's `stack init` created the stack, with its data key.
    if (settings.secretsProvider === asked) return;
    const { encryptedKey: _another, ...rest } = settings;
    await stack.workspace.saveStackSettings(this.name, { ...rest, secretsProvider: asked });
  }

  private settings(stack: Stack): Promise<StackSettings> {
    return stack.workspace.stackSettings(this.name).catch((): StackSettings => ({}));
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
        // An installed ecs-crd has no scripts/: the official installer first, the clone's script second.
        hint: `Put it at ~/.pulumi/versions/${version}/bin/pulumi: \`curl -fsSL https://get.pulumi.com | sh -s -- --version ${version} --install-root ~/.pulumi/versions/${version} --no-edit-path\`, or from a clone of ecs-crd \`bash scripts/install-pulumi.sh\` (builds it from Go modules when offline).`,
      });
    }
  }

  /**
   * Runs one engine call that may run again as it is (selecting or creating the stack, setting
   * this folder's config, reading, previewing), again when it caught the checkpoint mid-write
   * (see beyondTornReads): any of them may run beside another terminal's deploy.
   */
  private read<T>(call: () => Promise<T>): Promise<T> {
    return this.engine(() => beyondTornReads(call));
  }

  /** Runs one engine call, translating its failures into ecs-crd's errors. */
  private async engine<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw translateEngineError(err, this.auto, {
        backendUrl: this.backend.url,
        secretsProvider: this.backend.secretsProvider,
      });
    }
  }
}
