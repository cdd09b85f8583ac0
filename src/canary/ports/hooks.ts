/**
 * The hooks port: what a hook is told (`HookEvent`, the JSON body a webhook receives; a command
 * gets the same as `ECS_CRD_*` environment variables, see `src/canary/hooks.ts`), and the runner
 * that runs one. Implemented by `src/hooks/runner.ts` (child processes without a shell, `fetch`).
 * Nothing secret is ever in a `HookEvent`: no container environment, no secret ARN, no
 * passphrase.
 */
import type { EnvironmentName, HookPoint, HookSpec } from '../../config/types.js';
import type { Slot } from './aws.js';
import type { RolloutOutcome } from './stack.js';

export interface HookEvent {
  /** Where in the rollout: `before_traffic`, `after_step`… */
  hook: HookPoint;
  deploymentId: string;
  project: string;
  service: string;
  environment: EnvironmentName;
  region: string;
  /** The candidate's version, slot and `CanaryRelease` id. */
  version: string;
  slot: Slot;
  releaseId: string;
  /** The release live when the deployment started; null on a first deployment. */
  stable: { version: string; slot: Slot } | null;
  /** The candidate's declared weight when the hook runs. */
  weight: number;
  /** 1-based number of the shift step (`after_step`); null at the other points. */
  step: number | null;
  /** How many shift steps the plan has. */
  steps: number;
  /**
   * The candidate reached directly, past DNS: its slot ALB's DNS name on the first listener's
   * port (`http://internal-blue-123.eu-west-1.elb.amazonaws.com:80`), to be sent with the Host
   * header `host` (the first fqdn) so that the ALB's rule forwards it to the candidate.
   */
  candidate: { url: string; host: string };
  /** `after_deploy` / `after_rollback`: how the deployment ended, and why; null before the end. */
  outcome: RolloutOutcome | null;
  reason: string | null;
  /** ISO-8601, when the hook was started. */
  at: string;
}

export interface HookResult {
  ok: boolean;
  /** What happened, for events and reasons: `exit code 1`, `timed out after 60 s`, `HTTP 503 after 3 attempts`, `HTTP 204`. */
  detail: string;
  durationMs: number;
}

export interface HookRunOptions {
  /** Each line a command prints (stdout and stderr), as it comes. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborted by a second Ctrl-C: the command is killed, the request cancelled. */
  signal?: AbortSignal;
}

export interface HookRunner {
  /** Runs one hook to its end. Never throws for a failing hook: the result says so. */
  run(spec: HookSpec, event: HookEvent, options?: HookRunOptions): Promise<HookResult>;
}
