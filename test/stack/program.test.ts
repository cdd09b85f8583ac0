import { expect } from 'chai';
import type { Slot } from '../../src/canary/ports/aws.js';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import type { ContainerDefinition, PolicyDocument } from '../../src/stack/documents.js';
import { serviceDeleteTimeout } from '../../src/stack/release.js';
import {
  buildConfig,
  buildContainer,
  buildDesiredState,
  buildEnvironment,
  buildListener,
  buildMeta,
  buildSlotListener,
  buildTargetGroup,
  SAMPLE_CERTIFICATE_ARN,
  SAMPLE_FQDNS,
  SAMPLE_SECRETS,
  sampleImage,
} from '../helpers/builders.js';
import { inputsOf, mockArn, type ProgramRun, runProgram } from '../helpers/program-run.js';

// ---------------------------------------------------------------- harness

const TYPES = {
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  rolePolicyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  taskDefinition: 'aws:ecs/taskDefinition:TaskDefinition',
  service: 'aws:ecs/service:Service',
  targetGroup: 'aws:lb/targetGroup:TargetGroup',
  listener: 'aws:lb/listener:Listener',
  listenerCertificate: 'aws:lb/listenerCertificate:ListenerCertificate',
  listenerRule: 'aws:lb/listenerRule:ListenerRule',
  record: 'aws:route53/record:Record',
} as const;

/** The message of the error the program fails with. */
async function programError(state: DesiredState): Promise<string> {
  try {
    await runProgram(state);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the program accepted the state');
}

/** The container definitions of a slot's task definition, parsed. */
const containersOf = (run: ProgramRun, slot: Slot): ContainerDefinition[] =>
  JSON.parse(
    inputsOf(run, `${slot}-task-definition`).containerDefinitions as string,
  ) as ContainerDefinition[];

/** The statements of an inline role policy, parsed. */
const statementsOf = (run: ProgramRun, name: string): PolicyDocument['Statement'] =>
  (JSON.parse(inputsOf(run, name).policy as string) as PolicyDocument).Statement;

/** Logical name → type, for comparing whole resource sets. */
const resourceSet = (run: ProgramRun): Record<string, string> =>
  Object.fromEntries([...run.resources].map(([name, r]) => [name, r.type]));

// ---------------------------------------------------------------- expectations

const RECORDS: Record<string, string> = Object.fromEntries(
  SAMPLE_FQDNS.flatMap((fqdn) =>
    (['blue', 'green'] as const).map((slot) => [`record-${fqdn}-${slot}`, TYPES.record]),
  ),
);

/** One TXT record per fqdn naming the stack that owns it. */
const OWNERSHIP: Record<string, string> = Object.fromEntries(
  SAMPLE_FQDNS.map((fqdn) => [`owner-${fqdn}`, TYPES.record]),
);

const SHARED: Record<string, string> = {
  'log-group': TYPES.logGroup,
  'execution-role': TYPES.role,
  'execution-role-managed-policy': TYPES.rolePolicyAttachment,
  'task-role': TYPES.role,
  ...RECORDS,
  ...OWNERSHIP,
};

/** The sample release on `slot`, its ALB already listening on 443. */
const releaseOn = (slot: Slot): Record<string, string> => ({
  [`${slot}-secrets-policy`]: TYPES.rolePolicy,
  [`${slot}-task-policy`]: TYPES.rolePolicy,
  [`${slot}-task-definition`]: TYPES.taskDefinition,
  [`${slot}-tg-web-8080`]: TYPES.targetGroup,
  [`${slot}-rule-443`]: TYPES.listenerRule,
  [`${slot}-service`]: TYPES.service,
});

function recordWeights(run: ProgramRun): Record<string, number> {
  return Object.fromEntries(
    Object.keys(RECORDS).map((name) => {
      const [policy] = inputsOf(run, name).weightedRoutingPolicies as { weight: number }[];
      return [name, policy?.weight ?? Number.NaN];
    }),
  );
}

/** The sample's two fqdns at these weights, per record. */
const weightsOfRecords = (blue: number, green: number): Record<string, number> =>
  Object.fromEntries(
    SAMPLE_FQDNS.flatMap((f) => [
      [`record-${f}-blue`, blue],
      [`record-${f}-green`, green],
    ]),
  );

// ---------------------------------------------------------------- the phases of a release

const V1 = buildConfig();
const V2 = buildConfig({ service: { version: '1.5.0' } });

/** A first release of 1.4.0 on blue, provisioned at weight 0. */
const firstProvision = buildDesiredState({
  releases: { blue: V1 },
  weights: { blue: 0, green: 100 },
  meta: buildMeta({
    phase: 'deploying',
    liveSlot: null,
    liveVersion: null,
    candidateSlot: 'blue',
    candidateVersion: '1.4.0',
    outcome: null,
  }),
});

/** Phases of a first release of 1.4.0 on blue, then of 1.5.0 on green. */
const states = {
  firstProvision,
  /** The same first release, moved to 100 %. */
  firstLive: {
    ...firstProvision,
    weights: { blue: 100, green: 0 },
    meta: { ...firstProvision.meta, step: 0 },
  },
  midCanary: buildDesiredState({
    releases: { blue: V1, green: V2 },
    weights: { blue: 70, green: 30 },
    meta: buildMeta({
      phase: 'deploying',
      candidateSlot: 'green',
      candidateVersion: '1.5.0',
      step: 1,
      outcome: null,
    }),
  }),
  finalized: buildDesiredState({
    releases: { green: V2 },
    weights: { blue: 0, green: 100 },
    meta: buildMeta({ liveSlot: 'green', liveVersion: '1.5.0' }),
  }),
  rolledBack: buildDesiredState({
    releases: { blue: V1 },
    weights: { blue: 100, green: 0 },
    meta: buildMeta({
      phase: 'rolled_back',
      candidateSlot: 'green',
      candidateVersion: '1.5.0',
      outcome: 'rolled_back',
    }),
  }),
};

describe('deployment program', () => {
  describe('a first deployment (blue only)', () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(states.firstProvision);
    });

    it('declares the shared resources, both slots’ records and blue’s release', () => {
      expect(resourceSet(run)).to.deep.equal({ ...SHARED, ...releaseOn('blue') });
    });

    it('provisions blue at weight 0, then moves it to 100 by changing only the records', async () => {
      expect(recordWeights(run)).to.deep.equal(weightsOfRecords(0, 100));
      const live = await runProgram(states.firstLive);
      expect(recordWeights(live)).to.deep.equal(weightsOfRecords(100, 0));
      expect(resourceSet(live)).to.deep.equal(resourceSet(run));
    });

    it('points each fqdn’s records at the slots’ ALBs, by their release ids', () => {
      const env = states.firstProvision.environment;
      for (const slot of ['blue', 'green'] as const) {
        expect(inputsOf(run, `record-orders.example.com-${slot}`)).to.deep.include({
          zoneId: 'Z0EXAMPLECOM',
          name: 'orders.example.com',
          type: 'A',
          setIdentifier: env.slots[slot].releaseId,
          aliases: [
            {
              name: env.slots[slot].albDnsName,
              zoneId: env.slots[slot].albZoneId,
              // Off by default: the slot ALBs may serve other services (Route 53 would judge the whole ALB).
              evaluateTargetHealth: false,
            },
          ],
        });
      }
      expect(inputsOf(run, 'record-orders.shop.example.org-blue')).to.include({ zoneId: 'Z0SHOPEXAMPLEORG' });
    });

    it('records beside each fqdn, in a TXT record, the stack that owns it', () => {
      expect(inputsOf(run, 'owner-orders.example.com')).to.deep.include({
        zoneId: 'Z0EXAMPLECOM',
        name: '_ecs-crd.orders.example.com',
        type: 'TXT',
        records: ['heritage=ecs-crd,ecs-crd/stack=shop-orders-api-prod-eu-west-1'],
      });
    });

    it('lets Route 53 evaluate the ALBs’ health when the release’s file asks for it', async () => {
      const config = buildConfig({ canary: { evaluate_target_health: true } });
      const asked = await runProgram({ ...states.firstProvision, releases: { blue: config } });
      const record = inputsOf(asked, 'record-orders.example.com-green') as {
        aliases: { evaluateTargetHealth: boolean }[];
      };
      expect(record.aliases[0]?.evaluateTargetHealth).to.equal(true);
    });

    it('declares the task definition from the file, with secrets as references', () => {
      const task = inputsOf(run, 'blue-task-definition');
      expect(task).to.include({
        family: 'shop-orders-api-prod-blue',
        cpu: '512',
        memory: '1024',
        networkMode: 'awsvpc',
        executionRoleArn: mockArn(TYPES.role, 'execution-role'),
        taskRoleArn: mockArn(TYPES.role, 'task-role'),
      });
      expect(task.requiresCompatibilities).to.deep.equal(['FARGATE']);
      const [web] = containersOf(run, 'blue');
      expect(web).to.deep.include({
        name: 'web',
        image: sampleImage('1.4.0'),
        cpu: 256,
        memory: 512,
        memoryReservation: 384,
      });
      expect(web?.secrets).to.deep.equal([
        { name: 'API_TOKEN', valueFrom: SAMPLE_SECRETS.API_TOKEN },
        { name: 'DB_PASSWORD', valueFrom: SAMPLE_SECRETS.DB_PASSWORD },
      ]);
      expect(web?.logConfiguration.options).to.deep.equal({
        'awslogs-group': '/ecs/shop/orders-api/prod',
        'awslogs-region': 'eu-west-1',
        'awslogs-stream-prefix': 'blue',
      });
    });

    it('declares the service <project>-<name>-<environment>-<slot> behind its target group, without waiting for steady state', () => {
      const service = inputsOf(run, 'blue-service');
      expect(service).to.deep.include({
        name: 'shop-orders-api-prod-blue',
        cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/main',
        taskDefinition: mockArn(TYPES.taskDefinition, 'blue-task-definition'),
        desiredCount: 2,
        launchType: 'FARGATE',
        schedulingStrategy: 'REPLICA',
        platformVersion: 'LATEST',
        waitForSteadyState: false,
        networkConfiguration: {
          subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'],
          securityGroups: ['sg-0ccc3333'],
          assignPublicIp: false,
        },
        loadBalancers: [
          {
            targetGroupArn: mockArn(TYPES.targetGroup, 'blue-tg-web-8080'),
            containerName: 'web',
            containerPort: 8080,
          },
        ],
      });
    });

    it('declares a target group of IP targets in the slot’s VPC, with the file’s health check', () => {
      const tg = inputsOf(run, 'blue-tg-web-8080');
      expect(tg.name).to.match(/^orders-api-prod-blue-[0-9a-f]{6}$/);
      expect(tg).to.deep.include({
        port: 8080,
        protocol: 'HTTP',
        vpcId: 'vpc-0abc1234',
        targetType: 'ip',
        deregistrationDelay: 30,
        healthCheck: {
          enabled: true,
          protocol: 'HTTP',
          path: '/health',
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthyThreshold: 3,
          unhealthyThreshold: 3,
        },
      });
    });

    it('adds a rule on the slot ALB’s existing listener, for the service’s host names', () => {
      expect(inputsOf(run, 'blue-rule-443')).to.deep.include({
        listenerArn: states.firstProvision.environment.slots.blue.listeners[0]?.listenerArn,
        priority: 10,
        conditions: [{ hostHeader: { values: SAMPLE_FQDNS } }],
        actions: [{ type: 'forward', targetGroupArn: mockArn(TYPES.targetGroup, 'blue-tg-web-8080') }],
      });
    });

    it('declares the log group, the roles and the execution role’s managed policy', () => {
      expect(inputsOf(run, 'log-group')).to.include({
        name: '/ecs/shop/orders-api/prod',
        retentionInDays: 30,
      });
      expect(inputsOf(run, 'execution-role')).to.include({
        name: 'shop-orders-api-prod-eu-west-1-execution',
      });
      expect(inputsOf(run, 'task-role')).to.include({ name: 'shop-orders-api-prod-eu-west-1-task' });
      expect(inputsOf(run, 'execution-role-managed-policy')).to.include({
        role: 'shop-orders-api-prod-eu-west-1-execution',
        policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      });
    });

    it('puts the release’s policies and secret access in per-slot inline policies', () => {
      expect(inputsOf(run, 'blue-task-policy').role).to.equal('shop-orders-api-prod-eu-west-1-task');
      expect(statementsOf(run, 'blue-task-policy')).to.have.length(2);
      expect(inputsOf(run, 'blue-secrets-policy').role).to.equal('shop-orders-api-prod-eu-west-1-execution');
      const resources = statementsOf(run, 'blue-secrets-policy').flatMap((s) => s.Resource);
      expect(resources).to.have.members([
        SAMPLE_SECRETS.API_TOKEN,
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/orders-db-AbCdEf',
      ]);
    });

    it('returns the stack outputs: meta, releases, weights, target groups and service names', () => {
      expect(run.outputs).to.deep.equal({
        meta: states.firstProvision.meta,
        releases: { blue: V1 },
        weights: { blue: 0, green: 100 },
        targetGroupArns: { blue: [mockArn(TYPES.targetGroup, 'blue-tg-web-8080')] },
        serviceNames: { blue: 'shop-orders-api-prod-blue' },
        slots: { blue: states.firstProvision.environment.slots.blue },
        listeners: {},
      });
    });
  });

  describe('both slots mid-canary', () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(states.midCanary);
    });

    it('declares both releases and splits every fqdn 70/30', () => {
      expect(resourceSet(run)).to.deep.equal({ ...SHARED, ...releaseOn('blue'), ...releaseOn('green') });
      expect(recordWeights(run)).to.deep.equal(weightsOfRecords(70, 30));
    });

    it('runs each version in its own slot', () => {
      const image = (slot: Slot) => containersOf(run, slot)[0]?.image;
      expect(image('blue')).to.equal(sampleImage('1.4.0'));
      expect(image('green')).to.equal(sampleImage('1.5.0'));
      expect(inputsOf(run, 'green-rule-443').listenerArn).to.equal(
        states.midCanary.environment.slots.green.listeners[0]?.listenerArn,
      );
    });

    it('reports both slots in the outputs', () => {
      expect(run.outputs.serviceNames).to.deep.equal({
        blue: 'shop-orders-api-prod-blue',
        green: 'shop-orders-api-prod-green',
      });
      expect(run.outputs.releases).to.deep.equal({ blue: V1, green: V2 });
    });

    it('leaves the stable release’s resources exactly as they were before the candidate came', async () => {
      const before = await runProgram(states.firstLive);
      for (const name of Object.keys(releaseOn('blue'))) {
        expect(inputsOf(run, name), name).to.deep.equal(inputsOf(before, name));
      }
    });
  });

  describe('after finalize', () => {
    let run: ProgramRun;
    before(async () => {
      run = await runProgram(states.finalized);
    });

    it('keeps only the new slot’s release, and the old slot’s records at weight 0', () => {
      expect(resourceSet(run)).to.deep.equal({ ...SHARED, ...releaseOn('green') });
      expect(recordWeights(run)).to.deep.equal(weightsOfRecords(0, 100));
    });

    it('removes exactly the old slot’s resources and changes nothing else but the weights', async () => {
      const mid = await runProgram(states.midCanary);
      const removed = [...mid.resources.keys()].filter((name) => !run.resources.has(name));
      expect(removed.sort()).to.deep.equal(Object.keys(releaseOn('blue')).sort());
      for (const name of run.resources.keys()) {
        if (name.startsWith('record-')) continue;
        expect(inputsOf(run, name), name).to.deep.equal(inputsOf(mid, name));
      }
    });
  });

  describe('after rollback', () => {
    it('keeps only the stable slot, serving 100 %', async () => {
      const run = await runProgram(states.rolledBack);
      expect(resourceSet(run)).to.deep.equal({ ...SHARED, ...releaseOn('blue') });
      expect(recordWeights(run)).to.deep.equal(weightsOfRecords(100, 0));
      expect(run.outputs.releases).to.deep.equal({ blue: V1 });
    });
  });

  describe('a traffic shift', () => {
    it('changes nothing but the records’ weights', async () => {
      const at30 = await runProgram(states.midCanary);
      const at60 = await runProgram({
        ...states.midCanary,
        weights: { blue: 40, green: 60 },
        meta: { ...states.midCanary.meta, step: 2 },
      });
      expect(resourceSet(at60)).to.deep.equal(resourceSet(at30));
      for (const [name, { inputs }] of at30.resources) {
        const { weightedRoutingPolicies: before, ...rest } = inputs;
        const { weightedRoutingPolicies: after, ...restAfter } = inputsOf(at60, name);
        expect(restAfter, name).to.deep.equal(rest);
        if (name.startsWith('record-')) expect(after).not.to.deep.equal(before);
        else expect(after).to.equal(undefined);
      }
    });
  });

  describe('secrets', () => {
    it('appear only as references: valueFrom in the task definition, resources of the secrets policy', async () => {
      const run = await runProgram(states.midCanary);
      for (const arn of Object.values(SAMPLE_SECRETS)) {
        const holders = [...run.resources]
          .filter(([, r]) => JSON.stringify(r.inputs).includes(arn))
          .map(([n]) => n);
        expect(holders, arn).to.include.members(['blue-task-definition', 'green-task-definition']);
        for (const holder of holders) {
          expect(holder, arn).to.match(/^(blue|green)-(task-definition|secrets-policy)$/);
        }
      }
      const [web] = containersOf(run, 'green');
      expect(web?.environment?.map((e) => e.name)).to.not.include.members(Object.keys(SAMPLE_SECRETS));
      for (const secret of web?.secrets ?? []) {
        expect(Object.keys(secret)).to.deep.equal(['name', 'valueFrom']);
      }
    });

    it('need no secrets policy when a release has none, nor a task policy without policies', async () => {
      const bare = buildConfig({ service: { policies: [], containers: [buildContainer({ secrets: {} })] } });
      const run = await runProgram(buildDesiredState({ releases: { blue: bare } }));
      expect(run.resources.has('blue-secrets-policy')).to.equal(false);
      expect(run.resources.has('blue-task-policy')).to.equal(false);
    });
  });

  describe('a slot ALB without a listener on the port', () => {
    const state = buildDesiredState({
      releases: { blue: V1, green: V2 },
      weights: { blue: 100, green: 0 },
      environment: buildEnvironment({
        slots: {
          green: { listeners: [buildSlotListener('green', { listenerArn: undefined, priority: 1 })] },
        },
      }),
      listeners: { green: [{ port: 443, protocol: 'HTTPS', certificateArns: [SAMPLE_CERTIFICATE_ARN] }] },
    });

    it('keeps the listener it created after the release that needed it is gone: other services’ rules may use it', async () => {
      const run = await runProgram({ ...state, releases: { blue: V1 } });
      expect(run.resources.get('green-listener-443')?.type).to.equal(TYPES.listener);
      expect(run.resources.has('green-rule-443')).to.equal(false);
      expect(run.outputs.listeners).to.deep.equal(state.listeners);
    });

    it('gets a listener of the stack, with the file’s certificate and a 404 default', async () => {
      const run = await runProgram(state);
      expect(run.resources.get('green-listener-443')?.type).to.equal(TYPES.listener);
      expect(run.resources.has('blue-listener-443')).to.equal(false);
      expect(inputsOf(run, 'green-listener-443')).to.deep.include({
        loadBalancerArn: state.environment.slots.green.albArn,
        port: 443,
        protocol: 'HTTPS',
        certificateArn: SAMPLE_CERTIFICATE_ARN,
        defaultActions: [
          {
            type: 'fixed-response',
            fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not Found' },
          },
        ],
      });
      expect(inputsOf(run, 'green-rule-443')).to.include({
        listenerArn: mockArn(TYPES.listener, 'green-listener-443'),
        priority: 1,
      });
    });

    it('attaches the file’s further certificates to the listener it creates', async () => {
      const extra = 'arn:aws:acm:eu-west-1:123456789012:certificate/extra';
      const twoCerts = buildConfig({
        service: { version: '1.5.0' },
        listeners: [buildListener({ certificate_arns: [SAMPLE_CERTIFICATE_ARN, extra] })],
      });
      const run = await runProgram({
        ...state,
        releases: { green: twoCerts },
        listeners: {
          green: [{ port: 443, protocol: 'HTTPS', certificateArns: [SAMPLE_CERTIFICATE_ARN, extra] }],
        },
      });
      expect(inputsOf(run, 'green-listener-443-certificate-1')).to.deep.equal({
        listenerArn: mockArn(TYPES.listener, 'green-listener-443'),
        certificateArn: extra,
      });
    });
  });

  describe('other service shapes', () => {
    it('declares an EC2 bridge service with instance targets and dynamic host ports', async () => {
      const ec2 = buildConfig({
        service: {
          launch_type: 'EC2',
          network_mode: 'bridge',
          network: undefined,
          cpu: undefined,
          memory: undefined,
          platform_version: undefined,
          placement_constraints: [{ type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' }],
          placement_strategies: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
        },
        listeners: [
          buildListener({
            port: 80,
            protocol: 'HTTP',
            certificate_arns: [],
            rule: { conditions: { host_header: ['orders.example.com'], path_pattern: ['/api/*'] } },
          }),
        ],
      });
      const env = buildEnvironment({
        slots: { blue: { listeners: [buildSlotListener('blue', { port: 80 })] } },
      });
      const run = await runProgram(buildDesiredState({ releases: { blue: ec2 }, environment: env }));
      expect(inputsOf(run, 'blue-tg-web-8080')).to.include({ targetType: 'instance' });
      const service = inputsOf(run, 'blue-service');
      expect(service).to.include({ launchType: 'EC2' });
      expect(service).not.to.have.any.keys('networkConfiguration', 'platformVersion');
      expect(service.placementConstraints).to.deep.equal([
        { type: 'memberOf', expression: 'attribute:ecs.instance-type =~ t3.*' },
      ]);
      expect(service.orderedPlacementStrategies).to.deep.equal([
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
      ]);
      const task = inputsOf(run, 'blue-task-definition');
      expect(task).to.include({ networkMode: 'bridge' });
      expect(task).not.to.have.any.keys('cpu', 'memory');
      const [web] = containersOf(run, 'blue');
      expect(web?.portMappings).to.deep.equal([{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }]);
      expect(inputsOf(run, 'blue-rule-80').conditions).to.deep.equal([
        { hostHeader: { values: ['orders.example.com'] } },
        { pathPattern: { values: ['/api/*'] } },
      ]);
    });

    it('leaves the task count to ECS for a DAEMON service', async () => {
      const daemon = buildConfig({
        service: {
          launch_type: 'EC2',
          network_mode: 'host',
          network: undefined,
          scheduling_strategy: 'DAEMON',
        },
      });
      const run = await runProgram(buildDesiredState({ releases: { blue: daemon } }));
      expect(inputsOf(run, 'blue-service'))
        .to.include({ schedulingStrategy: 'DAEMON' })
        .and.not.have.any.keys('desiredCount');
    });
  });

  describe('the health check grace period', () => {
    it('gives the service the file’s grace period, during which ECS ignores the ALB’s health checks', async () => {
      const slow = buildConfig({ service: { health_check_grace_period: 300 } });
      const run = await runProgram(buildDesiredState({ releases: { blue: slow } }));
      expect(inputsOf(run, 'blue-service')).to.include({ healthCheckGracePeriodSeconds: 300 });
    });

    it('declares a release recorded before the setting existed without one, as it was', async () => {
      const recorded = buildConfig();
      delete recorded.service.health_check_grace_period;
      const run = await runProgram(buildDesiredState({ releases: { blue: recorded } }));
      expect(inputsOf(run, 'blue-service')).not.to.have.any.keys('healthCheckGracePeriodSeconds');
    });
  });

  describe('the delete of a release’s service', () => {
    it('waits for INACTIVE at least as long as pulumi-aws does (20 minutes)', () => {
      expect(serviceDeleteTimeout(buildConfig())).to.equal(1200);
    });

    it('waits longer than the longest deregistration delay, which may reach an hour', () => {
      const config = buildConfig({
        target_groups: [
          buildTargetGroup({ deregistration_delay: 3600 }),
          buildTargetGroup({ container: { name: 'web', port: 9090 }, deregistration_delay: 10 }),
        ],
      });
      expect(serviceDeleteTimeout(config)).to.be.greaterThan(3600);
    });
  });

  describe('inconsistent input', () => {
    it('refuses a listener whose port discovery did not report for the slot', async () => {
      const state = buildDesiredState({
        environment: buildEnvironment({ slots: { blue: { listeners: [] } } }),
      });
      expect(await programError(state)).to.match(/no listener for port 443 of the blue ALB/);
    });

    it('refuses weights that do not split the traffic exactly', async () => {
      for (const weights of [
        { blue: 50, green: 60 },
        { blue: -10, green: 110 },
        { blue: 33.5, green: 66.5 },
      ]) {
        expect(await programError(buildDesiredState({ weights })), JSON.stringify(weights)).to.match(
          /summing to 100/,
        );
      }
    });

    it('refuses a listener forwarding to a port no target group exposes', async () => {
      const broken = buildConfig({
        listeners: [buildListener({ target_group: { container: { name: 'web', port: 9999 } } })],
      });
      expect(await programError(buildDesiredState({ releases: { blue: broken } }))).to.match(/web:9999/);
    });
  });
});
