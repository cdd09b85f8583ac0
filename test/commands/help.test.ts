import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
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
      expect(status).to.equal(0);
      expect(stdout).to.match(/^EXIT CODES$/m);
      for (const [code, meaning] of CODES)
        expect(documents(stdout, code, meaning), `${code} ${meaning}`).to.equal(true);
    });
  }

  it('are all in README.md', () => {
    expect(existsSync('README.md'), 'README.md is missing').to.equal(true);
    const readme = readFileSync('README.md', 'utf8');
    for (const [code, meaning] of CODES)
      expect(documents(readme, code, meaning), `README lacks: ${code} ${meaning}`).to.equal(true);
  });

  it('the checker itself refuses a table with a code missing', () => {
    expect(
      documents('| 2 | invalid usage or configuration |', '2', 'invalid usage or configuration'),
    ).to.equal(true);
    expect(
      documents('| 20 | invalid usage or configuration |', '2', 'invalid usage or configuration'),
    ).to.equal(false);
    expect(documents('| 2 | invalid usage |', '2', 'invalid usage or configuration')).to.equal(false);
  });
});
