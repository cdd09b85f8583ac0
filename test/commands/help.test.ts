import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { EXIT_CODE_MEANINGS } from '../../src/exit-codes.js';
import { requireBuild, runCli } from './cli.js';

const CODES = Object.entries(EXIT_CODE_MEANINGS);

/** A line `  <code>  <meaning>` (the table of the help), or a table row `| <code> | <meaning> |`. */
function documents(text: string, code: string, meaning: string): boolean {
  const words = meaning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  return new RegExp(`(^|\\|)\\s*\`?${code}\`?\\s*(\\|\\s*)?${words}`, 'm').test(text);
}

describe('exit codes: documented wherever a user looks', () => {
  before(requireBuild);

  for (const args of [['--help'], ['validate', '--help'], ['schema', '--help']]) {
    it(`are all in \`ecs-crd ${args.join(' ')}\``, () => {
      const { status, stdout } = runCli(args);
      assert.equal(status, 0);
      assert.match(stdout, /^EXIT CODES$/m);
      for (const [code, meaning] of CODES) assert.ok(documents(stdout, code, meaning), `${code} ${meaning}`);
    });
  }

  it('are all in README.md', () => {
    assert.ok(existsSync('README.md'), 'README.md is missing');
    const readme = readFileSync('README.md', 'utf8');
    for (const [code, meaning] of CODES)
      assert.ok(documents(readme, code, meaning), `README lacks: ${code} ${meaning}`);
  });

  it('the checker itself refuses a table with a code missing', () => {
    assert.ok(documents('| 2 | invalid usage or configuration |', '2', 'invalid usage or configuration'));
    assert.ok(!documents('| 20 | invalid usage or configuration |', '2', 'invalid usage or configuration'));
    assert.ok(!documents('| 2 | invalid usage |', '2', 'invalid usage or configuration'));
  });
});
