import { expect } from 'chai';
import { renderString, resolveValues } from '../../src/config/templates.js';
import { config, fileWith, positions, problems } from './fixtures.js';

describe('config/templates', () => {
  it('renders every variable in every string value, keys left alone', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.project = 'shop';
        f.service.name = '{{project}}-api';
        f.service.fqdn = ['{{name}}.{{environment}}.example.com', 'www.{{fqdn}}'];
        f.service.cluster = '{{project}}-{{region}}';
        f.service.containers[0].environment = {
          URL: 'https://{{fqdn}}/v{{version}}',
          ACCOUNT: '{{account_id}}',
        };
        f.service.containers[0].log_configuration = {
          log_driver: 'syslog',
          options: { '{{name}}': '{{name}}' },
        };
      }),
      { account_id: '123456789012' },
    );
    expect(resolved.service.name).to.equal('shop-api');
    expect(resolved.service.fqdn).to.deep.equal([
      'shop-api.prod.example.com',
      'www.shop-api.prod.example.com',
    ]);
    expect(resolved.service.cluster).to.equal('shop-eu-west-1');
    expect(resolved.service.containers[0]?.log_configuration?.options).to.deep.equal({
      '{{name}}': 'shop-api',
    });
    expect(resolved.service.containers[0]?.environment).to.deep.equal({
      URL: 'https://shop-api.prod.example.com/v1.2.3',
      ACCOUNT: '123456789012',
    });
  });

  it('renders the default image, and leaves {{account_id}} as written when no account id is given', () => {
    expect(config(fileWith(() => {})).service.containers[0]?.image).to.equal(
      '{{account_id}}.dkr.ecr.eu-west-1.amazonaws.com/api:1.2.3',
    );
    expect(
      config(
        fileWith(() => {}),
        { account_id: '123456789012' },
      ).service.containers[0]?.image,
    ).to.equal('123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.2.3');
  });

  it('leaves {{region}} as written when no region is known, and skips formats that depend on it', () => {
    const resolved = config(
      fileWith(
        (f) =>
          (f.service.containers[0].secrets = { KEY: 'arn:aws:ssm:{{region}}:{{account_id}}:parameter/key' }),
      ),
      { region: undefined },
    );
    expect(resolved.service.containers[0]?.image).to.equal(
      '{{account_id}}.dkr.ecr.{{region}}.amazonaws.com/api:1.2.3',
    );
    expect(
      problems(
        fileWith((f) => (f.service.fqdn = 'api.{{region}}.example.com')),
        { region: undefined },
      ),
    ).to.deep.equal([]);
  });

  it('reports an unknown variable at its line, with a hint', () => {
    const text = fileWith((f) => (f.service.cluster = '{{projet}}-{{nope}}'));
    expect(problems(text)).to.deep.equal([
      'service.cluster: unknown template variable {{projet}}: did you mean {{project}}? (known: project, name, version, fqdn, environment, region, account_id, env.NAME, var.NAME)',
    ]);
    expect(positions(text)).to.deep.equal(['14:3 service.cluster']);
  });

  it('reports a variable that refers to itself', () => {
    expect(problems(fileWith((f) => (f.service.name = 'x-{{ name }}')))).to.deep.equal([
      'service.name: refers to itself ({{name}})',
    ]);
  });

  it('reports a cycle once, naming it', () => {
    const found = problems(
      fileWith((f) => {
        f.service.name = '{{fqdn}}';
        f.service.fqdn = '{{version}}.example.com';
        f.service.version = '{{name}}';
      }),
    );
    expect(found).to.deep.equal([
      'service.version: circular template: {{name}} → {{fqdn}} → {{version}} → {{name}}',
    ]);
  });

  it('leaves other brace text alone, such as Go templates', () => {
    const resolved = config(
      fileWith(
        (f) => (f.service.containers[0].command = ['docker', 'inspect', '--format', '{{.State.Health}}']),
      ),
    );
    expect(resolved.service.containers[0]?.command).to.deep.equal([
      'docker',
      'inspect',
      '--format',
      '{{.State.Health}}',
    ]);
  });

  it('gives no value to a service key that is not a string', () => {
    const { values } = resolveValues(
      { service: { name: 3, version: '1', project: ['x'] } },
      { environment: 'qua' },
    );
    expect(values).to.deep.equal({ environment: 'qua', version: '1' });
    expect(renderString('{{name}}:{{version}}:{{environment}}', values)).to.equal('{{name}}:1:qua');
  });
});
