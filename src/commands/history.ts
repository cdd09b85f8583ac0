import { Flags } from '@oclif/core';
import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { historyReport } from '../app/report.js';
import { historyOfService } from '../app/status.js';
import { awsFlags, BaseCommand, backendFlags, deploymentFileFlags, regionFrom } from '../base-command.js';
import { historyLines } from '../ui/status-report.js';

export default class History extends BaseCommand<typeof History> {
  static override summary = 'List the past deployments of a service: version, outcome, start, duration.';
  static override description =
    `Reads the stack's update history from the state backend only (no AWS call but the backend's own: S3, KMS), newest first, one line per deployment.

With --report, writes the page of a deployment whose data this machine kept (every deploy keeps it under $ECS_CRD_HOME/reports, the 20 newest per stack) instead of the list.

Outcomes: deployed, rolled_back, interrupted (stopped before it finished: killed, or a second Ctrl-C), rollback_failed, in_progress.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -d deploy/ --json',
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -d deploy/ --limit 5',
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -d deploy/ --report last-deploy.html',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    // A state in S3 and secrets in KMS are reached like the rest of AWS.
    ...awsFlags,
    ...backendFlags,
    limit: Flags.integer({
      summary: 'Show only the N newest deployments (default: all of them).',
      helpValue: 'N',
      min: 1,
    }),
    report: Flags.string({
      summary:
        'Write the report of the newest deployment kept on this machine (see deploy --report) to this HTML file (mode 0600).',
      helpValue: 'FILE',
    }),
    deployment: Flags.string({
      summary: 'With --report: that deployment (its id) instead of the newest.',
      helpValue: 'ID',
      dependsOn: ['report'],
    }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const region = regionFrom(flags.region);
    if (flags.report !== undefined) {
      const service = serviceOptions(flags, region, pinnedPulumiVersion(this.config.pjson));
      const written = await historyReport(service, flags.report, { deploymentId: flags.deployment });
      if (this.jsonEnabled()) this.logJson(written);
      else
        this.log(
          `Wrote the report of deployment ${written.deployment_id} (${written.version}, ${written.outcome}) to ${written.report}`,
        );
      return;
    }
    const records = await historyOfService(
      serviceOptions(flags, region, pinnedPulumiVersion(this.config.pjson)),
      flags.limit,
    );
    if (this.jsonEnabled()) this.logJson(records);
    else for (const line of historyLines(records)) this.log(line);
  }
}
