/**
 * oclif's help, plus the exit-code table (part of the interface) at the end of the
 * root help and of every command's help.
 */
import { type Command, Help } from '@oclif/core';
import { EXIT_CODE_MEANINGS } from './exit-codes.js';

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
