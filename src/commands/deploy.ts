import { Flags } from '@oclif/core';
import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { recordedRun } from '../app/report.js';
import {
  adoptFlags,
  awsFlags,
  BaseCommand,
  backendFlags,
  deploymentFileFlags,
  regionFrom,
} from '../base-command.js';
import { exitCodeOfOutcome } from '../exit-codes.js';
import type { DeployDocument } from '../ui/documents.js';
import { colorEnabled } from '../ui/format.js';
import { resultLines } from '../ui/render-result.js';

export default class Deploy extends BaseCommand<typeof Deploy> {
  static override summary =
    'Release a new version as a canary: shift traffic in steps, watch health, roll back by itself.';
  static override description =
    `Brings the new version up in the free slot (behind the second ALB) at DNS weight 0, waits for it to be healthy, then shifts traffic step by step (canary.strategy), watching its health during every wait. Once it holds 100 % the old release is removed. Any failure rolls back: the stable release gets 100 % again and the candidate is removed.

A step with \`pause: true\` stops there: the candidate keeps its weight, the stack is saved as paused, and deploy exits 0 with the outcome paused; \`ecs-crd promote\` goes on (from any machine on the same backend), \`ecs-crd rollback\` aborts. With --wait it keeps running and watching instead, until promoted or aborted from elsewhere. A step with \`pause: SECONDS\` holds that long, watching, then goes on by itself.

Ctrl-C (or SIGTERM) lets the running update finish, rolls back, and exits 130; a second Ctrl-C stops at once and leaves the deployment marked interrupted for \`ecs-crd rollback\`.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e qua -d deploy/ --json --log-file deploy.log',
    '<%= config.bin %> <%= command.id %> -e prod -d deploy/ --var tag=$GIT_SHA --wait',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    ...awsFlags,
    ...backendFlags,
    ...adoptFlags,
    force: Flags.boolean({ summary: 'Overwrite DNS weights that were changed outside ecs-crd.' }),
    wait: Flags.boolean({
      summary:
        'At a `pause: true` step, keep running and watching the candidate until `ecs-crd promote` (or `rollback`) is run elsewhere, instead of saving the pause and exiting.',
    }),
    report: Flags.string({
      summary:
        'At the end, whatever the outcome, write a report of the run to this HTML file (mode 0600): weights, health, analysis windows, steps, events.',
      helpValue: 'FILE',
    }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const service = serviceOptions(flags, regionFrom(flags.region), pinnedPulumiVersion(this.config.pjson));
    // Before anything: a report path that cannot be written is refused now, not after the rollout.
    const report = recordedRun(flags.report);
    let result: DeployDocument;
    try {
      result = await this.withInterrupts((interrupts) =>
        this.withReporter((reporter) =>
          report.deploy({
            service,
            reporter,
            signal: interrupts.signal,
            hardStop: interrupts.hardStop,
            force: flags.force,
            adopt: flags.adopt,
            wait: flags.wait,
            toolVersion: this.config.version,
          }),
        ),
      );
    } finally {
      for (const note of report.notes) this.logToStderr(note);
    }
    if (this.jsonEnabled()) this.logJson(result);
    else
      for (const line of resultLines(result, { color: colorEnabled() && process.stdout.isTTY === true }))
        this.log(line);
    const code = exitCodeOfOutcome(result.outcome);
    if (code !== 0) this.exit(code);
  }
}
