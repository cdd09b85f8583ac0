import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { type ConvertResult, convertDeployment, detectIndentation } from '../../src/config/convert.js';

const FIXTURES = new URL('../fixtures/convert/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

function converted(text: string): Extract<ConvertResult, { ok: true }> {
  const result = convertDeployment(text);
  if (!result.ok) throw new Error(`not converted: ${JSON.stringify(result.problems)}`);
  return result;
}

/** The smallest original-tool file around `service` lines (indented 4 under `service:` items). */
const file = (service: string, rest = '') =>
  `canary:\n  group: private\n  releases: {blue: "1", green: "2"}\nservice:\n  project: shop\n  name: api\n  cluster: main\n  version: "1.0.0"\n${service}${rest}`;

const notes = (result: ReturnType<typeof converted>) =>
  result.notConverted.map((n) => `${n.path}: ${n.reason}`);

describe('convert: an original-tool file into ecs-crd’s preferred form', () => {
  it('rewrites every spelling of the original reference, keeping comments and key order (the fixture)', () => {
    const result = converted(read('original.deploy.yml'));
    expect(result.output).to.equal(read('converted.deploy.yml'));
    expect(result.changes).to.have.length(30);
    expect(notes(result)).to.deep.equal([
      'service.iam_roles.task_role[1].resources: the original’s default, `*`, is carried over: this statement applies to every resource',
    ]);
  });

  it('places each change at its line and column in the original file', () => {
    const result = converted(read('original.deploy.yml'));
    const lines = read('original.deploy.yml').split('\n');
    for (const change of result.changes) {
      const key = /\.?([A-Za-z_]+)(\[\d+\])?$/.exec(change.path)?.[1] ?? '';
      const line = lines[change.line - 1] ?? '';
      // The line holds the key, or the list item the key is in.
      expect(
        line.includes(key) || line.trimStart().startsWith('-'),
        `${change.path} at ${change.line}: ${line}`,
      ).to.equal(true);
    }
    const secrets = result.changes.find((c) => c.path === 'service.containers[0].secrets');
    expect(secrets).to.include({ line: 65, column: 7, change: 'list of one-key maps → map (2 entries)' });
  });

  it('is idempotent: the converted fixture converts to itself, byte for byte, with no change', () => {
    const once = converted(read('original.deploy.yml')).output;
    const twice = converted(once);
    expect(twice.changes).to.deep.equal([]);
    expect(twice.output).to.equal(once);
  });

  it('means the same thing: the converted data is the original’s, in the new spellings', () => {
    const data = parse(read('converted.deploy.yml'));
    const original = parse(read('original.deploy.yml'));
    const container = data.service.containers[0];
    expect(container.environment).to.deep.equal(
      Object.assign({}, ...original.service.containers[0].environment),
    );
    expect(container.secrets).to.deep.equal(Object.assign({}, ...original.service.containers[0].secrets));
    expect(container.entry_point).to.deep.equal(['dotnet', 'Orders.Api.dll']);
    expect(data.service.fqdn).to.equal('orders.{{environment}}.shop.example.com');
    expect(data.service.policies.map((s: { sid: string }) => s.sid)).to.deep.equal([
      'AllowS3Invoices',
      'AllowCloudWatchmetrics',
    ]);
    expect(data.service.policies[1].resources).to.deep.equal(['*']);
    expect(data.service.execution_policies).to.have.length(1);
    expect(data.service.iam_roles).to.equal(undefined);
    expect(data.service.auto_scaling.step_scaling[0]).to.deep.include({
      name: 'orders-scale-out',
      adjustment_type: 'ChangeInCapacity',
      cooldown: 120,
    });
    expect(data.target_groups[0].container).to.deep.equal({ name: 'orders', port: 8080 });
    expect(data.target_groups[0].health_check).to.deep.include({ interval: 15, healthy_threshold: 3 });
    expect(data.listeners[0].rules[1].actions[0]).to.deep.equal({
      type: 'fixed-response',
      order: 1,
      status_code: '503',
      content_type: 'text/plain',
      message_body: 'down for maintenance',
    });
  });

  it('leaves a file already in ecs-crd’s form as it is, byte for byte (the examples)', () => {
    const examples = new URL('../../examples/', import.meta.url);
    const files = readdirSync(examples).filter((name) => name.endsWith('.yml'));
    expect(files).to.include.members(['seed.deploy.yml', 'listeners.deploy.yml', 'fargate.deploy.yml']);
    for (const name of files) {
      const text = readFileSync(new URL(name, examples), 'utf8');
      const once = converted(text);
      // fargate.deploy.yml shows the original's list form of `environment` on purpose.
      if (name !== 'fargate.deploy.yml') {
        expect(once.changes, name).to.deep.equal([]);
        expect(once.output, name).to.equal(text);
      }
      const twice = converted(once.output);
      expect(twice.changes, name).to.deep.equal([]);
      expect(twice.output, name).to.equal(once.output);
    }
  });

  it('refuses a file that is not YAML, or not a mapping, at its line and column', () => {
    const broken = convertDeployment('canary:\n  group: [a\nservice: {}\n');
    expect(broken.ok).to.equal(false);
    if (!broken.ok) expect(broken.problems[0]?.line).to.be.a('number');
    for (const [text, what] of [
      ['- a\n- b\n', 'a list'],
      ['just text\n', 'a single value'],
      ['', 'empty'],
      ['# only a comment\n', 'empty'],
    ] as const) {
      const result = convertDeployment(text);
      expect(result.ok, text).to.equal(false);
      if (!result.ok) expect(result.problems[0]?.message).to.contain(`the file is ${what}, not a mapping`);
    }
  });

  it('refuses per-slot container ports, with the hint to move them to host_port', () => {
    const result = converted(
      file(
        '  containers:\n    - name: web\n      port_mappings:\n        - container_port: {blue: 8080, green: 8081}\n',
      ),
    );
    expect(result.changes).to.deep.equal([]);
    expect(result.notConverted).to.have.length(1);
    expect(result.notConverted[0]).to.include({
      path: 'service.containers[0].port_mappings[0].container_port',
      line: 12,
    });
    expect(result.notConverted[0]?.hint).to.contain('host_port: {blue, green}');
  });

  it('lists unknown keys, left as they are, with the closest known key', () => {
    const result = converted(
      file('  containers:\n    - name: web\n      entrypoint: [sh]\n      colour: blue\n'),
    );
    expect(result.output).to.contain('entrypoint: [sh]');
    expect(notes(result)).to.deep.equal([
      'service.containers[0].entrypoint: unknown key `entrypoint`: left as it is',
      'service.containers[0].colour: unknown key `colour`: left as it is',
    ]);
    expect(result.notConverted[0]?.hint).to.contain('did you mean `entry_point`?');
  });

  it('keeps a list whose names repeat, or whose items are not one-key maps, and says why', () => {
    const twice = converted(
      file('  containers:\n    - name: web\n      environment:\n        - A: "1"\n        - A: "2"\n'),
    );
    expect(twice.changes).to.deep.equal([]);
    expect(notes(twice)[0]).to.contain('`A` is listed twice (items 0 and 1)');
    const mixed = converted(
      file(
        '  containers:\n    - name: web\n      secrets:\n        - A: arn:aws:ssm:x\n          B: arn:aws:ssm:y\n',
      ),
    );
    expect(notes(mixed)[0]).to.contain('item 0 is a map of 2 keys');
  });

  it('reads ECS’s own `{name, value}` items as entries too', () => {
    const result = converted(
      file('  containers:\n    - name: web\n      environment:\n        - name: A\n          value: "1"\n'),
    );
    expect(parse(result.output).service.containers[0].environment).to.deep.equal({ A: '1' });
  });

  it('names the container of a target group given by port only when one container maps it', () => {
    const containers =
      '  containers:\n    - name: a\n      port_mappings: [{container_port: 80}]\n    - name: b\n      port_mappings: [{container_port: 80}]\n';
    const ambiguous = converted(file(containers, 'target_groups:\n  - container: {port: 80}\n'));
    expect(notes(ambiguous)).to.deep.equal([
      'target_groups[0].container: containers a, b all map container port 80',
    ]);
    const none = converted(file(containers, 'target_groups:\n  - container: {port: 81}\n'));
    expect(notes(none)).to.deep.equal(['target_groups[0].container: no container maps container port 81']);
  });

  it('moves only the first container’s fqdn, and only when service.fqdn is absent', () => {
    const both = converted(
      file('  fqdn: a.example.com\n  containers:\n    - name: web\n      fqdn: b.example.com\n'),
    );
    expect(both.changes).to.deep.equal([]);
    expect(notes(both)[0]).to.contain('`service.fqdn` is written too');
    const second = converted(
      file(
        '  containers:\n    - name: web\n      fqdn: a.example.com\n    - name: side\n      fqdn: b.example.com\n',
      ),
    );
    expect(parse(second.output).service.fqdn).to.equal('a.example.com');
    expect(notes(second)[0]).to.contain('only the first container’s `fqdn`');
  });

  it('turns IAM names into Sids (letters and digits), and reads iam_roles written as a list', () => {
    const result = converted(
      file(
        '  iam_roles:\n    - task_role:\n        - name: "read: s3!"\n          effect: Allow\n          actions: ["s3:GetObject"]\n          resources: ["*"]\n',
      ),
    );
    expect(parse(result.output).service.policies).to.deep.equal([
      { sid: 'reads3', effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'] },
    ]);
    expect(result.notConverted).to.deep.equal([]);
  });

  it('appends iam_roles statements to policies already written', () => {
    const result = converted(
      file(
        '  policies:\n    - {effect: Allow, actions: ["sqs:*"], resources: ["*"]}\n  iam_roles:\n    task_role:\n      - {name: b, effect: Allow, actions: ["s3:*"], resources: ["*"]}\n',
      ),
    );
    const service = parse(result.output).service;
    expect(service.policies.map((s: { actions: string[] }) => s.actions[0])).to.deep.equal(['sqs:*', 's3:*']);
    expect(service.iam_roles).to.equal(undefined);
  });

  it('keeps a target-tracking policy_type as it is, pointing at target_tracking', () => {
    const result = converted(
      file(
        '  auto_scaling:\n    min_capacity: 1\n    max_capacity: 2\n    auto_scaling_policies:\n      - policy_name: cpu\n        policy_type: TargetTrackingScaling\n',
      ),
    );
    expect(notes(result)[0]).to.contain('`policy_type: TargetTrackingScaling` is not a step scaling policy');
    expect(result.notConverted[0]?.hint).to.contain('target_tracking');
  });

  it('refuses a renaming when both spellings are written', () => {
    const result = converted(
      file('', 'target_groups:\n  - health_check:\n      interval: 10\n      interval_seconds: 15\n'),
    );
    expect(result.changes).to.deep.equal([]);
    expect(notes(result)).to.deep.equal([
      'target_groups[0].health_check.interval_seconds: both `interval_seconds` and `interval` are written',
    ]);
  });

  it('flattens CamelCase action config into snake_case, and flags an OIDC secret written as a value', () => {
    const result = converted(
      file(
        '',
        'listeners:\n  - port: 443\n    rules:\n      - actions:\n          - type: authenticate-oidc\n            config:\n              - Issuer: https://id.example.com\n              - ClientId: shop\n              - ClientSecret: s3cr3t\n              - UserInfoEndpoint: https://id.example.com/me\n',
      ),
    );
    const action = parse(result.output).listeners[0].rules[0].actions[0];
    expect(Object.keys(action)).to.deep.equal([
      'type',
      'issuer',
      'client_id',
      'client_secret',
      'user_info_endpoint',
    ]);
    expect(notes(result)).to.have.length(1);
    expect(result.notConverted[0]?.path).to.equal('listeners[0].rules[0].actions[0].client_secret');
    expect(JSON.stringify(result.notConverted)).to.not.contain('s3cr3t');
  });

  it('converts a block shared through an anchor where it is written, once', () => {
    const text = file(
      '  containers:\n    - &base\n      name: web\n      entry_port: [sh]\n    - <<: *base\n      name: side\n',
    );
    const result = converted(text);
    expect(result.changes.map((c) => c.path)).to.deep.equal(['service.containers[0].entry_port']);
    expect(parse(result.output, { merge: true }).service.containers[1].entry_point).to.deep.equal(['sh']);
  });

  it('leaves a list shared through an alias as it is, pointing at its anchor', () => {
    const text = `x-env: &env\n  - A: "1"\n${file('  containers:\n    - name: web\n      environment: *env\n')}`;
    const result = converted(text);
    expect(result.output).to.equal(text);
    expect(result.notConverted).to.have.length(1);
    expect(result.notConverted[0]).to.include({ path: 'service.containers[0].environment', line: 13 });
    expect(result.notConverted[0]?.hint).to.contain('write the block &env as a map');
  });

  it('keeps the file’s indentation, list style, flow padding and line ends', () => {
    const flat = 'service:\n    containers:\n    -   name: web\n        entry_port: [sh]\n';
    expect(detectIndentation(flat)).to.deep.equal({
      indent: 4,
      indentSeq: false,
      flowCollectionPadding: false,
    });
    const crlf = file('  containers:\n    - name: web\n      entry_port: [sh]\n').replace(/\n/g, '\r\n');
    const result = converted(crlf);
    expect(result.output).to.contain('entry_point: [sh]\r\n');
    expect(result.output.replace(/\r\n/g, '')).to.not.contain('\n');
  });
});

// The original tool's own files (test/fixtures/original/, written for issue 16's config work):
// after the merge, each converts and converts to itself.
const ORIGINALS = new URL('../fixtures/original/', import.meta.url);
const originals = existsSync(ORIGINALS)
  ? readdirSync(ORIGINALS).filter((name) => name.endsWith('.deploy.yml'))
  : [];

describe('convert: the original tool’s files in test/fixtures/original', () => {
  for (const name of originals) {
    it(`${name}: converts, lists each change, and converts to itself`, () => {
      const once = converted(readFileSync(new URL(name, ORIGINALS), 'utf8'));
      expect(once.changes.length).to.be.greaterThan(0);
      const twice = converted(once.output);
      expect(twice.changes).to.deep.equal([]);
      expect(twice.output).to.equal(once.output);
    });
  }
});
