import { expect } from 'chai';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { checkDeployment } from '../../src/config/check.js';
import { TEMPLATE_VARIABLES } from '../../src/config/templates.js';
import { validFile } from './fixtures.js';

// Keys of the file (so generated documents get deep into the schema) and a few that are not.
const KEYS = [
  ...['canary', 'service', 'target_groups', 'listeners', 'group', 'releases', 'blue', 'green', 'scale'],
  ...['desired', 'wait', 'strategy', 'weight', 'health', 'interval', 'timeout', 'project', 'name'],
  ...['cluster', 'fqdn', 'version', 'launch_type', 'network_mode', 'network', 'subnets', 'cpu', 'memory'],
  ...['containers', 'image', 'port_mappings', 'container_port', 'host_port', 'environment', 'secrets'],
  ...['pause', 'hooks', 'after_step', 'before_traffic', 'command', 'webhook', 'headers', 'retries'],
  ...[
    'container',
    'port',
    'protocol',
    'rule',
    'priority',
    'conditions',
    'path_pattern',
    'x-any',
    '<<',
    'scal',
  ],
];

const scalar = fc.oneof(
  fc.integer({ min: -5, max: 70000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc
    .constantFrom(
      ...TEMPLATE_VARIABLES,
      'nope',
      ' name ',
      'env.HOME',
      'env.NOPE_X',
      'var.v',
      'ENV.x',
      'env.1',
    )
    .map((name) => `x{{${name}}}`),
  fc.constantFrom(
    'FARGATE',
    'awsvpc',
    'HTTPS',
    'memberOf',
    'subnet-1',
    'arn:aws:ssm:x',
    '1.10',
    'a.example.com',
  ),
);

const { tree } = fc.letrec((node) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, node('list'), node('map')),
  list: fc.array(node('tree'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), node('tree'), {
    maxKeys: 6,
  }),
}));

/** The valid file with one value somewhere replaced: mostly-valid documents. */
const perturbed = fc.tuple(fc.nat(), tree).map(([pick, replacement]) => {
  const file = validFile();
  const slots: [Record<string | number, unknown>, string | number][] = [];
  const collect = (value: unknown) => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      slots.push([value as Record<string, unknown>, Array.isArray(value) ? Number(key) : key]);
      collect(item);
    }
  };
  collect(file);
  const [parent, key] = slots[pick % slots.length] ?? [file, 'canary'];
  parent[key] = replacement;
  return stringify(file);
});

/** Raw text damage: a character inserted or removed, or a line re-indented. */
const damaged = fc
  .tuple(
    fc.oneof(
      perturbed,
      tree.map((t) => stringify(t)),
    ),
    fc.nat(),
    fc.constantFrom(':', '-', ' ', '\t', '"', '{', '[', '&a', '*a', '\n', ''),
  )
  .map(([text, at, insert]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    return insert === '' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + insert + text.slice(i);
  });

describe('config: any document', () => {
  it('is either valid or has problems placed in the file, and never throws', function () {
    // 400 files: a few seconds when other work shares the machine's two cores.
    this.timeout(20_000);
    fc.assert(
      fc.property(
        fc.oneof(
          perturbed,
          damaged,
          tree.map((t) => stringify(t)),
          fc.string(),
        ),
        (text) => {
          const result = checkDeployment(text, { file: 'f.yml', environment: 'prod', region: 'eu-west-1' });
          if (result.ok) {
            expect(result.config.service.containers.length).to.be.above(0);
            expect(result.config.target_groups.length).to.be.above(0);
            expect(result.config.listeners.length).to.be.above(0);
            return;
          }
          expect(result.problems.length).to.be.above(0);
          const lines = text.split(/\r\n|\r|\n/).length;
          for (const problem of result.problems) {
            expect(problem.file).to.equal('f.yml');
            expect(problem.line, `line ${problem.line} of ${lines}`).to.be.within(1, lines + 1);
            expect(problem.column, `column ${problem.column}`).to.be.at.least(1);
            expect(problem.message.length).to.be.above(0);
            // zod's own wording means a case the problem mapping does not phrase yet.
            expect(problem.message).to.not.match(/^(Invalid input|Too small|Too big|Invalid option)/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
