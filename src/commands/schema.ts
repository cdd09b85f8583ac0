import { BaseCommand } from '../base-command.js';
import { deploymentJsonSchema } from '../config/json-schema.js';

export default class Schema extends BaseCommand<typeof Schema> {
  static override summary = 'Print the JSON Schema of the deployment file.';
  static override description =
    `For editors: with yaml-language-server (VS Code's YAML extension, Neovim, …), put this first line in a deployment file to get completion, hover help and checks as you type:

  # yaml-language-server: $schema=<path or URL of deploy.schema.json>

The schema is committed as schema/deploy.schema.json. It checks types, keys and ranges; the cross-field rules and templates are checked by \`validate\`.`;

  static override examples = ['<%= config.bin %> <%= command.id %> > schema/deploy.schema.json'];

  async run(): Promise<void> {
    this.log(JSON.stringify(deploymentJsonSchema(), null, 2));
  }
}
