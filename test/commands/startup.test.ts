import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ROOT, requireBuild, runCli } from './cli.js';

const RECORDER = ['--import', './test/helpers/record-imports.mjs'];
const HEAVY = /node_modules\/(@pulumi|@aws-sdk|@smithy)\//;

/** Every module a run of the CLI loads. */
function modulesLoadedBy(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-imports-'));
  try {
    const file = join(dir, 'modules.txt');
    const { status, stderr } = runCli(args, { nodeOptions: RECORDER, env: { RECORD_IMPORTS_FILE: file } });
    expect(status, stderr).to.be.oneOf([0, 2]);
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('start-up: --help and validate load neither Pulumi nor the AWS SDK', () => {
  before(requireBuild);

  for (const args of [
    ['--help'],
    ['validate', '--help'],
    ['validate', '-e', 'prod', '-f', 'examples/fargate.deploy.yml'],
    ['schema'],
  ]) {
    it(`ecs-crd ${args.join(' ')}`, () => {
      const modules = modulesLoadedBy(args);
      // The recorder works: it saw the entry point and the command being loaded (help comes
      // from oclif.manifest.json, without loading the command).
      expect(modules.some((m) => m.endsWith('/bin/run.js'))).to.equal(true);
      if (!args.includes('--help'))
        expect(modules.some((m) => m.endsWith(`/dist/src/commands/${args[0]}.js`))).to.equal(true);
      expect(modules.filter((m) => HEAVY.test(m))).to.deep.equal([]);
    });
  }

  it('the recorder does see an AWS SDK import (so the checks above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-imports-'));
    try {
      const file = join(dir, 'modules.txt');
      spawnSync(
        process.execPath,
        [...RECORDER, '--input-type=module', '-e', "await import('@aws-sdk/client-sts')"],
        {
          cwd: ROOT,
          env: { ...process.env, RECORD_IMPORTS_FILE: file },
        },
      );
      expect(
        readFileSync(file, 'utf8')
          .split('\n')
          .some((m) => HEAVY.test(m)),
      ).to.equal(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
