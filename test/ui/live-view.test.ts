import { expect } from 'chai';
import fc from 'fast-check';
import { type ProgressEvent, progressEvent } from '../../src/canary/events.js';
import type { Slot } from '../../src/canary/ports/aws.js';
import { createLiveView } from '../../src/ui/live-terminal.js';
import {
  initialLiveView,
  type LiveViewState,
  reduceLiveView,
  renderLiveView,
  weightBar,
} from '../../src/ui/live-view.js';
import { healthTimeline } from '../helpers/fakes.js';
import { runScenario } from '../helpers/rollout-harness.js';
import {
  analysisWindow,
  engineStart,
  finished,
  health,
  ONE_OF_EACH,
  started,
  stepFinished,
  stepStarted,
  T0,
  throughFirstShift,
  updateStarted,
  weights,
} from './event-fixtures.js';

const ESC = '\u001b';
const plainView = { verbose: false, color: false };

/** The state after `events`, and every line they scrolled above the block, in order. */
function replay(
  events: readonly ProgressEvent[],
  options = plainView,
): { state: LiveViewState; scrolled: string[] } {
  let state = initialLiveView(options);
  const scrolled: string[] = [];
  for (const event of events) {
    state = reduceLiveView(state, event);
    scrolled.push(...state.emitted);
  }
  return { state, scrolled };
}

const bar = (line: string) => ({
  blue: line.split('█').length - 1,
  green: line.split('░').length - 1,
});

describe('ui/live-view', () => {
  describe('reduceLiveView and renderLiveView', () => {
    it('shows nothing before the rollout starts', () => {
      expect(renderLiveView(initialLiveView(plainView), T0, 80)).to.deep.equal([]);
    });

    it('renders the step, the weight bar, health and the countdown of a scripted canary', () => {
      const { state } = replay(throughFirstShift());
      expect(renderLiveView(state, T0 + 68_000, 80)).to.deep.equal([
        'step 3 of 5 · shift to 30 % · 2.0.0 → green',
        `blue ${'█'.repeat(17)}${'░'.repeat(7)} green  70 % / 30 %`,
        'healthy 2/2 targets · running 2/2',
        'wait 0:42 left',
      ]);
    });

    it('scrolls the start and each finished step above the block, once each', () => {
      const { scrolled } = replay(throughFirstShift());
      expect(scrolled).to.deep.equal([
        'Deploying orders-api 2.0.0 to green (orders-green), replacing 1.0.0 on blue: 5 steps',
        '✔ step 1 of 5 · provision the candidate · passed',
        '✔ step 2 of 5 · scale wait · passed',
      ]);
    });

    it('with --verbose also scrolls the detail, but never countdown ticks or raw engine output', () => {
      const { scrolled } = replay(throughFirstShift(), { verbose: true, color: false });
      expect(scrolled).to.include('  Updating the stack (provision)');
      expect(scrolled).to.include('  resource-start create aws:ecs/service:Service orders-api-green');
      expect(scrolled.join('\n')).not.to.include('20 s left');
      expect(scrolled.join('\n')).not.to.include('creating (0s)');
    });

    it("shows the engine's current change during an update, skipping unchanged resources", () => {
      const events = throughFirstShift();
      const upTo = (predicate: (event: ProgressEvent) => boolean) => {
        const index = events.findIndex(predicate);
        return replay(events.slice(0, index + 1)).state;
      };
      const updating = upTo(
        (event) => event.code === 'stack.update.started' && event.data.purpose === 'shift',
      );
      expect(renderLiveView(updating, T0, 80).at(-1)).to.equal('updating the stack (shift)…');
      const unchanged = reduceLiveView(
        updating,
        engineStart('same', 'aws:ecs/service:Service', 'orders-api-blue'),
      );
      expect(renderLiveView(unchanged, T0, 80).at(-1)).to.equal('updating the stack (shift)…');
      const record = reduceLiveView(
        unchanged,
        engineStart('update', 'aws:route53/record:Record', 'record-api.example.com-green'),
      );
      expect(renderLiveView(record, T0, 80).at(-1)).to.equal('updating record-api.example.com-green…');
    });

    it('counts the wait down in whole seconds, rounding up, then says it is over', () => {
      const { state } = replay(throughFirstShift());
      const waitLine = (now: number) =>
        renderLiveView(state, now, 80).find((line) => line.startsWith('wait'));
      expect(waitLine(T0 + 50_000)).to.equal('wait 1:00 left');
      expect(waitLine(T0 + 109_001)).to.equal('wait 0:01 left');
      expect(waitLine(T0 + 110_000)).to.equal('wait over · checking health');
      const analysed = reduceLiveView(state, analysisWindow('pass'));
      const over = renderLiveView(analysed, T0 + 110_000, 80).find((line) => line.startsWith('wait'));
      expect(over).to.equal('wait over · checking health and analysis');
    });

    it('drops the countdown once the step ends', () => {
      const { state } = replay([...throughFirstShift(), stepFinished(3, 'shift', 'passed')]);
      expect(renderLiveView(state, T0 + 68_000, 80).some((line) => line.startsWith('wait'))).to.equal(false);
    });

    it('keeps health counts and notes a probe failure until the next observation', () => {
      const failed = replay([...throughFirstShift(), ONE_OF_EACH['health.probe-failed']]).state;
      expect(renderLiveView(failed, T0, 80)).to.include(
        'healthy 2/2 targets · running 2/2 · probe failed: throttled',
      );
      const recovered = reduceLiveView(failed, health(2));
      expect(renderLiveView(recovered, T0, 80)).to.include('healthy 2/2 targets · running 2/2');
    });

    it('shows the latest analysis window: both releases, the observed share next to the weight, failures', () => {
      const passed = replay([...throughFirstShift(), analysisWindow('pass')]);
      expect(renderLiveView(passed.state, T0, 80).slice(3, 5)).to.deep.equal([
        'analysis pass 10:01:00–10:01:10 · share 29.5 % of 30 % · failures 0/0',
        '  candidate 5xx 0 %, p99 41 ms · stable 5xx 0 %, p99 40 ms',
      ]);
      expect(passed.scrolled.join('\n'), 'a passing window is routine').not.to.include('Analysis');
      const failed = replay([...throughFirstShift(), analysisWindow('pass'), analysisWindow('fail')]);
      expect(renderLiveView(failed.state, T0, 120).slice(3, 6)).to.deep.equal([
        'analysis fail 10:01:00–10:01:10 · share 29.5 % of 30 % · failures 1/0',
        '  candidate 5xx 20.3 %, p99 41 ms · stable 5xx 0 %, p99 40 ms',
        '  error_rate 20.3 % > max 1 % (stable 0 %) in window 10:01:00–10:01:10',
      ]);
      expect(failed.scrolled.at(-1)).to.match(/^! Analysis fail: error_rate 20.3 %/);
    });

    it('lists the alarms not OK until they are OK again, and notes a CloudWatch error without scrolling it', () => {
      const alarmed = replay([...throughFirstShift(), ONE_OF_EACH['analysis.alarm']]);
      expect(renderLiveView(alarmed.state, T0, 120)).to.include('alarms not OK: orders-5xx ALARM');
      expect(alarmed.scrolled.at(-1)).to.equal('! Alarm orders-5xx is ALARM (was OK)');
      const ok = reduceLiveView(
        alarmed.state,
        progressEvent('analysis.alarm', 'info', 'Alarm orders-5xx is OK', {
          name: 'orders-5xx',
          state: 'OK',
          previous: 'ALARM',
        }),
      );
      expect(renderLiveView(ok, T0, 120).join('\n')).not.to.include('alarms not OK');
      const unreadable = replay([...throughFirstShift(), ONE_OF_EACH['analysis.probe-failed']]);
      expect(renderLiveView(unreadable.state, T0, 120)).to.include('CloudWatch unreadable: Throttling');
      expect(unreadable.scrolled.join('\n')).not.to.include('Throttling');
      const judged = reduceLiveView(unreadable.state, analysisWindow('pass'));
      expect(renderLiveView(judged, T0, 120).join('\n')).not.to.include('unreadable');
    });

    it('shows no analysis without analysis events', () => {
      const { state } = replay(throughFirstShift());
      expect(renderLiveView(state, T0, 120).join('\n')).not.to.include('analysis');
    });

    it('shows a rollback: the reason in the header, the failed step and the warning above, traffic back', () => {
      const { state, scrolled } = replay([
        ...throughFirstShift(),
        health(1, 'fail'),
        stepFinished(3, 'shift', 'failed'),
        ONE_OF_EACH['rollback.started'],
        updateStarted('restore-traffic'),
        weights(0),
      ]);
      expect(scrolled.slice(-2)).to.deep.equal([
        '✖ step 3 of 5 · shift to 30 % · failed',
        '! Rolling back: Step 3/5: 1 unhealthy target',
      ]);
      const view = renderLiveView(state, T0, 80);
      expect(view[0]).to.equal('rolling back · Step 3/5: 1 unhealthy target');
      expect(view[1]).to.match(/^blue █{24} green {2}100 % \/ 0 %$/);
      expect(view).to.include('healthy 1/2 targets · running 2/2 · 1/2 targets healthy');
      expect(view.at(-1)).to.equal('updating the stack (restore-traffic)…');
    });

    it('clears the block at the end: the result summary takes its place', () => {
      const { state, scrolled } = replay([...throughFirstShift(), finished]);
      expect(renderLiveView(state, T0, 80)).to.deep.equal([]);
      expect(state.emitted).to.deep.equal([]);
      expect(scrolled).to.have.length(3);
    });

    it('starts afresh on a second rollout.started', () => {
      const { state } = replay([...throughFirstShift(), ONE_OF_EACH['rollout.started']]);
      expect(renderLiveView(state, T0, 80)).to.deep.equal([
        'starting · 2.0.0 → green',
        `blue ${'█'.repeat(24)} green  100 % / 0 %`,
      ]);
    });

    it('handles every event code', () => {
      let state = initialLiveView(plainView);
      for (const event of Object.values(ONE_OF_EACH)) state = reduceLiveView(state, event);
      expect(state.finished).to.equal(true);
    });

    it('fits every line into narrow and wide terminals, so no line wraps', () => {
      const { state } = replay([...throughFirstShift(), health(1, 'wait')]);
      for (let width = 2; width <= 160; width++) {
        for (const line of renderLiveView(state, T0 + 68_000, width)) {
          expect(Array.from(line).length, `width ${width}: ${line}`).to.be.lessThan(width);
        }
      }
    });

    it('falls back to figures when the terminal is too narrow for a bar', () => {
      const { state } = replay(throughFirstShift());
      expect(renderLiveView(state, T0, 26)[1]).to.equal('blue 70 % / green 30 %');
      expect(renderLiveView(state, T0, 40)[1]).to.equal(
        `blue ${'█'.repeat(11)}${'░'.repeat(4)} green  70 % / 30 %`,
      );
    });

    it('colours only when asked', () => {
      const events = [...throughFirstShift(), stepFinished(3, 'shift', 'failed')];
      const colour = replay(events, { verbose: false, color: true });
      expect(colour.scrolled.join('')).to.include(`${ESC}[`);
      expect(renderLiveView(colour.state, T0, 80).join('')).to.include(`${ESC}[34m`);
      const plain = replay(events);
      expect(plain.scrolled.join('') + renderLiveView(plain.state, T0, 80).join('')).not.to.include(ESC);
    });

    it('redacts secrets in what it scrolls', () => {
      const leak = progressEvent(
        'stack.update.finished',
        'error',
        'Stack update failed: PULUMI_CONFIG_PASSPHRASE=hunter2',
        {
          purpose: 'shift',
          durationMs: 1,
          error: 'PULUMI_CONFIG_PASSPHRASE=hunter2',
          changes: null,
        },
      );
      const { scrolled } = replay([started, leak]);
      expect(scrolled.join('\n')).not.to.include('hunter2');
    });
  });

  describe('weightBar', () => {
    it('fills exactly the same number of cells whatever the weights', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 30, max: 200 }), (blue, width) => {
          const weights: Record<Slot, number> = { blue, green: 100 - blue };
          const cells = bar(weightBar(weights, width, false));
          const full = bar(weightBar({ blue: 100, green: 0 }, width, false));
          expect(cells.blue + cells.green).to.equal(full.blue);
          expect(cells.blue).to.equal(Math.round((blue / 100) * full.blue));
        }),
      );
    });

    it('puts blue on the left whichever slot is the candidate', () => {
      expect(weightBar({ blue: 25, green: 75 }, 40, false)).to.equal(
        `blue ${'█'.repeat(4)}${'░'.repeat(12)} green  25 % / 75 %`,
      );
    });
  });

  describe('a real rollout through the fakes', () => {
    const check = (events: readonly ProgressEvent[], stepsFinished: number) => {
      let state = initialLiveView(plainView);
      const scrolled: string[] = [];
      for (const event of events) {
        state = reduceLiveView(state, event);
        scrolled.push(...state.emitted);
        for (const line of renderLiveView(state, T0, 60)) expect(line.length).to.be.lessThan(60);
      }
      expect(renderLiveView(state, T0, 60)).to.deep.equal([]);
      expect(scrolled.filter((line) => /^[✔✖■] step \d+ of \d+/.test(line))).to.have.length(stepsFinished);
      return scrolled;
    };

    it('renders a successful canary: every step scrolls as passed', async () => {
      const { reports } = await runScenario();
      const total = reports.of('step.started').length;
      const scrolled = check(reports.events, total);
      expect(scrolled.filter((line) => line.startsWith('✔'))).to.have.length(total);
    });

    it('renders a rolled-back canary: the failed step and the rollback scroll', async () => {
      const { reports, result } = await runScenario({
        health: healthTimeline(2, [
          { fromMs: 0, condition: 'healthy' },
          { fromMs: 200_000, condition: 'unhealthy' },
        ]),
      });
      expect(result.outcome).to.equal('rolled_back');
      const scrolled = check(reports.events, reports.of('step.finished').length);
      expect(scrolled.some((line) => line.startsWith('! Rolling back'))).to.equal(true);
    });
  });

  describe('createLiveView (the terminal glue)', () => {
    class FakeTerminal {
      readonly writes: string[] = [];
      readonly isTTY = true;
      columns = 60;
      write(chunk: string): boolean {
        this.writes.push(chunk);
        return true;
      }
    }

    const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
    const erase = new RegExp(`^${ESC}\\[\\d+A\\r${ESC}\\[J`);

    it('draws permanent lines then the block, redraws it in place, and leaves only the permanent lines', async () => {
      const terminal = new FakeTerminal();
      const view = createLiveView({ stream: terminal, verbose: false, color: false, now: () => T0 + 68_000 });
      try {
        for (const event of throughFirstShift()) view.report(event);
        await settle();
        expect(terminal.writes.at(-1)).to.match(erase);
        expect(terminal.writes.at(-1)).to.match(
          /✔ step 2 of 5 · scale wait · passed\nstep 3 of 5 · shift to 30 % · 2\.0\.0 → green\n.*\nhealthy 2\/2 targets · running 2\/2\nwait 0:42 left\n$/,
        );
        view.report(stepFinished(3, 'shift', 'passed'));
      } finally {
        view.close();
      }
      // Closing prints what is pending over the erased block, and draws no block again.
      expect(terminal.writes.at(-1)).to.match(erase);
      expect(terminal.writes.at(-1)?.replace(erase, '')).to.equal('✔ step 3 of 5 · shift to 30 % · passed\n');
      const printed = terminal.writes.join('');
      expect(printed.indexOf('Deploying orders-api')).to.be.lessThan(printed.indexOf('✔ step 1 of 5'));
    });

    it('ignores events after close and closes twice harmlessly', () => {
      const terminal = new FakeTerminal();
      const view = createLiveView({ stream: terminal, verbose: false, color: false, now: () => T0 });
      view.report(started);
      view.close();
      const count = terminal.writes.length;
      view.report(stepStarted(1, 'provision', 0, 0));
      view.close();
      expect(terminal.writes).to.have.length(count);
    });

    it('redraws at most every 100 ms, however many events come', async () => {
      const terminal = new FakeTerminal();
      const view = createLiveView({ stream: terminal, verbose: true, color: false, now: () => T0 });
      try {
        view.report(started);
        view.report(updateStarted('provision'));
        for (let index = 0; index < 200; index++) {
          view.report(engineStart('create', 'aws:lb/targetGroup:TargetGroup', `tg-${index}`));
        }
        expect(terminal.writes).to.have.length(1);
        await settle();
        expect(terminal.writes).to.have.length(2);
        // With --verbose every engine event scrolled; all of them came out in that one frame.
        expect(terminal.writes[1]?.match(/ {2}resource-start create/g)).to.have.length(200);
        expect(terminal.writes[1]).to.include('creating tg-199…');
      } finally {
        view.close();
      }
    });
  });
});

describe('ui/live-view: pauses and hooks', () => {
  const HOOKS = {
    before_traffic: [{ kind: 'command' as const, command: ['./smoke.sh'], timeout: 60 }],
    after_step: [{ kind: 'command' as const, command: ['./check.sh'], timeout: 60 }],
  };

  it('shows a pause in the block, counting down a timed one, until the rollout goes on', async () => {
    const { reports } = await runScenario({
      canary: { strategy: [{ weight: 10, wait: 60, pause: 120 }], health: { interval: 10, timeout: 300 } },
    });
    const events = reports.events;
    const pausedAt = events.findIndex((event) => event.code === 'rollout.paused');
    const atPause = replay(events.slice(0, pausedAt + 1)).state;
    const until = reports.of('rollout.paused')[0]?.data.until ?? 0;
    const block = renderLiveView(atPause, until - 90_000, 100);
    expect(block).to.include('paused at 10 % · `ecs-crd promote` goes on now');
    expect(block).to.include('pause 1:30 left');
    const { state, scrolled } = replay(events);
    expect(scrolled.some((line) => line.startsWith('Paused at 10 % (shift step 1/2) for 120 s'))).to.equal(
      true,
    );
    expect(scrolled).to.include('The pause is over: going on');
    expect(state.pause).to.equal(null);
  });

  it('shows a pause until promoted, and the hook under way; scrolls each hook’s result', async () => {
    const { reports } = await runScenario({
      canary: { strategy: [{ weight: 10, wait: 60, pause: true }], hooks: HOOKS },
    });
    const events = reports.events;
    const hookAt = events.findIndex((event) => event.code === 'hook.started');
    const duringHook = replay(events.slice(0, hookAt + 1)).state;
    expect(renderLiveView(duringHook, T0, 100)).to.include('hook before_traffic: ./smoke.sh…');
    const pausedAt = events.findIndex((event) => event.code === 'rollout.paused');
    const atPause = replay(events.slice(0, pausedAt + 1)).state;
    expect(renderLiveView(atPause, T0, 100)).to.include(
      'paused at 10 % · until `ecs-crd promote` (or `ecs-crd rollback`)',
    );
    const { scrolled } = replay(events);
    expect(scrolled).to.include('✔ Hook after_step (1/2): ./check.sh passed, exit code 0 (1.0 s)');
    expect(scrolled.filter((line) => line.includes('Hook before_traffic: ./smoke.sh'))).to.deep.equal([
      '✔ Hook before_traffic: ./smoke.sh passed, exit code 0 (1.0 s)',
    ]);
  });

  it('prints a hook’s output lines only with --verbose', () => {
    const output = ONE_OF_EACH['hook.output'];
    expect(replay([started, output]).scrolled).to.not.include.members(['  smoke: 12 checks passed']);
    expect(replay([started, output], { verbose: true, color: false }).scrolled).to.include(
      '  smoke: 12 checks passed',
    );
  });

  it('marks a failing hook that rolls back as an error, one that only reports as a warning', () => {
    const failing = (level: 'warn' | 'error') =>
      progressEvent('hook.finished', level, 'Hook after_deploy: ./tell.sh failed, exit code 1 (0.1 s)', {
        point: 'after_deploy',
        kind: 'command',
        target: './tell.sh',
        ok: false,
        detail: 'exit code 1',
        durationMs: 100,
      });
    expect(replay([started, failing('warn')]).scrolled.at(-1)).to.equal(
      '! Hook after_deploy: ./tell.sh failed, exit code 1 (0.1 s)',
    );
    expect(replay([started, failing('error')]).scrolled.at(-1)).to.equal(
      '✖ Hook after_deploy: ./tell.sh failed, exit code 1 (0.1 s)',
    );
  });
});
