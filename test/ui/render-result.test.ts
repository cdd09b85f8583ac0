import { expect } from 'chai';
import type { RolloutResult } from '../../src/canary/rollout.js';
import { deployDocument, resultLines } from '../../src/ui/render-result.js';
import { runScenario } from '../helpers/rollout-harness.js';

function result(overrides: Partial<RolloutResult> = {}): RolloutResult {
  return {
    outcome: 'deployed',
    deploymentId: 'd-0001',
    version: '2.0.0',
    slot: 'green',
    previous: { slot: 'blue', version: '1.0.0' },
    steps: [
      { weight: 10, wait: 60, outcome: 'passed' },
      { weight: 50, wait: 120, outcome: 'passed' },
      { weight: 100, wait: 60, outcome: 'passed' },
    ],
    reason: null,
    durationS: 312.4,
    instructions: [],
    ...overrides,
  };
}

const rolledBack = result({
  outcome: 'rolled_back',
  steps: [
    { weight: 10, wait: 60, outcome: 'passed' },
    { weight: 50, wait: 120, outcome: 'failed' },
    { weight: 100, wait: 60, outcome: 'not_run' },
  ],
  reason: 'Step 4/6: 1 unhealthy target(s) in orders-green after the candidate had been healthy',
  durationS: 95,
});

describe('ui/render-result', () => {
  describe('deployDocument', () => {
    it('is the `deploy --json` contract: the six fields first, in order, then the additions', () => {
      expect(JSON.stringify(deployDocument(rolledBack))).to.equal(
        JSON.stringify({
          outcome: 'rolled_back',
          version: '2.0.0',
          slot: 'green',
          steps: [
            { weight: 10, wait: 60, outcome: 'passed' },
            { weight: 50, wait: 120, outcome: 'failed' },
            { weight: 100, wait: 60, outcome: 'not_run' },
          ],
          reason: 'Step 4/6: 1 unhealthy target(s) in orders-green after the candidate had been healthy',
          duration_s: 95,
          deployment_id: 'd-0001',
          previous: { slot: 'blue', version: '1.0.0' },
          instructions: [],
        }),
      );
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
    });
  });

  describe('resultLines', () => {
    it('summarises a deployment: outcome, version, slot, each step, duration', () => {
      expect(resultLines(result())).to.deep.equal([
        '✔ Deployed 2.0.0 on green, replacing 1.0.0 on blue in 5 min 12 s',
        '  STEP  WEIGHT  WAIT   OUTCOME',
        '  1     10 %    60 s   passed',
        '  2     50 %    120 s  passed',
        '  3     100 %   60 s   passed',
        '  deployment d-0001',
      ]);
    });

    it('says a first deployment is one', () => {
      const first = result({
        previous: null,
        steps: [{ weight: 100, wait: 60, outcome: 'passed' }],
        durationS: 80,
      });
      expect(resultLines(first)[0]).to.equal('✔ Deployed 2.0.0 on green (first deployment) in 1 min 20 s');
    });

    it('explains a rollback: who serves traffic, why, which step failed', () => {
      expect(resultLines(rolledBack)).to.deep.equal([
        '✖ Rolled back 2.0.0 after 1 min 35 s: 1.0.0 on blue serves all traffic',
        '  reason: Step 4/6: 1 unhealthy target(s) in orders-green after the candidate had been healthy',
        '  STEP  WEIGHT  WAIT   OUTCOME',
        '  1     10 %    60 s   passed',
        '  2     50 %    120 s  failed',
        '  3     100 %   60 s   not run',
        '  deployment d-0001',
      ]);
    });

    it('gives the manual instructions when the rollback failed', () => {
      const failed = result({
        outcome: 'rollback_failed',
        reason: 'Step 4/6: unhealthy; then the rollback failed (restore-traffic): throttled',
        instructions: [
          'Run `ecs-crd rollback` …',
          'If that fails too, by hand:',
          '  Route 53 zone example.com …',
        ],
      });
      const lines = resultLines(failed);
      expect(lines[0]).to.equal('✖ Rollback of 2.0.0 on green failed after 5 min 12 s: manual action needed');
      expect(lines.slice(-5)).to.deep.equal([
        '  Manual action needed:',
        '    Run `ecs-crd rollback` …',
        '    If that fails too, by hand:',
        '      Route 53 zone example.com …',
        '  deployment d-0001',
      ]);
    });

    it('says an interrupted run left the stack unfinished only when it did', () => {
      const softly = result({ outcome: 'interrupted', reason: 'interrupted by the user', durationS: 30 });
      expect(resultLines(softly)[0]).to.equal(
        '■ Interrupted the deployment of 2.0.0 after 30 s: 1.0.0 on blue serves all traffic',
      );
      const hard = { ...softly, instructions: ['Run `ecs-crd rollback` …'] };
      expect(resultLines(hard)[0]).to.equal(
        '■ Interrupted the deployment of 2.0.0 after 30 s: left unfinished',
      );
    });

    it('colours only when asked', () => {
      expect(resultLines(rolledBack).join('')).not.to.include('\u001b');
      expect(resultLines(rolledBack, { color: true }).join('')).to.include('\u001b[31m');
    });
  });
});
