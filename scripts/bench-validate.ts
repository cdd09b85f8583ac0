/**
 * `npm run bench:validate`: how `validate` scales with the size of the file. Generates
 * deployment files of 100 KB, 500 KB, 1 MB and 5 MB (one container with ever more environment
 * variables) and one with ~40,000 problems (as many bad variable names), checks each in a
 * child process of its own (so the peak RSS is that file's alone), and prints the times side
 * by side with the growth up to 1 MB, which must stay within 1.3× linear (exit 1 beyond).
 * Then real files: the original tool's example (examples/seed.deploy.yml) and a .NET service
 * of 440 variables written for the original tool (test/fixtures/original/dotnet.deploy.yml),
 * checked the same way, and `ecs-crd validate` of each timed against a bare `node -e 0`
 * (interleaved, medians): the example must stay under 3× (exit 1 beyond). Needs the build.
 *   node --import tsx scripts/bench-validate.ts
 * A file over the size cap is refused: its row shows how long the refusal took.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How far above linear the growth up to 1 MB may be. */
const GROWTH_LIMIT = 1.3;
/** A case that runs longer than this is reported as such, not waited for. */
const CASE_TIMEOUT_MS = 180_000;
/** `ecs-crd validate` of the original's example, at most this many times a bare `node -e 0`. */
const STARTUP_LIMIT = 3;
const STARTUP_RUNS = 15;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Real files: the original tool's example, and a .NET service written for the original tool. */
const REAL_FILES = [
  { name: 'seed example', file: 'examples/seed.deploy.yml' },
  { name: '.NET (440 vars)', file: 'test/fixtures/original/dotnet.deploy.yml' },
];

const HEADER = `canary:
  group: private
  releases: {blue: 1, green: 2}
  strategy:
    - {weight: 10, wait: 60}
service:
  project: shop
  name: api
  cluster: main
  fqdn: api.example.com
  version: "1.2.3"
  containers:
    - name: web
      port_mappings:
        - container_port: 8080
      environment:
`;

/** A file of about `bytes` bytes: the header, then one `NAME: value` line per variable. */
function generate(bytes: number, line: (i: number) => string): string {
  const lines = [HEADER];
  let size = HEADER.length;
  for (let i = 0; size < bytes; i++) {
    const next = line(i);
    lines.push(next);
    size += next.length;
  }
  return lines.join('');
}

const id = (i: number) => String(i).padStart(7, '0');
const variable = (i: number) => `        VAR_${id(i)}: value-${id(i)}-abcdefghijklmnopqrstuvwxyz\n`;
// `=` ends a name in the environment, the one thing a name may not hold: one problem per line.
const badName = (i: number) => `        "V=${id(i)}": x\n`;

interface Measure {
  ms: number;
  peakRssMiB: number;
  outcome: string;
}

/** In the child: check one file as `validate` does, print what it took as JSON. */
async function measure(file: string): Promise<void> {
  const { loadDeployment } = await import('../src/config/load.js');
  const { validationLines } = await import('../src/ui/validation-report.js');
  const start = process.hrtime.bigint();
  let outcome: string;
  try {
    const result = await loadDeployment({ environment: 'prod', file, region: 'eu-west-1' });
    const lines = validationLines(result);
    outcome = result.ok ? 'valid' : (lines.at(-1) ?? '').replace(/ in .*$/, '');
  } catch (error) {
    outcome = `refused: ${error instanceof Error ? error.message.replace(file, 'the file') : String(error)}`;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ms, peakRssMiB, outcome } satisfies Measure));
}

function runCase(file: string): Measure | { timedOut: true } {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--measure', file],
    { encoding: 'utf8', timeout: CASE_TIMEOUT_MS, maxBuffer: 1 << 20 },
  );
  if (run.error || run.status !== 0) {
    if (run.signal === 'SIGTERM') return { timedOut: true };
    throw new Error(`the measure of ${file} failed: ${run.stderr || run.error?.message}`);
  }
  return JSON.parse(run.stdout) as Measure;
}

async function main(): Promise<void> {
  const measureAt = process.argv.indexOf('--measure');
  const target = process.argv[measureAt + 1];
  if (measureAt >= 0 && target !== undefined) return measure(target);

  const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-bench-validate-'));
  const cases = [
    { name: '100 KB', text: generate(100_000, variable) },
    { name: '500 KB', text: generate(500_000, variable) },
    { name: '1 MB', text: generate(1_000_000, variable) },
    { name: '5 MB', text: generate(5_000_000, variable) },
    { name: '40,000 problems', text: generate(HEADER.length + 40_000 * badName(0).length, badName) },
  ];
  const rows: { name: string; bytes: number; result: Measure | { timedOut: true } }[] = [];
  try {
    for (const { name, text } of cases) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.deploy.yml`);
      writeFileSync(file, text);
      rows.push({ name, bytes: Buffer.byteLength(text), result: runCase(file) });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `${'file'.padEnd(16)} ${'bytes'.padStart(10)} ${'time'.padStart(10)} ${'peak RSS'.padStart(10)}  outcome`,
  );
  for (const { name, bytes, result } of rows) {
    const time = 'timedOut' in result ? `> ${CASE_TIMEOUT_MS / 1000} s` : `${result.ms.toFixed(0)} ms`;
    const rss = 'timedOut' in result ? '-' : `${result.peakRssMiB.toFixed(0)} MiB`;
    const outcome = 'timedOut' in result ? 'did not finish' : result.outcome;
    console.log(
      `${name.padEnd(16)} ${bytes.toLocaleString('en-US').padStart(10)} ${time.padStart(10)} ${rss.padStart(10)}  ${outcome}`,
    );
  }
  // Fixed costs (warming up the JIT) flatter the small file: the growth from 500 KB to 1 MB is the honest one.
  const byName = new Map(rows.map((row) => [row.name, row]));
  let worst = 0;
  for (const [from, to] of [
    ['100 KB', '1 MB'],
    ['500 KB', '1 MB'],
  ] as const) {
    const small = byName.get(from);
    const large = byName.get(to);
    if (!small || !large || 'timedOut' in small.result || 'timedOut' in large.result) {
      console.log(`growth ${from} → ${to}: not measured (a case did not finish)`);
      worst = Number.POSITIVE_INFINITY;
      continue;
    }
    const sizeRatio = large.bytes / small.bytes;
    const timeRatio = large.result.ms / small.result.ms;
    const growth = timeRatio / sizeRatio;
    worst = Math.max(worst, growth);
    console.log(
      `growth ${from} → ${to}: ×${timeRatio.toFixed(1)} the time for ×${sizeRatio.toFixed(1)} the size = ${growth.toFixed(2)}× linear (limit ${GROWTH_LIMIT})`,
    );
  }
  if (worst > GROWTH_LIMIT) process.exitCode = 1;
  realFiles();
}

/** The in-process check of each real file, then the CLI's start-to-exit against a bare Node. */
function realFiles(): void {
  console.log('');
  for (const { name, file } of REAL_FILES) {
    const result = runCase(join(ROOT, file));
    const line = 'timedOut' in result ? 'did not finish' : `${result.ms.toFixed(0)} ms, ${result.outcome}`;
    console.log(`${name.padEnd(16)} check: ${line}`);
  }
  if (!existsSync(join(ROOT, 'dist/src/commands/validate.js'))) {
    console.log('dist/ is missing: run `npm run build` to time `ecs-crd validate` against node -e 0');
    process.exitCode = 1;
    return;
  }
  const node: [string, string[]] = [process.execPath, ['-e', '0']];
  const clis = REAL_FILES.map(({ file }): [string, string[]] => [
    process.execPath,
    ['bin/run.js', 'validate', '-e', 'prod', '-f', file],
  ]);
  // One warm-up each (file-system cache), then interleaved runs, so load affects all alike.
  for (const command of [node, ...clis]) timed(command);
  const samples = [node, ...clis].map(() => [] as number[]);
  for (let i = 0; i < STARTUP_RUNS; i++) {
    [node, ...clis].forEach((command, c) => {
      samples[c]?.push(timed(command));
    });
  }
  const [bare = Number.NaN, ...medians] = samples.map(median);
  console.log(`node -e 0: median ${bare.toFixed(1)} ms over ${STARTUP_RUNS} runs`);
  REAL_FILES.forEach(({ file }, i) => {
    const ms = medians[i] ?? Number.NaN;
    const ratio = ms / bare;
    const bar = i === 0 ? ` (limit ${STARTUP_LIMIT})` : '';
    console.log(
      `ecs-crd validate -e prod -f ${file}: median ${ms.toFixed(1)} ms = ${ratio.toFixed(2)}× node -e 0${bar}`,
    );
    if (i === 0 && !(ratio < STARTUP_LIMIT)) process.exitCode = 1;
  });
}

/** Milliseconds from spawn to exit; a valid file exits 0, an invalid one 2 (both are measured). */
function timed([file, args]: [string, string[]]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(file, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0 && run.status !== 2) {
    throw new Error(`${[file, ...args].join(' ')} exited ${run.status}: ${run.stderr}`);
  }
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

await main();
