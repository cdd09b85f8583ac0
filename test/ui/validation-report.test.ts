import { expect } from 'chai';
import type { ConfigProblem } from '../../src/config/types.js';
import { validationLines } from '../../src/ui/validation-report.js';
import { buildConfig } from '../helpers/builders.js';

const FILE = 'prod.deploy.yml';
const problem = (i: number): ConfigProblem => ({
  file: FILE,
  line: i + 1,
  column: 3,
  path: `service.containers[0].environment.V${i}`,
  message: 'is not a valid name',
});
const WARNING: ConfigProblem = {
  file: FILE,
  line: 20,
  column: 9,
  path: 'service.containers[0].environment.DB_PASSWORD',
  message: 'warning: its name says it holds a secret',
};

describe('validationLines: what validate prints', () => {
  it('a valid file: its warnings, then the verdict', () => {
    const config = buildConfig();
    const lines = validationLines({ ok: true, file: FILE, config, warnings: [WARNING] });
    expect(lines).to.have.length(2);
    expect(lines[0]).to.equal(
      `${FILE}:20:9 service.containers[0].environment.DB_PASSWORD: warning: its name says it holds a secret`,
    );
    expect(lines[1]).to.match(new RegExp(`^${FILE}: valid \\(${config.service.name} `));
  });

  it('an invalid file: warnings, every problem, then the count', () => {
    const lines = validationLines({
      ok: false,
      file: FILE,
      problems: [problem(0), problem(1)],
      warnings: [WARNING],
    });
    expect(lines).to.deep.equal([
      `${FILE}:20:9 service.containers[0].environment.DB_PASSWORD: warning: its name says it holds a secret`,
      `${FILE}:1:3 service.containers[0].environment.V0: is not a valid name`,
      `${FILE}:2:3 service.containers[0].environment.V1: is not a valid name`,
      `2 problems in ${FILE}`,
    ]);
    expect(validationLines({ ok: false, file: FILE, problems: [problem(0)] }).at(-1)).to.equal(
      `1 problem in ${FILE}`,
    );
  });

  it('past 50 problems: the first 50, then how many more and how many in all', () => {
    const problems = Array.from({ length: 3962 }, (_, i) => problem(i));
    const lines = validationLines({ ok: false, file: FILE, problems });
    expect(lines).to.have.length(51);
    expect(lines[49]).to.equal(`${FILE}:50:3 service.containers[0].environment.V49: is not a valid name`);
    expect(lines[50]).to.equal(`… and 3,912 more problems (3,962 in all) in ${FILE}`);
  });
});
