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
