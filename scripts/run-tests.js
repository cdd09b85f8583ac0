#!/usr/bin/env node
// Runs every test tier, each in its own mocha process (Pulumi's setMocks runtime and real
// engine runs must not share a process), then prints one closing line with the totals:
// "tests: N passed, N failed, N skipped". A tier that fails to start counts as a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tiers = [
  { name: 'unit', config: '.mocharc.json' },
  { name: 'program', config: '.mocharc.program.json' },
  // npm pack + npm install -g into an empty prefix + the CLI from there (~15 s): the package installs.
  { name: 'package', config: '.mocharc.package.json' },
  { name: 'e2e', config: '.mocharc.e2e.json' },
];
const only = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-tests-'));
const total = { passes: 0, failures: 0, pending: 0 };
let broken = false;
try {
  for (const tier of tiers.filter((t) => only.length === 0 || only.includes(t.name))) {
    const statsFile = join(dir, `${tier.name}.json`);
    console.log(`\n=== ${tier.name} tests (${tier.config})`);
    const run = spawnSync(
      'npx',
      ['mocha', '--config', tier.config, '--reporter', './test/helpers/stats-reporter.cjs'],
      {
        stdio: 'inherit',
        env: { ...process.env, ECS_CRD_TEST_STATS: statsFile },
      },
    );
    let stats;
    try {
      stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    } catch {
      console.error(`${tier.name}: mocha exited with ${run.status} before reporting any result`);
      broken = true;
      continue;
    }
    total.passes += stats.passes;
    total.failures += stats.failures;
    total.pending += stats.pending;
    if (run.status !== 0 && stats.failures === 0) broken = true;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\ntests: ${total.passes} passed, ${total.failures} failed, ${total.pending} skipped`);
process.exit(total.failures > 0 || broken ? 1 : 0);
