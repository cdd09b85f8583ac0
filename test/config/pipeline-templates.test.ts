import { expect } from 'chai';
import fc from 'fast-check';
import { renderString, renderTree, resolveValues } from '../../src/config/templates.js';
import { check, config, fileWith, problems } from './fixtures.js';

const env = { GIT_SHA: 'abc123', EMPTY: '', TOKEN: 's3cr3t' };

describe('config/templates from the pipeline: {{env.NAME}} and {{var.name}}', () => {
  it('renders env and var values in any string value', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.version = '{{env.GIT_SHA}}';
        f.service.cluster = '{{ var.cluster }}';
        f.service.containers[0].environment = {
          BUILD: 'b-{{env.GIT_SHA}}-{{var.cluster}}',
          NONE: '{{env.EMPTY}}',
        };
      }),
      { env, vars: { cluster: 'main-2' } },
    );
    expect(resolved.service.version).to.equal('abc123');
    expect(resolved.service.cluster).to.equal('main-2');
    expect(resolved.service.containers[0]?.environment).to.deep.equal({ BUILD: 'b-abc123-main-2', NONE: '' });
  });

  it('works through the service variables: {{version}} and {{name}} carry the values', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.version = '{{env.GIT_SHA}}';
        f.service.name = 'api-{{var.suffix}}';
        f.service.fqdn = '{{name}}.example.com';
        f.service.containers[0].image = 'registry.example.com/{{name}}:{{version}}';
      }),
      { env, vars: { suffix: 'canary' } },
    );
    expect(resolved.service.name).to.equal('api-canary');
    expect(resolved.service.fqdn).to.deep.equal(['api-canary.example.com']);
    expect(resolved.service.containers[0]?.image).to.equal('registry.example.com/api-canary:abc123');
  });

  it('gives the default image the version from the environment', () => {
    const resolved = config(
      fileWith((f) => (f.service.version = '{{env.GIT_SHA}}')),
      { env, account_id: '123456789012' },
    );
    expect(resolved.service.containers[0]?.image).to.equal(
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:abc123',
    );
  });

  it('inserts values as written: a value holding a template is never rendered again', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.containers[0].environment = { A: '{{env.RAW}}', B: '{{var.raw}}' };
        f.service.containers[0].command = ['echo', '{{version}}', '{{var.raw}}'];
      }),
      { env: { RAW: '{{name}} {{env.TOKEN}}', TOKEN: 'x' }, vars: { raw: '{{fqdn}}' } },
    );
    expect(resolved.service.containers[0]?.environment).to.deep.equal({
      A: '{{name}} {{env.TOKEN}}',
      B: '{{fqdn}}',
    });
    expect(resolved.service.containers[0]?.command).to.deep.equal(['echo', '1.2.3', '{{fqdn}}']);
  });

  it('inserts a value as written through a service variable too', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.name = 'api{{var.s}}';
        f.service.containers[0].environment = { N: '{{name}}' };
      }),
      { vars: { s: '' } },
    );
    expect(resolved.service.containers[0]?.environment).to.deep.equal({ N: 'api' });
    // A value holding {{project}} stays literal, even where {{name}} is inserted into another string.
    const { values } = resolveValues(
      { service: { project: 'shop', name: 'x-{{var.s}}' } },
      { environment: 'prod', vars: { s: '{{project}}' } },
    );
    expect(values.name).to.equal('x-{{project}}');
    expect(renderString('{{name}}/{{project}}', values)).to.equal('x-{{project}}/shop');
  });

  it('reports an unset environment variable at its line, naming it', () => {
    const text = fileWith((f) => (f.service.version = '{{env.GIT_SHA}}'));
    const result = check(text, { env: {} });
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(
      result.problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`),
    ).to.deep.equal([
      'prod.deploy.yml:16:3 service.version: {{env.GIT_SHA}}: the environment variable GIT_SHA is not set: export it, or set it in the CI job',
    ]);
    expect(text.split('\n')[15]).to.equal('  version: "{{env.GIT_SHA}}"');
  });

  it('reads the process environment when no env is given', () => {
    const name = 'ECS_CRD_TEST_PIPELINE_VALUE';
    const text = fileWith((f) => (f.service.version = `{{env.${name}}}`));
    process.env[name] = 'from-process';
    try {
      expect(config(text).service.version).to.equal('from-process');
    } finally {
      delete process.env[name];
    }
    expect(problems(text)).to.deep.equal([
      `service.version: {{env.${name}}}: the environment variable ${name} is not set: export it, or set it in the CI job`,
    ]);
  });

  it('reports a var not given, naming the flag to pass', () => {
    expect(
      problems(
        fileWith((f) => (f.service.name = 'api-{{var.suffix}}')),
        { vars: { other: 'x' } },
      ),
    ).to.deep.equal([
      'service.name: {{var.suffix}}: no `--var suffix=…` was given: pass it to every command that reads this file',
    ]);
  });

  it('reports each missing value once per string, and one in a service variable only where it is written', () => {
    const found = problems(
      fileWith((f) => {
        f.service.version = '{{env.NOPE}}-{{env.NOPE}}';
        f.service.containers[0].image = 'repo/api:{{version}}';
        f.service.containers[0].environment = { A: '{{var.a}}', B: '{{env.NOPE}}' };
      }),
      { env: {} },
    );
    expect(found).to.deep.equal([
      'service.version: {{env.NOPE}}: the environment variable NOPE is not set: export it, or set it in the CI job',
      'service.containers[0].environment.A: {{var.a}}: no `--var a=…` was given: pass it to every command that reads this file',
      'service.containers[0].environment.B: {{env.NOPE}}: the environment variable NOPE is not set: export it, or set it in the CI job',
    ]);
  });

  it('reads own values only: {{env.constructor}} is not set', () => {
    expect(
      problems(
        fileWith((f) => (f.service.cluster = '{{env.constructor}}')),
        { env: {} },
      ),
    ).to.deep.equal([
      'service.cluster: {{env.constructor}}: the environment variable constructor is not set: export it, or set it in the CI job',
    ]);
    expect(
      problems(
        fileWith((f) => (f.service.cluster = '{{var.toString}}')),
        { vars: {} },
      ),
    ).to.deep.equal([
      'service.cluster: {{var.toString}}: no `--var toString=…` was given: pass it to every command that reads this file',
    ]);
  });

  it('refuses a name that cannot be a variable, and hints at a mistyped prefix', () => {
    expect(
      problems(
        fileWith((f) => (f.service.cluster = '{{env.MY-VAR}}')),
        { env },
      ),
    ).to.deep.equal([
      'service.cluster: {{env.MY-VAR}}: `MY-VAR` is not a variable name: letters, digits and _, not starting with a digit',
    ]);
    expect(
      problems(
        fileWith((f) => (f.service.cluster = '{{ ENV.GIT_SHA }}')),
        { env },
      ),
    ).to.deep.equal([
      'service.cluster: unknown template {{ ENV.GIT_SHA }}: did you mean {{env.GIT_SHA}}? (env.NAME is an environment variable, var.NAME a --var)',
    ]);
    expect(
      problems(
        fileWith((f) => (f.service.cluster = '{{vars.x}}')),
        { env },
      ),
    ).to.have.length(1);
  });

  it('leaves other dotted brace text alone (Go templates, other tools)', () => {
    const resolved = config(
      fileWith(
        (f) =>
          (f.service.containers[0].command = ['fmt', '{{.State.Health}}', '{{ item.name }}', '{{json .}}']),
      ),
      { env: {} },
    );
    expect(resolved.service.containers[0]?.command).to.deep.equal([
      'fmt',
      '{{.State.Health}}',
      '{{ item.name }}',
      '{{json .}}',
    ]);
  });

  it('keeps the run-time variables of a metric query working next to pipeline values', () => {
    const resolved = config(
      fileWith((f) => {
        f.canary.analysis = {
          metrics: [
            {
              name: 'fails',
              max: 0,
              query: {
                namespace: '{{var.ns}}',
                metric_name: 'Failures',
                stat: 'Sum',
                dimensions: { LoadBalancer: '{{load_balancer}}', TargetGroup: '{{target_group}}' },
              },
            },
          ],
        };
      }),
      { vars: { ns: 'Shop/{{env.X}}' } },
    );
    expect(resolved.canary.analysis?.metrics[0]?.query).to.deep.include({
      namespace: 'Shop/{{env.X}}',
      dimensions: { LoadBalancer: '{{load_balancer}}', TargetGroup: '{{target_group}}' },
    });
  });

  it('takes fqdn from a container (the original tool’s place) while rendering, so nothing is rendered twice', () => {
    const resolved = config(
      fileWith((f) => {
        delete f.service.fqdn;
        f.service.containers[0].fqdn = '{{name}}.example.com';
        f.service.containers[0].environment = { URL: 'https://{{fqdn}}', RAW: '{{var.raw}}' };
      }),
      { vars: { raw: '{{fqdn}}' } },
    );
    expect(resolved.service.fqdn).to.deep.equal(['api.example.com']);
    expect(resolved.service.containers[0]?.environment).to.deep.equal({
      URL: 'https://api.example.com',
      RAW: '{{fqdn}}',
    });
  });
});

describe('config/templates from the pipeline: properties', () => {
  it('inserts any value exactly as it is, wherever it is referred to from', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (envValue, varValue) => {
        const values = { environment: 'prod' as const, region: 'eu-west-1' };
        const pipeline = { env: { E: envValue }, vars: { v: varValue } };
        const { values: resolved } = resolveValues(
          { service: { project: '{{env.E}}', name: 'n{{var.v}}' } },
          { ...values, ...pipeline },
        );
        expect(resolved.project).to.equal(envValue);
        expect(resolved.name).to.equal(`n${varValue}`);
        const { data, problems: found } = renderTree(
          { a: '<{{env.E}}|{{ var.v }}|{{project}}>' },
          resolved,
          pipeline,
        );
        expect(found).to.deep.equal([]);
        expect(data).to.deep.equal({ a: `<${envValue}|${varValue}|${envValue}>` });
      }),
      { numRuns: 300 },
    );
  });
});
