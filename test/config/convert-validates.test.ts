/**
 * What `convert` writes, `validate` accepts: the converted fixture, and each of the original
 * tool's files converted (which then converts to itself).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { convertDeployment } from '../../src/config/convert.js';
import { loadDeployment } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';

const ORIGINALS = new URL('../fixtures/original/', import.meta.url);
const originals = existsSync(ORIGINALS)
  ? readdirSync(ORIGINALS)
      .filter((name) => name.endsWith('.deploy.yml'))
      .map((name) => new URL(name, ORIGINALS).pathname)
  : [];

async function validates(text: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-converted-'));
  try {
    const file = join(dir, 'prod.deploy.yml');
    writeFileSync(file, text);
    const result = await loadDeployment({
      environment: 'prod',
      file,
      region: 'eu-west-1',
      account_id: '123456789012',
    });
    return result.ok ? [] : result.problems.map(formatProblem);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('convert: what it writes, validate accepts', () => {
  it('the converted fixture validates', async () => {
    const text = readFileSync(new URL('../fixtures/convert/converted.deploy.yml', import.meta.url), 'utf8');
    expect(await validates(text)).to.deep.equal([]);
  });

  for (const file of ['test/fixtures/convert/original.deploy.yml', ...originals]) {
    it(`${file.replace(/.*\/test\//, 'test/')}: converts, validates, and converts to itself`, async () => {
      const once = convertDeployment(readFileSync(file, 'utf8'));
      if (!once.ok) throw new Error(`${file}: not a YAML mapping`);
      expect(await validates(once.output)).to.deep.equal([]);
      const twice = convertDeployment(once.output);
      expect(twice.ok && twice.changes).to.deep.equal([]);
      expect(twice.ok && twice.output).to.equal(once.output);
    });
  }
});
