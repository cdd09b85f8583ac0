import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { previewService } from '../app/preview.js';
import {
  adoptFlags,
  awsFlags,
  BaseCommand,
  backendFlags,
  deploymentFileFlags,
  regionFrom,
} from '../base-command.js';
import { previewLines } from '../ui/preview-report.js';

export default class Preview extends BaseCommand<typeof Preview> {
  static override summary =
    'Show what the next deploy would change, and its planned timeline, changing nothing.';
  static override description =
    `Looks up the account and the two slots' ALBs (read-only AWS calls), then runs a Pulumi preview of the deployment's first update: the candidate release provisioned beside the live one, at weight 0. Lists each resource it would create, update, replace or delete with the properties that change, then each step of the canary: the weights, the wait and the elapsed time.

Takes no lock and writes nothing. Refuses, as deploy would (exit 5), while another run holds the stack (it names that run) and when the last deployment did not finish.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e qua -d deploy/ --profile qua --json',
  ];

  static override enableJsonFlag = true;

  static override flags = { ...deploymentFileFlags, ...awsFlags, ...backendFlags, ...adoptFlags };

  async run(): Promise<void> {
    const { flags } = this;
    const region = regionFrom(flags.region);
    const service = serviceOptions(flags, region, pinnedPulumiVersion(this.config.pjson));
    const preview = await this.withReporter((reporter) =>
      previewService({ service, reporter, adopt: flags.adopt }),
    );
    if (this.jsonEnabled()) this.logJson(preview);
    else for (const line of previewLines(preview)) this.log(line);
  }
}
