/**
 * A team's state in S3 and its secrets in KMS, on the real engine against the sandbox's moto:
 * the product's runner with `s3://bucket/prefix` (the endpoint reaching the engine only through
 * what the runner gives it), an `awskms://alias/…` provider with no passphrase anywhere, a
 * second machine (another ECS_CRD_HOME) reading and destroying what the first deployed, and
 * the engine's failures on a missing bucket, key or credentials as the user sees them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { pinnedPulumiVersion } from '../../sandbox/engine.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { createKmsAlias, createStateBucket, stateObjects } from '../../sandbox/teams.js';
import type { StackRunner } from '../../src/canary/ports/stack.js';
import { EcsCrdError, UsageError } from '../../src/errors.js';
import { resolveBackend } from '../../src/stack/backend.js';
import { stackName } from '../../src/stack/naming.js';
import { openStackRunner } from '../../src/stack/runner.js';
import type { HistoryDocument } from '../../src/ui/documents.js';
import { setEnv } from '../aws/fake-endpoint.js';
import { ROOT, requireBuild, runCli } from '../commands/cli.js';
import { buildIdentity } from '../helpers/builders.js';
import { CLIENT_SECRET, desired, httpsListener, SECRET_ARN } from './teams-world.js';

describe('e2e: state in S3 and secrets in KMS, on the engine against the emulator', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let dir: string;
  let listenerArn: string;
  let certificate: string;
  let restoreEnv: () => void;
  /** The engine's environment the sandbox gives, minus the endpoint: the runner must pass it on. */
  let engineEnv: Record<string, string>;

  before(async () => {
    requireBuild();
    sandbox = await startSandbox({ traffic: false });
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-teams-'));
    // No passphrase anywhere, no endpoint but the one ecs-crd is given: the engine inherits
    // this process's environment.
    restoreEnv = setEnv({
      PULUMI_CONFIG_PASSPHRASE: undefined,
      PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
      PULUMI_SECRETS_PROVIDER: undefined,
      PULUMI_BACKEND_URL: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_PROFILE: undefined,
    });
    const { AWS_ENDPOINT_URL: _passedByTheRunner, ...rest } = sandbox.env;
    engineEnv = rest;
  });

  beforeEach(async () => {
    // Each scenario on a fresh emulator: one that failed leaves names and rule priorities taken.
    await sandbox.reset();
    ({ listenerArn, certificate } = await httpsListener(sandbox));
  });

  after(async () => {
    restoreEnv?.();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A machine: its own ECS_CRD_HOME, the runner a command opens (`--endpoint-url` given). */
  async function machine(
    home: string,
    name: string,
    backend: { url: string; secretsProvider?: string; passphrase?: string },
    extraEnv: Record<string, string> = {},
    endpointUrl = sandbox.endpoint,
  ): Promise<{ runner: StackRunner; home: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ECS_CRD_HOME: join(dir, home),
      ...(backend.passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: backend.passphrase } : {}),
    };
    const resolved = resolveBackend(backend.url, env, backend.secretsProvider);
    const runner = await openStackRunner({
      identity: { ...buildIdentity({ name }), region: sandbox.region },
      pulumiVersion: pinnedPulumiVersion(),
      backend: resolved,
      provider: { region: sandbox.region, endpointUrl },
      engineEnv: {
        ...engineEnv,
        ...(backend.passphrase !== undefined ? { PULUMI_CONFIG_PASSPHRASE: backend.passphrase } : {}),
        ...extraEnv,
      },
      env,
      readSecret: async (arn) => {
        expect(arn).to.equal(SECRET_ARN);
        return CLIENT_SECRET;
      },
    });
    return { runner, home: join(dir, home) };
  }

  it('S3 state with a passphrase: everything under the prefix, read by a second machine', async () => {
    const { bucket, backendUrl } = await createStateBucket(sandbox.endpoint, 'team-state', {
      prefix: 'teams/shop',
    });
    const name = 'orders-pass';
    const stack = stackName({ ...buildIdentity({ name }), region: sandbox.region });
    const a = await machine('a', name, { url: backendUrl, passphrase: 'team passphrase' });
    const state = desired(sandbox, name, listenerArn, certificate);
    await a.runner.up(state);
    const outputs = await a.runner.outputs();
    expect(outputs?.meta.phase).to.equal('stable');
    expect(await a.runner.history()).to.have.length(1);

    const objects = await stateObjects(sandbox.endpoint, bucket);
    const keys = [...objects.keys()];
    expect(
      keys.every((key) => key.startsWith('teams/shop/.pulumi/')),
      keys.join(', '),
    ).to.equal(true);
    expect(keys).to.include(`teams/shop/.pulumi/stacks/ecs-crd/${stack}.json`);
    expect(keys.some((key) => key.startsWith(`teams/shop/.pulumi/history/ecs-crd/${stack}/`))).to.equal(true);
    const stored = [...objects.values()].join('\n');
    expect(stored).to.include('"type":"passphrase"');
    expect(stored, 'the state in S3').not.to.include(CLIENT_SECRET);

    const b = await machine('b', name, { url: backendUrl, passphrase: 'team passphrase' });
    expect(await b.runner.outputs()).to.deep.equal(outputs);
    expect((await b.runner.history()).map((entry) => entry.result)).to.deep.equal(['succeeded']);

    // Asking for a key on a passphrase stack: refused before anything, naming both.
    const c = await machine('c', name, {
      url: backendUrl,
      secretsProvider: 'awskms://alias/elsewhere?region=eu-west-1',
    });
    const refused = await c.runner.outputs().catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(UsageError);
    // The engine wants the stack's passphrase before it says what the stack records.
    expect((refused as Error).message).to.match(
      /sealed with a passphrase, not with awskms:\/\/alias\/elsewhere\?region=eu-west-1 as asked/,
    );

    await b.runner.destroy();
    await b.runner.remove();
    // A's next run (a fresh runner: this one remembers what it read) finds the stack gone.
    const again = await machine('a', name, { url: backendUrl, passphrase: 'team passphrase' });
    expect(await again.runner.outputs()).to.equal(null);
  });

  it('KMS secrets: no passphrase anywhere; the second machine reads the outputs; no clear secret in S3', async () => {
    const { bucket, backendUrl } = await createStateBucket(sandbox.endpoint, 'team-kms', { prefix: 'state' });
    const { secretsProvider } = await createKmsAlias(sandbox.endpoint, 'ecs-crd-state');
    // examples/seed.deploy.yml's service, so that the CLI reads this stack below.
    const name = 'catalog';
    const stack = stackName({ ...buildIdentity({ name }), region: sandbox.region });
    const a = await machine('ka', name, { url: backendUrl, secretsProvider });
    const state = desired(sandbox, name, listenerArn, certificate);
    const summary = await a.runner.up(state);
    expect(summary.changes.create ?? 0).to.be.greaterThan(0);
    const outputs = await a.runner.outputs();

    const objects = await stateObjects(sandbox.endpoint, bucket, 'state/');
    const checkpoint = objects.get(`state/.pulumi/stacks/ecs-crd/${stack}.json`) ?? '';
    // The provider as asked: the endpoint reached the engine through its environment, not the URL.
    expect(checkpoint).to.include(
      `"secrets_providers":{"type":"cloud","state":{"url":"${secretsProvider}","encryptedkey":`,
    );
    // The client secret is in the state, sealed: its rule's input, never its value.
    expect(checkpoint).to.include(
      '"clientSecret":{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270"',
    );
    expect([...objects.values()].join('\n'), 'the state in S3').not.to.include(CLIENT_SECRET);

    // Machine B: its own home, the team's settings (PULUMI_SECRETS_PROVIDER), no passphrase.
    const b = await machine('kb', name, { url: backendUrl, secretsProvider });
    expect(await b.runner.outputs()).to.deep.equal(outputs);
    expect(await b.runner.history()).to.have.length(1);
    // And it changes it: a second update, then the teardown, from B.
    await b.runner.up({ ...state, meta: { ...state.meta, deploymentId: 'd-second' } });

    // The commands themselves, on a third machine: by flags, then by the environment alone.
    const seed = ['-e', 'prod', '-r', sandbox.region, '-f', 'examples/seed.deploy.yml', '--json'];
    const credentials = {
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    for (const [args, env] of [
      [
        [
          '--backend-url',
          backendUrl,
          '--endpoint-url',
          sandbox.endpoint,
          '--secrets-provider',
          secretsProvider,
        ],
        { ECS_CRD_HOME: join(dir, 'kc') },
      ],
      [
        [],
        {
          ECS_CRD_HOME: join(dir, 'kd'),
          PULUMI_BACKEND_URL: backendUrl,
          AWS_ENDPOINT_URL: sandbox.endpoint,
          PULUMI_SECRETS_PROVIDER: secretsProvider,
        },
      ],
    ] as const) {
      const { status, stdout, stderr } = runCli(['history', ...seed, ...args], {
        env: { ...credentials, ...env },
        cwd: ROOT,
      });
      expect(status, stderr).to.equal(0);
      const ids = (JSON.parse(stdout) as HistoryDocument).map((deployment) => deployment.deployment_id);
      expect(ids).to.include.members(['d-second', state.meta.deploymentId]);
      expect(existsSync(join(env.ECS_CRD_HOME, 'passphrase'))).to.equal(false);
    }

    await b.runner.destroy();
    await b.runner.remove();
    for (const home of [a.home, b.home]) {
      expect(existsSync(join(home, 'passphrase')), `${home}/passphrase`).to.equal(false);
    }
  });

  it('a KMS stack opened without --secrets-provider keeps its key, whatever passphrase is set', async () => {
    const { bucket, backendUrl } = await createStateBucket(sandbox.endpoint, 'team-keep', { prefix: '' });
    const { secretsProvider } = await createKmsAlias(sandbox.endpoint, 'alias/ecs-crd-keep');
    const name = 'orders-keep';
    const stack = stackName({ ...buildIdentity({ name }), region: sandbox.region });
    const a = await machine('pa', name, { url: backendUrl, secretsProvider });
    const state = desired(sandbox, name, listenerArn, certificate);
    await a.runner.up(state);
    // A teammate with a passphrase for other stacks, and no provider named: the state's key
    // reads and seals this one (the engine falls back to it), the passphrase plays no part.
    const b = await machine('pb', name, { url: backendUrl, passphrase: 'for other stacks' });
    expect((await b.runner.outputs())?.meta.phase).to.equal('stable');
    await b.runner.up({ ...state, meta: { ...state.meta, deploymentId: 'd-from-b' } });
    const checkpoint = (await stateObjects(sandbox.endpoint, bucket)).get(
      `.pulumi/stacks/ecs-crd/${stack}.json`,
    );
    expect(checkpoint).to.include(`"secrets_providers":{"type":"cloud","state":{"url":"${secretsProvider}"`);
    // Another key asked for: refused before anything, naming the stack's.
    const other = await machine('pc', name, { url: backendUrl, secretsProvider: 'awskms://alias/another' });
    const refused = await other.runner.outputs().catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(UsageError);
    expect((refused as UsageError).message).to.equal(
      `The stack ${stack} seals its secrets with ${secretsProvider}, not with awskms://alias/another as asked.`,
    );
    await b.runner.destroy();
    await b.runner.remove();
  });

  it('a stack whose state records no secrets provider yet is sealed with the key asked', async () => {
    const { bucket, backendUrl } = await createStateBucket(sandbox.endpoint, 'team-bare', { prefix: 'p' });
    const { secretsProvider } = await createKmsAlias(sandbox.endpoint, 'ecs-crd-bare');
    const name = 'orders-bare';
    const stack = stackName({ ...buildIdentity({ name }), region: sandbox.region });
    // A stack as an older engine's `stack init` left it: a checkpoint naming the stack, nothing else.
    const s3 = new S3Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
      forcePathStyle: true,
    });
    try {
      for (const [key, body] of [
        ['p/.pulumi/meta.yaml', 'version: 1\n'],
        [
          `p/.pulumi/stacks/ecs-crd/${stack}.json`,
          JSON.stringify({ version: 3, checkpoint: { stack: `organization/ecs-crd/${stack}` } }),
        ],
      ]) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      }
    } finally {
      s3.destroy();
    }
    const a = await machine('ba', name, { url: backendUrl, secretsProvider });
    // No passphrase anywhere: the engine's default manager would refuse to start.
    await a.runner.up(desired(sandbox, name, listenerArn, certificate));
    const checkpoint = (await stateObjects(sandbox.endpoint, bucket, 'p/')).get(
      `p/.pulumi/stacks/ecs-crd/${stack}.json`,
    );
    expect(checkpoint).to.include(`"secrets_providers":{"type":"cloud","state":{"url":"${secretsProvider}"`);
    expect(checkpoint).not.to.include(CLIENT_SECRET);
    await a.runner.destroy();
  });

  it('a bucket or a key that does not exist, or no credentials: what to do, never a stack trace', async () => {
    const missingBucket = await machine('e1', 'orders-x', {
      url: 's3://no-such-bucket/state',
      passphrase: 'x',
    });
    const noBucket = await missingBucket.runner.outputs().catch((error: unknown) => error);
    expect(noBucket).to.be.instanceOf(UsageError);
    expect((noBucket as Error).message).to.match(/state bucket no-such-bucket does not exist/);

    const { backendUrl } = await createStateBucket(sandbox.endpoint, 'team-errors');
    const missingKey = await machine('e2', 'orders-x', {
      url: backendUrl,
      secretsProvider: 'awskms://alias/no-such-key?region=eu-west-1',
    });
    const noKey = await missingKey.runner
      .up(desired(sandbox, 'orders-x', listenerArn, certificate))
      .catch((error: unknown) => error);
    expect(noKey).to.be.instanceOf(UsageError);
    expect((noKey as Error).message).to.match(/KMS key .* does not exist .*no-such-key/);

    const anonymous = await machine(
      'e3',
      'orders-x',
      { url: backendUrl, passphrase: 'x' },
      {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
        AWS_CONFIG_FILE: join(dir, 'none'),
      },
    );
    const noCredentials = await anonymous.runner.outputs().catch((error: unknown) => error);
    expect(noCredentials).to.be.instanceOf(EcsCrdError);
    expect((noCredentials as EcsCrdError).message).to.match(/no AWS credentials/);
    expect((noCredentials as EcsCrdError).hint).to.match(/--profile/);

    // Port 9 (discard): nothing listens there.
    const nowhere = await machine(
      'e4',
      'orders-x',
      { url: backendUrl, passphrase: 'x' },
      {},
      'http://127.0.0.1:9',
    );
    const unreachable = await nowhere.runner.outputs().catch((error: unknown) => error);
    expect(unreachable).to.be.instanceOf(EcsCrdError);
    expect((unreachable as EcsCrdError).message).to.match(/could not reach AWS S3 .*connection refused/);
  });
});
