import assert from 'node:assert/strict';
import { closest, didYouMean, editDistance } from '../../src/config/suggest.js';

describe('config/suggest', () => {
  it('counts insertions, deletions, substitutions and swaps, ignoring case', () => {
    assert.equal(editDistance('scale', 'scale'), 0);
    assert.equal(editDistance('scal', 'scale'), 1);
    assert.equal(editDistance('nmae', 'name'), 1);
    assert.equal(editDistance('FARGATE', 'fargate'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests only a plausible candidate', () => {
    assert.equal(closest('strategie', ['strategy', 'scale']), 'strategy');
    assert.equal(closest('foo', ['group', 'releases']), undefined);
    assert.equal(didYouMean('conatiners', ['containers', 'cluster']), 'did you mean `containers`?');
    assert.equal(didYouMean('zzz', ['containers']), '');
  });
});
