import { expect } from 'chai';
import { config, fileWith } from './fixtures.js';

describe('config/normalise: the resolved DeploymentConfig', () => {
  it('applies every default of the deployment file', () => {
    const resolved = config(fileWith(() => {}));
    expect(resolved.canary.scale).to.deep.equal({ desired: 2, wait: 60 });
    expect(resolved.canary.health).to.deep.equal({ interval: 10, timeout: 300 });
    expect(resolved.canary.releases).to.deep.equal({ blue: '1', green: '2' });
    const { service } = resolved;
    expect(service.scheduling_strategy).to.equal('REPLICA');
    expect(service.launch_type).to.equal('EC2');
    expect(service.network_mode).to.equal('bridge');
    expect([service.placement_constraints, service.placement_strategies, service.policies]).to.deep.equal([
      [],
      [],
      [],
    ]);
    expect(service.containers[0]).to.deep.equal({
      name: 'web',
      image: '{{account_id}}.dkr.ecr.eu-west-1.amazonaws.com/api:1.2.3',
      cpu: 128,
      memory: 128,
      port_mappings: [{ container_port: 8080, host_port: 0, protocol: 'tcp' }],
      environment: {},
      secrets: {},
      essential: true,
    });
  });

  it('makes the fqdn a list, and the environment list a map of strings', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.containers[0].environment = [{ A: 1 }, { B: true }, { C: 'c' }];
      }),
    );
    expect(resolved.service.fqdn).to.deep.equal(['api.example.com']);
    expect(resolved.service.containers[0]?.environment).to.deep.equal({ A: '1', B: 'true', C: 'c' });
  });

  it('defaults the network mode of Fargate to awsvpc', () => {
    const resolved = config(
      fileWith((f) => {
        Object.assign(f.service, {
          launch_type: 'FARGATE',
          cpu: 256,
          memory: 512,
          network: { subnets: ['subnet-1'] },
        });
      }),
    );
    expect(resolved.service.network_mode).to.equal('awsvpc');
    expect(resolved.service.network).to.deep.equal({
      subnets: ['subnet-1'],
      security_groups: [],
      assign_public_ip: false,
    });
  });

  it('defaults one target group on the first container’s first port, and one HTTP:80 listener for the fqdns', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.fqdn = ['a.example.com', 'b.example.com'];
        f.service.containers[0].port_mappings.push({ container_port: 9090 });
        f.service.containers.push({ name: 'side', port_mappings: [{ container_port: 7070 }] });
      }),
    );
    expect(resolved.target_groups).to.deep.equal([
      {
        container: { name: 'web', port: 8080 },
        protocol: 'HTTP',
        deregistration_delay: 30,
        health_check: {
          path: '/',
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthy_threshold: 3,
          unhealthy_threshold: 3,
        },
      },
    ]);
    expect(resolved.listeners).to.deep.equal([
      {
        port: 80,
        protocol: 'HTTP',
        certificate_arns: [],
        target_group: { container: { name: 'web', port: 8080 } },
        rule: { conditions: { host_header: ['a.example.com', 'b.example.com'] } },
      },
    ]);
  });

  it('fills what declared target groups and listeners leave out', () => {
    const resolved = config(
      fileWith((f) => {
        f.service.containers[0].port_mappings.push({ container_port: 9090 });
        f.target_groups = [{ container: { name: 'web', port: 9090 }, health_check: { matcher: 204 } }, {}];
        f.listeners = [
          {
            port: 8080,
            rule: { priority: 7, conditions: { host_header: 'x.example.com', path_pattern: '/x/*' } },
          },
        ];
      }),
    );
    expect(resolved.target_groups.map((g) => [g.container, g.health_check.matcher])).to.deep.equal([
      [{ name: 'web', port: 9090 }, '204'],
      [{ name: 'web', port: 8080 }, '200'],
    ]);
    expect(resolved.listeners[0]).to.deep.equal({
      port: 8080,
      protocol: 'HTTP',
      certificate_arns: [],
      target_group: { container: { name: 'web', port: 9090 } },
      rule: { priority: 7, conditions: { host_header: ['x.example.com'], path_pattern: ['/x/*'] } },
    });
  });

  it('keeps the strategy as written (the implied 100 % step belongs to the plan)', () => {
    expect(config(fileWith(() => {})).canary.strategy).to.deep.equal([
      { weight: 10, wait: 70 },
      { weight: 60, wait: 50 },
    ]);
  });
});
