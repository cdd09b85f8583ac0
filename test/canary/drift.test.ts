import { expect } from 'chai';
import { findDrift } from '../../src/canary/drift.js';
import { buildDesiredState, buildEnvironment, SAMPLE_FQDNS } from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';

describe('DNS drift', () => {
  const environment = buildEnvironment();
  const previous = outputsOf(buildDesiredState({ weights: { blue: 100, green: 0 } }));
  const [first = '', second = ''] = SAMPLE_FQDNS;
  const asWritten = {
    [first]: { 'orders-blue': 100, 'orders-green': 0 },
    [second]: { 'orders-blue': 100, 'orders-green': 0 },
  };

  it('finds none before the first deployment', () => {
    expect(findDrift(null, environment, {})).to.deep.equal([]);
  });

  it('finds none when Route 53 says what the stack wrote', () => {
    expect(findDrift(previous, environment, asWritten)).to.deep.equal([]);
  });

  it('names each record whose weight was changed by hand', () => {
    const live = { ...asWritten, [second]: { 'orders-blue': 50, 'orders-green': 50 } };
    expect(findDrift(previous, environment, live)).to.deep.equal([
      `${second} [orders-blue]: weight 50 in Route 53, 100 in the stack`,
      `${second} [orders-green]: weight 50 in Route 53, 0 in the stack`,
    ]);
  });

  it('names a record that was deleted', () => {
    const live = { ...asWritten, [first]: { 'orders-blue': 100 } };
    expect(findDrift(previous, environment, live)).to.deep.equal([
      `${first} [orders-green]: the record is missing (the stack has weight 0)`,
    ]);
  });
});
