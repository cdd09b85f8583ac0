import { expect } from 'chai';
import { fileWith, problems } from './fixtures.js';

describe('config: cross-field rules run on whatever parts are valid', () => {
  it('finds a duplicate fqdn next to a malformed one', () => {
    const found = problems(
      fileWith((f) => (f.service.fqdn = ['api.example.com', 'not a name!', 'API.example.com'])),
    );
    expect(found).to.deep.equal([
      'service.fqdn[1]: must be a DNS name such as api.example.com',
      'service.fqdn[2]: API.example.com is listed twice',
    ]);
  });

  it('finds a reference to no container next to a target group health check with problems', () => {
    const found = problems(
      fileWith((f) => {
        f.target_groups = [
          { container: { name: 'wbe', port: 8080 }, health_check: { path: 'ping', interval: 1 } },
        ];
      }),
    );
    expect(found).to.deep.equal([
      'target_groups[0].container.name: no container named `wbe` in service.containers: did you mean `web`?',
      'target_groups[0].health_check.path: must start with /',
      'target_groups[0].health_check.interval: must be between 5 and 300',
    ]);
  });

  it('finds a listener’s reference to no container next to a bad host header', () => {
    const found = problems(
      fileWith((f) => {
        f.listeners = [
          {
            port: 80,
            target_group: { container: { name: 'nope', port: 1 } },
            rule: { conditions: { host_header: 'x y' } },
          },
        ];
      }),
    );
    expect(found).to.deep.equal([
      'listeners[0].target_group.container.name: no container named `nope` in service.containers',
      'listeners[0].rule.conditions.host_header: must be a DNS name such as api.example.com',
    ]);
  });

  it('asks Fargate for a network even when network_mode has a problem of its own', () => {
    const found = problems(
      fileWith((f) => {
        f.service.launch_type = 'FARGATE';
        f.service.cpu = 256;
        f.service.memory = 512;
        f.service.network_mode = 'awsvpcc';
      }),
    );
    expect(found).to.deep.equal([
      'service.launch_type: launch_type FARGATE needs service.network',
      'service.network_mode: must be one of `bridge`, `host`, `awsvpc`, `none`: did you mean `awsvpc`?',
    ]);
  });

  it('keeps comparing weights past a step with a bad weight, and checks the names of the other containers', () => {
    const found = problems(
      fileWith((f) => {
        f.canary.strategy = [
          { weight: 50, wait: 1 },
          { weight: 'x', wait: 1 },
          { weight: 40, wait: 1 },
        ];
        f.service.containers = [
          { name: 'web', port_mappings: [{ container_port: 8080 }] },
          { name: 'bad name' },
          { name: 'web', cpu: -1 },
        ];
      }),
    );
    expect(found).to.deep.equal([
      'canary.strategy[1].weight: must be a number, not the string "x"',
      "canary.strategy[2].weight: must be greater than the previous step's weight (50)",
      'service.containers[1].name: must be letters, digits, - and _ (at most 255)',
      'service.containers[2].name: `web` is already the name of another container: names must be unique',
      'service.containers[2].cpu: must be at least 0',
    ]);
  });

  it('finds an environment variable set twice next to a bad value', () => {
    const found = problems(
      fileWith((f) => (f.service.containers[0].environment = [{ A: '1' }, { B: [1] }, { A: '2' }])),
    );
    expect(found).to.deep.equal([
      'service.containers[0].environment[1].B: must be a string, a number or true/false (write "" for an empty value)',
      'service.containers[0].environment[2].A: `A` is set twice',
    ]);
  });
});
