import assert from 'node:assert/strict';
import { systemClock } from '../../src/canary/clock.js';
import { createInterruptController } from '../../src/canary/interrupt.js';

describe('canary interrupts and clock', () => {
  it('escalates from a soft interrupt to a hard stop, then ignores the rest', () => {
    const controller = createInterruptController();
    assert.deepEqual([controller.signal.aborted, controller.hardStop.aborted], [false, false]);
    assert.equal(controller.interrupt(), 'soft');
    assert.deepEqual([controller.signal.aborted, controller.hardStop.aborted], [true, false]);
    assert.equal(controller.interrupt(), 'hard');
    assert.equal(controller.hardStop.aborted, true);
    assert.equal(controller.interrupt(), 'ignored');
  });

  it('sleeps for real, and wakes early when the signal aborts', async () => {
    const started = systemClock.now();
    await systemClock.sleep(20);
    assert.ok(systemClock.now() - started >= 19);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('interrupted')), 10);
    const sleeping = systemClock.now();
    await assert.rejects(systemClock.sleep(60_000, controller.signal), /interrupted/);
    assert.ok(systemClock.now() - sleeping < 5_000);
  });
});
