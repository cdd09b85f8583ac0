import { expect } from 'chai';
import type { ProgressEvent } from '../../src/canary/events.js';
import { initialLiveView, reduceLiveView, renderLiveView } from '../../src/ui/live-view.js';
import { plainLines } from '../../src/ui/plain.js';
import { finished, ONE_OF_EACH, T0, throughFirstShift } from './event-fixtures.js';

const plainView = { verbose: false, color: false };

function scrolledAfter(events: readonly ProgressEvent[]): { lines: string[]; block: string[] } {
  let state = initialLiveView(plainView);
  const lines: string[] = [];
  for (const event of events) {
    state = reduceLiveView(state, event);
    lines.push(...state.emitted);
  }
  return { lines, block: renderLiveView(state, T0, 80) };
}

describe('ui: the notification and image-check lines', () => {
  it('the live view scrolls who was told the outcome, and a failure to tell, after the rollout ended', () => {
    const before = scrolledAfter([...throughFirstShift(), finished]).lines.length;
    const { lines, block } = scrolledAfter([
      ...throughFirstShift(),
      finished,
      ONE_OF_EACH['notification.sent'],
      ONE_OF_EACH['notification.failed'],
    ]);
    expect(lines.slice(before)).to.deep.equal([
      'Published the outcome (deployed) to arn:aws:sns:eu-west-1:123456789012:deployments',
      '! Could not publish the outcome (rolled_back) to arn:aws:sns:eu-west-1:123456789012:gone: NotFound: Topic does not exist',
    ]);
    expect(block).to.deep.equal([]);
  });

  it('the live view scrolls an image it could not check as a warning', () => {
    const { lines } = scrolledAfter([ONE_OF_EACH['image.unchecked']]);
    expect(lines).to.deep.equal([`! ${ONE_OF_EACH['image.unchecked'].text}`]);
  });

  it('plain lines carry the code, for scripts grepping a CI log', () => {
    expect(plainLines(ONE_OF_EACH['notification.failed'], T0, false)).to.deep.equal([
      '2026-11-27T10:00:00.000Z WARN  notification.failed  Could not publish the outcome (rolled_back) to arn:aws:sns:eu-west-1:123456789012:gone: NotFound: Topic does not exist',
    ]);
  });
});
