/** The stand-in provider's diff follows pulumi-aws's rules (sandbox/provider/kind.ts). */
import { expect } from 'chai';
import { diffInputs } from '../../sandbox/provider/kind.js';
import { record } from '../../sandbox/provider/route53.js';

describe('sandbox stand-in provider: diff', () => {
  const base = { zoneId: 'Z1', type: 'A', setIdentifier: 'blue' };

  it('compares record names as terraform-provider-aws stores them: lower-cased, without the trailing dot', () => {
    const olds = { ...base, name: 'API.Sandbox.example.com.' };
    expect(diffInputs(record, olds, { ...base, name: 'api.sandbox.example.com' })).to.deep.include({
      changes: false,
      replaces: [],
    });
  });

  it('still replaces a record whose name really changed', () => {
    const outcome = diffInputs(
      record,
      { ...base, name: 'api.sandbox.example.com' },
      { ...base, name: 'web.sandbox.example.com' },
    );
    expect(outcome).to.deep.include({ changes: true, replaces: ['name'] });
  });
});
