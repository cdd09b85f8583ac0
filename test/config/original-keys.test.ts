/**
 * The original tool's 1.2.0 spellings of `canary` and `service`: each accepted with its
 * meaning, resolved to the preferred shape, and refused with what to write where it is unsafe
 * or ambiguous.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { taskPolicy } from '../../src/config/iam-policies.js';
import { formatProblem } from '../../src/config/problems.js';
import { check, config, fileWith, type LooseFile, problems } from './fixtures.js';

const web = (f: LooseFile) => f.service.containers[0];
const warningsOf = (text: string) => (check(text).warnings ?? []).map((w) => `${w.path}: ${w.message}`);

describe('config: the original tool’s spellings of canary and service', () => {
  it('takes any environment or secret name without `=`, as ECS does, each once', () => {
    const resolved = config(
      fileWith((f) => {
        web(f).environment = [
          { 'Serilog:MinimumLevel:Default': 'Information' },
          { 'swagger:endpoint': '/swagger' },
        ];
        web(f).secrets = [
          { 'ConnectionStrings:Orders': 'arn:aws:ssm:eu-west-1:123456789012:parameter/orders' },
        ];
      }),
    );
    expect(resolved.service.containers[0]?.environment).to.deep.equal({
      'Serilog:MinimumLevel:Default': 'Information',
      'swagger:endpoint': '/swagger',
    });
    expect(resolved.service.containers[0]?.secrets).to.deep.equal({
      'ConnectionStrings:Orders': 'arn:aws:ssm:eu-west-1:123456789012:parameter/orders',
    });
    const arn = 'arn:aws:ssm:eu-west-1:123456789012:parameter/x';
    expect(
      problems(
        fileWith((f) => {
          web(f).environment = [{ 'A:B': '1' }, { 'A:B': '2' }, { 'X=Y': '3' }, { '': '4' }];
          web(f).secrets = [{ S: arn }, { S: arn }, { 'A:B': arn }];
        }),
      ),
    ).to.deep.equal([
      'service.containers[0].environment[1]["A:B"]: `A:B` is set twice',
      'service.containers[0].environment[2]["X=Y"]: must not contain `=` (it ends the name in the environment)',
      'service.containers[0].environment[3][""]: must not be empty',
      'service.containers[0].secrets[1].S: `S` is set twice',
      'service.containers[0].secrets[2]["A:B"]: `A:B` is also in environment: set it in one place',
    ]);
  });

  it('reads list-form log options, secret options, driver options and labels as maps', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:splunk-AbCdEf';
    const resolved = config(
      fileWith((f) => {
        web(f).log_configuration = {
          log_driver: 'splunk',
          options: [{ 'splunk-url': 'https://splunk:8088' }, { 'splunk-insecureskipverify': true }],
          secret_options: [{ 'splunk-token': arn }],
        };
        web(f).mount_points = [{ source_volume: 'data', container_path: '/data' }];
        f.service.volumes = [
          {
            name: 'data',
            docker_volume_configuration: { driver_opts: [{ type: 'tmpfs' }], labels: [{ a: 1 }] },
          },
        ];
      }),
    );
    expect(resolved.service.containers[0]?.log_configuration).to.deep.equal({
      log_driver: 'splunk',
      options: { 'splunk-url': 'https://splunk:8088', 'splunk-insecureskipverify': 'true' },
      secret_options: { 'splunk-token': arn },
    });
    expect(resolved.service.volumes).to.deep.equal([
      { name: 'data', docker_volume_configuration: { driver_opts: { type: 'tmpfs' }, labels: { a: '1' } } },
    ]);
    expect(
      problems(
        fileWith((f) => {
          web(f).log_configuration = {
            log_driver: 'awslogs',
            options: [{ a: '1' }, { a: '2' }],
            secret_options: { t: 'x' },
          };
        }),
      ),
    ).to.deep.equal([
      'service.containers[0].log_configuration.options[1].a: `a` is set twice',
      'service.containers[0].log_configuration.secret_options.t: must be the ARN of an SSM parameter or a Secrets Manager secret (arn:aws:ssm:… or arn:aws:secretsmanager:…), never the secret itself',
    ]);
  });

  it('binds per-slot host ports in bridge mode, which must differ between the slots', () => {
    const perSlot = (blue: number, green: number) =>
      fileWith((f) => (web(f).port_mappings = [{ container_port: 80, host_port: { blue, green } }]));
    expect(config(perSlot(8100, 8102)).service.containers[0]?.port_mappings).to.deep.equal([
      { container_port: 80, host_port: { blue: 8100, green: 8102 }, protocol: 'tcp' },
    ]);
    expect(problems(perSlot(0, 0))).to.deep.equal([]);
    // Found by the property test (seed -1084251720): the rule read a refused value and threw.
    expect(
      problems(fileWith((f) => (web(f).port_mappings = [{ container_port: 80, host_port: null }]))),
    ).to.deep.equal([
      'service.containers[0].port_mappings[0].host_port: must be a port (0-65535) or one per slot, {blue: …, green: …}',
    ]);
    expect(problems(perSlot(8100, 8100))).to.deep.equal([
      'service.containers[0].port_mappings[0].host_port.green: must differ from host_port.blue (both 8100): both releases may run on one instance during a canary, and two containers cannot bind one host port (write one port for both slots, or 0 for a dynamic one, if that is what you mean)',
    ]);
    const awsvpc = fileWith((f) => {
      f.service.network_mode = 'awsvpc';
      f.service.network = { subnets: ['subnet-0a'] };
      web(f).port_mappings = [{ container_port: 80, host_port: { blue: 80, green: 81 } }];
    });
    expect(problems(awsvpc)).to.deep.equal([
      'service.containers[0].port_mappings[0].host_port: per-slot host ports are for network_mode bridge; with network_mode awsvpc write 0 or 80 (each task has its own network interface)',
    ]);
  });

  it('refuses a per-slot container port, saying where per-slot ports go', () => {
    const found = problems(
      fileWith(
        (f) => (web(f).port_mappings = [{ container_port: { blue: 8000, green: 8002 }, host_port: 0 }]),
      ),
    );
    // (The default target group's rule, another section's, also finds no port to default to.)
    const here = found.filter((p) => p.includes('container_port'));
    expect(here).to.have.length(1);
    expect(here[0]).to.match(
      /^service\.containers\[0\]\.port_mappings\[0\]\.container_port: must be one port: .*host_port: \{blue: …, green: …\}/,
    );
  });

  it('reads iam_roles as policies and execution_policies, statement names as Sids, and refuses both spellings at once', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.iam_roles = {
          task_role: [
            { name: 'Allow-All S3', effect: 'Allow', actions: ['s3:*'], resources: ['arn:aws:s3:::b'] },
          ],
          task_execution_role: [{ name: 'Pull', effect: 'Allow', actions: ['ecr:BatchGetImage'] }],
        };
      }),
    );
    expect(resolved.service.policies).to.deep.equal([
      { sid: 'AllowAllS3', effect: 'Allow', actions: ['s3:*'], resources: ['arn:aws:s3:::b'] },
    ]);
    expect(resolved.service.execution_policies).to.deep.equal([
      { sid: 'Pull', effect: 'Allow', actions: ['ecr:BatchGetImage'], resources: ['*'] },
    ]);
    const statement = { effect: 'Allow', actions: ['s3:GetObject'], resources: ['*'] };
    expect(
      problems(
        fileWith((f) => {
          f.service.policies = [
            { ...statement, sid: 'A' },
            { ...statement, name: '---' },
            { ...statement, name: 'A!' },
            { ...statement, sid: 'B', name: 'B' },
          ];
          f.service.execution_policies = [statement];
          f.service.iam_roles = { task_role: [statement], task_execution_role: [statement] };
        }),
      ),
    ).to.deep.equal([
      'service.policies[1].name: becomes the statement’s Sid, which needs a letter or a digit (IAM Sids are [A-Za-z0-9])',
      'service.policies[2].name: makes the Sid A of statement [0] too: Sids must be unique in a policy',
      'service.policies[3].name: is the original tool’s spelling of `sid`, which is also set: keep one (`sid`)',
      'service.iam_roles.task_role: is the original tool’s spelling of service.policies, which is also set: pick one (policies)',
      'service.iam_roles.task_execution_role: is the original tool’s spelling of service.execution_policies, which is also set: pick one (execution_policies)',
    ]);
  });

  it('writes a statement’s Sid into the task role policy, and none for a statement without one', () => {
    const statement = { effect: 'Allow' as const, actions: ['s3:GetObject'], resources: ['*'] };
    expect(
      JSON.parse(taskPolicy([{ sid: 'ReadReports', ...statement }, statement]) ?? '{}').Statement,
    ).to.deep.equal([
      { Sid: 'ReadReports', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] },
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] },
    ]);
  });

  it('measures the original’s statements against IAM’s quota as the preferred ones, at the key written', () => {
    const statements = Array.from({ length: 40 }, (_, i) => ({
      name: `Statement ${i}`,
      effect: 'Allow',
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: [`arn:aws:s3:::a-bucket-with-a-rather-long-name-${i}/*`],
    }));
    const found = problems(
      fileWith((f) => (f.service.iam_roles = { task_role: statements, task_execution_role: statements })),
    );
    expect(found).to.have.length(2);
    expect(found[0]).to.match(
      /^service\.iam_roles\.task_role: these statements make a task role policy of [\d,]+ characters/,
    );
    expect(found[1]).to.match(
      /^service\.iam_roles\.task_execution_role: these statements make an execution role policy of/,
    );
  });

  it('warns of a statement without resources (every resource), and of a privileged container', () => {
    const text = fileWith((f) => {
      f.service.iam_roles = { task_role: [{ effect: 'Allow', actions: ['s3:GetObject'] }] };
      web(f).privileged = true;
    });
    expect(config(text).service.policies[0]?.resources).to.deep.equal(['*']);
    const warnings = warningsOf(text);
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.match(
      /^service\.containers\[0\]\.privileged: warning: a privileged container is root on the host/,
    );
    expect(warnings[1]).to.match(
      /^service\.iam_roles\.task_role\[0\]: warning: no `resources`: .*every resource \("\*"\)/,
    );
  });

  it('takes entry_port and condtion for entry_point and condition, with a warning, and refuses both spellings', () => {
    const text = fileWith((f) => {
      f.service.containers = [
        {
          name: 'web',
          port_mappings: [{ container_port: 80 }],
          entry_port: ['/init'],
          depends_on: [{ container_name: 'db', condtion: 'HEALTHY' }],
        },
        { name: 'db', essential: false, health_check: { command: ['CMD', 'true'] } },
      ];
    });
    const [first] = config(text).service.containers;
    expect(first?.entry_point).to.deep.equal(['/init']);
    expect(first).not.to.have.property('entry_port');
    expect(first?.depends_on).to.deep.equal([{ container_name: 'db', condition: 'HEALTHY' }]);
    expect(warningsOf(text)).to.deep.equal([
      "service.containers[0].entry_port: warning: `entry_port` is the original reference's misspelling of `entry_point`, accepted: write entry_point (`ecs-crd convert` does)",
      "service.containers[0].depends_on[0].condtion: warning: `condtion` is the original reference's misspelling of `condition`, accepted: write condition (`ecs-crd convert` does)",
    ]);
    expect(
      problems(
        fileWith((f) => {
          Object.assign(web(f), {
            entry_point: ['/a'],
            entry_port: ['/b'],
            depends_on: [
              { container_name: 'x', condition: 'START', condtion: 'START' },
              { container_name: 'x' },
            ],
          });
        }),
      ),
    ).to.deep.equal([
      "service.containers[0].entry_port: is the original tool's spelling of `entry_point`, which is also set: keep one (`entry_point`)",
      "service.containers[0].depends_on[0].condtion: is the original tool's spelling of `condition`, which is also set: keep one (`condition`)",
      'service.containers[0].depends_on[1].condition: is required',
    ]);
  });

  it('checks dependencies: another container that exists, with a health check for HEALTHY', () => {
    const found = problems(
      fileWith((f) => {
        f.service.containers = [
          {
            name: 'web',
            port_mappings: [{ container_port: 80 }],
            depends_on: [
              { container_name: 'web', condition: 'START' },
              { container_name: 'nope', condition: 'START' },
              { container_name: 'db', condition: 'HEALTHY' },
              { container_name: 'db', condition: 'SOON' },
            ],
          },
          { name: 'db', essential: false },
        ];
      }),
    );
    expect(found).to.deep.equal([
      'service.containers[0].depends_on[0].container_name: must name another container (a container cannot wait for itself)',
      'service.containers[0].depends_on[1].container_name: names no container of the service (known: web, db)',
      'service.containers[0].depends_on[2].container_name: `db` has no health_check, which a HEALTHY dependency waits for: give it one, or wait for START',
      'service.containers[0].depends_on[3].condition: must be one of `START`, `COMPLETE`, `SUCCESS`, `HEALTHY`',
    ]);
  });

  it('takes the DNS names from containers[].fqdn when service.fqdn is absent, {{fqdn}} included', () => {
    const text = fileWith((f) => {
      delete f.service.fqdn;
      web(f).fqdn = ['orders.example.com', 'api.example.com'];
      web(f).environment = { PUBLIC_URL: 'https://{{fqdn}}/' };
    });
    const resolved = config(text);
    expect(resolved.service.fqdn).to.deep.equal(['orders.example.com', 'api.example.com']);
    expect(resolved.service.containers[0]?.environment).to.deep.equal({
      PUBLIC_URL: 'https://orders.example.com/',
    });
    expect(resolved.service.containers[0]).not.to.have.property('fqdn');
    expect(resolved.listeners[0]?.rule.conditions.host_header).to.deep.equal([
      'orders.example.com',
      'api.example.com',
    ]);
    expect(problems(fileWith((f) => delete f.service.fqdn))).to.deep.equal(['service.fqdn: is required']);
    expect(problems(fileWith((f) => (web(f).fqdn = 'x.example.com')))).to.deep.equal([
      'service.containers[0].fqdn: is the original tool’s place for service.fqdn, which is also set: keep one (service.fqdn)',
    ]);
  });

  it('takes the SNS topics told of each outcome, as ARNs (templates allowed)', () => {
    const topics = {
      on_success: 'arn:aws:sns:{{region}}:123456789012:ok',
      on_fail: 'arn:aws:sns:eu-west-1:123456789012:ko.fifo',
    };
    expect(
      config(fileWith((f) => (f.canary.sns_topic_notifications = topics))).canary.sns_topic_notifications,
    ).to.deep.equal({
      on_success: 'arn:aws:sns:eu-west-1:123456789012:ok',
      on_fail: 'arn:aws:sns:eu-west-1:123456789012:ko.fifo',
    });
    expect(config(fileWith(() => {})).canary).not.to.have.property('sns_topic_notifications');
    expect(
      problems(fileWith((f) => (f.canary.sns_topic_notifications = { on_fail: 'deployments' }))),
    ).to.deep.equal([
      'canary.sns_topic_notifications.on_fail: must be an SNS topic ARN, arn:aws:sns:<region>:<12-digit account>:<topic name> (templates such as {{region}} and {{account_id}} allowed)',
    ]);
  });
});

/** An original-tool fixture, as written. */
const ownParts = (name: string): string => readFileSync(`test/fixtures/original/${name}.deploy.yml`, 'utf8');

const CONTEXT = { region: 'eu-west-1', account_id: '123456789012' };

describe('test/fixtures/original: the original tool’s files as written', () => {
  it('reference.deploy.yml validates, and its resolved config carries every key', () => {
    const result = check(ownParts('reference'), CONTEXT);
    if (!result.ok) expect.fail(result.problems.map(formatProblem).join('\n'));
    const { canary, service } = result.config;
    expect(canary.sns_topic_notifications).to.deep.equal({
      on_success: 'arn:aws:sns:eu-west-1:123456789012:deployments-succeeded',
      on_fail: 'arn:aws:sns:eu-west-1:123456789012:deployments-failed',
    });
    expect(service).to.include({
      pid_mode: 'task',
      ipc_mode: 'task',
      network_mode: 'bridge',
      cpu: 512,
      memory: 1024,
    });
    expect(service.requires_compatibilities).to.deep.equal(['EC2']);
    expect(service.auto_scaling?.step_scaling.map((p) => p.name)).to.deep.equal([
      'scale-out-on-cpu',
      'scale-in-on-cpu',
    ]);
    expect(service.volumes?.map((v) => Object.keys(v).sort())).to.deep.equal([
      ['docker_volume_configuration', 'name'],
      ['host', 'name'],
    ]);
    expect(service.policies.map((p) => p.sid)).to.deep.equal(['AllowReadReports', 'AllowConsumeOrders']);
    expect(service.execution_policies?.[0]).to.include({ sid: 'ReadECRpullthroughcache' });
    const [webContainer] = service.containers;
    expect(Object.keys(webContainer ?? {}).sort()).to.deep.equal(
      [
        'name',
        'image',
        'cpu',
        'memory',
        'memory_reservation',
        'port_mappings',
        'entry_point',
        'environment',
        'secrets',
        'command',
        'dns_search_domains',
        'disable_networking',
        'dns_servers',
        'links',
        'docker_security_options',
        'essential',
        'privileged',
        'hostname',
        'mount_points',
        'start_timeout',
        'stop_timeout',
        'depends_on',
        'health_check',
        'log_configuration',
      ].sort(),
    );
    expect(webContainer?.port_mappings[0]?.host_port).to.deep.equal({ blue: 8080, green: 8081 });
    expect(webContainer?.log_configuration?.secret_options).to.have.keys('splunk-token');
    expect(result.warnings?.map((w) => w.path)).to.deep.equal([
      'service.containers[0].entry_port',
      'service.containers[0].depends_on[0].condtion',
      'service.iam_roles.task_execution_role[0]',
    ]);
  });

  it('dotnet.deploy.yml validates with its 440 `:`-named variables and list-form secrets', () => {
    const result = check(ownParts('dotnet'), CONTEXT);
    if (!result.ok) expect.fail(result.problems.slice(0, 5).map(formatProblem).join('\n'));
    const [api] = result.config.service.containers;
    expect(Object.keys(api?.environment ?? {})).to.have.length(440);
    expect(api?.environment).to.include({
      'Serilog:MinimumLevel:Default': 'Information',
      'swagger:endpoint': '/swagger/v1/swagger.json',
    });
    expect(api?.environment['ConnectionStrings:Orders']).to.match(/^Host=orders\.db/);
    expect(Object.keys(api?.secrets ?? {})).to.have.length(5);
    expect(result.config.service.policies.map((p) => p.sid)).to.deep.equal([
      'AllowPublishOrderEvents',
      'AllowInvoiceBucket',
    ]);
    expect(result.config.service.execution_policies?.map((p) => p.sid)).to.deep.equal([
      'AllowReadOrdersParameters',
    ]);
    expect(result.warnings).to.deep.equal([]);
  });
});
