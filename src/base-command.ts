/**
 * What every ecs-crd command shares: the original tool's flags and ours (in groups a command
 * spreads into its own `flags`), `--verbose` and the `--log-file` sink, and one way of ending: an error becomes
 * its message and hint (a stack trace only with --verbose) and the exit code of the one table.
 */
import { format } from 'node:util';
import { Command, Errors, Flags, type Interfaces, ux } from '@oclif/core';
import { createInterruptController, type InterruptController } from './canary/interrupt.js';
import { ENVIRONMENTS } from './config/types.js';
import { EcsCrdError } from './errors.js';
import { type ExitCode, exitCodeOf, isOclifError } from './exit-codes.js';
import { errorDocument } from './ui/documents.js';
import { type LogFile, type LogLevel, openLogFile } from './ui/log-file.js';
import type { Reporter } from './ui/reporter.js';

/** Which deployment file, for which environment and region (every command that reads one). */
export const deploymentFileFlags = {
  environment: Flags.option({
    char: 'e',
    options: ENVIRONMENTS,
    required: true,
    summary: 'Environment to deploy to; also picks <environment>.deploy.yml and renders {{environment}}.',
  })(),
  region: Flags.string({
    char: 'r',
    summary: 'AWS region (default: $AWS_REGION, else $AWS_DEFAULT_REGION).',
  }),
  'configuration-file': Flags.string({
    char: 'f',
    summary: 'The deployment file (YAML).',
    helpValue: 'FILE',
  }),
  'configuration-dir': Flags.string({
    char: 'd',
    summary: 'Directory holding <environment>.deploy.yml, used when -f is absent (default: the current one).',
    helpValue: 'DIR',
  }),
  var: Flags.string({
    summary:
      'A value for {{var.NAME}} in the deployment file (repeatable; `=` required, the value may hold `=`).',
    helpValue: 'NAME=VALUE',
    multiple: true,
  }),
};

/** Where AWS calls go (commands that talk to AWS). */
export const awsFlags = {
  profile: Flags.string({ summary: 'AWS named profile (default: the SDK’s usual chain).' }),
  'endpoint-url': Flags.string({
    summary:
      'Send every AWS call (SDK, Pulumi provider, S3 state, KMS) to this endpoint, e.g. LocalStack or moto.',
    helpValue: 'URL',
  }),
};

/** Where the Pulumi state lives (commands that read or write a stack). */
export const backendFlags = {
  'backend-url': Flags.string({
    summary:
      'Pulumi state backend: s3://…, file://… or Pulumi Cloud (default: $PULUMI_BACKEND_URL, else ~/.ecs-crd/state).',
    helpValue: 'URL',
  }),
  'secrets-provider': Flags.string({
    summary:
      'How a new stack seals its secrets: passphrase, or a key such as awskms://alias/NAME (default: $PULUMI_SECRETS_PROVIDER, else passphrase). An existing stack keeps its own.',
    helpValue: 'PROVIDER',
  }),
};

/** Taking over names no ecs-crd stack owns (commands that deploy or preview a deployment). */
export const adoptFlags = {
  adopt: Flags.boolean({
    summary:
      'Take over the weighted records of the service’s names when no ecs-crd stack owns them (a service first released by the original tool).',
  }),
};

/** The region from -r, else the environment the AWS SDK reads; undefined when none is set. */
export function regionFrom(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return [flag, env.AWS_REGION, env.AWS_DEFAULT_REGION].find((value) => value !== undefined && value !== '');
}

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>;

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    verbose: Flags.boolean({
      summary: 'More detail: AWS and engine diagnostics, stack traces.',
      helpGroup: 'GLOBAL',
    }),
    'log-file': Flags.string({
      summary: 'Also write every trace line, timestamped, to this file (created with mode 0600).',
      helpValue: 'FILE',
      helpGroup: 'GLOBAL',
    }),
    // On every command, not only those that ask today: a script passes it to all of them,
    // and no command may refuse it.
    yes: Flags.boolean({
      char: 'y',
      summary: 'Do not ask for confirmation (implied when stdin is not a TTY).',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: CommandFlags<T>;
  private logFile: LogFile | undefined;

  override async init(): Promise<void> {
    await super.init();
    const { flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    const logFile = this.flags['log-file'];
    if (logFile !== undefined) {
      this.logFile = openLogFile(logFile);
      // The command, not its argv: flag values may hold URLs with credentials.
      this.trace('DEBUG', `ecs-crd ${this.config.version} ${this.id ?? ''}`);
    }
  }

  /** Whether the command may ask before it acts: on a terminal, without --yes. */
  protected mayAsk(): boolean {
    return !this.flags.yes && process.stdin.isTTY === true;
  }

  override log(message = '', ...args: unknown[]): void {
    super.log(message, ...args);
    this.trace('INFO', format(message, ...args));
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(message, ...args);
    this.trace('INFO', format(message, ...args));
  }

  protected override logJson(json: unknown): void {
    super.logJson(json);
    this.trace('INFO', JSON.stringify(json));
  }

  /** Detail for --verbose (on stderr, even with --json); always kept in the log file. */
  protected verbose(message: string): void {
    if (this.isVerbose()) ux.stderr(message);
    this.trace('DEBUG', message);
  }

  /**
   * Runs `work` with the run's reporter: the live view on a terminal, timestamped lines off
   * it, nothing but the result with --json, every event in --log-file. The reporter is closed
   * (its block erased) before the command prints its result.
   */
  protected async withReporter<R>(work: (report: Reporter) => Promise<R>): Promise<R> {
    // Loaded here, not at start-up: `--help`, `validate` and `schema` never report progress.
    const { chooseReporterMode, createReporter } = await import('./ui/reporter.js');
    const reporter = createReporter({
      mode: chooseReporterMode({ json: this.jsonEnabled(), stderr: process.stderr }),
      verbose: this.isVerbose(),
      stderr: process.stderr,
      ...(this.logFile ? { logFile: this.logFile } : {}),
    });
    try {
      return await work(reporter.report);
    } finally {
      reporter.close();
    }
  }

  /**
   * Runs `work` with SIGINT and SIGTERM wired to the two-stage interrupt (`deploy`, `promote`):
   * the first lets the running update finish and rolls back, the second stops at once.
   */
  protected async withInterrupts<R>(work: (interrupts: InterruptController) => Promise<R>): Promise<R> {
    const interrupts = createInterruptController();
    const onSignal = () => interrupts.interrupt();
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    try {
      return await work(interrupts);
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
  }

  /** A line for the log file only. */
  protected trace(level: LogLevel, message: string): void {
    this.logFile?.write(level, message);
  }

  protected override toErrorJson(error: unknown): unknown {
    return errorDocument(describeError(error));
  }

  protected override async catch(error: Error): Promise<never> {
    // this.exit(code): the command already said what it had to.
    if (error instanceof Errors.ExitError) throw error;
    const described = describeError(error);
    this.trace('ERROR', error.stack ?? described.message);
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(error));
    } else if (error instanceof Errors.CLIError) {
      // A flag or argument oclif refused: its own rendering points at the flag (exit 2).
      throw error;
    } else {
      ux.stderr(renderError(error, described, this.isVerbose()));
    }
    throw new Errors.ExitError(described.exitCode);
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    this.logFile?.close();
    await super.finally(error);
  }

  private isVerbose(): boolean {
    // Before (or without) a successful parse, the flag is still in argv.
    return this.flags?.verbose ?? this.argv.includes('--verbose');
  }
}

interface DescribedError {
  exitCode: ExitCode;
  name: string;
  message: string;
  hint: string | undefined;
}

function describeError(error: unknown): DescribedError {
  const exitCode = exitCodeOf(error);
  if (error instanceof EcsCrdError) {
    return { exitCode, name: error.name, message: error.message, hint: error.hint };
  }
  const cause = error instanceof Error ? error : new Error(String(error));
  if (isOclifError(error)) {
    // A flag's own parse function failed: oclif prefixes "Parsing --flag \n\t" to its message.
    const message = cause.message.replace(/\s*\n\t/, ': ');
    return { exitCode, name: 'UsageError', message, hint: undefined };
  }
  return {
    exitCode,
    name: cause.name,
    message: `unexpected error: ${cause.message}`,
    hint: 'this is likely a bug in ecs-crd: please report it with the output of the same command with --verbose',
  };
}

function renderError(error: Error, described: DescribedError, verbose: boolean): string {
  const lines = [`Error: ${described.message}`];
  if (described.hint) lines.push(`Hint: ${described.hint}`);
  if (verbose) {
    let cause: unknown = error;
    while (cause instanceof Error) {
      lines.push('', cause.stack ?? cause.message);
      cause = cause.cause;
    }
  }
  return lines.join('\n');
}
