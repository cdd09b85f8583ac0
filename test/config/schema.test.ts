import { expect } from 'chai';
import { check, config, fileWith, positions, problems } from './fixtures.js';

describe('config/schema: keys and values', () => {
  it('accepts the valid fixture', () => {
    expect(problems(fileWith(() => {}))).to.deep.equal([]);
  });

  it('reports a strategy weight out of range at its key, with its path', () => {
    const text = [
      'canary:',
      '  group: g',
      '  releases: {blue: a, green: b}',
      '  strategy:',
      '    - weight: 10',
      '      wait: 1',
      '    - weight: 101',
      '      wait: 1',
    ].join('\n');
    const result = check(text);
    if (result.ok) expect.fail('the file was accepted');
    const problem = result.problems.find((p) => p.path === 'canary.strategy[1].weight');
    expect(problem).to.deep.equal({
      file: 'prod.deploy.yml',
      line: 7,
      column: 7,
      path: 'canary.strategy[1].weight',
      message: 'must be between 1 and 100',
    });
  });

  it('names unknown keys with a "did you mean" when one is close', () => {
    const found = problems(
      fileWith((f) => {
        f.canary.scal = { wait: 1 };
        f.service.containers[0].port_mapping = [];
        f.servic = {};
      }),
    );
    expect(found).to.include('canary.scal: unknown key `scal`: did you mean `scale`?');
    expect(found).to.include(
      'service.containers[0].port_mapping: unknown key `port_mapping`: did you mean `port_mappings`?',
    );
    expect(found).to.include('servic: unknown key `servic`: did you mean `service`?');
  });

  it('lists the allowed keys when no unknown key is close to one', () => {
    const [problem] = problems(fileWith((f) => (f.canary.releases.purple = 3)));
    expect(problem).to.equal('canary.releases.purple: unknown key `purple` (allowed: blue, green)');
  });

  it('reports every unknown key of one map, each at its own line', () => {
    const text = fileWith((f) => Object.assign(f.canary, { foo: 1, bar: 2 }));
    expect(positions(text).filter((p) => /foo|bar/.test(p))).to.deep.equal([
      '11:3 canary.foo',
      '12:3 canary.bar',
    ]);
  });

  it('ignores top-level x- keys, for anchors', () => {
    expect(problems(fileWith((f) => (f['x-defaults'] = { anything: true })))).to.deep.equal([]);
  });

  it('requires the required keys, at their parent', () => {
    const found = problems(
      fileWith((f) => {
        delete f.canary.releases.green;
        delete f.service.cluster;
        f.service.containers = [];
      }),
    );
    expect(found).to.deep.equal([
      'canary.releases.green: is required',
      'service.cluster: is required',
      'service.containers: must list at least one container',
    ]);
    expect(problems('canary: {group: g, releases: {blue: a, green: b}}\n')).to.deep.equal([
      'service: is required',
    ]);
  });

  it('refuses a numeric version, saying to quote it as written', () => {
    const text = fileWith(() => {}).replace(/version: .*/, 'version: 1.10');
    expect(problems(text)).to.deep.equal([
      'service.version: must be a string: write it in quotes, "1.10" (unquoted, YAML reads 1.10 as 1.1)',
    ]);
    const integer = fileWith((f) => (f.service.version = 2));
    expect(problems(integer)).to.deep.equal(['service.version: must be a string: write it in quotes, "2"']);
  });

  it('names the expected type and what was found', () => {
    const found = problems(
      fileWith((f) => {
        f.canary.scale = { desired: 'two', wait: 1.5 };
        f.service.containers[0].essential = 'yes';
        f.service.fqdn = 42;
        f.canary.strategy = { weight: 10 };
      }),
    );
    expect(found).to.deep.equal([
      'canary.strategy: must be a list, not a map',
      'canary.scale.desired: must be a number, not the string "two"',
      'canary.scale.wait: must be an integer, not the number 1.5',
      'service.fqdn: must be a DNS name or a list of them',
      'service.containers[0].essential: must be true or false, not the string "yes"',
    ]);
  });

  it('lists the allowed values of an enum, with a hint', () => {
    const found = problems(
      fileWith((f) => {
        f.service.launch_type = 'fargate';
        f.service.scheduling_strategy = 'ALL';
      }),
    );
    expect(found).to.deep.equal([
      'service.launch_type: must be one of `EC2`, `FARGATE`: did you mean `FARGATE`?',
      'service.scheduling_strategy: must be one of `REPLICA`, `DAEMON`',
    ]);
  });

  it('checks ranges with the bounds in the message', () => {
    const found = problems(
      fileWith((f) => {
        f.canary.scale = { desired: 0 };
        f.service.containers[0].port_mappings[0].container_port = 70000;
        f.service.containers[0].memory = 4;
      }),
    );
    expect(found).to.deep.equal([
      'canary.scale.desired: must be at least 1',
      'service.containers[0].port_mappings[0].container_port: must be between 1 and 65535',
      'service.containers[0].memory: must be at least 6',
    ]);
  });

  it('checks formats: DNS names, ids, ARNs, variable names, matchers', () => {
    const found = problems(
      fileWith((f) => {
        f.service.fqdn = ['api.example.com', 'not a host'];
        f.service.launch_type = 'FARGATE';
        f.service.cpu = 256;
        f.service.memory = 512;
        f.service.network = { subnets: ['net-1'], security_groups: ['default'] };
        f.service.containers[0].secrets = { TOKEN: 's3cr3t' };
        f.service.containers[0].environment = { 'MY=VAR': 'x' };
        f.target_groups = [{ health_check: { matcher: 'ok', path: 'health' } }];
      }),
    );
    expect(found).to.deep.equal([
      'service.fqdn[1]: must be a DNS name such as api.example.com',
      'service.containers[0].secrets.TOKEN: must be the ARN of an SSM parameter or a Secrets Manager secret (arn:aws:ssm:… or arn:aws:secretsmanager:…), never the secret itself',
      'service.containers[0].environment["MY=VAR"]: must not contain `=` (it ends the name in the environment)',
      'service.network.subnets[0]: must be a subnet id (subnet-…)',
      'service.network.security_groups[0]: must be a security group id (sg-…)',
      'target_groups[0].health_check.matcher: must be HTTP codes such as 200, 200-299 or 200,302',
      'target_groups[0].health_check.path: must start with /',
    ]);
  });

  it('accepts numbers and booleans where AWS wants strings: environment, matcher, log options, releases', () => {
    const text = fileWith((f) => {
      f.service.containers[0].environment = { PORT: 8080, DEBUG: false };
      f.service.containers[0].log_configuration = {
        log_driver: 'awslogs',
        options: { 'awslogs-create-group': true },
      };
      f.target_groups = [{ health_check: { matcher: 200 } }];
    });
    expect(problems(text)).to.deep.equal([]);
  });

  it('explains an empty environment value', () => {
    const found = problems(fileWith((f) => (f.service.containers[0].environment = { EMPTY: null })));
    expect(found).to.deep.equal([
      'service.containers[0].environment.EMPTY: must be a string, a number or true/false (write "" for an empty value)',
    ]);
  });

  it('takes the original’s environment list, one NAME: value per item', () => {
    const found = problems(fileWith((f) => (f.service.containers[0].environment = [{ A: 1, B: 2 }])));
    expect(found).to.deep.equal([
      'service.containers[0].environment[0]: each item must be exactly one `NAME: value`',
    ]);
  });

  it('checks the items of one-or-many values', () => {
    expect(problems(fileWith((f) => (f.service.fqdn = [])))).to.deep.equal([
      'service.fqdn: must list at least one DNS name',
    ]);
    expect(
      problems(fileWith((f) => (f.listeners = [{ port: 80, rule: { conditions: { path_pattern: [''] } } }]))),
    ).to.deep.equal(['listeners[0].rule.conditions.path_pattern[0]: must not be empty']);
  });

  it('requires a container health check command that ECS understands', () => {
    const found = problems(
      fileWith((f) => (f.service.containers[0].health_check = { command: ['curl', 'localhost'] })),
    );
    expect(found.length).to.equal(1);
    expect(found[0] ?? '').to.match(
      /^service\.containers\[0\]\.health_check\.command: must start with `CMD`, `CMD-SHELL` or `NONE`/,
    );
  });

  it('checks IAM statements', () => {
    const found = problems(
      fileWith((f) => (f.service.policies = [{ effect: 'allow', actions: ['GetObject'], resources: [] }])),
    );
    expect(found).to.deep.equal([
      'service.policies[0].effect: must be one of `Allow`, `Deny`: did you mean `Allow`?',
      'service.policies[0].actions[0]: must be an IAM action such as s3:GetObject',
      'service.policies[0].resources: must list at least one resource (an ARN, or "*")',
    ]);
  });

  it('gives the service a health check grace period of 60 s unless the file says otherwise', () => {
    expect(config(fileWith(() => {})).service.health_check_grace_period).to.equal(60);
    const slow = fileWith((f) => (f.service.health_check_grace_period = 600));
    expect(config(slow).service.health_check_grace_period).to.equal(600);
    expect(
      config(fileWith((f) => (f.service.health_check_grace_period = 0))).service.health_check_grace_period,
    ).to.equal(0);
  });

  it('takes a grace period of whole seconds within what ECS accepts', () => {
    for (const seconds of [-1, 2147483648, 1.5]) {
      const found = problems(fileWith((f) => (f.service.health_check_grace_period = seconds)));
      expect(found, String(seconds)).to.have.length(1);
      expect(found[0], String(seconds)).to.match(/^service\.health_check_grace_period: must be/);
    }
  });

  it('explains a root that is not a map', () => {
    expect(problems('- canary\n- service\n')).to.deep.equal([': must be a map, not a list']);
  });
});
