/**
 * The deployment report's runs: `deploy` and `promote` record their events (every run, so that
 * `history --report` can render it later; a promotion's after what its deployment kept at the
 * pause) and, with `--report FILE.html`, write the page at the end whatever the outcome;
 * `history --report` renders a kept one. The page itself is
 * `src/ui/report.ts`; the files are `report-store.ts`.
 */

import type { EventSink } from '../canary/events.js';
import type { StackIdentity } from '../canary/ports/stack.js';
import type { DeployDocument } from '../ui/documents.js';
import { redact } from '../ui/redact.js';
import { renderReport } from '../ui/report.js';
import { type ReportData, type ReportOutcome, reportModel, type TimedEvent } from '../ui/report-data.js';
import { recordEvents } from '../ui/report-recorder.js';
import { type DeployOptions, deployIn } from './deploy.js';
import { type PromoteOptions, type PromoteResult, promoteIn } from './promote.js';
import {
  checkReportPath,
  keepReport,
  keptText,
  type ReportShelf,
  readKeptReport,
  readShelvedReport,
  writePrivateFile,
} from './report-store.js';
import type { RunPorts } from './rollout-deps.js';
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

/** One `deploy` or `promote` run that keeps its report data, and writes the page when asked. */
export interface RecordedRun {
  /** For stderr once the reporter is closed: where the page went, or why something was not written. */
  readonly notes: string[];
  /** `deployService`, recording the run's events on the way. */
  deploy(options: DeployOptions): Promise<DeployDocument>;
  /**
   * `promoteIn` on the opened service, recording the resumed rollout's events after those the paused run kept
   * under the same deployment id, so that the data and the page are of the whole deployment.
   * A promotion handed to the run that still holds the stack keeps nothing: that run does.
   */
  promote(options: PromoteOptions): Promise<PromoteResult>;
}

/**
 * Checks `file` at once (a folder or an unwritable place is a usage error before anything is
 * done), then returns the run that will write it.
 */
export function recordedRun(file: string | undefined, options: ReportRunOptions = {}): RecordedRun {
  const path = file === undefined ? undefined : checkReportPath(file);
  const notes: string[] = [];
  const open = options.open ?? ((service: ServiceOptions) => openInAccount(service));

  /**
   * Runs `run` on the opened service with a recording reporter, then keeps what it leaves;
   * `resumes`: after what its deployment kept when it paused.
   */
  async function recorded<T>(
    run: RunPorts & { service: ServiceOptions },
    work: (opened: { aws: AwsContext; ctx: ServiceContext }, reporter: EventSink) => Promise<T>,
    documentOf: (result: T) => DeployDocument | null,
    resumes = false,
  ): Promise<T> {
    const clock = run.clock;
    const recorder = recordEvents(run.reporter, clock ? () => clock.now() : Date.now);
    const opened = await open(run.service);
    let document: DeployDocument | null = null;
    let error: unknown = null;
    try {
      const result = await work(opened, recorder.sink);
      document = documentOf(result);
      return result;
    } catch (caught) {
      error = caught;
      throw caught;
    } finally {
      const earlier =
        resumes && document ? await keptEarlier(opened.ctx, document.deployment_id, options.env) : null;
      const data = reportData(
        opened.ctx,
        [...(earlier?.events ?? []), ...recorder.events()],
        document,
        error,
      );
      if (data) notes.push(...(await saveRun(data, path, opened.ctx.reports, options.env)));
    }
  }

  return {
    notes,
    deploy: (deploy) =>
      recorded(
        deploy,
        (opened, reporter) => deployIn(opened, { ...deploy, reporter }),
        (d) => d,
      ),
    promote: async (promote) => {
      const result = await recorded(
        promote,
        (opened, reporter) => promoteIn(opened, { ...promote, reporter }),
        (done) => (done.kind === 'resumed' ? done.document : null),
        true,
      );
      if (result.kind === 'handed' && path !== undefined)
        notes.push(
          `No report written to ${path}: ${result.document.handed_to} goes on and keeps the deployment's data; \`ecs-crd history --report\` renders it once it ends.`,
        );
      return result;
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
 * A kept deployment (`id`, else the newest): the team's copy first (this machine's may be older,
 * or missing when another machine ran it), then this machine's; a usage error when neither.
 */
async function readReport(
  ctx: Pick<ServiceContext, 'stack' | 'reports'>,
  id: string | undefined,
  env?: NodeJS.ProcessEnv,
): Promise<ReportData> {
  const shelved = ctx.reports && (await readShelvedReport(ctx.reports, ctx.stack, id));
  return shelved || readKeptReport(ctx.stack, id, env);
}

/** What the paused run kept of deployment `id`, if anything can be read. */
async function keptEarlier(
  ctx: Pick<ServiceContext, 'stack' | 'reports'>,
  id: string,
  env?: NodeJS.ProcessEnv,
): Promise<ReportData | null> {
  try {
    return await readReport(ctx, id, env);
  } catch {
    // Paused on a machine that keeps it elsewhere: the promotion's own part is still worth keeping.
    return null;
  }
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
  const data = await readReport(ctx, options.deploymentId, options.env);
  writePrivateFile(path, renderReport(data));
  const model = reportModel(data);
  return { report: path, deployment_id: model.deploymentId, version: model.version, outcome: model.outcome };
}
