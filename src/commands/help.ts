import { Args } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import EcsCrdHelp, { unknownCommandError, visibleCommands } from '../help.js';

export default class HelpCommand extends BaseCommand<typeof HelpCommand> {
  static override summary = 'Show the help of ecs-crd, or of one of its commands.';
  static override description = 'The same as `<%= config.bin %> COMMAND --help` (or `-h`).';
  static override examples = ['<%= config.bin %> <%= command.id %> deploy'];

  static override args = {
    command: Args.string({ description: 'The command to explain (default: all of them).' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(HelpCommand);
    const commands = visibleCommands(this.config);
    if (args.command !== undefined && !commands.includes(args.command)) {
      throw unknownCommandError(args.command, commands, this.config.bin);
    }
    const help = new EcsCrdHelp(this.config, this.config.pjson.oclif.helpOptions);
    await help.showHelp(args.command === undefined ? [] : [args.command]);
  }
}
