/**
 * oclif's help, plus the exit-code table (part of the interface) at the end of the root help
 * and of every command's help; and what an unknown command gets: exit 2 and the closest
 * command, as a mistyped key of the deployment file gets the closest key.
 */
import { type Command, Errors, Help, type Hook } from '@oclif/core';
import { didYouMean } from './config/suggest.js';
import { EXIT_CODE_MEANINGS, ExitCode } from './exit-codes.js';

export default class EcsCrdHelp extends Help {
  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n\n${this.exitCodes()}`;
  }

  protected override async showRootHelp(): Promise<void> {
    await super.showRootHelp();
    this.log(this.exitCodes());
  }

  private exitCodes(): string {
    return this.section(
      'EXIT CODES',
      Object.entries(EXIT_CODE_MEANINGS).map(([code, meaning]): [string, string] => [code, meaning]),
    );
  }
}

/**
 * The error for a command that does not exist. `id` is oclif's (words joined by `:`: a
 * mistyped command swallows the words after it); the first word is the one mistyped.
 */
export function unknownCommandError(id: string, commands: readonly string[], bin: string): Errors.CLIError {
  const [typed = id, ...rest] = id.split(':');
  // A real command followed by a word oclif took for a sub-command: an argument the command
  // does not take, most often the deployment file, which goes with -f.
  if (commands.includes(typed) && rest.length > 0) {
    const argument = rest.join(' ');
    return new Errors.CLIError(`\`${typed}\` takes no argument \`${argument}\``, {
      exit: ExitCode.Usage,
      suggestions: [
        `give the deployment file with -f: \`${bin} ${typed} -f ${argument}\``,
        `\`${bin} ${typed} --help\` lists its flags`,
      ],
    });
  }
  const suggestion = didYouMean(typed, commands);
  return new Errors.CLIError(`unknown command \`${typed}\`${suggestion ? `: ${suggestion}` : ''}`, {
    exit: ExitCode.Usage,
    suggestions: [`\`${bin} --help\` lists the commands`],
  });
}

/** The commands a user may be pointed to. */
export function visibleCommands(config: { commands: readonly Command.Loadable[] }): string[] {
  return config.commands.filter((command) => !command.hidden).map((command) => command.id);
}

/** oclif's `command_not_found` hook (package.json `oclif.hooks`). */
export const commandNotFound: Hook.CommandNotFound = async ({ id, config }) => {
  throw unknownCommandError(id, visibleCommands(config), config.bin);
};
