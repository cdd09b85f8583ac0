import { expect } from 'chai';
import { closest, didYouMean, editDistance } from '../../src/config/suggest.js';

describe('config/suggest', () => {
  it('counts insertions, deletions, substitutions and swaps, ignoring case', () => {
    expect(editDistance('scale', 'scale')).to.equal(0);
    expect(editDistance('scal', 'scale')).to.equal(1);
    expect(editDistance('nmae', 'name')).to.equal(1);
    expect(editDistance('FARGATE', 'fargate')).to.equal(0);
    expect(editDistance('', 'abc')).to.equal(3);
    expect(editDistance('kitten', 'sitting')).to.equal(3);
  });

  it('suggests only a plausible candidate', () => {
    expect(closest('strategie', ['strategy', 'scale'])).to.equal('strategy');
    expect(closest('foo', ['group', 'releases'])).to.equal(undefined);
    expect(didYouMean('conatiners', ['containers', 'cluster'])).to.equal('did you mean `containers`?');
    expect(didYouMean('zzz', ['containers'])).to.equal('');
  });
});
