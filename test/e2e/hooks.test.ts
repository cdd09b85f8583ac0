/**
 * Hooks through the CLI and the real engine (issue 14's bars): a `before_traffic` command that
 * exits 1 rolls the release back before it ever had traffic (exit 3), and never sees the
 * engine's or AWS's secrets; a webhook receives every event of a canary, in order, with the
 * documented JSON fields and the file's headers, whose values appear nowhere else.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { startWebhookReceiver } from '../../sandbox/webhook.js';

const FQDN = 'api.sandbox.example.com';

describe('hooks through the CLI', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let route53: Route53Client;

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
    route53 = new Route53Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
    });
    const first = await cli.run(['deploy', ...cli.flags(cli.release({ version: '1.0.0' }))]);
    expect(first.code, first.stderr).to.equal(0);
  });

  after(async () => {
    route53?.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  /** The weight of FQDN's record per set identifier (slot release id). */
  async function recordWeights(): Promise<Record<string, number>> {
    const out = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: sandbox.fixtures.hostedZoneId }),
    );
    return Object.fromEntries(
      (out.ResourceRecordSets ?? [])
        .filter((r) => r.Name === `${FQDN}.` && r.Type === 'A' && r.SetIdentifier)
        .map((r) => [r.SetIdentifier, r.Weight ?? 0]),
    );
  }

  it('a before_traffic command that exits 1 rolls back before any traffic (exit 3), with no secret in its environment', async () => {
    const file = cli.release({
      version: '2.0.0',
      strategy: [
        { weight: 20, wait: 1 },
        { weight: 100, wait: 1 },
      ],
      hooks: { before_traffic: [{ command: [process.execPath, 'smoke.mjs', 'seen.json'], timeout: 30 }] },
    });
    const folder = dirname(file);
    // Runs in the deployment file's folder: it records what it was given, then fails.
    writeFileSync(
      join(folder, 'smoke.mjs'),
      [
        "import { writeFileSync } from 'node:fs';",
        'const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("ECS_CRD_")));',
        'const secrets = ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_ACCESS_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"].filter((k) => k in process.env);',
        'writeFileSync(process.argv[2], JSON.stringify({ cwd: process.cwd(), env, secrets }));',
        'console.log("smoke: " + env.ECS_CRD_CANDIDATE_URL + " Host " + env.ECS_CRD_CANDIDATE_HOST + ": 503");',
        'process.exit(1);',
      ].join('\n'),
    );
    const before = await recordWeights();
    const log = join(cli.home, 'hook-fails.log');
    const run = cli.start(['deploy', ...cli.flags(file, '--json', '--log-file', log)]);
    // Route 53 watched all along: the highest weight each set identifier had.
    const highest: Record<string, number> = {};
    let running = true;
    const watching = (async () => {
      while (running) {
        for (const [id, weight] of Object.entries(await recordWeights()))
          highest[id] = Math.max(highest[id] ?? 0, weight);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const result = await run.done;
    running = false;
    await watching;
    expect(result.code, result.stdout + result.stderr).to.equal(3);
    const doc = JSON.parse(result.stdout) as {
      outcome: string;
      reason: string;
      slot: string;
      steps: { weight: number; outcome: string }[];
    };
    expect(doc.outcome).to.equal('rolled_back');
    expect(doc.reason)
      .to.match(/hook before_traffic failed/)
      .and.to.match(/exit code 1/);
    // No shift step ran: the candidate never had a weight above 0.
    expect(doc.steps.map((s) => s.outcome)).to.deep.equal(['not_run', 'not_run']);
    expect(highest[doc.slot === 'blue' ? 'green' : 'blue'], 'the stable release’s record').to.equal(100);
    expect(highest[doc.slot] ?? 0, 'the candidate’s record').to.equal(0);
    const seen = JSON.parse(readFileSync(join(folder, 'seen.json'), 'utf8')) as {
      cwd: string;
      env: Record<string, string>;
      secrets: string[];
    };
    expect(seen.cwd).to.equal(folder);
    expect(seen.secrets, 'secrets never go to hooks').to.deep.equal([]);
    expect(seen.env).to.deep.include({
      ECS_CRD_HOOK: 'before_traffic',
      ECS_CRD_SERVICE: 'api',
      ECS_CRD_VERSION: '2.0.0',
      ECS_CRD_WEIGHT: '0',
      ECS_CRD_STABLE_VERSION: '1.0.0',
      ECS_CRD_CANDIDATE_HOST: FQDN,
      ECS_CRD_STEP: '',
      ECS_CRD_STEPS: '2',
    });
    const alb =
      doc.slot === 'blue' ? sandbox.fixtures.loadBalancers.blue : sandbox.fixtures.loadBalancers.green;
    expect(seen.env.ECS_CRD_CANDIDATE_URL).to.equal(`http://${alb.dnsName}:80`);
    // Its output went to the log file (and to the console only with --verbose).
    expect(readFileSync(log, 'utf8')).to.include('smoke: http://');
    expect(result.stderr).to.not.include('smoke: http://');
    expect(await recordWeights()).to.deep.equal(before);
  });

  it('a webhook receives every event of a canary in order, with the documented fields and the file’s headers', async () => {
    const hook = await startWebhookReceiver();
    try {
      const token = 's3cr3t-hook-token-4242';
      const webhook = {
        webhook: hook.url,
        headers: { Authorization: 'Bearer {{env.HOOK_TOKEN}}' },
        timeout: 5,
        retries: 0,
      };
      const points = ['before_traffic', 'after_step', 'before_finalize', 'after_deploy', 'after_rollback'];
      const file = cli.release({
        version: '3.0.0',
        strategy: [
          { weight: 20, wait: 1 },
          { weight: 50, wait: 1 },
          { weight: 100, wait: 1 },
        ],
        hooks: Object.fromEntries(points.map((point) => [point, [webhook]])),
      });
      const log = join(cli.home, 'webhook.log');
      const result = await cli.run(['deploy', ...cli.flags(file, '--json', '--log-file', log, '--verbose')], {
        env: { HOOK_TOKEN: token },
      });
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      const { slot } = JSON.parse(result.stdout) as { slot: string };

      expect(hook.received.map((r) => `${r.method} ${r.path}`)).to.satisfy((all: string[]) =>
        all.every((line) => line === 'POST /hook'),
      );
      const events = hook.events() as unknown as Record<string, unknown>[];
      expect(events.map((e) => [e.hook, e.step, e.weight])).to.deep.equal([
        ['before_traffic', null, 0],
        ['after_step', 1, 20],
        ['after_step', 2, 50],
        ['after_step', 3, 100],
        ['before_finalize', null, 100],
        ['after_deploy', null, 100],
      ]);
      const ids = new Set(events.map((e) => e.deploymentId));
      expect(ids.size).to.equal(1);
      const alb =
        slot === 'blue' ? sandbox.fixtures.loadBalancers.blue : sandbox.fixtures.loadBalancers.green;
      for (const event of events) {
        expect(event).to.have.all.keys(
          'hook',
          'deploymentId',
          'project',
          'service',
          'environment',
          'region',
          'version',
          'slot',
          'releaseId',
          'stable',
          'weight',
          'step',
          'steps',
          'candidate',
          'outcome',
          'reason',
          'at',
        );
        expect(event).to.deep.include({
          project: 'sandbox',
          service: 'api',
          environment: 'dev',
          region: sandbox.region,
          version: '3.0.0',
          slot,
          releaseId: slot,
          // 2.0.0 of the scenario above never went live.
          stable: { version: '1.0.0', slot: slot === 'blue' ? 'green' : 'blue' },
          steps: 3,
          candidate: { url: `http://${alb.dnsName}:80`, host: FQDN },
        });
        expect(Date.parse(String(event.at))).to.be.a('number').and.not.NaN;
      }
      expect(events.slice(0, -1).every((e) => e.outcome === null && e.reason === null)).to.equal(true);
      expect(events.at(-1)).to.deep.include({ outcome: 'deployed' });
      const times = events.map((e) => Date.parse(String(e.at)));
      expect([...times].sort((a, b) => a - b)).to.deep.equal(times);

      for (const { headers } of hook.received) {
        expect(headers['content-type']).to.match(/^application\/json/);
        expect(headers['user-agent']).to.match(/^ecs-crd\/\d/);
        expect(headers.authorization).to.equal(`Bearer ${token}`);
      }
      // A header's value is sent, and shown nowhere: not in the output, the log or the state.
      const state = filesUnder(join(cli.home, 'state')).map((f) => readFileSync(f, 'utf8'));
      expect(
        state.some((text) => text.includes('3.0.0')),
        'the state was read',
      ).to.equal(true);
      for (const text of [result.stdout, result.stderr, readFileSync(log, 'utf8'), ...state])
        expect(text).to.not.include(token);
    } finally {
      await hook.close();
    }
  });

  it('a failing after_step webhook rolls back (retried on 5xx), after_rollback hears it; a failing after_deploy only warns', async () => {
    // 1: step 1 passes; 2 and its retry: 500 at step 2; 4: after_rollback.
    const hook = await startWebhookReceiver({ status: (n) => (n === 2 || n === 3 ? 500 : 204) });
    try {
      const webhook = { webhook: hook.url, timeout: 5, retries: 1 };
      const strategy = [
        { weight: 20, wait: 1 },
        { weight: 100, wait: 1 },
      ];
      const failing = cli.release({
        version: '4.0.0',
        strategy,
        hooks: { after_step: [webhook], after_rollback: [webhook] },
      });
      const result = await cli.run(['deploy', ...cli.flags(failing, '--json')]);
      expect(result.code, result.stdout + result.stderr).to.equal(3);
      const doc = JSON.parse(result.stdout) as { reason: string; steps: { outcome: string }[] };
      expect(doc.reason).to.match(/^Step \d+\/\d+: hook after_step failed: .*500/);
      expect(doc.steps.map((s) => s.outcome)).to.deep.equal(['passed', 'failed']);
      expect(hook.events().map((e) => [e.hook, e.step, e.outcome])).to.deep.equal([
        ['after_step', 1, null],
        ['after_step', 2, null],
        ['after_step', 2, null],
        ['after_rollback', null, 'rolled_back'],
      ]);
    } finally {
      await hook.close();
    }

    const refusing = await startWebhookReceiver({ status: 404 });
    try {
      const file = cli.release({
        version: '4.0.1',
        strategy: [{ weight: 100, wait: 1 }],
        hooks: { after_deploy: [{ webhook: refusing.url, timeout: 5, retries: 2 }] },
      });
      const log = join(cli.home, 'after-deploy.log');
      const result = await cli.run(['deploy', ...cli.flags(file, '--json', '--log-file', log)]);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
      expect(JSON.parse(result.stdout)).to.deep.include({ outcome: 'deployed', version: '4.0.1' });
      expect(readFileSync(log, 'utf8')).to.match(/WARN.*after_deploy.*HTTP 404/);
      // A 4xx other than 429 is not retried.
      expect(refusing.events().map((e) => e.hook)).to.deep.equal(['after_deploy']);
    } finally {
      await refusing.close();
    }
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
