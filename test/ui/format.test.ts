import { expect } from 'chai';
import { colorEnabled, formatClock, formatDuration, paint, plural, truncate } from '../../src/ui/format.js';

describe('ui/format', () => {
  it('formats a countdown as a clock', () => {
    expect(formatClock(0)).to.equal('0:00');
    expect(formatClock(42)).to.equal('0:42');
    expect(formatClock(60)).to.equal('1:00');
    expect(formatClock(725)).to.equal('12:05');
    expect(formatClock(3723)).to.equal('1:02:03');
    expect(formatClock(-5)).to.equal('0:00');
  });

  it('formats a duration for people', () => {
    expect(formatDuration(4.24)).to.equal('4s');
    expect(formatDuration(59.6)).to.equal('1m 00s');
    expect(formatDuration(65.4)).to.equal('1m 05s');
    expect(formatDuration(192.4)).to.equal('3m 12s');
    expect(formatDuration(3900)).to.equal('1h 05m');
    expect(formatDuration(-3)).to.equal('0s');
  });

  it('cuts a line to a width with an ellipsis, never inside a character', () => {
    expect(truncate('abcdef', 6)).to.equal('abcdef');
    expect(truncate('abcdef', 4)).to.equal('abc…');
    expect(truncate('ab🚀cd', 4)).to.equal('ab🚀…');
    expect(truncate('abc', 0)).to.equal('');
  });

  it('colours only when colours are on, and follows NO_COLOR', () => {
    expect(paint('x', 'red', true)).to.equal('\u001b[31mx\u001b[39m');
    expect(paint('x', 'red', false)).to.equal('x');
    expect(colorEnabled({})).to.equal(true);
    expect(colorEnabled({ NO_COLOR: '' })).to.equal(true);
    expect(colorEnabled({ NO_COLOR: '1' })).to.equal(false);
  });

  it('pluralises', () => {
    expect(plural(1, 'step')).to.equal('1 step');
    expect(plural(3, 'step')).to.equal('3 steps');
  });
});
