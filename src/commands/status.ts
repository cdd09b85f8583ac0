import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { statusOfService } from '../app/status.js';
import { BaseCommand, backendFlags, deploymentFileFlags, regionFrom } from '../base-command.js';
import { statusLines } from '../ui/status-report.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Show where a service stands: phase, live release, DNS weights, last deployment.';
  static override description =
    `Reads the service's stack from the state backend only: no AWS call, no credentials for the account needed.

The phase is one of: none (never deployed), stable, deploying, interrupted (a deployment stopped before it finished, e.g. its process was killed: run \`ecs-crd rollback\`), rolled_back (the last deployment failed and the stable release serves).`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e qua -r eu-west-1 -d deploy/ --json',
  ];

  static override enableJsonFlag = true;

  static override flags = { ...deploymentFileFlags, ...backendFlags };

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
