/**
 * A service opened as `openInAccount` opens it, on fakes: the file's config and warnings, an
 * account whose discovery finds the sample's slots and zones (no records, no owners, no ECS
 * services yet), a healthy candidate, and a stack on a fake runner. For the app functions
 * that run once the service is open (`deployIn`, `previewIn`).
 */
import type { AwsContext, ServiceContext } from '../../src/app/service.js';
import type { MetricsSource } from '../../src/canary/ports/analysis.js';
import type { AwsLookup } from '../../src/canary/ports/aws.js';
import type { Notification, Notifier } from '../../src/canary/ports/notify.js';
import type { EcrImage, ImageLookup, ImageRegistry } from '../../src/canary/ports/registry.js';
import type { StackRunner } from '../../src/canary/ports/stack.js';
import type { ConfigProblem } from '../../src/config/types.js';
import { stackName } from '../../src/stack/naming.js';
import { buildConfig, buildEnvironment, buildIdentity } from '../helpers/builders.js';
import { FakeMetricsSource } from '../helpers/fake-metrics.js';
import { conditionScript, FakeClock, FakeHealthProbe, FakeStackRunner } from '../helpers/fakes.js';

/** A secret in `environment`: the warning `validate` prints for it. */
export const SECRET_WARNING: ConfigProblem = {
  file: 'prod.deploy.yml',
  line: 31,
  column: 9,
  path: 'service.containers[0].environment.DB_PASSWORD',
  message:
    'warning: its name says it holds a secret, and environment values are stored in clear in the task definition',
};

/** A registry that holds every image, unless told otherwise; it remembers what it was asked. */
export class FakeRegistry implements ImageRegistry {
  readonly asked: EcrImage[] = [];
  constructor(private readonly answer: (image: EcrImage) => ImageLookup = () => ({ status: 'found' })) {}
  async lookup(image: EcrImage): Promise<ImageLookup> {
    this.asked.push(image);
    return this.answer(image);
  }
}

/** A notifier that keeps what it was given to publish, or fails with `error`. */
export class FakeNotifier implements Notifier {
  readonly published: Notification[] = [];
  constructor(private readonly error?: Error) {}
  async publish(notification: Notification): Promise<{ messageId: string }> {
    if (this.error) throw this.error;
    this.published.push(notification);
    return { messageId: `m-${this.published.length}` };
  }
}

export function openedService(
  options: {
    warnings?: ConfigProblem[];
    runner?: StackRunner;
    clock?: FakeClock;
    registry?: ImageRegistry;
    notifier?: Notifier;
    metrics?: MetricsSource;
  } = {},
): { aws: AwsContext; ctx: ServiceContext; clock: FakeClock } {
  const clock = options.clock ?? new FakeClock();
  const config = buildConfig();
  const identity = buildIdentity();
  const lookup: AwsLookup = {
    accountId: async () => buildEnvironment().accountId,
    discover: async () => buildEnvironment(),
    liveWeights: async () => ({}),
    owners: async () => ({}),
    serviceStatuses: async () => ({}),
  };
  const probe = new FakeHealthProbe(
    clock,
    conditionScript(config.canary.scale.desired, () => 'healthy'),
  );
  const ctx: ServiceContext = {
    file: 'prod.deploy.yml',
    config,
    warnings: options.warnings ?? [],
    identity,
    stack: stackName(identity),
    backend: { url: 'file:///nowhere', isDefault: false, env: {} },
    leases: undefined,
    runner: options.runner ?? new FakeStackRunner({ clock }),
  };
  const registry = options.registry ?? new FakeRegistry();
  const notifier = options.notifier ?? new FakeNotifier();
  const metrics = options.metrics ?? new FakeMetricsSource(clock);
  return { aws: { lookup, probe, registry, notifier, metrics }, ctx, clock };
}
