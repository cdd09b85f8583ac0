import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { requireBuild, runCli } from './cli.js';

const ORIGINAL = 'test/fixtures/convert/original.deploy.yml';
const CONVERTED = readFileSync('test/fixtures/convert/converted.deploy.yml', 'utf8');

describe('ecs-crd convert FILE', () => {
  let dir: string;
  let file: string;
  before(requireBuild);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-convert-'));
    file = join(dir, 'prod.deploy.yml');
    copyFileSync(ORIGINAL, file);
    chmodSync(file, 0o640);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the converted file on stdout and the changes on stderr, the file untouched (exit 0)', () => {
    const run = runCli(['convert', file]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.equal(CONVERTED);
    expect(run.stderr).to.contain(
      `${file}:65:7 service.containers[0].secrets: list of one-key maps → map (2 entries)`,
    );
    expect(run.stderr).to.match(/: 30 changes; 1 thing not converted/);
    expect(readFileSync(file, 'utf8')).to.equal(readFileSync(ORIGINAL, 'utf8'));
  });

  it('--write replaces the file atomically, keeping its mode and FILE.bak; twice changes nothing', () => {
    const run = runCli(['convert', file, '--write']);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.equal('');
    expect(readFileSync(file, 'utf8')).to.equal(CONVERTED);
    expect(statSync(file).mode & 0o777).to.equal(0o640);
    expect(readFileSync(`${file}.bak`, 'utf8')).to.equal(readFileSync(ORIGINAL, 'utf8'));
    // No temporary file left beside it.
    expect(readdirSync(dir).sort()).to.deep.equal(['prod.deploy.yml', 'prod.deploy.yml.bak']);
    const again = runCli(['convert', file, '--write']);
    expect(again.status).to.equal(0);
    expect(again.stderr).to.contain("is already in ecs-crd's form");
    expect(readFileSync(file, 'utf8')).to.equal(CONVERTED);
    expect(readFileSync(`${file}.bak`, 'utf8')).to.equal(readFileSync(ORIGINAL, 'utf8'));
  });

  it('--write --no-backup keeps no backup', () => {
    expect(runCli(['convert', file, '--write', '--no-backup']).status).to.equal(0);
    expect(existsSync(`${file}.bak`)).to.equal(false);
    expect(readFileSync(file, 'utf8')).to.equal(CONVERTED);
  });

  it('-o OUT writes elsewhere, and refuses an existing OUT without --force (exit 2)', () => {
    const out = join(dir, 'out.yml');
    expect(runCli(['convert', file, '-o', out]).status).to.equal(0);
    expect(readFileSync(out, 'utf8')).to.equal(CONVERTED);
    writeFileSync(out, 'mine\n');
    const refused = runCli(['convert', file, '-o', out]);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.contain('already exists');
    expect(readFileSync(out, 'utf8')).to.equal('mine\n');
    expect(runCli(['convert', file, '-o', out, '--force']).status).to.equal(0);
    expect(readFileSync(out, 'utf8')).to.equal(CONVERTED);
    expect(runCli(['convert', file, '-o', out, '--write']).status).to.equal(2);
  });

  it('--json prints {file, changed, changes, not_converted, output, written}', () => {
    const run = runCli(['convert', file, '--json']);
    expect(run.status, run.stderr).to.equal(0);
    const document = JSON.parse(run.stdout);
    expect(Object.keys(document)).to.deep.equal([
      'file',
      'changed',
      'changes',
      'not_converted',
      'output',
      'written',
    ]);
    expect(document.changes).to.have.length(30);
    expect(document.not_converted).to.have.length(1);
    expect(document.output).to.equal(CONVERTED);
    expect(document.written).to.equal(null);
  });

  it('says "already in ecs-crd\'s form" for a file with nothing to convert (exit 0)', () => {
    const run = runCli(['convert', 'examples/seed.deploy.yml']);
    expect(run.status).to.equal(0);
    expect(run.stdout).to.equal(readFileSync('examples/seed.deploy.yml', 'utf8'));
    expect(run.stderr.trim()).to.equal(
      "examples/seed.deploy.yml is already in ecs-crd's form: nothing to change",
    );
  });

  it('loads neither Pulumi nor the AWS SDK', () => {
    const modules = join(dir, 'modules.txt');
    const run = runCli(['convert', file], {
      nodeOptions: ['--import', './test/helpers/record-imports.mjs'],
      env: { RECORD_IMPORTS_FILE: modules },
    });
    expect(run.status, run.stderr).to.equal(0);
    const loaded = readFileSync(modules, 'utf8').split('\n');
    expect(loaded.some((m) => m.endsWith('/dist/src/commands/convert.js'))).to.equal(true);
    expect(loaded.filter((m) => /node_modules\/(@pulumi|@aws-sdk|@smithy)\//.test(m))).to.deep.equal([]);
  });

  it('exits 2 for a file that is not YAML or not a mapping, at FILE:LINE:COL, and for a missing file', () => {
    writeFileSync(file, 'canary:\n  group: [a\nservice: {}\n');
    const broken = runCli(['convert', file]);
    expect(broken.status).to.equal(2);
    expect(broken.stderr).to.match(new RegExp(`${file}:\\d+:\\d+: `));
    writeFileSync(file, '- a\n');
    const list = runCli(['convert', file, '--json']);
    expect(list.status).to.equal(2);
    expect(JSON.parse(list.stdout).error.message).to.contain(
      `${file}:1:1: the file is a list, not a mapping`,
    );
    const missing = runCli(['convert', join(dir, 'nope.yml')]);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.contain('no such file');
  });
});
