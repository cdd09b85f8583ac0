import { expect } from 'chai';
import { systemClock } from '../../src/app/clock.js';
import { createInterruptController } from '../../src/canary/interrupt.js';
import { rejection } from '../aws/fixtures.js';

describe('canary interrupts and clock', () => {
  it('escalates from a soft interrupt to a hard stop, then ignores the rest', () => {
    const controller = createInterruptController();
    expect([controller.signal.aborted, controller.hardStop.aborted]).to.deep.equal([false, false]);
    expect(controller.interrupt()).to.equal('soft');
    expect([controller.signal.aborted, controller.hardStop.aborted]).to.deep.equal([true, false]);
    expect(controller.interrupt()).to.equal('hard');
    expect(controller.hardStop.aborted).to.equal(true);
    expect(controller.interrupt()).to.equal('ignored');
  });

  it('sleeps for real, and wakes early when the signal aborts', async () => {
    const started = systemClock.now();
    await systemClock.sleep(20);
    expect(systemClock.now() - started).to.be.at.least(19);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('interrupted')), 10);
    const sleeping = systemClock.now();
    expect((await rejection(systemClock.sleep(60_000, controller.signal))).message).to.match(/interrupted/);
    expect(systemClock.now() - sleeping).to.be.below(5_000);
  });
});
