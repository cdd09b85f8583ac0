import { expect } from 'chai';
import { parseVars } from '../../src/config/vars.js';
import { UsageError } from '../../src/errors.js';

function usageError(flags: string[]): UsageError {
  try {
    parseVars(flags);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`expected a UsageError for ${flags.join(' ')}`);
}

describe('config/vars: --var name=value', () => {
  it('reads each flag; the value is all after the first =, and may be empty', () => {
    expect(parseVars([])).to.deep.equal({});
    expect(parseVars(['suffix=blue', 'query=a=b&c=d', 'empty=', '_x1=  spaced  '])).to.deep.equal({
      suffix: 'blue',
      query: 'a=b&c=d',
      empty: '',
      _x1: '  spaced  ',
    });
  });

  it('keeps a name such as __proto__ or constructor as a name of its own', () => {
    const vars = parseVars(['__proto__=a', 'constructor=b']);
    expect(Object.keys(vars)).to.deep.equal(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(vars)).to.equal(Object.prototype);
    expect(vars.constructor).to.equal('b');
  });

  it('refuses a flag without =, naming it', () => {
    const error = usageError(['ok=1', 'GIT_SHA']);
    expect(error.message).to.equal('--var GIT_SHA: write it as --var NAME=VALUE');
    expect(error.hint).to.equal('for an empty value, write --var GIT_SHA=');
  });

  it('refuses a name that is not a variable name, without echoing the value', () => {
    expect(usageError(['1x=secret']).message).to.equal(
      '--var 1x=…: `1x` is not a name: letters, digits and _, not starting with a digit',
    );
    expect(usageError(['my-var=secret']).message).to.include('`my-var` is not a name');
    expect(usageError(['=value']).message).to.equal(
      '--var =…: the name is missing: letters, digits and _, not starting with a digit',
    );
    expect(usageError(['a.b=1']).message).not.to.include('1');
  });

  it('refuses the same name twice, without echoing either value', () => {
    const error = usageError(['tag=one', 'other=x', 'tag=two']);
    expect(error.message).to.equal('--var tag=… is given twice');
    expect(error.message + (error.hint ?? '')).not.to.match(/one|two/);
  });

  it('tells names apart by case, as the environment does', () => {
    expect(parseVars(['tag=a', 'TAG=b'])).to.deep.equal({ tag: 'a', TAG: 'b' });
  });
});
