/**
 * `npm run -s sandbox -- start|env|stop`: the sandbox for a person at a shell.
 *
 *   eval "$(npm run -s sandbox start)"   starts moto (detached) with the fixtures and the sandbox's own
 *                                        traffic (detached too; `start --no-traffic` without it,
 *                                        `--rate R --seed S` to set it), prints `export …` lines
 *   eval "$(npm run -s sandbox env)"     prints them again for a running sandbox
 *   npm run -s sandbox stop              stops what start began and forgets the stack state
 *   npm run -s sandbox traffic NAME… [--seconds N] [--rate R] [--ttl MS] [--seed S]
 *                                        sends simulated clients' requests to the names (every
 *                                        second a line of what each release served and what failed)
 *   npm run -s sandbox push-image REPOSITORY TAG…
 *                                        pushes those tags to the sandbox's ECR (the repository is
 *                                        created when missing); prints each image's reference
 *
 * The export lines go to stdout, everything meant for a person to stderr, so `eval` gets only
 * the former. Everything lives in <repo>/.sandbox/ (mode 0700, gitignored): moto.pid,
 * moto.port, moto.log, fixtures.json, traffic.pid, traffic.log, traffic.json (its report, each
 * second) and state/ (the Pulumi file backend).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createFixtures,
  PROVIDER_BIN_DIR,
  pushImage,
  REPO_ROOT,
  SANDBOX_REGION,
  SANDBOX_ROOT,
  type SandboxFixtures,
  sandboxEnv,
  startTraffic,
} from './harness.js';
import { describeTraffic, TrafficRun } from './traffic/run.js';
import { emulatorWorld } from './traffic/world.js';

// A notice about Node 20 from every AWS SDK client: noise on a person's terminal.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const DIR = join(REPO_ROOT, '.sandbox');
const PID_FILE = join(DIR, 'moto.pid');
const PORT_FILE = join(DIR, 'moto.port');
const LOG_FILE = join(DIR, 'moto.log');
const FIXTURES_FILE = join(DIR, 'fixtures.json');
const STATE_DIR = join(DIR, 'state');
const TRAFFIC_PID_FILE = join(DIR, 'traffic.pid');
const TRAFFIC_LOG_FILE = join(DIR, 'traffic.log');
const TRAFFIC_REPORT_FILE = join(DIR, 'traffic.json');
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

function readNumber(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const value = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The pid of our moto, only if that process is alive and still runs our wrapper (pids get reused). */
function ourMotoPid(): number | undefined {
  return ourPid(PID_FILE, join(SANDBOX_ROOT, 'moto', 'server.py'));
}

/** The pid of our traffic process, only if it is alive and still serves the traffic. */
function ourTrafficPid(): number | undefined {
  return ourPid(TRAFFIC_PID_FILE, 'serve-traffic');
}

function ourPid(file: string, marker: string): number | undefined {
  const pid = readNumber(file);
  if (!pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes(marker)) return undefined;
  } catch {
    // No /proc (macOS): the pid file and a live process are the best evidence there is.
  }
  return pid;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The export lines: the harness's environment, plus the backend and passphrase of the sandbox's state. */
function exportLines(endpoint: string): string {
  const env = sandboxEnv(endpoint, SANDBOX_REGION);
  const lines = Object.entries(env)
    .filter(([key]) => key !== 'PATH')
    .map(([key, value]) => `export ${key}=${quote(value)}`);
  // PATH is extended, not replaced: the shell that evals this expands its own $PATH.
  lines.push(`export PATH=${quote(PROVIDER_BIN_DIR)}":$PATH"`);
  lines.push(`export PULUMI_BACKEND_URL=${quote(`file://${STATE_DIR}`)}`);
  // An empty passphrase: the sandbox's state holds nothing secret.
  lines.push(`export PULUMI_CONFIG_PASSPHRASE=''`);
  return `${lines.join('\n')}\n`;
}

async function waitForPortFile(pid: number): Promise<number> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const port = readNumber(PORT_FILE);
    if (port) return port;
    try {
      process.kill(pid, 0);
    } catch {
      throw new Error(`moto exited during start-up: see ${LOG_FILE}`);
    }
    await sleep(100);
  }
  throw new Error(`moto did not listen within ${READY_TIMEOUT_MS} ms: see ${LOG_FILE}`);
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'no-traffic': { type: 'boolean', default: false },
      rate: { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
    },
  });
  mkdirSync(DIR, { recursive: true, mode: 0o700 });
  chmodSync(DIR, 0o700);
  const running = ourMotoPid();
  const knownPort = readNumber(PORT_FILE);
  if (running && knownPort) {
    say(`sandbox already running (pid ${running}) on http://127.0.0.1:${knownPort}`);
    process.stdout.write(exportLines(`http://127.0.0.1:${knownPort}`));
    return;
  }
  for (const file of [PID_FILE, PORT_FILE, FIXTURES_FILE]) rmSync(file, { force: true });
  // moto keeps everything in memory: state from an earlier run describes resources that no longer exist.
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });

  const log = openSync(LOG_FILE, 'a', 0o600);
  const child = spawn(
    'python3',
    [join(SANDBOX_ROOT, 'moto', 'server.py'), '--port', '0', '--port-file', PORT_FILE],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, SANDBOX_MOTO_DETACHED: '1' },
    },
  );
  closeSync(log);
  const pid = child.pid;
  if (!pid) throw new Error('could not start python3 (is it installed? scripts/ensure-moto.sh)');
  child.unref();
  writeFileSync(PID_FILE, `${pid}\n`, { mode: 0o600 });

  try {
    const port = await waitForPortFile(pid);
    const endpoint = `http://127.0.0.1:${port}`;
    const fixtures = await createFixtures(endpoint, SANDBOX_REGION);
    writeFileSync(FIXTURES_FILE, `${JSON.stringify(fixtures, null, 2)}\n`, { mode: 0o600 });
    describeFixtures(endpoint, pid, fixtures);
    if (!values['no-traffic']) startTrafficProcess(values.rate, values.seed);
    process.stdout.write(exportLines(endpoint));
  } catch (error) {
    await stop(true);
    throw error;
  }
}

/** The sandbox's own traffic, in a detached process of its own that outlives `start` (SPEC §5b). */
function startTrafficProcess(rate: string, seed: string): void {
  const log = openSync(TRAFFIC_LOG_FILE, 'a', 0o600);
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), 'serve-traffic', '--rate', rate, '--seed', seed],
    { detached: true, stdio: ['ignore', log, log], env: process.env },
  );
  closeSync(log);
  if (!child.pid) throw new Error('could not start the traffic process');
  child.unref();
  writeFileSync(TRAFFIC_PID_FILE, `${child.pid}\n`, { mode: 0o600 });
  say(
    `  traffic: ${rate} requests/s to every name with weighted records (pid ${child.pid}); its report: ${TRAFFIC_REPORT_FILE}`,
  );
}

/** Runs the automatic traffic until SIGTERM, its report written to traffic.json every second. */
async function serveTraffic(args: string[]): Promise<void> {
  const port = readNumber(PORT_FILE);
  if (!port) throw new Error('no sandbox running: npm run -s sandbox start');
  const { values } = parseArgs({
    args,
    options: { rate: { type: 'string', default: '40' }, seed: { type: 'string', default: '1' } },
  });
  const run = await startTraffic(`http://127.0.0.1:${port}`, SANDBOX_REGION, {
    ratePerSecond: Number(values.rate),
    seed: Number(values.seed),
  });
  const ticker = setInterval(
    () => writeFileSync(TRAFFIC_REPORT_FILE, `${JSON.stringify(run.report(), null, 2)}\n`, { mode: 0o600 }),
    1000,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  clearInterval(ticker);
  say(describeTraffic(run.stop()));
}

function describeFixtures(endpoint: string, pid: number, f: SandboxFixtures): void {
  say(`sandbox: moto ${endpoint} (pid ${pid}), region ${SANDBOX_REGION}, account ${f.accountId}`);
  say(
    `  canary group 'sandbox': ALB ${f.loadBalancers.blue.name} (CanaryRelease=blue), ${f.loadBalancers.green.name} (CanaryRelease=green), HTTP:80 each`,
  );
  say(`  hosted zone ${f.hostedZoneName} (${f.hostedZoneId}), ECS cluster ${f.clusterName}`);
  say(`  vpc ${f.vpcId}, subnets ${f.subnetIds.join(', ')}, security group ${f.securityGroupId}`);
  say(`  state backend file://${STATE_DIR}; fixtures in ${FIXTURES_FILE}`);
}

function env(): void {
  const pid = ourMotoPid();
  const port = readNumber(PORT_FILE);
  if (!pid || !port) throw new Error('no sandbox running: npm run -s sandbox start');
  process.stdout.write(exportLines(`http://127.0.0.1:${port}`));
}

async function stop(quiet = false): Promise<void> {
  const traffic = ourTrafficPid();
  if (traffic) process.kill(traffic, 'SIGTERM');
  rmSync(TRAFFIC_PID_FILE, { force: true });
  const pid = ourMotoPid();
  if (pid) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (Date.now() < deadline && ourMotoPid() === pid) await sleep(100);
    if (ourMotoPid() === pid) process.kill(pid, 'SIGKILL');
    if (!quiet) say(`sandbox stopped (pid ${pid})`);
  } else if (!quiet) {
    say('no sandbox running');
  }
  for (const file of [PID_FILE, PORT_FILE, FIXTURES_FILE]) rmSync(file, { force: true });
  rmSync(STATE_DIR, { recursive: true, force: true });
}

const USAGE =
  'usage: npm run -s sandbox -- start [--no-traffic] [--rate R] [--seed S] | env | stop | traffic NAME… [--seconds N] [--rate R] [--ttl MS] [--seed S] | push-image REPOSITORY TAG…';

/** What `docker push` would leave in ECR: a deployment file can then name the images. */
async function pushImages([repository, ...tags]: string[]): Promise<void> {
  const port = readNumber(PORT_FILE);
  if (!ourMotoPid() || !port) throw new Error('no sandbox running: npm run -s sandbox start');
  if (!repository || tags.length === 0) throw new Error(`name the repository and the tags\n${USAGE}`);
  for (const tag of tags) {
    const pushed = await pushImage(`http://127.0.0.1:${port}`, SANDBOX_REGION, repository, tag);
    process.stdout.write(`${pushed.image} ${pushed.digest}\n`);
  }
}

/** Requests to the names until --seconds have passed (or Ctrl-C), a line per second. */
async function traffic(args: string[]): Promise<void> {
  const port = readNumber(PORT_FILE);
  if (!ourMotoPid() || !port) throw new Error('no sandbox running: npm run -s sandbox start');
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '60' },
      rate: { type: 'string', default: '40' },
      ttl: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (positionals.length === 0) throw new Error(`name the fqdns to send requests to\n${USAGE}`);
  const number = (name: keyof typeof values): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const run = new TrafficRun({
    world: emulatorWorld(`http://127.0.0.1:${port}`, SANDBOX_REGION),
    names: positionals,
    ratePerSecond: number('rate'),
    ttlMs: number('ttl'),
    seed: number('seed'),
  });
  await run.start();
  const ticker = setInterval(() => say(describeTraffic(run.report())), 1000);
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, number('seconds') * 1000);
    process.once('SIGINT', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await done;
  clearInterval(ticker);
  const report = run.stop();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'start':
      return start(process.argv.slice(3));
    case 'serve-traffic':
      return serveTraffic(process.argv.slice(3));
    case 'env':
      return env();
    case 'stop':
      return stop();
    case 'traffic':
      return traffic(process.argv.slice(3));
    case 'push-image':
      return pushImages(process.argv.slice(3));
    default:
      say(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((error: unknown) => {
  say(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
