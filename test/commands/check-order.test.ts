/** Commands that call AWS report the deployment file's problems first, before a missing region. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { requireBuild, runCli } from './cli.js';

describe('order of checks: the file, then the region', () => {
  let dir: string;
  before(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-order-'));
    writeFileSync(join(dir, 'bad.deploy.yml'), 'service:\n  name: 1bad name\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const command of ['deploy', 'preview', 'status', 'history', 'undeploy', 'rollback']) {
    it(`${command} without a region lists the file's problems (exit 2), not "no AWS region"`, () => {
      const result = runCli([command, '-e', 'dev', '-f', join(dir, 'bad.deploy.yml'), '--yes']);
      expect(result.status, result.stderr).to.equal(2);
      expect(result.stderr).to.include('service.name: must be letters, digits');
      expect(result.stderr).not.to.include('no AWS region');
    });
  }
});
