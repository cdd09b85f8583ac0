/**
 * Publishing a run's outcome (`canary.sns_topic_notifications`): the document the command
 * prints with `--json` is the message. What to publish where is decided in canary/notify.
 */
import type { EventSink } from '../canary/events.js';
import { type NotifiedOutcome, notifyOutcome } from '../canary/notify.js';
import type { Notifier } from '../canary/ports/notify.js';
import type { StackIdentity } from '../canary/ports/stack.js';
import type { DeploymentConfig } from '../config/types.js';

export interface PublishRequest {
  notifier: Notifier;
  config: Pick<DeploymentConfig, 'canary'>;
  identity: StackIdentity;
  outcome: NotifiedOutcome;
  version: string;
  runId: string;
  /** The `--json` document of the run. */
  document: unknown;
  reporter?: EventSink | undefined;
}

/** Never throws: a failed publish is a warning event, the run's outcome stands. */
export function publishOutcome(request: PublishRequest): Promise<void> {
  const { identity } = request;
  return notifyOutcome(
    request.notifier,
    request.config.canary.sns_topic_notifications,
    {
      outcome: request.outcome,
      project: identity.project,
      service: identity.name,
      environment: identity.environment,
      version: request.version,
      runId: request.runId,
    },
    JSON.stringify(request.document),
    request.reporter,
  );
}
