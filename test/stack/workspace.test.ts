import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { UsageError } from '../../src/errors.js';
import {
  checkTempFolder,
  removeRunWorkspaces,
  runWorkspace,
  selectedStackNote,
} from '../../src/stack/workspace.js';

describe('the engine’s work folder of a run', () => {
  const STACK = 'sandbox-api-dev-eu-west-1';
  let temp: string;
  let pulumiHome: string;
  let where: { pulumiHome: string; parent: string };
  beforeEach(() => {
    temp = mkdtempSync(join(tmpdir(), 'ecs-crd-tmp-'));
    pulumiHome = mkdtempSync(join(tmpdir(), 'ecs-crd-pulumi-home-'));
    where = { pulumiHome, parent: temp };
  });
  afterEach(() => {
    rmSync(temp, { recursive: true, force: true });
    rmSync(pulumiHome, { recursive: true, force: true });
  });

  it('is new and private for every run, even of the same stack: no run reads what another writes', () => {
    const one = runWorkspace('ecs-crd', STACK, where);
    const other = runWorkspace('ecs-crd', STACK, where);
    expect(one).to.not.equal(other);
    for (const dir of [one, other]) {
      expect(dir.startsWith(join(temp, `ecs-crd-${STACK}-`))).to.equal(true);
      expect(statSync(dir).mode & 0o777).to.equal(0o700);
      expect(readdirSync(dir)).to.deep.equal([]);
    }
    removeRunWorkspaces();
  });

  it('is named by its real path, as the engine names its note: a relative or symlinked TMPDIR leaves none behind', () => {
    const link = join(pulumiHome, 'tmp-link');
    symlinkSync(temp, link);
    const dir = runWorkspace('ecs-crd', STACK, { ...where, parent: link });
    expect(dir.startsWith(`${realpathSync(temp)}/`)).to.equal(true);
    const cwd = process.cwd();
    try {
      process.chdir(temp);
      expect(
        runWorkspace('ecs-crd', STACK, { ...where, parent: '.' }).startsWith(`${realpathSync(temp)}/`),
      ).to.equal(true);
    } finally {
      process.chdir(cwd);
    }
    removeRunWorkspaces();
  });

  it('is removed with the engine’s note of the stack selected there, and leaves other notes alone', () => {
    const dir = runWorkspace('ecs-crd', STACK, where);
    writeFileSync(join(dir, 'Pulumi.yaml'), 'name: ecs-crd\n');
    const note = selectedStackNote('ecs-crd', dir, pulumiHome);
    mkdirSync(join(pulumiHome, 'workspaces'));
    writeFileSync(note, `{"stack": "${STACK}"}`);
    const another = join(
      pulumiHome,
      'workspaces',
      'ecs-crd-0123456789abcdef0123456789abcdef01234567-workspace.json',
    );
    writeFileSync(another, '{"stack": "other"}');
    removeRunWorkspaces();
    expect(existsSync(dir)).to.equal(false);
    expect(existsSync(note)).to.equal(false);
    expect(existsSync(another)).to.equal(true);
    expect(readdirSync(temp)).to.deep.equal([]);
  });

  it('says where it could not be made and what to do (exit 2), before any engine call', () => {
    expect(() => runWorkspace('ecs-crd', STACK, { ...where, parent: join(temp, 'missing') }))
      .to.throw(UsageError)
      .with.property('message')
      .that.includes(join(temp, 'missing'))
      .and.includes('ENOENT')
      .and.includes('Nothing was changed');
  });

  it('checks the temp folder before the Pulumi SDK loads (it resolves it as it loads): missing or read-only is exit 2', () => {
    expect(() => checkTempFolder(temp)).to.not.throw();
    expect(() => checkTempFolder(join(temp, 'missing')))
      .to.throw(UsageError)
      .with.property('message')
      .that.includes('ENOENT');
    const file = join(temp, 'a-file');
    writeFileSync(file, '');
    expect(() => checkTempFolder(file)).to.throw(UsageError, /ENOTDIR|EACCES/);
  });

  it('names the note as the engine does: the sha1 of the folder’s Pulumi.yaml path', () => {
    // sha1('/tmp/w/Pulumi.yaml'), computed apart from the code under test.
    expect(selectedStackNote('ecs-crd', '/tmp/w', '/home/u/.pulumi')).to.equal(
      '/home/u/.pulumi/workspaces/ecs-crd-88ab8d3c0bc8d21317a82f95f7a00914172a0678-workspace.json',
    );
  });
});
