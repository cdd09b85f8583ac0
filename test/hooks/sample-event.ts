/** A `HookEvent` of the sample service (test/helpers/builders.ts) at `after_step`, for the hook tests. */
import type { HookEvent } from '../../src/canary/ports/hooks.js';

export function sampleEvent(overrides: Partial<HookEvent> = {}): HookEvent {
  return {
    hook: 'after_step',
    deploymentId: 'd-20240501-0002',
    project: 'shop',
    service: 'orders-api',
    environment: 'prod',
    region: 'eu-west-1',
    version: '1.4.2',
    slot: 'green',
    releaseId: 'shop-green',
    stable: { version: '1.4.1', slot: 'blue' },
    weight: 10,
    step: 1,
    steps: 3,
    candidate: {
      url: 'https://shop-green-1234567890.eu-west-1.elb.amazonaws.com:443',
      host: 'orders.example.com',
    },
    outcome: null,
    reason: null,
    at: '2024-05-01T10:05:00.000Z',
    ...overrides,
  };
}
