import { Flags } from '@oclif/core';
import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { historyOfService } from '../app/status.js';
import { BaseCommand, backendFlags, deploymentFileFlags, regionFrom } from '../base-command.js';
import { historyLines } from '../ui/status-report.js';

export default class History extends BaseCommand<typeof History> {
  static override summary = 'List the past deployments of a service: version, outcome, start, duration.';
  static override description =
    `Reads the stack's update history from the state backend only (no AWS call), newest first, one line per deployment.

Outcomes: deployed, rolled_back, interrupted (stopped before it finished: killed, or a second Ctrl-C), rollback_failed, in_progress.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -d deploy/ --json',
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -d deploy/ --limit 5',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    ...backendFlags,
    limit: Flags.integer({
      summary: 'Show only the N newest deployments (default: all of them).',
      helpValue: 'N',
      min: 1,
    }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const region = regionFrom(flags.region);
    const records = await historyOfService(
      serviceOptions(flags, region, pinnedPulumiVersion(this.config.pjson)),
      flags.limit,
    );
    if (this.jsonEnabled()) this.logJson(records);
    else for (const line of historyLines(records)) this.log(line);
  }
}
