/**
 * The sandbox harness: moto (through sandbox/moto/server.py) on 127.0.0.1, the fixtures a
 * deployment file can target, and the environment under which the Pulumi engine and the AWS
 * SDK use them. Used by the e2e tests (startSandbox) and by `npm run sandbox` (sandbox/cli.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, RegisterContainerInstanceCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AlarmState, putAlarm, setAlarmState } from './alarms.js';
import { cloudWatchSink } from './traffic/metrics.js';
import { TrafficRun } from './traffic/run.js';
import { emulatorWorld } from './traffic/world.js';

/** The repository: the nearest directory above this module with a package.json (dist/ has none). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('sandbox: cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = repoRoot();
/** The sandbox's sources, also when this module runs compiled from dist/sandbox/. */
export const SANDBOX_ROOT = join(REPO_ROOT, 'sandbox');
/** The directory holding the stand-in `pulumi-resource-aws`: first on the engine's PATH. */
export const PROVIDER_BIN_DIR = join(SANDBOX_ROOT, 'provider', 'bin');
const MOTO_WRAPPER = join(SANDBOX_ROOT, 'moto', 'server.py');

export const SANDBOX_REGION = 'eu-west-1';
/** The EC2 instances registered in the sandbox cluster. */
const CONTAINER_INSTANCES = 2;
export const CANARY_GROUP = 'sandbox';
export const HOSTED_ZONE_NAME = 'sandbox.example.com';
export const CLUSTER_NAME = 'sandbox';
/** Emulators take any static credentials: these are not secrets. */
export const FAKE_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** A slot's ALB as the product finds it: tagged CanaryGroup / CanaryRelease, with an HTTP:80 listener. */
export interface SlotFixture {
  name: string;
  arn: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  listenerArn: string;
}

export interface SandboxFixtures {
  accountId: string;
  vpcId: string;
  subnetIds: [string, string];
  securityGroupId: string;
  loadBalancers: { blue: SlotFixture; green: SlotFixture };
  hostedZoneId: string;
  hostedZoneName: string;
  clusterName: string;
  clusterArn: string;
}

export interface Sandbox {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  region: string;
  /** Refreshed by reset(). */
  fixtures: SandboxFixtures;
  /** Environment for the engine and the SDK (see sandboxEnv). */
  env: Record<string, string>;
  /** Wipes the emulator and recreates the fixtures. */
  reset(): Promise<void>;
  /** Makes `rate` (0–1) of the ELBv2, Route 53 and ECS requests fail as throttled; 0 stops it. */
  throttle(rate: number, seed?: number): Promise<void>;
  /** Refuses, once, the call of `operation` (e.g. ChangeResourceRecordSets) that comes after `after` more. */
  failCall(operation: string, after: number): Promise<void>;
  /** Pushes `tag` to the ECR repository (created when missing); resolves to the image's reference. */
  pushImage(repository: string, tag: string): Promise<PushedImage>;
  /**
   * Users' traffic, flowing by itself (SPEC §5b): requests to every name with weighted alias
   * records, counted (`report()`, `mark()` / `since(mark)`) and published as the ALBs' CloudWatch
   * metrics. Cleared by reset(); never started with `traffic: false`.
   */
  traffic: TrafficRun;
  /**
   * A CloudWatch alarm on an ALB metric (HTTPCode_ELB_5XX_Count of the blue slot's ALB), put in
   * `state` (default OK, as AWS's first evaluation would leave it with no 5xx); moto never
   * evaluates alarms, so `setAlarmState` is what moves it.
   */
  putAlarm(name: string, state?: AlarmState): Promise<void>;
  setAlarmState(name: string, state: AlarmState): Promise<void>;
  stop(): Promise<void>;
}

export interface SandboxOptions {
  region?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** How long moto may take to listen (default 20 s: a cold Python import on a slow machine). */
  readyTimeoutMs?: number;
  python?: string;
  /**
   * The automatic traffic: `false` turns it off; otherwise its rate (requests per second, default
   * 40), seed (1), DNS TTL (1000 ms: Route 53's 60 s at the sandbox's time scale) and how often it
   * reads the emulator again (500 ms). It costs about a fifth of a core per sandbox once names
   * exist, so the e2e files that never look at traffic or metrics turn it off.
   */
  traffic?: false | { ratePerSecond?: number; seed?: number; ttlMs?: number; refreshMs?: number };
}

/** The automatic traffic of a sandbox at `endpoint` (started unless `options` is false). */
export async function startTraffic(
  endpoint: string,
  region: string,
  options: SandboxOptions['traffic'],
): Promise<TrafficRun> {
  const run = new TrafficRun({
    world: emulatorWorld(endpoint, region),
    metrics: cloudWatchSink(endpoint, region),
    ...(options || {}),
  });
  if (options !== false) await run.start();
  return run;
}

function sdkConfig(endpoint: string, region: string) {
  return { endpoint, region, credentials: FAKE_CREDENTIALS, maxAttempts: 2 };
}

/**
 * True when the compiled provider is missing or older than its sources: the provider shim then
 * runs the TypeScript through tsx, so a test never exercises stale code.
 */
export function providerNeedsSource(): boolean {
  const compiled = join(REPO_ROOT, 'dist', 'sandbox', 'provider', 'main.js');
  if (!existsSync(compiled)) return true;
  const built = statSync(compiled).mtimeMs;
  const sourceDir = join(SANDBOX_ROOT, 'provider');
  return readdirSync(sourceDir)
    .filter((file) => file.endsWith('.ts'))
    .some((file) => statSync(join(sourceDir, file)).mtimeMs > built);
}

/**
 * The environment under which the engine (through the Automation API's `envVars`) and the AWS
 * SDK use the sandbox: endpoint, region, fake credentials, the stand-in provider first on PATH,
 * and no plugin download or update check (no internet).
 */
export function sandboxEnv(endpoint: string, region: string = SANDBOX_REGION): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    PATH: `${PROVIDER_BIN_DIR}${delimiter}${process.env.PATH ?? ''}`,
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    SANDBOX_PROVIDER_FROM_SOURCE: providerNeedsSource() ? '1' : '0',
  };
}

/** Wipes all emulator state (moto's own reset endpoint). */
export async function resetEmulator(endpoint: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset`, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

/** One of the wrapper's fault knobs (sandbox/moto/server.py): `/_sandbox/<knob>?<query>`. */
async function faultKnob(endpoint: string, knob: 'throttle' | 'fail', query: URLSearchParams): Promise<void> {
  const response = await fetch(`${endpoint}/_sandbox/${knob}?${query}`, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`moto ${knob} failed: HTTP ${response.status}`);
}

/** Creates the fixtures of sandbox/README.md in an empty emulator. */
export async function createFixtures(
  endpoint: string,
  region: string = SANDBOX_REGION,
): Promise<SandboxFixtures> {
  const config = sdkConfig(endpoint, region);
  const ec2 = new EC2Client(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const route53 = new Route53Client(config);
  const ecs = new ECSClient(config);
  const sts = new STSClient(config);
  try {
    const vpc = await ec2.send(
      new CreateVpcCommand({ CidrBlock: '10.10.0.0/16', TagSpecifications: nameTag('vpc') }),
    );
    const vpcId = vpc.Vpc?.VpcId;
    if (!vpcId) throw new Error('CreateVpc returned no VPC');
    const [subnetA, subnetB, group] = await Promise.all([
      ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.10.1.0/24', AvailabilityZone: `${region}a` }),
      ),
      ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.10.2.0/24', AvailabilityZone: `${region}b` }),
      ),
      ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: 'sandbox-tasks',
          Description: 'sandbox ECS tasks',
        }),
      ),
    ]);
    const subnetIds = [subnetA.Subnet?.SubnetId, subnetB.Subnet?.SubnetId];
    if (!subnetIds[0] || !subnetIds[1] || !group.GroupId)
      throw new Error('subnet or security group not created');
    const subnets: [string, string] = [subnetIds[0], subnetIds[1]];

    const slot = async (release: 'blue' | 'green'): Promise<SlotFixture> => {
      const name = `sandbox-${release}`;
      const created = await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: name,
          Type: 'application',
          Scheme: 'internet-facing',
          Subnets: subnets,
          SecurityGroups: [group.GroupId as string],
          Tags: [
            { Key: 'CanaryGroup', Value: CANARY_GROUP },
            { Key: 'CanaryRelease', Value: release },
          ],
        }),
      );
      const lb = created.LoadBalancers?.[0];
      if (!lb?.LoadBalancerArn || !lb.DNSName) throw new Error(`CreateLoadBalancer ${name} returned nothing`);
      const listener = await elbv2.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: [
            {
              Type: 'fixed-response',
              FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no route' },
            },
          ],
        }),
      );
      const listenerArn = listener.Listeners?.[0]?.ListenerArn;
      if (!listenerArn) throw new Error(`CreateListener on ${name} returned nothing`);
      return {
        name,
        arn: lb.LoadBalancerArn,
        dnsName: lb.DNSName,
        canonicalHostedZoneId: lb.CanonicalHostedZoneId ?? '',
        listenerArn,
      };
    };
    // Sequential on purpose: moto names a load balancer's DNS after creation order.
    const blue = await slot('blue');
    const green = await slot('green');

    const [zone, cluster, identity] = await Promise.all([
      route53.send(
        new CreateHostedZoneCommand({
          Name: HOSTED_ZONE_NAME,
          CallerReference: `sandbox-${Date.now()}-${Math.random().toString(36).slice(2)}`,
          HostedZoneConfig: { PrivateZone: false, Comment: 'ecs-crd sandbox' },
        }),
      ),
      ecs.send(new CreateClusterCommand({ clusterName: CLUSTER_NAME })),
      sts.send(new GetCallerIdentityCommand({})),
    ]);
    const hostedZoneId = zone.HostedZone?.Id?.replace(/^\/hostedzone\//, '');
    const clusterArn = cluster.cluster?.clusterArn;
    if (!hostedZoneId || !clusterArn) throw new Error('hosted zone or cluster not created');
    // Two container instances (EC2 instances registered in the cluster): a DAEMON service runs one task on each.
    const image = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], MaxResults: 5 }));
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: image.Images?.[0]?.ImageId,
        InstanceType: 't3.micro',
        MinCount: CONTAINER_INSTANCES,
        MaxCount: CONTAINER_INSTANCES,
        SubnetId: subnets[0],
      }),
    );
    for (const instanceId of (launched.Instances ?? []).map((instance) => instance.InstanceId)) {
      await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: CLUSTER_NAME,
          instanceIdentityDocument: JSON.stringify({ instanceId, region }),
        }),
      );
    }
    return {
      accountId: identity.Account ?? '123456789012',
      vpcId,
      subnetIds: subnets,
      securityGroupId: group.GroupId,
      loadBalancers: { blue, green },
      hostedZoneId,
      hostedZoneName: HOSTED_ZONE_NAME,
      clusterName: CLUSTER_NAME,
      clusterArn,
    };
  } finally {
    for (const client of [ec2, elbv2, route53, ecs, sts]) client.destroy();
  }
}

function nameTag(resourceType: 'vpc') {
  return [{ ResourceType: resourceType, Tags: [{ Key: 'Name', Value: 'sandbox' }] }];
}

export interface PushedImage {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>`, as a deployment file names it. */
  image: string;
  digest: string;
}

/**
 * What `docker push` leaves in ECR, without Docker: the repository (created when missing) and
 * an image manifest under `tag` (ECR PutImage). Each tag gets its own config digest, so each
 * is a distinct image with a digest of its own.
 */
export async function pushImage(
  endpoint: string,
  region: string,
  repository: string,
  tag: string,
): Promise<PushedImage> {
  const ecr = new ECRClient(sdkConfig(endpoint, region));
  try {
    const registryId = await ecr
      .send(new CreateRepositoryCommand({ repositoryName: repository }))
      .then((created) => created.repository?.registryId)
      .catch((error: unknown) => {
        if (error instanceof Error && error.name === 'RepositoryAlreadyExistsException') return undefined;
        throw error;
      });
    const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: 1024,
        digest: sha256(`config ${repository}:${tag}`),
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: 2048,
          digest: sha256(`layer ${repository}:${tag}`),
        },
      ],
    });
    // ECR's digest of an image is the SHA-256 of its manifest (moto would hash the layers'
    // digests instead): given explicitly, as a client that computed it may.
    const put = await ecr.send(
      new PutImageCommand({
        repositoryName: repository,
        imageManifest: manifest,
        imageTag: tag,
        imageDigest: sha256(manifest),
      }),
    );
    const account = registryId ?? put.image?.registryId;
    const digest = put.image?.imageId?.imageDigest;
    if (!account || !digest) throw new Error(`PutImage ${repository}:${tag} returned no image`);
    return { image: `${account}.dkr.ecr.${region}.amazonaws.com/${repository}:${tag}`, digest };
  } finally {
    ecr.destroy();
  }
}

/** Reads the wrapper's `port=<n>` line, failing clearly on exit or timeout. */
function waitForPort(child: ChildProcess, timeoutMs: number, stderrTail: () => string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let buffered = '';
    const fail = (message: string) => {
      cleanup();
      reject(new Error(`${message}\n${stderrTail()}`.trim()));
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /^port=(\d+)$/m.exec(buffered);
      if (match?.[1]) {
        cleanup();
        resolvePort(Number(match[1]));
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(
        `moto exited before listening (code ${code}, signal ${signal}); is moto[server] 5.2 installed? (scripts/ensure-moto.sh)`,
      );
    const onError = (error: Error) => fail(`cannot start moto: ${error.message}`);
    const timer = setTimeout(() => fail(`moto did not listen within ${timeoutMs} ms`), timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/** Ends a child process: SIGTERM, then SIGKILL after a grace period. */
export function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** Starts moto on 127.0.0.1, waits until it listens, creates the fixtures. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const region = options.region ?? SANDBOX_REGION;
  const child = spawn(options.python ?? 'python3', [MOTO_WRAPPER, '--port', String(options.port ?? 0)], {
    // stdin stays open: moto stops by itself if this process dies without stopping it.
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, SANDBOX_MOTO_DETACHED: '0' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep only the tail, for error messages.
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  child.stdout?.resume();
  let port: number;
  try {
    port = await waitForPort(child, options.readyTimeoutMs ?? 20_000, () => stderr);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const fixtures = await createFixtures(endpoint, region);
    const traffic = await startTraffic(endpoint, region, options.traffic);
    const sandbox: Sandbox = {
      endpoint,
      region,
      fixtures,
      traffic,
      putAlarm: (name, state = 'OK') =>
        putAlarm(endpoint, region, sandbox.fixtures.loadBalancers.blue.arn, name, state),
      setAlarmState: (name, state) => setAlarmState(endpoint, region, name, state),
      env: sandboxEnv(endpoint, region),
      throttle: (rate, seed = 1) =>
        faultKnob(endpoint, 'throttle', new URLSearchParams({ rate: String(rate), seed: String(seed) })),
      failCall: (operation, after) =>
        faultKnob(endpoint, 'fail', new URLSearchParams({ operation, after: String(after) })),
      pushImage: (repository, tag) => pushImage(endpoint, region, repository, tag),
      async reset() {
        await faultKnob(endpoint, 'throttle', new URLSearchParams({ rate: '0' }));
        await faultKnob(endpoint, 'fail', new URLSearchParams({ operation: '' }));
        await resetEmulator(endpoint);
        sandbox.fixtures = await createFixtures(endpoint, region);
        traffic.clear();
      },
      async stop() {
        traffic.stop();
        child.stdin?.end();
        await stopProcess(child);
      },
    };
    return sandbox;
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
}
