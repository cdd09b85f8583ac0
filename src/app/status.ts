/**
 * `status` and `history`: read the state backend (outputs, update history, the lease), so they
 * work without credentials for the account. One exception: a paused deployment's candidate is
 * looked at once (its ECS service and target groups), and a failure of that look is shown, never
 * a failure of `status`.
 */
import type { HealthProbe } from '../canary/ports/aws.js';
import type { LeaseStore, LeaseView } from '../canary/ports/lease.js';
import { activeDeployment, deploymentHistory, type StatusInput, serviceStatus } from '../canary/status.js';
import { type HistoryDocument, historyDocument, statusDocument } from '../ui/documents.js';
import { readLease } from './lease.js';
import { fieldsOf, openAws, openService, type ServiceContext, type ServiceOptions } from './service.js';
import { lookAtCandidate, type StatusReport } from './status-paused.js';

/** The lease of `stack` as `status` reports it. */
export async function leaseView(store: LeaseStore | undefined, stack: string): Promise<LeaseView> {
  if (!store) return 'untracked';
  return (await readLease(store, stack)) ?? 'free';
}

/** Everything `status` and `history` are computed from, read from the backend. */
export async function readStatusInput(
  ctx: Pick<ServiceContext, 'config' | 'runner' | 'leases' | 'stack'>,
): Promise<StatusInput> {
  // The lease before the outputs: a run seen alive here and `deploying` there is running;
  // read the other way round, a run ending in between would look interrupted.
  const lease = await leaseView(ctx.leases, ctx.stack);
  const outputs = await ctx.runner.outputs();
  const history = await ctx.runner.history();
  return { config: ctx.config, outputs, history, lease };
}

/** `status` of the service the options name; `probe` opens the health probe (tests: a fake). */
export async function statusOfService(
  options: ServiceOptions,
  probe: () => Promise<HealthProbe> = async () => (await openAws(options)).probe,
): Promise<StatusReport> {
  const ctx = await openService(options);
  const input = await readStatusInput(ctx);
  const document = statusDocument(fieldsOf(ctx), serviceStatus(input));
  const { outputs } = input;
  if (!document.paused || !outputs) return { ...document, paused: null };
  return {
    ...document,
    paused: { ...document.paused, ...(await lookAtCandidate(outputs, ctx.config, probe)) },
  };
}

/** `history` of the service the options name, newest first; at most `limit` deployments. */
export async function historyOfService(options: ServiceOptions, limit?: number): Promise<HistoryDocument> {
  return historyOf(await readStatusInput(await openService(options)), limit);
}

/** The deployments `input` records, newest first; the `limit` newest when one is given. */
export function historyOf(input: StatusInput, limit?: number): HistoryDocument {
  const deployments = deploymentHistory(input.history, activeDeployment(input.outputs, input.lease));
  return historyDocument(limit === undefined ? deployments : deployments.slice(0, limit));
}
