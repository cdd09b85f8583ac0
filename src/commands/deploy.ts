import { Flags } from '@oclif/core';
import { deployService } from '../app/deploy.js';
import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import { awsFlags, BaseCommand, backendFlags, deploymentFileFlags } from '../base-command.js';
import { createInterruptController } from '../canary/interrupt.js';
import { exitCodeFor } from '../canary/rollout.js';
import { colorEnabled } from '../ui/format.js';
import { deployDocument, resultLines } from '../ui/render-result.js';
import { chooseReporterMode, createReporter } from '../ui/reporter.js';

export default class Deploy extends BaseCommand<typeof Deploy> {
  static override summary =
    'Release a new version as a canary: shift traffic in steps, watch health, roll back by itself.';
  static override description =
    `Brings the new version up in the free slot (behind the second ALB) at DNS weight 0, waits for it to be healthy, then shifts traffic step by step (canary.strategy), watching its health during every wait. Once it holds 100 % the old release is removed. Any failure rolls back: the stable release gets 100 % again and the candidate is removed.

Ctrl-C (or SIGTERM) lets the running update finish, rolls back, and exits 130; a second Ctrl-C stops at once and leaves the deployment marked interrupted for \`ecs-crd rollback\`.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e qua -d deploy/ --json --log-file deploy.log',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    ...awsFlags,
    ...backendFlags,
    force: Flags.boolean({ summary: 'Overwrite DNS weights that were changed outside ecs-crd.' }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const service = serviceOptions(
      flags,
      this.requireRegion(flags.region),
      pinnedPulumiVersion(this.config.pjson),
    );
    const interrupts = createInterruptController();
    const onSignal = () => interrupts.interrupt();
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    const reporter = createReporter({
      mode: chooseReporterMode({ json: this.jsonEnabled(), stderr: process.stderr }),
      verbose: flags.verbose,
      stderr: process.stderr,
      ...(this.logSink ? { logFile: this.logSink } : {}),
    });
    let result: Awaited<ReturnType<typeof deployService>>;
    try {
      result = await deployService({
        service,
        reporter: reporter.report,
        signal: interrupts.signal,
        hardStop: interrupts.hardStop,
        force: flags.force,
      });
    } finally {
      reporter.close();
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    }
    if (this.jsonEnabled()) this.logJson(deployDocument(result));
    else
      for (const line of resultLines(result, { color: colorEnabled() && process.stdout.isTTY === true }))
        this.log(line);
    const code = exitCodeFor(result.outcome);
    if (code !== 0) this.exit(code);
  }
}
