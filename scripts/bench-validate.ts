/**
 * `npm run bench:validate`: how `validate` scales with the size of the file. Generates
 * deployment files of 100 KB, 500 KB, 1 MB and 5 MB (one container with ever more environment
 * variables) and one with ~40,000 problems (as many bad variable names), checks each in a
 * child process of its own (so the peak RSS is that file's alone), and prints the times side
 * by side with the growth up to 1 MB, which must stay within 1.3× linear (exit 1 beyond).
 *   node --import tsx scripts/bench-validate.ts
 * A file over the size cap is refused: its row shows how long the refusal took.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How far above linear the growth up to 1 MB may be. */
const GROWTH_LIMIT = 1.3;
/** A case that runs longer than this is reported as such, not waited for. */
const CASE_TIMEOUT_MS = 180_000;

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
}

await main();
