import { Flags } from '@oclif/core';
import { varsOf } from '../app/options.js';
import { BaseCommand, deploymentFileFlags, regionFrom } from '../base-command.js';
import { DeploymentFileError } from '../config/errors.js';
import { deploymentFilePath, loadDeployment } from '../config/load.js';
import { ExitCode } from '../exit-codes.js';
import { validationDocument, validationFailureDocument } from '../ui/documents.js';
import { validationLines } from '../ui/validation-report.js';

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Check a deployment file offline: YAML, keys, values, rules and templates.';
  static override description =
    `Reads the file, applies the defaults and renders the templates, then prints every problem at once, one line each (FILE:LINE:COL PATH: MESSAGE). Touches no network and needs no AWS credentials.

Without a region (-r, $AWS_REGION, $AWS_DEFAULT_REGION), {{region}} is left as written; without --account-id, so is {{account_id}}. Neither is an error here.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -f examples/seed.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e qua -d deploy/ --json',
    '<%= config.bin %> <%= command.id %> -e prod -f deploy/prod.deploy.yml --var tag=1.4.2',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    'account-id': Flags.string({
      summary: 'AWS account id to render {{account_id}} with (default: left as written).',
      parse: async (value) => {
        if (!/^\d{12}$/.test(value)) throw new Error(`${value} is not an AWS account id (12 digits)`);
        return value;
      },
    }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const region = regionFrom(flags.region);
    this.verbose(
      `environment ${flags.environment}, region ${region ?? 'unknown'}, account ${flags['account-id'] ?? 'unknown'}`,
    );
    const result = await loadDeployment({
      environment: flags.environment,
      file: flags['configuration-file'],
      dir: flags['configuration-dir'],
      region,
      account_id: flags['account-id'],
      vars: varsOf(flags.var),
    });
    if (this.jsonEnabled()) this.logJson(validationDocument(result));
    else for (const line of validationLines(result)) this.log(line);
    if (!result.ok) this.exit(ExitCode.Usage);
  }

  protected override toErrorJson(error: unknown): unknown {
    // Same document shape on every outcome, so scripts read `.valid` and `.errors` only.
    const file =
      error instanceof DeploymentFileError
        ? error.file
        : this.flags?.environment
          ? deploymentFilePath({
              environment: this.flags.environment,
              file: this.flags['configuration-file'],
              dir: this.flags['configuration-dir'],
            })
          : '';
    return validationFailureDocument(file, error instanceof Error ? error.message : String(error));
  }
}
