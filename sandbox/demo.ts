/**
 * `npm run demo`: ecs-crd's whole story in the sandbox, for a newcomer without an AWS account.
 * Deploys 1.0.0, then a canary to 2.0.0 in three steps that succeeds, then a 3.0.0 whose
 * targets turn unhealthy and is rolled back; ends with `status` and `history`. Simulated
 * clients send requests to the service throughout (the sandbox's traffic model): after each
 * release, what each version served and how many requests failed. Run it in a terminal to see
 * the live view.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxCli } from './ecs-crd.js';
import { REPO_ROOT, startSandbox } from './harness.js';
import { describeTraffic } from './traffic/run.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const STEPS = [
  { weight: 10, wait: 5 },
  { weight: 50, wait: 5 },
  { weight: 100, wait: 5 },
];

const BOLD = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

function banner(text: string): void {
  process.stdout.write(BOLD ? `\n\x1b[1m━━ ${text}\x1b[0m\n\n` : `\n━━ ${text}\n\n`);
}

async function main(): Promise<number> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'commands', 'deploy.js'))) {
    process.stderr.write('ecs-crd is not built: run `npm ci` (or `npm run build`) first.\n');
    return 1;
  }
  banner('Starting the sandbox: moto on 127.0.0.1, two ALBs (blue, green), zone sandbox.example.com');
  const sandbox = await startSandbox();
  const cli = new SandboxCli(sandbox, { colour: true });
  try {
    const step = async (title: string, args: string[], expected: number): Promise<void> => {
      banner(`${title}\n   $ ecs-crd ${args.join(' ')}`);
      const code = await cli.show(args);
      if (code !== expected) throw new Error(`expected exit ${expected}, got ${code}`);
    };
    /** The step, with clients sending requests to the service all along; then what they saw. */
    const withTraffic = async (title: string, args: string[], expected: number): Promise<void> => {
      const mark = await sandbox.traffic.mark();
      try {
        await step(title, args, expected);
      } finally {
        const traffic = sandbox.traffic.since(mark);
        process.stdout.write(`\n   traffic during the release: ${describeTraffic(traffic)}\n`);
      }
    };
    const v1 = cli.release({ version: '1.0.0', strategy: STEPS });
    await step('First deployment of 1.0.0: straight to 100 %', ['deploy', ...cli.flags(v1)], 0);
    const v2 = cli.release({ version: '2.0.0', strategy: STEPS });
    await withTraffic(
      'Canary 1.0.0 → 2.0.0: 10 %, 50 %, 100 %, watching health',
      ['deploy', ...cli.flags(v2)],
      0,
    );
    const v3 = cli.release({ version: '3.0.0', strategy: STEPS, health: 'unhealthy', health_timeout: 10 });
    await withTraffic(
      '3.0.0 with unhealthy targets: rolled back by itself (exit 3)',
      ['deploy', ...cli.flags(v3)],
      3,
    );
    await step('Where the service stands', ['status', ...cli.flags(v2)], 0);
    await step('What happened', ['history', ...cli.flags(v2)], 0);
    banner('Done: 2.0.0 serves 100 %, 3.0.0 never took traffic from it, and no request failed.');
    return 0;
  } catch (error) {
    process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    cli.cleanup();
    await sandbox.stop();
  }
}

process.exitCode = await main();
