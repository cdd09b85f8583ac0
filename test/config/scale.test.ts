import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DeploymentFileError, InvalidDeploymentError } from '../../src/config/errors.js';
import { loadDeployment, MAX_FILE_BYTES } from '../../src/config/load.js';
import { MAX_PROBLEMS_SHOWN, moreProblems } from '../../src/config/problems.js';
import { check, fileWith } from './fixtures.js';

/** The valid fixture with `count` environment variables written by `line`. */
const withVariables = (count: number, line: (i: number) => string) =>
  `${fileWith(() => {}).replace(/(\n {4}- name: web\n)/, '$1      environment:\n')}`.replace(
    '      environment:\n',
    `      environment:\n${Array.from({ length: count }, (_, i) => `        ${line(i)}\n`).join('')}`,
  );

describe('config: the cost of a file is linear in its size, and bounded', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-scale-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a file over 1 MiB without reading it whole, saying why', async () => {
    const file = join(dir, 'prod.deploy.yml');
    writeFileSync(file, `# ${'x'.repeat(MAX_FILE_BYTES)}\n`);
    const start = performance.now();
    const error = await loadDeployment({ environment: 'prod', file }).catch((e: unknown) => e);
    expect(performance.now() - start).to.be.below(1000);
    expect(error).to.be.instanceOf(DeploymentFileError);
    expect((error as Error).message).to.equal(
      `${file} is larger than 1 MiB: a deployment file describes one service and is a few KiB (its task definition alone may not exceed 64 KiB)`,
    );
    writeFileSync(
      file,
      fileWith(() => {}),
    );
    expect((await loadDeployment({ environment: 'prod', file, region: 'eu-west-1' })).ok).to.equal(true);
  });

  it('checks a file of 20,000 variables, and one of 20,000 problems, each in a few seconds', function () {
    this.timeout(30_000);
    let start = performance.now();
    const valid = check(withVariables(20_000, (i) => `VAR_${i}: value-${i}`));
    // Every key is valid; together they are more than one task definition may hold.
    expect(valid.ok ? [] : valid.problems.map((p) => p.path)).to.deep.equal(['service.containers']);
    // Quadratic, these took 14 s and 78 s.
    expect(performance.now() - start).to.be.below(8000);
    start = performance.now();
    // `=` ends a name in the environment: the one thing a variable name may not hold.
    const invalid = check(withVariables(20_000, (i) => `"V=${i}": x`));
    expect(performance.now() - start).to.be.below(8000);
    expect(!invalid.ok && invalid.problems.length).to.equal(20_000);
  });

  it('shows the first problems and how many more there are', () => {
    expect(MAX_PROBLEMS_SHOWN).to.equal(50);
    expect(moreProblems(50)).to.equal(undefined);
    expect(moreProblems(51)).to.equal('… and 1 more problem (51 in all)');
    expect(moreProblems(3962)).to.equal('… and 3,912 more problems (3,962 in all)');
    const result = check(withVariables(3962, (i) => `"V=${i}": x`));
    if (result.ok) expect.fail('accepted');
    const message = new InvalidDeploymentError(result.file, result.problems).message.split('\n');
    expect(message[0]).to.equal('prod.deploy.yml has 3,962 problems:');
    expect(message).to.have.length(1 + 50 + 1);
    expect(message.at(-1)).to.equal('… and 3,912 more problems (3,962 in all)');
  });
});
