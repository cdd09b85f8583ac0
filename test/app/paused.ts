/**
 * A stack paused at 10 % (1.5.0 on green, 1.4.0 live on blue), and a control channel that keeps
 * what it is sent: for the tests of `promote`, `rollback` and `status` at a pause.
 */
import type { ControlChannel, ControlRequest } from '../../src/canary/ports/control.js';
import type { DeploymentMeta, StackOutputs } from '../../src/canary/ports/stack.js';
import { buildConfig, buildDesiredState, buildMeta } from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';

/** 1.5.0 on green, paused at 10 % until promoted. */
export function pausedOutputs(meta: Partial<DeploymentMeta> = {}): StackOutputs {
  return outputsOf(
    buildDesiredState({
      releases: { blue: buildConfig(), green: buildConfig({ service: { version: '1.5.0' } }) },
      weights: { blue: 90, green: 10 },
      meta: buildMeta({
        phase: 'paused',
        deploymentId: 'd-paused',
        candidateSlot: 'green',
        candidateVersion: '1.5.0',
        step: 1,
        outcome: null,
        pause: { since: '2025-01-01T12:03:00.000Z', weight: 10, until: null },
        ...meta,
      }),
    }),
  );
}

/** A control channel that keeps what it was sent. */
export class FakeControl implements ControlChannel {
  readonly sent: ControlRequest[] = [];
  async send(request: ControlRequest): Promise<void> {
    this.sent.push(request);
  }
  async take(): Promise<ControlRequest | null> {
    return null;
  }
}
