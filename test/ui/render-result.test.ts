import { expect } from 'chai';
import { deployDocument } from '../../src/ui/documents.js';
import { resultLines } from '../../src/ui/render-result.js';
import { result, rolledBack } from './result-fixtures.js';

describe('ui/render-result', () => {
  describe('resultLines', () => {
    it('summarises a deployment: outcome, version, slot, each step, duration', () => {
      expect(resultLines(deployDocument(result()))).to.deep.equal([
        '✔ Deployed 2.0.0 on green, replacing 1.0.0 on blue in 5m 12s',
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
        steps: [{ weight: 100, wait: 60, outcome: 'passed', observedShare: null }],
        durationS: 80,
      });
      expect(resultLines(deployDocument(first))[0]).to.equal(
        '✔ Deployed 2.0.0 on green (first deployment) in 1m 20s',
      );
    });

    it('says where a deployment paused and what to run next', () => {
      const paused = result({
        outcome: 'paused',
        steps: [
          { weight: 10, wait: 60, outcome: 'passed', observedShare: null },
          { weight: 50, wait: 120, outcome: 'not_run', observedShare: null },
          { weight: 100, wait: 60, outcome: 'not_run', observedShare: null },
        ],
        durationS: 140,
        paused: { weight: 10, step: 1, since: '2025-01-01T12:02:20.000Z' },
      });
      const document = deployDocument(paused);
      expect(document.paused).to.deep.equal({ weight: 10, step: 1, since: '2025-01-01T12:02:20.000Z' });
      expect(document.outcome).to.equal('paused');
      expect(resultLines(document)).to.deep.equal([
        '‖ Paused 2.0.0 on green at 10 % (step 1 of 3) since 2025-01-01T12:02:20.000Z',
        '  run `ecs-crd promote` to go on (`--full`: straight to 100 %), or `ecs-crd rollback` to abort',
        '  STEP  WEIGHT  WAIT   OUTCOME',
        '  1     10 %    60 s   passed',
        '  2     50 %    120 s  not run',
        '  3     100 %   60 s   not run',
        '  deployment d-0001',
      ]);
      expect(deployDocument(result())).to.not.have.property('paused');
    });

    it('explains a rollback: who serves traffic, why, which step failed', () => {
      expect(resultLines(deployDocument(rolledBack))).to.deep.equal([
        '✖ Rolled back 2.0.0 after 1m 35s: 1.0.0 on blue serves all traffic',
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
      const lines = resultLines(deployDocument(failed));
      expect(lines[0]).to.equal('✖ Rollback of 2.0.0 on green failed after 5m 12s: manual action needed');
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
      expect(resultLines(deployDocument(softly))[0]).to.equal(
        '■ Interrupted the deployment of 2.0.0 after 30s: 1.0.0 on blue serves all traffic',
      );
      const hard = { ...softly, instructions: ['Run `ecs-crd rollback` …'] };
      expect(resultLines(deployDocument(hard))[0]).to.equal(
        '■ Interrupted the deployment of 2.0.0 after 30s: left unfinished',
      );
    });

    it('shows, with canary.analysis, the share of requests each step really gave the candidate', () => {
      const analysed = result({
        steps: [
          {
            weight: 10,
            wait: 60,
            outcome: 'passed',
            observedShare: 9.8,
            analysis: { passed: 3, failed: 0, inconclusive: 0 },
          },
          {
            weight: 50,
            wait: 120,
            outcome: 'passed',
            observedShare: null,
            analysis: { passed: 1, failed: 0, inconclusive: 4 },
          },
        ],
        analysis: { windows: [] },
      });
      expect(resultLines(deployDocument(analysed)).slice(1, 4)).to.deep.equal([
        '  STEP  WEIGHT  OBSERVED  WAIT   OUTCOME',
        '  1     10 %    9.8 %     60 s   passed',
        '  2     50 %    –         120 s  passed',
      ]);
    });

    it('colours only when asked', () => {
      expect(resultLines(deployDocument(rolledBack)).join('')).not.to.include('\u001b');
      expect(resultLines(deployDocument(rolledBack), { color: true }).join('')).to.include('\u001b[31m');
    });
  });
});
