import { Flags } from '@oclif/core';
import { pinnedPulumiVersion, serviceOptions } from '../app/options.js';
import type { HandoffDocument, PromoteResult } from '../app/promote.js';
import { recordedRun } from '../app/report.js';
import { awsFlags, BaseCommand, backendFlags, deploymentFileFlags, regionFrom } from '../base-command.js';
import { exitCodeOfOutcome } from '../exit-codes.js';
import { colorEnabled } from '../ui/format.js';
import { resultLines } from '../ui/render-result.js';

export default class Promote extends BaseCommand<typeof Promote> {
  static override summary =
    'Go on with a deployment stopped at a pause: health gate first, then the next steps to 100 %.';
  static override description =
    `For a deployment that stopped at a \`pause\` step of canary.strategy (\`ecs-crd status\` says paused). Checks the candidate's health first, then runs the steps after the pause, as \`deploy\` would have: its hooks, its health gates, its rollback on failure. It is the same deployment (same id and start), and it ends as deploy does, with the same result and exit codes (3 when it rolls back). Works from any machine that reaches the same state backend.

When the deploy that paused is still running (\`deploy --wait\`, or a timed \`pause: SECONDS\`), it holds the stack: promote asks it to go on and exits 0 at once, naming it.

Refuses (exit 2, nothing changed) when the deployment is not paused, or when the file's service.version is not the paused candidate's.`;

  static override examples = [
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -f deploy/prod.deploy.yml',
    '<%= config.bin %> <%= command.id %> -e prod -r eu-west-1 -d deploy/ --var tag=$GIT_SHA --full --json',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    ...deploymentFileFlags,
    ...awsFlags,
    ...backendFlags,
    full: Flags.boolean({ summary: 'From the pause straight to 100 %, skipping the steps in between.' }),
    wait: Flags.boolean({
      summary:
        'At a later `pause: true` step, keep running and watching until promoted again, as deploy does with this flag.',
    }),
    force: Flags.boolean({
      summary: 'Take the stack over even from a holder that may still be running elsewhere.',
    }),
    report: Flags.string({
      summary:
        'At the end, whatever the outcome, write a report of the whole deployment to this HTML file (mode 0600): before the pause and after it.',
      helpValue: 'FILE',
    }),
  };

  async run(): Promise<void> {
    const { flags } = this;
    const service = serviceOptions(flags, regionFrom(flags.region), pinnedPulumiVersion(this.config.pjson));
    // Before anything: a report path that cannot be written is refused now, not after the rollout.
    const report = recordedRun(flags.report);
    let result: PromoteResult;
    try {
      result = await this.withInterrupts((interrupts) =>
        this.withReporter((reporter) =>
          report.promote({
            service,
            reporter,
            signal: interrupts.signal,
            hardStop: interrupts.hardStop,
            full: flags.full,
            wait: flags.wait,
            force: flags.force,
            toolVersion: this.config.version,
          }),
        ),
      );
    } finally {
      for (const note of report.notes) this.logToStderr(note);
    }
    if (result.kind === 'handed') {
      if (this.jsonEnabled()) this.logJson(result.document);
      else this.log(handoffLine(result.document));
      return;
    }
    const { document } = result;
    if (this.jsonEnabled()) this.logJson(document);
    else
      for (const line of resultLines(document, { color: colorEnabled() && process.stdout.isTTY === true }))
        this.log(line);
    const code = exitCodeOfOutcome(document.outcome);
    if (code !== 0) this.exit(code);
  }
}

function handoffLine(doc: HandoffDocument): string {
  const to = doc.full ? 'straight to 100 %' : 'with its next step';
  return `Asked the running deployment ${doc.deployment_id} (${doc.version ?? 'unknown version'}) to go on ${to}: ${doc.handed_to} goes on. \`ecs-crd status\` shows where it stands.`;
}
