import { Flags } from '@oclif/core';
import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { undeployService } from '../app/undeploy.js';
import { awsFlags, BaseCommand, backendFlags, deploymentFileFlags, regionFrom } from '../base-command.js';
import { confirm } from '../ui/confirm.js';
import { undeployLines } from '../ui/stack-report.js';

export default class Undeploy extends BaseCommand<typeof Undeploy> {
  static override summary = 'Destroy everything the service’s stack created, then remove the stack.';
  static override description =
    `Destroys both slots' releases (ECS services, task definitions, target groups, listener rules), the weighted DNS records, the log group and the roles, then removes the stack from the state backend. The two ALBs and their listeners belong to the platform team and are left alone, and so are listeners ecs-crd created on them (other services' rules may use them).

Asks for confirmation on a terminal unless --yes. Refuses while a deployment runs or when the last one did not finish (run \`ecs-crd rollback\` first), unless --force. Finishes an undeploy that was killed half-way.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e qua -r eu-west-1 -f deploy/qua.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e qua -r eu-west-1 -d deploy/ --yes --json',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    ...awsFlags,
    ...backendFlags,
    force: Flags.boolean({
      summary: 'Go on even while a deployment holds the stack or did not finish (takes the stack over).',
    }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const region = regionFrom(flags.region);
    const service = serviceOptions(flags, region, pinnedPulumiVersion(this.config.pjson));
    const result = await this.withReporter((reporter) =>
      undeployService({
        service,
        force: flags.force,
        confirm: this.mayAsk() ? (question) => confirm(question) : async () => true,
        reporter,
      }),
    );
    if (this.jsonEnabled()) this.logJson(result);
    else for (const line of undeployLines(result)) this.log(line);
  }
}
