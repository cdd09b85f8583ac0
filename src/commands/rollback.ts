import { Flags } from '@oclif/core';
import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { rollbackService } from '../app/rollback.js';
import { awsFlags, BaseCommand, backendFlags, deploymentFileFlags, regionFrom } from '../base-command.js';
import { rollbackLines } from '../ui/stack-report.js';

export default class Rollback extends BaseCommand<typeof Rollback> {
  static override summary =
    'Recover from an interrupted or failed deployment: stable release at 100 %, candidate removed.';
  static override description =
    `Unlocks the stack (a lease or engine lock left by a killed process), drops the operations it left pending, moves all traffic back to the stable release and removes the candidate. Safe to run twice: on a settled stack it does nothing.

A deployment stopped at a pause is aborted the same way. When the deploy that paused is still running (\`deploy --wait\`, or a timed \`pause: SECONDS\`), it is asked to roll back itself; rollback waits (up to 10 minutes) until it has, then says how it ended. Once rollback changed something, the file's after_rollback hooks run (a failing one is a warning).

It refuses while another run of ecs-crd holds the stack; --force takes the stack over when that run is on another machine that is known to be gone.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    ...awsFlags,
    ...backendFlags,
    force: Flags.boolean({
      summary: 'Take the stack over even from a holder that may still be running elsewhere.',
    }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const service = serviceOptions(flags, regionFrom(flags.region), pinnedPulumiVersion(this.config.pjson));
    const result = await this.withReporter((reporter) =>
      rollbackService({ service, force: flags.force, reporter, toolVersion: this.config.version }),
    );
    if (this.jsonEnabled()) this.logJson(result);
    else for (const line of rollbackLines(result)) this.log(line);
  }
}
