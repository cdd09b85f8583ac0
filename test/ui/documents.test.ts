/**
 * The `--json` documents are a contract: scripts and CI pipelines read them. Each is pinned
 * here as a literal, keys in order, so a renamed, moved or retyped field fails a test.
 */
import { expect } from 'chai';
import { planRollout, timeline } from '../../src/canary/plan.js';
import type { PlannedChange } from '../../src/canary/ports/stack.js';
import type { WindowRecord } from '../../src/canary/rollout/types.js';
import type { ServiceStatus } from '../../src/canary/status.js';
import {
  deployDocument,
  errorDocument,
  historyDocument,
  previewDocument,
  rollbackDocument,
  serviceFields,
  statusDocument,
  undeployDocument,
  validationDocument,
  validationFailureDocument,
} from '../../src/ui/documents.js';
import { buildConfig, buildIdentity } from '../helpers/builders.js';
import { buildAnalysis, FakeMetricsSource, trafficFrom } from '../helpers/fake-metrics.js';
import { runScenario } from '../helpers/rollout-harness.js';
import { result, rolledBack } from './result-fixtures.js';

/** The document as a script sees it: JSON text, keys in order. */
const json = (value: unknown): string => JSON.stringify(value);

const FIELDS = serviceFields(buildIdentity(), 'shop-orders-api-prod-eu-west-1');
const FIELDS_JSON = {
  service: 'orders-api',
  project: 'shop',
  environment: 'prod',
  region: 'eu-west-1',
  stack: 'shop-orders-api-prod-eu-west-1',
};

const DEPLOYMENT = {
  version: '1.5.0',
  outcome: 'rolled_back' as const,
  startedAt: '2025-01-01T12:00:00.000Z',
  durationS: 140,
  deploymentId: 'd-2',
  slot: 'green' as const,
  reason: 'Step 4/6: 2 unhealthy targets',
};
const DEPLOYMENT_JSON = {
  version: '1.5.0',
  outcome: 'rolled_back',
  started_at: '2025-01-01T12:00:00.000Z',
  duration_s: 140,
  deployment_id: 'd-2',
  slot: 'green',
  reason: 'Step 4/6: 2 unhealthy targets',
};

/** A failing window of a candidate answering 20 % 5xx at 10 %. */
const WINDOW: WindowRecord = {
  verdict: 'fail',
  code: 'judged',
  reason: 'error_rate 20 % > max 1 % (stable 0.2 %) in window 12:01:10–12:01:20',
  start: Date.UTC(2025, 0, 1, 12, 1, 10),
  end: Date.UTC(2025, 0, 1, 12, 1, 20),
  declaredWeight: 10,
  observedShare: 9.8,
  candidate: { requests: 98, target5xx: 20, elb5xx: 0, p99Ms: 120 },
  stable: { requests: 902, target5xx: 2, elb5xx: 0, p99Ms: 110 },
  custom: {},
  checks: [{ name: 'error_rate', candidate: 0.2, stable: 0.002, limit: 'max 1 %', passed: false }],
  failures: 1,
  failureLimit: 0,
};

describe('ui/documents: the --json contracts', () => {
  describe('deploy', () => {
    it('is the `deploy --json` contract: the six fields first, in order, then the additions', () => {
      expect(json(deployDocument(rolledBack))).to.equal(
        json({
          outcome: 'rolled_back',
          version: '2.0.0',
          slot: 'green',
          steps: [
            { weight: 10, wait: 60, outcome: 'passed', observed_share: null },
            { weight: 50, wait: 120, outcome: 'failed', observed_share: null },
            { weight: 100, wait: 60, outcome: 'not_run', observed_share: null },
          ],
          reason: 'Step 4/6: 1 unhealthy target(s) in orders-green after the candidate had been healthy',
          duration_s: 95,
          deployment_id: 'd-0001',
          previous: { slot: 'blue', version: '1.0.0' },
          instructions: [],
          warnings: [],
        }),
      );
    });

    it('carries the deployment file’s warnings, as validate prints them', () => {
      const warning =
        'prod.deploy.yml:31:9 service.containers[0].environment.DB_PASSWORD: warning: its name says it holds a secret';
      expect(deployDocument(result(), [warning]).warnings).to.deep.equal([warning]);
    });

    it('is plain JSON data that survives a round trip', () => {
      const document = deployDocument(result());
      expect(JSON.parse(JSON.stringify(document))).to.deep.equal(document);
      expect(document.reason).to.equal(null);
      expect(document.previous).to.deep.equal({ slot: 'blue', version: '1.0.0' });
    });

    it('redacts a secret quoted in the reason', () => {
      const leaky = result({
        outcome: 'rolled_back',
        reason: 'the stack update failed: PULUMI_CONFIG_PASSPHRASE=hunter2',
      });
      expect(deployDocument(leaky).reason).to.equal(
        'the stack update failed: PULUMI_CONFIG_PASSPHRASE=[redacted]',
      );
    });

    it('documents a real run', async () => {
      const { result: real } = await runScenario();
      const document = deployDocument(real);
      expect(Object.keys(document).slice(0, 6)).to.deep.equal([
        'outcome',
        'version',
        'slot',
        'steps',
        'reason',
        'duration_s',
      ]);
      expect(document.outcome).to.equal('deployed');
      expect(document.steps.every((step) => step.outcome === 'passed')).to.equal(true);
      expect('analysis' in document, 'no analysis without canary.analysis').to.equal(false);
    });

    it('carries, with canary.analysis, each step’s observed share and window counts, and every window', () => {
      const analysed = result({
        outcome: 'rolled_back',
        reason:
          'Step 3/6: analysis failed: error_rate 20 % > max 1 % (stable 0.2 %) in window 12:01:10–12:01:20',
        steps: [
          {
            weight: 10,
            wait: 60,
            outcome: 'failed',
            observedShare: 9.8,
            analysis: { passed: 0, failed: 1, inconclusive: 1 },
          },
          {
            weight: 100,
            wait: 60,
            outcome: 'not_run',
            observedShare: null,
            analysis: { passed: 0, failed: 0, inconclusive: 0 },
          },
        ],
        analysis: { windows: [WINDOW] },
      });
      const document = deployDocument(analysed);
      expect(json(document.steps)).to.equal(
        json([
          {
            weight: 10,
            wait: 60,
            outcome: 'failed',
            observed_share: 9.8,
            analysis: { passed: 0, failed: 1, inconclusive: 1 },
          },
          {
            weight: 100,
            wait: 60,
            outcome: 'not_run',
            observed_share: null,
            analysis: { passed: 0, failed: 0, inconclusive: 0 },
          },
        ]),
      );
      expect(Object.keys(document).at(-1)).to.equal('analysis');
      expect(json(document.analysis)).to.equal(
        json({
          windows: [
            {
              start: '2025-01-01T12:01:10.000Z',
              end: '2025-01-01T12:01:20.000Z',
              verdict: 'fail',
              code: 'judged',
              reason: 'error_rate 20 % > max 1 % (stable 0.2 %) in window 12:01:10–12:01:20',
              declared_weight: 10,
              observed_share: 9.8,
              candidate: { requests: 98, target_5xx: 20, elb_5xx: 0, p99_ms: 120 },
              stable: { requests: 902, target_5xx: 2, elb_5xx: 0, p99_ms: 110 },
              custom: {},
              checks: [
                { name: 'error_rate', candidate: 0.2, stable: 0.002, limit: 'max 1 %', passed: false },
              ],
              failures: 1,
              failure_limit: 0,
            },
          ],
        }),
      );
    });

    it('documents a real analysed run: the windows as the events reported them', async () => {
      const { result: real, reports } = await runScenario({
        canary: { analysis: buildAnalysis({ error_rate: { max: 0.01, elb_5xx: true } }) },
        metrics: (runner, clock) => new FakeMetricsSource(clock, { window: trafficFrom(runner) }),
      });
      const document = deployDocument(real);
      expect(document.outcome).to.equal('deployed');
      expect(document.analysis?.windows.map((w) => [Date.parse(w.start), w.verdict])).to.deep.equal(
        reports.of('analysis.window').map((event) => [event.data.start, event.data.verdict]),
      );
      expect(document.steps.map((step) => step.observed_share)).to.deep.equal(
        real.steps.map((step) => step.observedShare),
      );
      expect(document.steps.every((step) => (step.analysis?.passed ?? 0) > 0)).to.equal(true);
    });
  });

  describe('status and history', () => {
    const status: ServiceStatus = {
      phase: 'interrupted',
      live: { slot: 'blue', version: '1.4.0', releaseId: 'orders-blue' },
      weights: { 'orders.example.com': { 'orders-blue': 90, 'orders-green': 10 } },
      lastDeployment: { ...DEPLOYMENT, outcome: 'interrupted', reason: null },
      lease: {
        holder: { host: 'ci-3', pid: 4242, user: 'ci', command: 'deploy', since: '2025-01-01T12:00:00.000Z' },
        liveness: 'dead',
      },
      pause: null,
    };

    it('status: the service, its phase, the live release, the weights, the last deployment, the lease', () => {
      expect(json(statusDocument(FIELDS, status))).to.equal(
        json({
          ...FIELDS_JSON,
          phase: 'interrupted',
          live: { slot: 'blue', version: '1.4.0', release_id: 'orders-blue' },
          weights: { 'orders.example.com': { 'orders-blue': 90, 'orders-green': 10 } },
          last_deployment: { ...DEPLOYMENT_JSON, outcome: 'interrupted', reason: null },
          lease: {
            host: 'ci-3',
            pid: 4242,
            user: 'ci',
            command: 'deploy',
            since: '2025-01-01T12:00:00.000Z',
            liveness: 'dead',
          },
          paused: null,
        }),
      );
    });

    it('status of a service paused: where it stopped, and the candidate’s health when filled', () => {
      const paused: ServiceStatus = {
        ...status,
        phase: 'paused',
        lease: null,
        pause: {
          deploymentId: 'd-7',
          version: '1.5.0',
          since: '2025-01-01T12:02:20.000Z',
          weight: 10,
          step: 1,
          until: null,
          health: '2/2 targets healthy',
        },
      };
      expect(statusDocument(FIELDS, paused).paused).to.deep.equal({
        deployment_id: 'd-7',
        version: '1.5.0',
        since: '2025-01-01T12:02:20.000Z',
        weight: 10,
        step: 1,
        until: null,
        health: '2/2 targets healthy',
      });
    });

    it('status of a service never deployed: nulls, not missing keys', () => {
      const none: ServiceStatus = {
        phase: 'none',
        live: null,
        weights: {},
        lastDeployment: null,
        lease: null,
        pause: null,
      };
      expect(json(statusDocument(FIELDS, none))).to.equal(
        json({
          ...FIELDS_JSON,
          phase: 'none',
          live: null,
          weights: {},
          last_deployment: null,
          lease: null,
          paused: null,
        }),
      );
    });

    it('history: a list of deployments, newest first, in snake_case', () => {
      expect(
        json(historyDocument([DEPLOYMENT, { ...DEPLOYMENT, deploymentId: 'd-1', reason: null }])),
      ).to.equal(json([DEPLOYMENT_JSON, { ...DEPLOYMENT_JSON, deployment_id: 'd-1', reason: null }]));
    });
  });

  describe('preview', () => {
    it('the releases, each changed resource once, the counts, and the timeline', () => {
      const config = buildConfig();
      const plan = planRollout(config.canary, { firstDeployment: false });
      const urn = 'urn:pulumi:s::ecs-crd::aws:ecs/service:Service::green-service';
      const planned: PlannedChange[] = [
        { urn, type: 'aws:ecs/service:Service', name: 'green-service', operation: 'create', diffs: [] },
        { urn: `${urn}-same`, type: 'aws:iam/role:Role', name: 'task-role', operation: 'same', diffs: [] },
      ];
      const release = (slot: 'blue' | 'green', version: string) => ({
        slot,
        releaseId: `orders-${slot}`,
        version,
        config,
      });
      const document = previewDocument(FIELDS, {
        candidate: release('green', '1.5.0'),
        stable: release('blue', '1.4.0'),
        timeline: timeline(plan).slice(0, 2),
        planned,
      });
      expect(json(document)).to.equal(
        json({
          ...FIELDS_JSON,
          candidate: { slot: 'green', release_id: 'orders-green', version: '1.5.0' },
          stable: { slot: 'blue', release_id: 'orders-blue', version: '1.4.0' },
          changes: [
            { type: 'aws:ecs/service:Service', name: 'green-service', operation: 'create', diffs: [] },
          ],
          summary: { create: 1 },
          timeline: [
            {
              number: 1,
              kind: 'provision',
              label: 'provision the candidate (weight 0)',
              weights: { candidate: 0, stable: 100 },
              wait_s: 0,
              pause: null,
              hooks: [],
              start_s: 0,
              end_s: 0,
              aws_estimate_s: 0,
              estimated_end_s: 0,
            },
            {
              number: 2,
              kind: 'scale-wait',
              label: `scale wait (${config.canary.scale.wait} s)`,
              weights: { candidate: 0, stable: 100 },
              wait_s: config.canary.scale.wait,
              pause: null,
              hooks: [],
              start_s: 0,
              end_s: config.canary.scale.wait,
              aws_estimate_s: 0,
              estimated_end_s: config.canary.scale.wait,
            },
          ],
          warnings: [],
        }),
      );
    });

    it('shows the pauses and the hooks around each step', () => {
      const config = buildConfig({
        canary: {
          strategy: [
            { weight: 10, wait: 60, pause: true },
            { weight: 50, wait: 60, pause: 600 },
          ],
          hooks: {
            before_traffic: [{ kind: 'command', command: ['./smoke.sh'], timeout: 120 }],
            after_deploy: [],
          },
        },
      });
      const release = { slot: 'green' as const, releaseId: 'orders-green', version: '1.5.0', config };
      const document = previewDocument(FIELDS, {
        candidate: release,
        stable: null,
        timeline: timeline(planRollout(config.canary, { firstDeployment: false })),
        planned: [],
      });
      expect(document.timeline.map((step) => [step.kind, step.pause, step.hooks, step.end_s])).to.deep.equal([
        ['provision', null, [], 0],
        ['scale-wait', null, ['before_traffic'], 60],
        ['shift', true, [], 120],
        ['shift', 600, [], 780],
        ['shift', null, [], 840],
        ['finalize', null, [], 840],
      ]);
      expect(document.timeline[2]?.label).to.equal(
        'shift 10 % to the candidate, watch 60 s, then pause until promoted',
      );
    });
  });

  describe('undeploy and rollback', () => {
    it('undeploy: the service, whether it was destroyed, what was live, what the engine deleted', () => {
      const live = { slot: 'blue' as const, version: '1.4.0', releaseId: 'orders-blue' };
      expect(json(undeployDocument(FIELDS, live, { destroyed: true, changes: { delete: 14 } }))).to.equal(
        json({
          ...FIELDS_JSON,
          destroyed: true,
          live: { slot: 'blue', version: '1.4.0', release_id: 'orders-blue' },
          changes: { delete: 14 },
        }),
      );
    });

    it('rollback: whether anything changed, why, who serves now, what was done', () => {
      const plan = {
        reason: 'deployment d-2 did not finish',
        liveSlot: 'blue' as const,
        liveVersion: '1.4.0',
      };
      expect(json(rollbackDocument(plan, ['send 100 % of traffic to blue (1.4.0)']))).to.equal(
        json({
          changed: true,
          reason: 'deployment d-2 did not finish',
          live: { slot: 'blue', version: '1.4.0' },
          actions: ['send 100 % of traffic to blue (1.4.0)'],
        }),
      );
      const nothing = { reason: 'the stack does not exist', liveSlot: null, liveVersion: null };
      expect(json(rollbackDocument(nothing, []))).to.equal(
        json({ changed: false, reason: 'the stack does not exist', live: null, actions: [] }),
      );
    });
  });

  describe('validate and errors', () => {
    it('validate: valid, the file, every problem, the resolved config', () => {
      const problem = {
        file: 'prod.deploy.yml',
        line: 3,
        column: 5,
        path: 'service.name',
        message: 'is required',
      };
      expect(json(validationDocument({ ok: false, file: 'prod.deploy.yml', problems: [problem] }))).to.equal(
        json({
          valid: false,
          file: 'prod.deploy.yml',
          errors: [problem],
          config: null,
          error_count: 1,
          warnings: [],
        }),
      );
      const config = buildConfig();
      const warning = {
        ...problem,
        path: 'service.containers[0].environment.DB_PASSWORD',
        message: 'warning: …',
      };
      expect(
        json(validationDocument({ ok: true, file: 'prod.deploy.yml', config, warnings: [warning] })),
      ).to.equal(
        json({
          valid: true,
          file: 'prod.deploy.yml',
          errors: [],
          config,
          error_count: 0,
          warnings: [warning],
        }),
      );
      expect(json(validationFailureDocument('prod.deploy.yml', 'no such file'))).to.equal(
        json({
          valid: false,
          file: 'prod.deploy.yml',
          errors: [{ file: 'prod.deploy.yml', line: 0, column: 0, path: '', message: 'no such file' }],
          config: null,
        }),
      );
    });

    it('validate: the first 50 problems, and how many there are in all', () => {
      const problems = Array.from({ length: 120 }, (_, i) => ({
        file: 'prod.deploy.yml',
        line: i + 1,
        column: 1,
        path: `service.containers[0].environment.V${i}`,
        message: 'is not a valid name',
      }));
      const document = validationDocument({ ok: false, file: 'prod.deploy.yml', problems });
      expect(document.errors).to.deep.equal(problems.slice(0, 50));
      expect(document.error_count).to.equal(120);
    });

    it('an error: its exit code, class, message and hint; a secret in the message redacted', () => {
      const error = { exitCode: 5, name: 'StackLockedError', message: 'held', hint: 'wait' };
      expect(json(errorDocument(error))).to.equal(
        json({ error: { exitCode: 5, name: 'StackLockedError', message: 'held', hint: 'wait' } }),
      );
      const leaky = {
        exitCode: 1,
        name: 'EcsCrdError',
        message: 'PULUMI_CONFIG_PASSPHRASE=x',
        hint: undefined,
      };
      expect(json(errorDocument(leaky))).to.equal(
        json({ error: { exitCode: 1, name: 'EcsCrdError', message: 'PULUMI_CONFIG_PASSPHRASE=[redacted]' } }),
      );
    });
  });
});
