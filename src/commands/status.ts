import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { statusOfService } from '../app/status.js';
import { awsFlags, BaseCommand, backendFlags, deploymentFileFlags, regionFrom } from '../base-command.js';
import { statusLines } from '../ui/status-report.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show where a service stands: phase, live release, DNS weights, last deployment.';
  static override description =
    `Reads the service's stack from the state backend: no credentials for the account needed. The one AWS call: when a deployment is paused, one look at the candidate's ECS service and target groups, to show its health now (with the AWS flags below); when that look fails, its health is shown as unknown with the error, and status still exits 0.

The phase is one of: none (never deployed), stable, deploying, paused (stopped at a \`pause\` step: since when, at which weight, until when for a timed pause; \`ecs-crd promote\` goes on, \`ecs-crd rollback\` aborts), interrupted (a deployment stopped before it finished, e.g. its process was killed: run \`ecs-crd rollback\`), rolled_back (the last deployment failed and the stable release serves).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e qua -r eu-west-1 -d deploy/ --json',
  ];

  static override enableJsonFlag = true;

  static override flags = { ...deploymentFileFlags, ...awsFlags, ...backendFlags };

  async run(): Promise<void> {
    const { flags } = this;
    const region = regionFrom(flags.region);
    const status = await statusOfService(
      serviceOptions(flags, region, pinnedPulumiVersion(this.config.pjson)),
    );
    if (this.jsonEnabled()) this.logJson(status);
    else for (const line of statusLines(status)) this.log(line);
  }
}
