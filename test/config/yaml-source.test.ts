import { expect } from 'chai';
import { parseYaml } from '../../src/config/yaml-source.js';
import { check, config, fileWith, positions } from './fixtures.js';

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

  it('reports every key written twice, and still checks the rest of the file', () => {
    const result = check('canary: {}\ncanary: {}\nservice: {}\nservice: {}\n');
    if (result.ok) expect.fail('accepted');
    const twice = result.problems.filter((p) => /written twice/.test(p.message));
    expect(twice.map((p) => `${p.line}:${p.column} ${p.message}`)).to.deep.equal([
      '2:1 `canary` is written twice in this map (first at line 1): keep one',
      '4:1 `service` is written twice in this map (first at line 3): keep one',
    ]);
    expect(result.problems.map((p) => p.path)).to.include('canary.group');
  });

  it('finds keys written twice in linear time: a 20,000-key map is checked in well under a second', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `  K${i}: v`);
    const start = performance.now();
    const source = parseYaml(`env:\n${names.join('\n')}\n  K7: again\n`);
    // Quadratic, it took 13 s; linear, about 1 s on a busy machine.
    expect(performance.now() - start).to.be.below(5000);
    expect(source.textProblems.map((p) => p.line)).to.deep.equal([20_002]);
    expect(source.position(['env', 'K19999'])).to.deep.equal({ line: 20_001, column: 3 });
  });

  it('refuses several documents in one file, saying how many and where the second starts', () => {
    const result = check('canary: {}\n---\nservice: {}\n---\nx: 1\n');
    expect(!result.ok && result.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).to.deep.equal([
      '2:1 the file holds 3 YAML documents, separated by `---`; a deployment file holds one: the second starts here',
    ]);
  });

  it('refuses nesting deeper than any deployment file needs, at its place, instead of overflowing the stack', () => {
    for (const text of [
      `canary:\n  group: ${'['.repeat(1000)}${']'.repeat(1000)}\n`,
      Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'),
    ]) {
      const result = check(text);
      if (result.ok) expect.fail('accepted');
      expect(result.problems).to.have.length(1);
      expect(result.problems[0]?.message).to.match(/^maps and lists nest more than 64 levels deep here/);
      expect(result.problems[0]?.line).to.be.oneOf([2, 65]);
      expect(result.problems[0]?.message).to.not.match(/call stack/);
    }
  });

  it('reports an alias to no anchor at the alias, not at the top of the file', () => {
    const text = fileWith(() => {}).replace('cluster: main', 'cluster: *nope');
    const line = text.split('\n').findIndex((l) => l.includes('*nope')) + 1;
    const result = check(text);
    expect(!result.ok && result.problems.map((p) => `${p.line} ${p.message}`)).to.deep.equal([
      `${line} *nope refers to no anchor: define &nope before it (anchors are read top to bottom)`,
    ]);
    expect(line).to.be.greaterThan(10);
  });

  it('keeps a key named __proto__ as a key like any other', () => {
    // JSON.parse: in an object literal, `__proto__` would set the prototype, not a key.
    const text = fileWith(
      (f) => (f.service.containers[0].environment = JSON.parse('{"__proto__": "x", "B": "y"}')),
    );
    expect(text).to.include('__proto__: x');
    expect(config(text).service.containers[0]?.environment).to.deep.equal(
      JSON.parse('{"__proto__": "x", "B": "y"}'),
    );
    expect(Object.keys(config(text).service.containers[0]?.environment ?? {})).to.deep.equal([
      '__proto__',
      'B',
    ]);
    const listed = fileWith(
      (f) => (f.service.containers[0].environment = JSON.parse('[{"__proto__": "x"}, {"B": "y"}]')),
    );
    expect(Object.keys(config(listed).service.containers[0]?.environment ?? {})).to.deep.equal([
      '__proto__',
      'B',
    ]);
    const secret = fileWith(
      (f) =>
        (f.service.containers[0].secrets = JSON.parse(
          '{"__proto__": "arn:aws:ssm:eu-west-1:123456789012:parameter/p"}',
        )),
    );
    expect(Object.keys(config(secret).service.containers[0]?.secrets ?? {})).to.deep.equal(['__proto__']);
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
