/**
 * The keys production ECS services use beyond the original reference, and the task keys of
 * both: resolved as types.ts says, refused where ECS would refuse them mid-deployment.
 */
import { expect } from 'chai';
import { config, fileWith, type LooseFile, problems } from './fixtures.js';

const web = (f: LooseFile) => f.service.containers[0];
const fargate = (f: LooseFile) => {
  f.service.launch_type = 'FARGATE';
  f.service.cpu = 256;
  f.service.memory = 512;
  f.service.network = { subnets: ['subnet-0a'] };
};
const EFS = 'fs-0123456789abcdef0';

describe('config: production keys of the service and its containers', () => {
  it('leaves every key the file does not write absent (absent = ECS’s default)', () => {
    const { service } = config(fileWith(() => {}));
    for (const key of [
      'execution_policies',
      'pid_mode',
      'ipc_mode',
      'requires_compatibilities',
      'volumes',
      'runtime_platform',
      'ephemeral_storage',
      'capacity_provider_strategy',
      'enable_execute_command',
    ]) {
      expect(service, key).not.to.have.property(key);
    }
    expect(Object.keys(service.containers[0] ?? {}).sort()).to.deep.equal([
      'cpu',
      'environment',
      'essential',
      'image',
      'memory',
      'name',
      'port_mappings',
      'secrets',
    ]);
  });

  it('resolves the production keys as written', () => {
    const { service } = config(
      fileWith((f) => {
        fargate(f);
        f.service.launch_type = undefined;
        f.service.capacity_provider_strategy = [
          { capacity_provider: 'FARGATE', base: 1, weight: 1 },
          { capacity_provider: 'FARGATE_SPOT', weight: 3 },
        ];
        f.service.runtime_platform = { cpu_architecture: 'ARM64', operating_system_family: 'LINUX' };
        f.service.ephemeral_storage = 50;
        f.service.enable_execute_command = true;
        f.service.volumes = [
          {
            name: 'shared',
            efs_volume_configuration: {
              file_system_id: EFS,
              transit_encryption: 'ENABLED',
              transit_encryption_port: 2999,
              authorization_config: { access_point_id: 'fsap-0123456789abcdef0', iam: 'ENABLED' },
            },
          },
        ];
        Object.assign(web(f), {
          mount_points: [{ source_volume: 'shared', container_path: '/mnt/shared', read_only: true }],
          ulimits: [{ name: 'nofile', soft_limit: 65535, hard_limit: 65535 }],
          linux_parameters: {
            init_process_enabled: true,
            capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] },
          },
          readonly_root_filesystem: true,
          user: '1000:1000',
          working_directory: '/app',
          docker_labels: { 'com.example.team': 'orders' },
          stop_timeout: 120,
        });
      }),
    );
    expect(service.launch_type, 'FARGATE capacity providers make a Fargate service').to.equal('FARGATE');
    expect(service.network_mode).to.equal('awsvpc');
    expect(service.capacity_provider_strategy).to.deep.equal([
      { capacity_provider: 'FARGATE', base: 1, weight: 1 },
      { capacity_provider: 'FARGATE_SPOT', base: 0, weight: 3 },
    ]);
    expect(service).to.deep.include({
      runtime_platform: { cpu_architecture: 'ARM64', operating_system_family: 'LINUX' },
      ephemeral_storage: 50,
      enable_execute_command: true,
    });
    expect(service.volumes?.[0]?.efs_volume_configuration?.authorization_config).to.deep.equal({
      access_point_id: 'fsap-0123456789abcdef0',
      iam: 'ENABLED',
    });
    expect(service.containers[0]).to.deep.include({
      mount_points: [{ source_volume: 'shared', container_path: '/mnt/shared', read_only: true }],
      ulimits: [{ name: 'nofile', soft_limit: 65535, hard_limit: 65535 }],
      linux_parameters: {
        init_process_enabled: true,
        capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] },
      },
      readonly_root_filesystem: true,
      user: '1000:1000',
      working_directory: '/app',
      docker_labels: { 'com.example.team': 'orders' },
      stop_timeout: 120,
    });
  });

  it('checks volumes as ECS does: one kind each, unique names, EFS transit encryption, mounts of known volumes', () => {
    const found = problems(
      fileWith((f) => {
        f.service.volumes = [
          { name: 'a', host: {}, docker_volume_configuration: { scope: 'task', autoprovision: true } },
          { name: 'a', efs_volume_configuration: { file_system_id: 'fs-1' } },
          {
            name: 'b',
            efs_volume_configuration: {
              file_system_id: EFS,
              root_directory: '/data',
              transit_encryption_port: 2049,
              authorization_config: { access_point_id: 'fsap-0123456789abcdef0' },
            },
          },
          {
            name: 'c',
            efs_volume_configuration: { file_system_id: EFS, authorization_config: { iam: 'ENABLED' } },
          },
        ];
        web(f).mount_points = [{ source_volume: 'nope', container_path: 'relative' }];
      }),
    );
    expect(found).to.deep.equal([
      'service.containers[0].mount_points[0].source_volume: names no volume of service.volumes (known: a, b, c)',
      'service.containers[0].mount_points[0].container_path: must be an absolute path (start with /)',
      'service.volumes[0].docker_volume_configuration: a volume is one kind: host is already set (declare another volume)',
      'service.volumes[0].docker_volume_configuration.autoprovision: is only used with scope shared (a task-scoped volume is always created)',
      'service.volumes[1].name: `a` is already the name of another volume',
      'service.volumes[1].efs_volume_configuration.file_system_id: must be an EFS file system id (fs-…)',
      'service.volumes[2].efs_volume_configuration.transit_encryption: must be ENABLED with an access point (authorization_config.access_point_id)',
      'service.volumes[2].efs_volume_configuration.root_directory: must be omitted (or /) with an access point: the access point’s path is the root',
      'service.volumes[2].efs_volume_configuration.transit_encryption_port: is only used with transit_encryption: ENABLED',
      'service.volumes[3].efs_volume_configuration.transit_encryption: must be ENABLED with IAM authorization (authorization_config.iam: ENABLED)',
    ]);
    expect(
      problems(
        fileWith((f) => {
          f.service.volumes = [{ name: 'data', host: {} }];
          web(f).mount_points = [{ source_volume: 'other', container_path: '/data' }];
        }),
      ),
    ).to.deep.equal([
      'service.containers[0].mount_points[0].source_volume: names no volume of service.volumes (known: data)',
    ]);
  });

  it('refuses on Fargate what Fargate refuses', () => {
    const found = problems(
      fileWith((f) => {
        fargate(f);
        f.service.pid_mode = 'host';
        f.service.ipc_mode = 'task';
        f.service.volumes = [
          { name: 'd', docker_volume_configuration: { driver: 'local' } },
          { name: 'h', host: { source_path: '/var/data' } },
        ];
        Object.assign(web(f), {
          privileged: true,
          stop_timeout: 300,
          start_timeout: 1,
          docker_security_options: ['no-new-privileges'],
          linux_parameters: { shared_memory_size: 64, capabilities: { add: ['NET_ADMIN'] } },
        });
      }),
    );
    expect(found).to.deep.equal([
      'service.containers[0].privileged: is not supported on Fargate (AWS refuses it)',
      'service.containers[0].stop_timeout: must be between 2 and 120 on Fargate',
      'service.containers[0].start_timeout: must be between 2 and 120 on Fargate',
      'service.containers[0].docker_security_options: are not supported on Fargate',
      'service.containers[0].linux_parameters.shared_memory_size: is not supported on Fargate',
      'service.containers[0].linux_parameters.capabilities.add[0]: only SYS_PTRACE may be added on Fargate',
      'service.pid_mode: must be task on Fargate (host is refused)',
      'service.ipc_mode: is not supported on Fargate',
      'service.volumes[0].docker_volume_configuration: Docker volumes are not supported on Fargate (use host: {} or efs_volume_configuration)',
      'service.volumes[1].host.source_path: is not supported on Fargate: omit it for a scratch volume',
    ]);
    expect(problems(fileWith((f) => (f.service.ephemeral_storage = 30)))).to.deep.equal([
      'service.ephemeral_storage: is for Fargate tasks only (EC2 tasks use the instance’s disk)',
    ]);
    const tooLarge = fileWith((f) => {
      fargate(f);
      f.service.ephemeral_storage = 201;
    });
    expect(problems(tooLarge)).to.deep.equal(['service.ephemeral_storage: must be between 21 and 200']);
  });

  it('needs the launch type among requires_compatibilities, each once', () => {
    expect(
      problems(fileWith((f) => (f.service.requires_compatibilities = ['FARGATE', 'FARGATE']))),
    ).to.deep.equal([
      "service.requires_compatibilities: must include EC2, the service's launch type",
      'service.requires_compatibilities[1]: FARGATE is listed twice',
    ]);
    // A task registered for Fargate too is checked against Fargate, as RegisterTaskDefinition does.
    expect(
      problems(
        fileWith((f) => {
          f.service.requires_compatibilities = ['EC2', 'FARGATE'];
          web(f).privileged = true;
        }),
      ),
    ).to.deep.equal(['service.containers[0].privileged: is not supported on Fargate (AWS refuses it)']);
  });

  it('checks capacity providers as CreateService does, and refuses them with a launch type', () => {
    const found = problems(
      fileWith((f) => {
        f.service.launch_type = 'EC2';
        f.service.capacity_provider_strategy = [
          { capacity_provider: 'FARGATE', base: 1 },
          { capacity_provider: 'FARGATE', base: 2 },
          { capacity_provider: 'my-asg-provider', weight: 1001 },
        ];
      }),
    );
    expect(found).to.deep.equal([
      'service.launch_type: must be omitted with capacity_provider_strategy (ECS refuses both): the providers decide where tasks run',
      'service.capacity_provider_strategy[2].weight: must be between 0 and 1000',
    ]);
    const mixed = problems(
      fileWith((f) => {
        delete f.service.launch_type;
        f.service.capacity_provider_strategy = [
          { capacity_provider: 'FARGATE', base: 1 },
          { capacity_provider: 'FARGATE', base: 2 },
          { capacity_provider: 'my-asg-provider' },
        ];
      }),
    );
    expect(mixed).to.deep.equal([
      'service.capacity_provider_strategy[0].weight: one provider at least needs a weight above 0 when several are listed',
      'service.capacity_provider_strategy[1].capacity_provider: FARGATE is listed twice',
      'service.capacity_provider_strategy[1].base: only one capacity provider of the strategy may have a base',
      'service.capacity_provider_strategy[2].capacity_provider: FARGATE/FARGATE_SPOT and Auto Scaling group providers cannot be mixed',
    ]);
  });

  it('reads an empty capacity provider strategy as none: the launch type applies', () => {
    const text = fileWith((f) => {
      f.service.launch_type = 'EC2';
      f.service.capacity_provider_strategy = [];
    });
    expect(problems(text)).to.deep.equal([]);
    expect(config(text).service.launch_type).to.equal('EC2');
  });

  it('keeps links to bridge mode and other containers, hostnames off awsvpc, soft limits under hard ones', () => {
    const found = problems(
      fileWith((f) => {
        f.service.network_mode = 'awsvpc';
        f.service.network = { subnets: ['subnet-0a'] };
        Object.assign(web(f), {
          links: ['web', 'db:database'],
          hostname: 'web',
          ulimits: [
            { name: 'nofile', soft_limit: 2048, hard_limit: 1024 },
            { name: 'nofile', soft_limit: 1, hard_limit: 1 },
            { name: 'files', soft_limit: 1, hard_limit: 1 },
          ],
        });
      }),
    );
    expect(found).to.deep.equal([
      'service.containers[0].links: are only supported with network_mode bridge (here: awsvpc)',
      'service.containers[0].links[0]: must name another container',
      'service.containers[0].links[1]: names no container of the service (known: web)',
      'service.containers[0].hostname: is not supported with network_mode awsvpc (the task’s network interface names it)',
      'service.containers[0].ulimits[0].soft_limit: must not exceed hard_limit (1024)',
      'service.containers[0].ulimits[1].name: `nofile` is limited twice',
      'service.containers[0].ulimits[2].name: must be one of `core`, `cpu`, `data`, `fsize`, `locks`, `memlock`, `msgqueue`, `nice`, `nofile`, `nproc`, `rss`, `rtprio`, `rttime`, `sigpending`, `stack`',
    ]);
  });
});
