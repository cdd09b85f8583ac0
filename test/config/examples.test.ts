import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { checkDeployment } from '../../src/config/check.js';
import { formatProblem } from '../../src/config/problems.js';
import { ENVIRONMENTS } from '../../src/config/types.js';

const examples = readdirSync('examples').filter((name) => name.endsWith('.yml'));

describe('examples/', () => {
  it('holds the seed’s example, a Fargate one, one with listeners and the sandbox’s', () => {
    for (const name of ['seed', 'fargate', 'listeners', 'sandbox'])
      expect(examples, name).to.include(`${name}.deploy.yml`);
  });

  for (const name of examples) {
    it(`${name} is valid in every environment, with and without region and account id`, () => {
      const text = readFileSync(`examples/${name}`, 'utf8');
      expect(text).to.match(/^# yaml-language-server: \$schema=\.\.\/schema\/deploy\.schema\.json$/m);
      for (const environment of ENVIRONMENTS) {
        for (const context of [{}, { region: 'eu-west-1', account_id: '123456789012' }]) {
          const result = checkDeployment(text, { file: `examples/${name}`, environment, ...context });
          expect(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n')).to.equal(true);
        }
      }
    });
  }
});
