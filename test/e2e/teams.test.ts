/**
 * A team on one S3 backend: two machines (two `SandboxCli`s, each with its own home, hence its
 * own workspaces, report data and no shared file) deploy the same service with state in the emulator's S3
 * and secrets sealed by the emulator's KMS, through the CLI and the real engine.
 *
 * The sandbox's lease lives `TTL` seconds without renewal (`ECS_CRD_LEASE_TTL`), where a team's
 * lives a minute: a killed run's lease expires within the scenario.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { SandboxCli, type TeamBackend, waitForOutput } from '../../sandbox/ecs-crd.js';
import { createKmsAlias, createStateBucket, stateObjects } from '../../sandbox/teams.js';
import { describeTraffic } from '../../sandbox/traffic/run.js';
import { DeployWorld } from './deploy-world.js';

const TTL = 4;
const BUCKET = 'team-state';
const PREFIX = 'platform/ecs-crd';
const ALIAS = 'alias/ecs-crd-state';

/** A canary that ends at 100 % after a second: no minute of bake (the implied last step) in these scenarios. */
const QUICK = [
  { weight: 50, wait: 1 },
  { weight: 100, wait: 1 },
];

interface Machine {
  name: string;
  cli: SandboxCli;
}

describe('teams: two machines on an S3 backend with KMS secrets, through the CLI', function () {
  this.timeout(600_000);
  let w: DeployWorld;
  let a: Machine;
  let b: Machine;

  before(async () => {
    w = await DeployWorld.start();
    const { backendUrl } = await createStateBucket(w.sandbox.endpoint, BUCKET, { prefix: PREFIX });
    const { secretsProvider } = await createKmsAlias(w.sandbox.endpoint, ALIAS);
    const backend: TeamBackend = {
      url: backendUrl,
      secretsProvider,
      env: { ECS_CRD_LEASE_TTL: String(TTL) },
    };
    a = { name: 'A', cli: new SandboxCli(w.sandbox, { backend }) };
    b = { name: 'B', cli: new SandboxCli(w.sandbox, { backend }) };
  });

  after(async () => {
    a?.cli.cleanup();
    b?.cli.cleanup();
    await w?.stop();
  });

  const deploy = (m: Machine, file: string, ...more: string[]) =>
    m.cli.run(['deploy', ...m.cli.flags(file, ...more)]);

  it('A deploys with its state in S3 and KMS secrets; B sees it, with no passphrase anywhere', async () => {
    const file = a.cli.release({ version: '1.0.0', strategy: QUICK });
    const first = await deploy(a, file, '--json');
    expect(first.code, first.stderr).to.equal(0);
    expect(await w.weights()).to.deep.equal({ blue: 100, green: 0 });

    // B has never run anything: everything it needs is in the bucket.
    const seen = await w.status(file, b.cli);
    expect(seen).to.deep.equal({ phase: 'stable', live: { slot: 'blue', version: '1.0.0' } });
    const history = await b.cli.run(['history', ...b.cli.flags(file, '--json')]);
    expect(history.code, history.stderr).to.equal(0);
    expect(JSON.stringify(JSON.parse(history.stdout))).to.contain('1.0.0');
    // A's report data is beside the state: B renders A's deployment.
    const page = join(b.cli.home, 'report.html');
    const report = await b.cli.run(['history', ...b.cli.flags(file, '--report', page, '--json')]);
    expect(report.code, report.stderr).to.equal(0);
    const deploymentId = (JSON.parse(first.stdout) as { deployment_id: string }).deployment_id;
    expect(JSON.parse(report.stdout)).to.include({ deployment_id: deploymentId, version: '1.0.0' });
    expect(readFileSync(page, 'utf8')).to.contain(deploymentId);

    // The state is under the prefix, sealed by the KMS key; neither machine holds a passphrase.
    const objects = await stateObjects(w.sandbox.endpoint, BUCKET, PREFIX);
    const keys = [...objects.keys()];
    const checkpoint = keys.find(
      (key) => key.startsWith(`${PREFIX}/.pulumi/stacks/`) && key.endsWith('.json'),
    );
    expect(checkpoint, keys.join('\n')).to.be.a('string');
    const state = JSON.parse(objects.get(checkpoint ?? '') ?? '{}') as {
      checkpoint: { latest: { secrets_providers: { type: string; state: { url: string } } } };
    };
    expect(state.checkpoint.latest.secrets_providers.type).to.equal('cloud');
    expect(state.checkpoint.latest.secrets_providers.state.url).to.match(/^awskms:\/\/alias\/ecs-crd-state/);
    for (const m of [a, b]) {
      expect(m.cli.env.PULUMI_CONFIG_PASSPHRASE, m.name).to.equal(undefined);
      expect(m.cli.env.PULUMI_CONFIG_PASSPHRASE_FILE, m.name).to.equal(undefined);
      expect(m.cli.passphraseFileExists(), m.name).to.equal(false);
    }
    for (const output of [first.stdout, first.stderr, history.stdout, history.stderr])
      expect(output).not.to.match(/passphrase/i);
  });

  it('A and B deploy at once: exactly one proceeds, the other exits 5 naming it', async () => {
    const fileA = a.cli.release({ version: '2.0.0', strategy: QUICK });
    const fileB = b.cli.release({ version: '2.0.0', strategy: QUICK });
    const [ra, rb] = await Promise.all([deploy(a, fileA), deploy(b, fileB)]);
    const codes = [ra.code, rb.code].sort();
    expect(codes, `${ra.stderr}\n---\n${rb.stderr}`).to.deep.equal([0, 5]);
    const loser = ra.code === 5 ? ra : rb;
    expect(loser.stderr).to.match(/held by another run: deploy by .+@.+ \(pid \d+\) since/);
    expect(await w.weights()).to.deep.equal({ blue: 0, green: 100 });
    expect((await w.status(fileA, a.cli)).live).to.deep.equal({ slot: 'green', version: '2.0.0' });
  });

  it('A is killed mid-canary: B’s rollback refuses while A lives, then takes the expired lease over and restores', async () => {
    const file = a.cli.release({ version: '3.0.0', strategy: [{ weight: 10, wait: 120 }] });
    const { traffic } = await w.withTraffic(async () => {
      const run = a.cli.start(['deploy', ...a.cli.flags(file)]);
      await waitForOutput(run.output, /Traffic: .*10 %[\s\S]*wait\.started/);

      // A renews its lease: B's rollback waits for a renewal, then refuses.
      const refused = await b.cli.run(['rollback', ...b.cli.flags(file)]);
      expect(refused.code, refused.stderr).to.equal(5);
      expect(refused.stderr).to.match(/deploy by .+@.+ \(pid \d+\)/);

      run.child.kill('SIGKILL');
      await run.done;
      expect(await w.weights()).to.deep.equal({ blue: 10, green: 90 });

      const rollback = await b.cli.run(['rollback', ...b.cli.flags(file, '--json')]);
      expect(rollback.code, rollback.stderr).to.equal(0);
      const doc = JSON.parse(rollback.stdout) as { changed: boolean; actions: string[] };
      expect(doc.changed).to.equal(true);
      // It took the lease over once it expired: neither a dead process (S3 trusts no pid) nor a live one broken.
      expect(doc.actions.join('\n')).to.match(
        /took the stack over from deploy by .+@.+ \(pid \d+\) since .+, whose lease was last renewed \d+ s ago/,
      );
    });
    expect(traffic.failedTotal, describeTraffic(traffic)).to.equal(0);
    expect(await w.weights()).to.deep.equal({ blue: 0, green: 100 });
    expect(await w.status(file, a.cli)).to.deep.equal({
      phase: 'rolled_back',
      live: { slot: 'green', version: '2.0.0' },
    });
  });

  it('B undeploys what A deployed: the stack leaves the bucket', async () => {
    const file = b.cli.release({ version: '2.0.0' });
    const result = await b.cli.run(['undeploy', ...b.cli.flags(file, '--yes')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(await w.weights()).to.deep.equal({});
    const left = await stateObjects(w.sandbox.endpoint, BUCKET, `${PREFIX}/.pulumi/stacks/`);
    expect([...left.keys()].filter((key) => key.endsWith('.json'))).to.deep.equal([]);
    expect((await w.status(file, a.cli)).phase).to.equal('none');
  });
});
