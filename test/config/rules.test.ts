import { expect } from 'chai';
import { fileWith, type LooseFile, positions, problems } from './fixtures.js';

const fargate = (f: LooseFile) => {
  f.service.launch_type = 'FARGATE';
  f.service.cpu = 256;
  f.service.memory = 512;
  f.service.network = { subnets: ['subnet-0a'] };
};

describe('config/rules: cross-field rules', () => {
  describe('canary', () => {
    it('needs two different releases, compared as strings', () => {
      expect(problems(fileWith((f) => (f.canary.releases = { blue: 1, green: '1' })))).to.deep.equal([
        'canary.releases.green: must differ from releases.blue (both are "1")',
      ]);
      expect(problems(fileWith((f) => (f.canary.releases = { blue: 'a', green: 'b' })))).to.deep.equal([]);
    });

    it('needs strictly increasing weights, whatever else is wrong in the steps', () => {
      const found = problems(
        fileWith(
          (f) =>
            (f.canary.strategy = [
              { weight: 50, wait: 1 },
              { weight: 50, wait: 'soon' },
              { weight: 20, wait: 1 },
              { weight: 100, wait: 1 },
            ]),
        ),
      );
      expect(found).to.deep.equal([
        "canary.strategy[1].weight: must be greater than the previous step's weight (50)",
        'canary.strategy[1].wait: must be a number, not the string "soon"',
        "canary.strategy[2].weight: must be greater than the previous step's weight (50)",
      ]);
    });

    it('requires both weight and wait in every step (wait may be left out only with a pause)', () => {
      expect(problems(fileWith((f) => (f.canary.strategy = [{ weight: 10 }, { wait: 5 }])))).to.deep.equal([
        'canary.strategy[0].wait: is required: the seconds to watch the new release at this weight (only a step with `pause` may leave it out)',
        'canary.strategy[1].weight: is required',
      ]);
    });

    it('keeps the health interval within the timeout', () => {
      expect(problems(fileWith((f) => (f.canary.health = { interval: 60, timeout: 30 })))).to.deep.equal([
        'canary.health.interval: must not exceed health.timeout (30)',
      ]);
    });
  });

  describe('containers', () => {
    it('keeps memory_reservation within memory', () => {
      const found = problems(
        fileWith((f) => Object.assign(f.service.containers[0], { memory_reservation: 256 })),
      );
      expect(found).to.deep.equal(['service.containers[0].memory_reservation: must not exceed memory (128)']);
    });

    it('needs unique container names, the default name included', () => {
      const found = problems(
        fileWith((f) => {
          f.service.containers = [
            { port_mappings: [{ container_port: 80 }] },
            { image: 'x' },
            { name: 'a' },
            { name: 'a' },
          ];
        }),
      );
      expect(found).to.deep.equal([
        'service.containers[1].name: `default` is already the name of another container: names must be unique',
        'service.containers[3].name: `a` is already the name of another container: names must be unique',
      ]);
    });

    it('sets each environment variable once, and never both as a value and a secret', () => {
      const found = problems(
        fileWith((f) => {
          f.service.containers[0].environment = [{ A: 1 }, { A: 2 }, { TOKEN: 'x' }];
          f.service.containers[0].secrets = { TOKEN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/token' };
        }),
      );
      expect(found).to.deep.equal([
        'service.containers[0].environment[1].A: `A` is set twice',
        'service.containers[0].secrets.TOKEN: `TOKEN` is also in environment: set it in one place',
      ]);
    });

    it('maps a port and protocol once', () => {
      const found = problems(
        fileWith((f) => {
          f.service.containers[0].port_mappings = [
            { container_port: 80 },
            { container_port: 80, protocol: 'udp' },
            { container_port: 80 },
          ];
        }),
      );
      expect(found).to.deep.equal([
        'service.containers[0].port_mappings[2].container_port: 80/tcp is mapped twice',
      ]);
    });
  });

  describe('service', () => {
    it('needs a network for awsvpc, explicit or implied by Fargate', () => {
      expect(problems(fileWith((f) => (f.service.network_mode = 'awsvpc')))).to.deep.equal([
        'service.network_mode: awsvpc needs service.network',
      ]);
      const found = problems(
        fileWith((f) => {
          fargate(f);
          delete f.service.network;
        }),
      );
      expect(found).to.deep.equal([
        'service.launch_type: launch_type FARGATE uses network_mode awsvpc, which needs service.network',
      ]);
    });

    it('uses a network only with awsvpc', () => {
      expect(problems(fileWith((f) => (f.service.network = { subnets: ['subnet-1'] })))).to.deep.equal([
        'service.network: is only used with network_mode awsvpc (here: bridge)',
      ]);
    });

    it('needs task cpu and memory, and awsvpc, for Fargate', () => {
      const found = problems(
        fileWith((f) => {
          fargate(f);
          delete f.service.cpu;
          delete f.service.memory;
          f.service.network_mode = 'bridge';
        }),
      );
      expect(found).to.deep.equal([
        'service.cpu: is required with launch_type FARGATE (task-level cpu)',
        'service.memory: is required with launch_type FARGATE (task-level memory)',
        'service.network_mode: must be awsvpc with launch_type FARGATE',
      ]);
      expect(problems(fileWith(fargate))).to.deep.equal([]);
    });

    it('keeps Fargate-only and EC2-only settings apart', () => {
      expect(problems(fileWith((f) => (f.service.platform_version = '1.4.0')))).to.deep.equal([
        'service.platform_version: is for launch_type FARGATE only',
      ]);
      const found = problems(
        fileWith((f) => {
          fargate(f);
          f.service.scheduling_strategy = 'DAEMON';
          f.service.placement_constraints = [{ type: 'distinctInstance' }];
          f.service.placement_strategies = [{ type: 'random' }];
        }),
      );
      expect(found).to.deep.equal([
        'service.scheduling_strategy: DAEMON is not supported with launch_type FARGATE',
        'service.placement_constraints: are not supported with launch_type FARGATE',
        'service.placement_strategies: are not supported with launch_type FARGATE',
      ]);
    });

    it('has no placement strategy for DAEMON services', () => {
      const found = problems(
        fileWith((f) => {
          f.service.scheduling_strategy = 'DAEMON';
          f.service.placement_strategies = [{ type: 'spread', field: 'instanceId' }];
        }),
      );
      expect(found).to.deep.equal([
        'service.placement_strategies: are not supported with scheduling_strategy DAEMON',
      ]);
    });

    it('needs an expression for memberOf only', () => {
      const found = problems(
        fileWith(
          (f) =>
            (f.service.placement_constraints = [
              { type: 'memberOf' },
              { type: 'distinctInstance', expression: 'attribute:x == y' },
              { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' },
            ]),
        ),
      );
      expect(found).to.deep.equal([
        'service.placement_constraints[0].expression: is required for type memberOf',
        'service.placement_constraints[1].expression: is only used with type memberOf',
      ]);
    });

    it('checks the field of each placement strategy', () => {
      const found = problems(
        fileWith(
          (f) =>
            (f.service.placement_strategies = [
              { type: 'binpack', field: 'disk' },
              { type: 'spread' },
              { type: 'random', field: 'cpu' },
              { type: 'binpack', field: 'memory' },
            ]),
        ),
      );
      expect(found).to.deep.equal([
        'service.placement_strategies[0].field: must be cpu or memory for type binpack',
        'service.placement_strategies[1].field: is required for type spread',
        'service.placement_strategies[2].field: is not used with type random',
      ]);
    });

    it('needs host ports equal to container ports with awsvpc and host', () => {
      for (const mode of ['host', 'awsvpc']) {
        const found = problems(
          fileWith((f) => {
            f.service.network_mode = mode;
            if (mode === 'awsvpc') f.service.network = { subnets: ['subnet-1'] };
            f.service.containers[0].port_mappings = [
              { container_port: 8080, host_port: 80 },
              { container_port: 9090, host_port: 9090 },
            ];
          }),
        );
        expect(found).to.deep.equal([
          `service.containers[0].port_mappings[0].host_port: must be 0 or equal to container_port (8080) with network_mode ${mode}`,
        ]);
      }
    });

    it('serves each fqdn once', () => {
      expect(problems(fileWith((f) => (f.service.fqdn = ['a.example.com', 'A.example.com'])))).to.deep.equal([
        'service.fqdn[1]: A.example.com is listed twice',
      ]);
    });
  });

  describe('target groups and listeners', () => {
    it('needs a port to default to when target_groups is omitted', () => {
      expect(problems(fileWith((f) => (f.service.containers[0].port_mappings = [])))).to.deep.equal([
        'service.containers[0].port_mappings: needs a port mapping: the default target group uses the first container’s first port mapping (or declare target_groups)',
      ]);
    });

    it('refers to existing containers and ports', () => {
      const found = problems(
        fileWith((f) => {
          f.target_groups = [
            { container: { name: 'wbe', port: 8080 } },
            { container: { name: 'web', port: 9090 } },
          ];
          f.listeners = [{ port: 80, target_group: { container: { name: 'nope', port: 1 } } }];
        }),
      );
      expect(found).to.deep.equal([
        'target_groups[0].container.name: no container named `wbe` in service.containers: did you mean `web`?',
        'target_groups[1].container.port: container `web` has no port mapping with container_port 9090 (it has 8080)',
        'listeners[0].target_group.container.name: no container named `nope` in service.containers',
      ]);
    });

    it('declares one target group per container port, the defaulted one included', () => {
      const found = problems(
        fileWith((f) => (f.target_groups = [{}, { container: { name: 'web', port: 8080 } }])),
      );
      expect(found).to.deep.equal([
        'target_groups[1].container: a target group for web:8080 is already declared',
      ]);
    });

    it('forwards a listener only to a declared target group', () => {
      const found = problems(
        fileWith((f) => {
          f.service.containers[0].port_mappings.push({ container_port: 9090 });
          f.listeners = [{ port: 80, target_group: { container: { name: 'web', port: 9090 } } }];
        }),
      );
      expect(found).to.deep.equal([
        'listeners[0].target_group.container: no target group forwards to web:9090; add one to target_groups',
      ]);
    });

    it('takes certificates for HTTPS only (whether one is needed is known after discovery)', () => {
      const cert = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
      const found = problems(
        fileWith(
          (f) =>
            (f.listeners = [
              { port: 443, protocol: 'HTTPS' },
              { port: 80, certificate_arns: [cert] },
              { port: 8443, protocol: 'HTTPS', certificate_arns: [cert] },
            ]),
        ),
      );
      expect(found).to.deep.equal(['listeners[1].certificate_arns: are only used with protocol HTTPS']);
    });

    it('takes one listeners[] entry per port, whatever its protocol or priority (one rule per listener)', () => {
      const text = fileWith(
        (f) =>
          (f.listeners = [
            { port: 80, rule: { priority: 10 } },
            { port: 8080, rule: { priority: 10 } },
            { port: 80, protocol: 'HTTPS', rule: { priority: 11, conditions: { path_pattern: '/x/*' } } },
            { port: 'x' },
          ]),
      );
      expect(problems(text)).to.deep.equal([
        'listeners[2].port: 80 is already the port of listeners[0]: an ALB has one listener per port, and ecs-crd one rule per listener; merge the two entries',
        'listeners[3].port: must be a number, not the string "x"',
      ]);
      // At the key's own line.
      const items = text.split('\n').flatMap((l, i) => (l.startsWith('  - port:') ? [i + 1] : []));
      expect(positions(text)).to.include(`${items[2]}:5 listeners[2].port`);
    });

    it('keeps a target group health check timeout below its interval', () => {
      expect(
        problems(fileWith((f) => (f.target_groups = [{ health_check: { interval: 5, timeout: 5 } }]))),
      ).to.deep.equal(['target_groups[0].health_check.timeout: must be less than interval (5)']);
    });
  });

  it('reports problems of every section in one run', () => {
    const found = problems(
      fileWith((f) => {
        f.canary.releases.green = 1;
        f.service.version = 3;
        f.service.containers[0].memory_reservation = 1024;
        f.target_groups = [{ container: { name: 'nope', port: 8080 } }];
      }),
    );
    expect(found.length, found.join('\n')).to.equal(4);
  });
});
