import { expect } from 'chai';
import fc from 'fast-check';
import {
  IMPLIED_FINAL_STEP,
  type PlanStep,
  planRollout,
  ROUTE53_INSYNC_S,
  shiftSteps,
  timeline,
} from '../../src/canary/plan.js';
import type { StrategyStep } from '../../src/config/types.js';
import { strategyArbitrary } from '../helpers/canary-arbitraries.js';

const canary = (strategy: StrategyStep[], wait = 60, drain = 0) => ({
  scale: { desired: 2, wait },
  strategy,
  drain,
});

describe('canary plan', () => {
  it('provisions, waits for the scale-up, shifts step by step, adds the implied 100 % bake step, finalizes', () => {
    const plan = planRollout(
      canary([
        { weight: 10, wait: 70 },
        { weight: 60, wait: 50 },
      ]),
      { firstDeployment: false },
    );
    expect(plan.steps).to.deep.equal([
      { kind: 'provision' },
      { kind: 'scale-wait', wait: 60 },
      { kind: 'shift', shift: 0, weight: 10, wait: 70, implied: false, pause: null },
      { kind: 'shift', shift: 1, weight: 60, wait: 50, implied: false, pause: null },
      { kind: 'shift', shift: 2, weight: 100, wait: 60, implied: true, pause: null },
      { kind: 'finalize' },
    ] satisfies PlanStep[]);
  });

  it('drains the old release for canary.drain after its weight reached 0, counting the last step’s wait', () => {
    const steps = (drain: number, lastWait: number) =>
      planRollout(
        canary(
          [
            { weight: 10, wait: 5 },
            { weight: 100, wait: lastWait },
          ],
          60,
          drain,
        ),
        {
          firstDeployment: false,
        },
      ).steps.slice(-2);
    expect(steps(60, 0)).to.deep.equal([{ kind: 'drain', wait: 60 }, { kind: 'finalize' }]);
    expect(steps(60, 45)).to.deep.equal([{ kind: 'drain', wait: 15 }, { kind: 'finalize' }]);
    // The bake already covers it, or no drain is asked: no step.
    expect(steps(60, 60).map((step) => step.kind)).to.deep.equal(['shift', 'finalize']);
    expect(steps(0, 0).map((step) => step.kind)).to.deep.equal(['shift', 'finalize']);
    // A first deployment has no old release to drain.
    const first = planRollout(canary([], 60, 600), { firstDeployment: true });
    expect(first.steps.map((step) => step.kind)).to.deep.equal([
      'provision',
      'scale-wait',
      'shift',
      'finalize',
    ]);
    // The timeline shows the drain at 100 %, with its wait.
    const entries = timeline(
      planRollout(canary([{ weight: 100, wait: 0 }], 60, 30), { firstDeployment: false }),
    );
    expect(entries.at(-2)).to.deep.include({
      kind: 'drain',
      weights: { candidate: 100, stable: 0 },
      waitS: 30,
    });
  });

  it('adds no step when the strategy already ends at 100 %, keeping its wait as the bake time', () => {
    const plan = planRollout(
      canary([
        { weight: 25, wait: 5 },
        { weight: 100, wait: 30 },
      ]),
      { firstDeployment: false },
    );
    expect(shiftSteps(plan).map(({ weight, wait, implied }) => ({ weight, wait, implied }))).to.deep.equal([
      { weight: 25, wait: 5, implied: false },
      { weight: 100, wait: 30, implied: false },
    ]);
  });

  it('turns an empty strategy into the single implied step', () => {
    const plan = planRollout(canary([]), { firstDeployment: false });
    expect(shiftSteps(plan)).to.deep.equal([
      { kind: 'shift', shift: 0, ...IMPLIED_FINAL_STEP, implied: true, pause: null },
    ]);
  });

  it('sends a first deployment straight to 100 % with the final step’s wait', () => {
    const written = planRollout(
      canary([
        { weight: 10, wait: 70 },
        { weight: 100, wait: 30 },
      ]),
      { firstDeployment: true },
    );
    expect(shiftSteps(written)).to.deep.equal([
      { kind: 'shift', shift: 0, weight: 100, wait: 30, implied: false, pause: null },
    ]);
    const implied = planRollout(canary([{ weight: 10, wait: 70 }]), { firstDeployment: true });
    expect(shiftSteps(implied)).to.deep.equal([
      { kind: 'shift', shift: 0, weight: 100, wait: 60, implied: true, pause: null },
    ]);
    expect(implied.steps.map((step) => step.kind)).to.deep.equal([
      'provision',
      'scale-wait',
      'shift',
      'finalize',
    ]);
  });

  it('refuses a strategy the configuration layer should have refused', () => {
    for (const strategy of [
      [
        { weight: 50, wait: 1 },
        { weight: 50, wait: 1 },
      ],
      [{ weight: 0, wait: 1 }],
      [{ weight: 101, wait: 1 }],
      [{ weight: 10, wait: -1 }],
    ]) {
      expect(() => planRollout(canary(strategy), { firstDeployment: false })).to.throw(
        /internal error: canary\.strategy/,
      );
    }
  });

  it('gives preview each step’s weights, wait and cumulative time', () => {
    const plan = planRollout(
      canary([
        { weight: 10, wait: 70 },
        { weight: 60, wait: 50 },
      ]),
      { firstDeployment: false },
    );
    expect(
      timeline(plan).map(({ number, kind, weights, waitS, startS, endS }) => [
        number,
        kind,
        weights.candidate,
        weights.stable,
        waitS,
        startS,
        endS,
      ]),
    ).to.deep.equal([
      [1, 'provision', 0, 100, 0, 0, 0],
      [2, 'scale-wait', 0, 100, 60, 0, 60],
      [3, 'shift', 10, 90, 70, 60, 130],
      [4, 'shift', 60, 40, 50, 130, 180],
      [5, 'shift', 100, 0, 60, 180, 240],
      [6, 'finalize', 100, 0, 0, 240, 240],
    ]);
    expect(timeline(plan)[4]?.label ?? '').to.match(/implied/);
  });

  it('always ends at 100 % through strictly increasing weights, with the shifts numbered in order', () => {
    fc.assert(
      fc.property(strategyArbitrary(), fc.nat(300), fc.boolean(), (strategy, wait, firstDeployment) => {
        const plan = planRollout(canary(strategy, wait), { firstDeployment });
        const shifts = shiftSteps(plan);
        expect(shifts.at(-1)?.weight).to.equal(100);
        shifts.forEach((step, index) => {
          expect(step.shift).to.equal(index);
          if (index > 0) expect(step.weight).to.be.above(shifts[index - 1]?.weight ?? 0);
        });
        expect(shifts.length).to.equal(
          firstDeployment ? 1 : strategy.length + (strategy.at(-1)?.weight === 100 ? 0 : 1),
        );
        const rows = timeline(plan);
        expect(rows.at(-1)?.endS).to.equal(wait + shifts.reduce((total, step) => total + step.wait, 0));
      }),
    );
  });

  it('estimates what AWS adds to each update: ~60 s of Route 53 propagation per weight change, the old release’s drain at finalize', () => {
    const canary = { scale: { desired: 2, wait: 60 }, strategy: [{ weight: 10, wait: 120 }], drain: 0 };
    const later = timeline(planRollout(canary, { firstDeployment: false }), { deregistrationDelayS: 30 });
    expect(later.map((entry) => [entry.kind, entry.awsEstimateS])).to.deep.equal([
      ['provision', 0],
      ['scale-wait', 0],
      ['shift', ROUTE53_INSYNC_S],
      ['shift', ROUTE53_INSYNC_S],
      ['finalize', 30],
    ]);
    const last = later.at(-1);
    expect(last?.estimatedEndS).to.equal((last?.endS ?? 0) + 2 * ROUTE53_INSYNC_S + 30);
    // A first deployment creates the records with its release: their propagation is waited for.
    const first = timeline(planRollout(canary, { firstDeployment: true }), { deregistrationDelayS: 30 });
    expect(first[0]?.awsEstimateS).to.equal(ROUTE53_INSYNC_S);
  });

  describe('pauses and hooks', () => {
    const command = (name: string) => [{ kind: 'command' as const, command: [name], timeout: 60 }];
    const ALL_HOOKS = {
      before_traffic: command('./smoke.sh'),
      after_step: command('./check.sh'),
      before_finalize: command('./last.sh'),
      after_deploy: command('./tell.sh'),
      after_rollback: command('./page.sh'),
    };

    it('carries each step’s pause, describes it, and counts a timed pause in the timeline', () => {
      const plan = planRollout(
        canary([
          { weight: 10, wait: 60, pause: true },
          { weight: 50, wait: 0, pause: 300 },
        ]),
        { firstDeployment: false },
      );
      expect(shiftSteps(plan).map((step) => step.pause)).to.deep.equal([true, 300, null]);
      const entries = timeline(plan);
      expect(entries.map((entry) => [entry.label, entry.pause, entry.endS])).to.deep.equal([
        ['provision the candidate (weight 0)', null, 0],
        ['scale wait (60 s)', null, 60],
        ['shift 10 % to the candidate, watch 60 s, then pause until promoted', true, 120],
        ['shift 50 % to the candidate, watch 0 s, then pause 300 s (watching)', 300, 420],
        ['shift 100 % to the candidate (implied bake step), watch 60 s', null, 480],
        ['finalize (remove the old release)', null, 480],
      ]);
      expect(plan.pausesSkipped).to.equal(false);
    });

    it('never pauses a first deployment, and says it skipped the pauses', () => {
      const plan = planRollout(
        canary([
          { weight: 10, wait: 60, pause: true },
          { weight: 100, wait: 30, pause: 60 },
        ]),
        {
          firstDeployment: true,
        },
      );
      expect(shiftSteps(plan).map((step) => step.pause)).to.deep.equal([null]);
      expect(plan.pausesSkipped).to.equal(true);
      expect(
        planRollout(canary([{ weight: 10, wait: 60 }]), { firstDeployment: true }).pausesSkipped,
      ).to.equal(false);
    });

    it('lists the hook points at or right after each step, before_finalize after the drain', () => {
      const plan = planRollout(
        { ...canary([{ weight: 10, wait: 10 }], 30, 120), hooks: ALL_HOOKS },
        {
          firstDeployment: false,
        },
      );
      expect(timeline(plan).map((entry) => [entry.kind, entry.hooks])).to.deep.equal([
        ['provision', []],
        ['scale-wait', ['before_traffic']],
        ['shift', ['after_step']],
        ['shift', ['after_step']],
        ['drain', ['before_finalize']],
        ['finalize', ['after_deploy']],
      ]);
      expect(plan.hooks).to.deep.equal([
        'before_traffic',
        'after_step',
        'before_finalize',
        'after_deploy',
        'after_rollback',
      ]);
    });

    it('puts before_finalize after the last shift without a drain, and only points that have hooks', () => {
      const plan = planRollout(
        {
          ...canary([{ weight: 100, wait: 10 }]),
          hooks: { before_finalize: ALL_HOOKS.before_finalize, after_step: [] },
        },
        { firstDeployment: false },
      );
      expect(timeline(plan).map((entry) => entry.hooks)).to.deep.equal([[], [], ['before_finalize'], []]);
    });

    it('refuses a pause that is neither true nor whole seconds ≥ 1 (the config layer’s rule)', () => {
      for (const pause of [0, 1.5, -3]) {
        expect(() =>
          planRollout(canary([{ weight: 10, wait: 0, pause }]), { firstDeployment: false }),
        ).to.throw(/internal error: canary.strategy\[0\]/);
      }
    });
  });
});
