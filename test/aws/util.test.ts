import { expect } from 'chai';
import { allPages, chunk, once } from '../../src/aws/util.js';
import { EcsCrdError } from '../../src/errors.js';
import { rejection } from './fixtures.js';

describe('aws/util', () => {
  describe('allPages', () => {
    it('fetches pages until there is no next token', async () => {
      const tokens: (string | undefined)[] = [];
      const pages = await allPages(
        async (token: string | undefined) => {
          tokens.push(token);
          return {
            items: [token ?? 'first'],
            next: token === undefined ? 'a' : token === 'a' ? 'b' : undefined,
          };
        },
        (page) => page.next,
      );
      expect(tokens).to.deep.equal([undefined, 'a', 'b']);
      expect(pages.flatMap((page) => page.items)).to.deep.equal(['first', 'a', 'b']);
    });

    it('stops instead of looping when a token comes back twice', async () => {
      const error = await rejection(
        allPages(
          async (token: { name: string } | undefined) => ({ token }),
          () => ({ name: 'same' }),
        ),
      );
      expect(error).to.be.instanceOf(EcsCrdError);
      expect(error.message).to.include('{"name":"same"}');
    });
  });

  describe('chunk', () => {
    it('splits into batches of at most the given size', () => {
      expect(chunk([1, 2, 3, 4, 5], 2)).to.deep.equal([[1, 2], [3, 4], [5]]);
      expect(chunk([], 20)).to.deep.equal([]);
    });
  });

  describe('once', () => {
    it('shares one result, and forgets a failure', async () => {
      let calls = 0;
      const value = once(async () => {
        calls += 1;
        if (calls === 1) throw new Error('first fails');
        return calls;
      });
      await rejection(value());
      expect(await Promise.all([value(), value()])).to.deep.equal([2, 2]);
      expect(calls).to.equal(2);
    });
  });
});
