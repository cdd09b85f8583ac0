import { expect } from 'chai';
import { fileWith, problems } from './fixtures.js';

describe('config: messages say what is wrong in the file’s words, not the parser’s', () => {
  it('says a huge number is too large, with the largest allowed', () => {
    const text = fileWith((f) => (f.canary.strategy[0].wait = 0)).replace(
      'wait: 0',
      'wait: 99999999999999999999999999999',
    );
    expect(problems(text)).to.deep.equal(['canary.strategy[0].wait: is too large: at most 2147483647']);
    expect(problems(fileWith((f) => (f.canary.scale = { desired: 2 ** 31 })))).to.deep.equal([
      'canary.scale.desired: is too large: at most 2147483647',
    ]);
    expect(problems(fileWith((f) => (f.canary.strategy[0].weight = 1e30)))).to.deep.equal([
      'canary.strategy[0].weight: must be between 1 and 100',
    ]);
  });

  it('names .inf and .nan as written', () => {
    const text = fileWith((f) => {
      f.canary.strategy[0].wait = 0;
      f.canary.strategy[1].wait = 1;
    })
      .replace('wait: 0', 'wait: .inf')
      .replace('wait: 1\n', 'wait: .NaN\n');
    expect(problems(text)).to.deep.equal([
      'canary.strategy[0].wait: must be a number, not .inf (infinity)',
      'canary.strategy[1].wait: must be a number, not .NaN (not a number)',
    ]);
  });
});
