/**
 * The deployment report's runs: `deploy` records its events (every run, so that `history
 * --report` can render it later) and, with `--report FILE.html`, writes the page at the end
 * whatever the outcome; `history --report` renders a kept one. The page itself is
 * `src/ui/report.ts`; the files are `report-store.ts`.
 */

import type { StackIdentity } from '../canary/ports/stack.js';
import type { DeployDocument } from '../ui/documents.js';
import { redact } from '../ui/redact.js';
import { renderReport } from '../ui/report.js';
import { type ReportData, type ReportOutcome, reportModel, type TimedEvent } from '../ui/report-data.js';
import { recordEvents } from '../ui/report-recorder.js';
import { type DeployOptions, deployIn } from './deploy.js';
import {
  checkReportPath,
  keepReport,
  keptText,
  type ReportShelf,
  readKeptReport,
  readShelvedReport,
  writePrivateFile,
} from './report-store.js';
import {
  type AwsContext,
  openInAccount,
  openService,
  type ServiceContext,
  type ServiceOptions,
} from './service.js';

export interface ReportRunOptions {
  /** Where ecs-crd keeps its files (`ECS_CRD_HOME`); default the process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Opens the service (tests: fakes); default `openInAccount`. */
  open?: (service: ServiceOptions) => Promise<{ aws: AwsContext; ctx: ServiceContext }>;
}

/** One `deploy` run that keeps its report data, and writes the page when asked. */
export interface DeployReportRun {
  /** For stderr once the reporter is closed: where the page went, or why something was not written. */
  readonly notes: string[];
  /** `deployService`, recording the run's events on the way. */
  deploy(options: DeployOptions): Promise<DeployDocument>;
}

/**
 * Checks `file` at once (a folder or an unwritable place is a usage error before anything is
 * done), then returns the run that will write it.
 */
export function deployReportRun(file: string | undefined, options: ReportRunOptions = {}): DeployReportRun {
  const path = file === undefined ? undefined : checkReportPath(file);
  const notes: string[] = [];
  const open = options.open ?? ((service: ServiceOptions) => openInAccount(service));
  return {
    notes,
    async deploy(deploy) {
      const clock = deploy.clock;
      const recorder = recordEvents(deploy.reporter, clock ? () => clock.now() : Date.now);
      const opened = await open(deploy.service);
      let document: DeployDocument | null = null;
      let error: unknown = null;
      try {
        document = await deployIn(opened, { ...deploy, reporter: recorder.sink });
        return document;
      } catch (caught) {
        error = caught;
        throw caught;
      } finally {
        const data = reportData(opened.ctx, recorder.events(), document, error);
        if (data) notes.push(...(await saveRun(data, path, opened.ctx.reports, options.env)));
      }
    },
  };
}

/** What a run leaves to report; null when it was refused before its rollout began (nothing changed). */
function reportData(
  ctx: Pick<ServiceContext, 'identity' | 'stack'>,
  events: TimedEvent[],
  document: DeployDocument | null,
  error: unknown,
): ReportData | null {
  if (document === null && !events.some((event) => event.code === 'rollout.started')) return null;
  const { project, name, environment, region }: StackIdentity = ctx.identity;
  return {
    document,
    identity: { project, name, environment, region },
    stack: ctx.stack,
    events,
    error: error === null ? null : redact(error instanceof Error ? error.message : String(error)),
  };
}

/**
 * Keeps the data (here, and on the backend's shelf for the other machines) and writes the page;
 * never throws over the run's own outcome, says what failed instead.
 */
async function saveRun(
  data: ReportData,
  path: string | undefined,
  shelf: ReportShelf | undefined,
  env?: NodeJS.ProcessEnv,
): Promise<string[]> {
  const notes: string[] = [];
  const started = data.events.find((event) => event.code === 'rollout.started');
  const id =
    data.document?.deployment_id ?? (started?.code === 'rollout.started' ? started.data.deploymentId : null);
  if (id !== null) {
    try {
      keepReport(data, id, env);
      await shelf?.keep(data.stack, id, keptText(data));
    } catch (error) {
      notes.push(`Warning: could not keep this deployment's report data: ${messageOf(error)}`);
    }
  }
  if (path !== undefined) {
    try {
      writePrivateFile(path, renderReport(data));
      notes.push(`Report written to ${path}`);
    } catch (error) {
      notes.push(`Warning: could not write the report ${path}: ${messageOf(error)}`);
    }
  }
  return notes;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What `history --report` wrote. */
export interface HistoryReportDocument {
  report: string;
  deployment_id: string;
  version: string;
  outcome: ReportOutcome;
}

/** `history --report`: the newest kept deployment of the service (or `deploymentId`), as a page. */
export async function historyReport(
  service: ServiceOptions,
  file: string,
  options: { deploymentId?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): Promise<HistoryReportDocument> {
  const path = checkReportPath(file);
  const ctx = await openService(service);
  // The team's copy first: this machine's may be older, or missing (another machine deployed).
  const shelved = ctx.reports && (await readShelvedReport(ctx.reports, ctx.stack, options.deploymentId));
  const data = shelved || readKeptReport(ctx.stack, options.deploymentId, options.env);
  writePrivateFile(path, renderReport(data));
  const model = reportModel(data);
  return { report: path, deployment_id: model.deploymentId, version: model.version, outcome: model.outcome };
}
