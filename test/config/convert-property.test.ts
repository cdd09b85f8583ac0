import { expect } from 'chai';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { convertDeployment } from '../../src/config/convert.js';

/** Keys of the original reference that ecs-crd spells otherwise: none may be left after a clean conversion. */
const ORIGINAL_KEYS = new Set([
  'iam_roles',
  'auto_scaling_policies',
  'policy_name',
  'policy_type',
  'step_scaling_policy_configuration',
  'cloudwatch_alarms',
  'alarm_description',
  'interval_seconds',
  'timeout_seconds',
  'healthy_threshold_count',
  'unhealthy_threshold_count',
  'certificates',
  'entry_port',
  'condtion',
  'config',
]);

function keysIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysIn(item, found);
  else if (value !== null && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      found.add(key);
      keysIn(inner, found);
    }
  return found;
}

const envName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.:-]{0,20}$/);
const envList = fc.uniqueArray(fc.tuple(envName, fc.string({ maxLength: 10 })), {
  selector: ([name]) => name,
  maxLength: 8,
});
const oneKeyMaps = (entries: [string, string][]) => entries.map(([name, value]) => ({ [name]: value }));

/** An original-tool file using a random choice of the original's spellings. */
const originalFile = fc.record({
  env: envList,
  secrets: envList,
  entryPort: fc.boolean(),
  healthSeconds: fc.boolean(),
  iam: fc.boolean(),
  scaling: fc.boolean(),
  certificates: fc.boolean(),
  fqdnOnContainer: fc.boolean(),
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
});

type Original = typeof originalFile extends fc.Arbitrary<infer T> ? T : never;

function render(o: Original): string {
  const container: Record<string, unknown> = {
    name: 'web',
    port_mappings: [{ container_port: 8080 }],
    environment: oneKeyMaps(o.env),
    secrets: oneKeyMaps(
      o.secrets.map(([name]) => [name, `arn:aws:ssm:eu-west-1:1:parameter/${name.length}`]),
    ),
  };
  if (o.entryPort) container.entry_port = ['sh', '-c'];
  if (o.fqdnOnContainer) container.fqdn = 'api.example.com';
  const service: Record<string, unknown> = {
    project: 'shop',
    name: 'api',
    cluster: 'main',
    version: '1.0.0',
  };
  if (!o.fqdnOnContainer) service.fqdn = 'api.example.com';
  service.containers = [container];
  if (o.iam)
    service.iam_roles = {
      task_role: [{ name: 'read-s3', effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'] }],
    };
  if (o.scaling)
    service.auto_scaling = {
      min_capacity: 1,
      max_capacity: 3,
      auto_scaling_policies: [
        {
          policy_name: 'out',
          policy_type: 'StepScaling',
          step_scaling_policy_configuration: {
            adjustment_type: 'ChangeInCapacity',
            step_adjustments: [{ scaling_adjustment: 1 }],
          },
          cloudwatch_alarms: [{ metric_name: 'CPUUtilization', alarm_description: 'cpu', threshold: 70 }],
        },
      ],
    };
  const health = o.healthSeconds
    ? { interval_seconds: 15, timeout_seconds: 5 }
    : { interval: 15, timeout: 5 };
  const listener = o.certificates
    ? { port: 443, protocol: 'HTTPS', certificates: ['arn:aws:acm:x'] }
    : { port: 80 };
  const data = {
    canary: { group: 'private', releases: { blue: '1', green: '2' } },
    service,
    target_groups: [{ container: { port: 8080 }, health_check: health }],
    listeners: [listener],
  };
  return `# generated\n${stringify(data, { indent: o.indent, indentSeq: o.indentSeq })}`;
}

describe('convert: properties over generated original-tool files', () => {
  it('converting twice changes nothing, and leaves none of the original’s spellings', () => {
    fc.assert(
      fc.property(originalFile, (o) => {
        const once = convertDeployment(render(o));
        if (!once.ok) throw new Error('not converted');
        expect(once.notConverted).to.deep.equal([]);
        const data = parse(once.output);
        expect([...keysIn(data)].filter((key) => ORIGINAL_KEYS.has(key))).to.deep.equal([]);
        expect(data.service.containers[0].environment).to.deep.equal(Object.fromEntries(o.env));
        expect(Object.keys(data.service.containers[0].secrets)).to.deep.equal(
          o.secrets.map(([name]) => name),
        );
        const twice = convertDeployment(once.output);
        if (!twice.ok) throw new Error('not converted twice');
        expect(twice.changes).to.deep.equal([]);
        expect(twice.output).to.equal(once.output);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips a .NET-style file: 450 `:`-named variables and list-form secrets, in under two seconds even on a loaded machine', () => {
    const names = Array.from({ length: 450 }, (_, i) => `Section${i % 20}:Key${i}:Value`);
    const lines = [
      'canary:\n  group: private\n  releases:\n    blue: "1"\n    green: "2"',
      'service:\n  project: shop\n  name: dotnet-api\n  cluster: main\n  fqdn: api.example.com\n  version: "1.0.0"',
      '  containers:\n    - name: api\n      port_mappings:\n        - container_port: 5000\n      environment:',
      ...names.map((name, i) => `        # variable ${i}\n        - "${name}": "value ${i}"`),
      '      secrets:',
      ...Array.from(
        { length: 40 },
        (_, i) => `        - ConnectionStrings__Db${i}: arn:aws:ssm:eu-west-1:123456789012:parameter/db/${i}`,
      ),
    ];
    const text = `${lines.join('\n')}\n`;
    const started = performance.now();
    const once = convertDeployment(text);
    const elapsed = performance.now() - started;
    if (!once.ok) throw new Error('not converted');
    expect(once.changes.map((c) => c.change)).to.deep.equal([
      'list of one-key maps → map (450 entries)',
      'list of one-key maps → map (40 entries)',
    ]);
    const environment = parse(once.output).service.containers[0].environment;
    expect(Object.keys(environment)).to.deep.equal(names);
    expect(once.output).to.contain('# variable 449\n        "Section9:Key449:Value": "value 449"');
    const twice = convertDeployment(once.output);
    expect(twice.ok && twice.changes.length === 0 && twice.output === once.output).to.equal(true);
    // The YAML library parses such a file in ~100-300 ms; a quadratic step would take far longer.
    expect(elapsed).to.be.lessThan(2000);
  });
});

// Keys of both tools, at random places: the converter must neither throw nor change its own output.
const ANY_KEYS = [
  ...['canary', 'service', 'target_groups', 'listeners', 'containers', 'environment', 'secrets', 'name'],
  ...['iam_roles', 'task_role', 'task_execution_role', 'policies', 'auto_scaling', 'auto_scaling_policies'],
  ...['policy_type', 'step_scaling_policy_configuration', 'cloudwatch_alarms', 'health_check', 'fqdn'],
  ...['interval_seconds', 'interval', 'certificates', 'rules', 'actions', 'config', 'container', 'port'],
  ...['port_mappings', 'container_port', 'entry_port', 'depends_on', 'condtion', 'log_configuration'],
  ...['options', 'volumes', 'docker_volume_configuration', 'driver_opts', 'resources', 'type', '<<', 'x-a'],
];

const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer({ min: 0, max: 9000 }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 6 })),
    fc.constantFrom('StepScaling', 'authenticate-oidc', 'arn:aws:ssm:x'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...ANY_KEYS), tie('value'), { maxKeys: 5 }),
  ),
}));

const junk = (keys: string[]) =>
  fc.dictionary(fc.constantFrom(...keys, ...ANY_KEYS.slice(0, 8)), anyValue.value, { maxKeys: 4 });
const list = <T>(item: fc.Arbitrary<T>) => fc.array(item, { maxLength: 3 });
const entries = fc.oneof(list(junk(['A', 'B:c', 'name', 'value'])), anyValue.value);

/** The file's shape, its leaves anything: where the conversions look, with what they do not expect. */
const shapedFile = fc.record({
  service: fc.record({
    fqdn: fc.option(fc.constant('a.example.com'), { nil: undefined }),
    containers: list(
      fc.record({
        name: fc.constantFrom('a', 'b'),
        environment: entries,
        secrets: entries,
        fqdn: fc.option(fc.constant('b.example.com'), { nil: undefined }),
        entry_port: anyValue.value,
        port_mappings: list(fc.record({ container_port: fc.oneof(fc.constant(80), anyValue.value) })),
        depends_on: list(junk(['condtion', 'condition'])),
        log_configuration: junk(['options', 'secret_options']),
      }),
    ),
    iam_roles: fc.oneof(junk(['task_role', 'task_execution_role']), list(junk(['task_role']))),
    policies: fc.option(list(junk(['name', 'sid', 'effect', 'resources'])), { nil: undefined }),
    auto_scaling: junk(['auto_scaling_policies', 'step_scaling']),
  }),
  target_groups: list(
    fc.record({
      container: fc.oneof(fc.record({ port: fc.constantFrom(80, 81) }), anyValue.value),
      health_check: junk(['interval_seconds', 'interval', 'timeout_seconds']),
      target_group_attributes: entries,
    }),
  ),
  listeners: list(
    fc.record({
      certificates: anyValue.value,
      rules: list(fc.record({ actions: list(junk(['type', 'config', 'status_code'])) })),
    }),
  ),
});

describe('convert: any mapping, whatever its keys', () => {
  it('converts any file of the right shape without throwing, and its output converts to itself', () => {
    fc.assert(
      fc.property(shapedFile, fc.constantFrom(2, 4), fc.boolean(), (data, indent, indentSeq) => {
        const text = stringify(data, { indent, indentSeq });
        const once = convertDeployment(text);
        // A merge key (`<<`) on a scalar is not YAML the parser accepts: refused, rightly.
        if (!once.ok) return;
        const twice = convertDeployment(once.output);
        if (!twice.ok) throw new Error(`refused its own output ${once.output}`);
        expect(twice.changes, `${text}\n---\n${once.output}`).to.deep.equal([]);
        expect(twice.output).to.equal(once.output);
      }),
      { numRuns: 300 },
    );
  });

  it('converts without throwing, and its output converts to itself', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...ANY_KEYS), anyValue.value, { maxKeys: 6 }),
        fc.boolean(),
        (data, flow) => {
          const text = stringify(data, flow ? { collectionStyle: 'flow' } : {});
          const once = convertDeployment(text);
          if (!once.ok) return;
          const twice = convertDeployment(once.output);
          expect(twice.ok).to.equal(true);
          if (!twice.ok) return;
          expect(twice.changes, `${text}\n---\n${once.output}`).to.deep.equal([]);
          expect(twice.output).to.equal(once.output);
        },
      ),
      { numRuns: 400 },
    );
  });
});
