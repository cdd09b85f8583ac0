#!/usr/bin/env node
// `npm run bench:startup`: start-up cost of the CLI, measured against a bare Node in the same
// run (interleaved, so machine load affects both alike). Prints both medians and their ratio;
// exits 1 when the ratio reaches the limit. Needs the build (`npm run build`).
//   node scripts/bench-startup.js [runs] [example file]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const LIMIT = 5;
const GOAL = 3;
const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const example = process.argv[3] ?? 'examples/seed.deploy.yml';
if (!existsSync(new URL('../dist/src/commands/validate.js', import.meta.url))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}

const commands = {
  validate: [process.execPath, ['bin/run.js', 'validate', '-e', 'prod', '-f', example]],
  node: [process.execPath, ['-e', '0']],
};

function time([file, args]) {
  const start = process.hrtime.bigint();
  const run = spawnSync(file, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${[file, ...args].join(' ')} exited ${run.status}: ${run.stderr}`);
  return elapsed;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// One warm-up each (file-system cache), then interleaved runs.
time(commands.validate);
time(commands.node);
const samples = { validate: [], node: [] };
for (let i = 0; i < runs; i++) {
  samples.validate.push(time(commands.validate));
  samples.node.push(time(commands.node));
}
const cli = median(samples.validate);
const bare = median(samples.node);
const ratio = cli / bare;
console.log(`ecs-crd validate -e prod -f ${example}: median ${cli.toFixed(1)} ms over ${runs} runs`);
console.log(`node -e 0: median ${bare.toFixed(1)} ms over ${runs} runs`);
console.log(`ratio ${ratio.toFixed(2)} (limit ${LIMIT}, goal ${GOAL})`);
process.exit(ratio < LIMIT ? 0 : 1);
