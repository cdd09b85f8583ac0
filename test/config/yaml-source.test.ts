import { expect } from 'chai';
import { parseYaml } from '../../src/config/yaml-source.js';
import { check, positions } from './fixtures.js';

describe('config/yaml-source', () => {
  it('points at the key of a map entry, and at the item of a list', () => {
    const source = parseYaml('canary:\n  strategy:\n    - weight: 10\n      wait: 5\n    - 42\n');
    expect(source.position(['canary', 'strategy', 0, 'wait'])).to.deep.equal({ line: 4, column: 7 });
    expect(source.position(['canary', 'strategy', 1])).to.deep.equal({ line: 5, column: 7 });
  });

  it('falls back to the closest written ancestor for a missing key', () => {
    const source = parseYaml('canary:\n  releases:\n    blue: a\n');
    expect(source.position(['canary', 'releases', 'green'])).to.deep.equal({ line: 2, column: 3 });
    expect(source.position(['service'])).to.deep.equal({ line: 1, column: 1 });
  });

  it('keeps the scalar as written', () => {
    const source = parseYaml('service:\n  version: 1.10\n');
    expect(source.sourceText(['service', 'version'])).to.equal('1.10');
    expect(source.sourceText(['service'])).to.equal(undefined);
  });

  it('reports a syntax error at its line and column, and nothing else', () => {
    const result = check('canary:\n  group: a\n  bad: : x\nservice: 3\n');
    expect(result.ok).to.equal(false);
    expect(!result.ok && result.problems.map((p) => [p.line, p.column])).to.deep.equal([[3, 8]]);
  });

  it('reports every syntax error, not only the first', () => {
    const result = check('canary: {}\ncanary: {}\nservice: {}\nservice: {}\n');
    expect(!result.ok && result.problems.map((p) => p.line)).to.deep.equal([2, 4]);
  });

  it('reports duplicate keys', () => {
    const result = check('canary: {}\ncanary: {}\n');
    expect(!result.ok && /unique/.test(result.problems[0]?.message ?? '')).to.equal(true);
    expect(positions('canary: {}\ncanary: {}\n')).to.deep.equal(['2:1 ']);
  });

  it('refuses several documents in one file', () => {
    const result = check('canary: {}\n---\nservice: {}\n');
    expect(!result.ok && /multiple documents/.test(result.problems[0]?.message ?? '')).to.equal(true);
  });

  it('refuses unknown tags such as CloudFormation’s !Sub', () => {
    const result = check('canary:\n  group: !Sub "$' + '{AWS::Region}"\n');
    expect(!result.ok && result.problems.some((p) => p.line === 2 && /tag/i.test(p.message))).to.equal(true);
  });

  it('says what an empty file lacks', () => {
    for (const text of ['', '# only a comment\n', '~\n']) {
      const result = check(text);
      expect(!result.ok && result.problems[0]?.message.includes('empty'), text).to.equal(true);
    }
  });

  it('resolves aliases and merge keys, pointing at the merge for merged values', () => {
    const text = [
      'x-web: &web',
      '  memory: 64',
      '  memory_reservation: 128',
      'service:',
      '  containers:',
      '    - <<: *web',
      '      name: web',
    ].join('\n');
    expect(positions(text).filter((p) => p.includes('memory_reservation'))).to.deep.equal([
      '6:7 service.containers[0].memory_reservation',
    ]);
  });
});
