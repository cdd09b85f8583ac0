/**
 * The sandbox suite lists its files by hand, longest first (so the longest starts at once when
 * they run side by side): every e2e file must be in that list, once, and nothing else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

describe('the sandbox suite’s file list (.mocharc.e2e.json)', () => {
  it('names every test file of test/e2e exactly once', () => {
    const config = JSON.parse(readFileSync(new URL('../.mocharc.e2e.json', import.meta.url), 'utf8')) as {
      spec: string[];
    };
    const files = readdirSync(new URL('./e2e/', import.meta.url))
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => `test/e2e/${name}`)
      .sort();
    expect([...config.spec].sort()).to.deep.equal(files);
    expect(new Set(config.spec).size).to.equal(config.spec.length);
  });
});
