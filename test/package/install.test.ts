/**
 * The package installs and runs on its own: `npm pack`, `npm install -g` of the tarball into an
 * empty prefix, then `ecs-crd --help` and `ecs-crd validate` from that prefix, in a folder
 * outside the repository. The tarball holds only what runs, and every package the shipped code
 * imports, now or lazily (deploy's Pulumi and AWS SDK), is a runtime dependency that the install
 * brought. Prints the tarball's size, file count and the time of pack + install.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { expect } from 'chai';
import { ROOT, requireBuild } from '../commands/cli.js';
import {
  disallowed,
  installGlobally,
  OPTIONAL,
  type Packed,
  pack,
  packageOf,
  packageSpecifiers,
  probe,
  run,
} from './tarball.js';

const EXAMPLE = 'examples/fargate.deploy.yml';

describe('the package: npm pack, npm install -g into an empty prefix, ecs-crd from there', function () {
  this.timeout(300_000);
  let dir: string;
  let prefix: string;
  let work: string;
  let packed: Packed;
  let installed: string;
  let seconds: number;

  before(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-package-'));
    prefix = join(dir, 'prefix');
    work = join(dir, 'work');
    mkdirSync(work);
    const started = performance.now();
    packed = pack(ROOT, dir);
    const install = installGlobally(join(dir, packed.filename), prefix, work);
    seconds = (performance.now() - started) / 1000;
    expect(install.status, `npm install -g failed:\n${install.stderr}`).to.equal(0);
    installed = join(prefix, 'lib', 'node_modules', 'ecs-crd');
  });

  after(() => {
    if (packed) {
      const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
      console.log(
        `      package: ${packed.filename}: ${mb(packed.size)} packed, ${mb(packed.unpackedSize)} unpacked, ` +
          `${packed.entryCount} files; npm pack + npm install -g: ${seconds.toFixed(1)} s`,
      );
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds only what runs: every file on the allow-list, and the ones bin/run.js needs', () => {
    const paths = packed.files.map((f) => f.path);
    expect(disallowed(packed.files)).to.deep.equal([]);
    for (const needed of [
      'bin/run.js',
      'oclif.manifest.json',
      'dist/src/main.js',
      'dist/src/help.js',
      'dist/src/commands/validate.js',
      'dist/src/commands/deploy.js',
    ]) {
      expect(paths).to.include(needed);
    }
    expect(packed.entryCount).to.equal(paths.length);
  });

  it('the allow-list refuses what must stay out (so the check above can fail)', () => {
    const outside = ['test/cli.test.ts', 'sandbox/cli.ts', 'src/main.ts', 'scripts/bundle.js', 'bin/dev.js'];
    const more = ['dist/src/main.js.map', 'dist/src/stack/runner.js', 'dist/sandbox/cli.js', 'schema/x.json'];
    const all = [...outside, ...more, 'examples/fargate.deploy.yml'];
    expect(disallowed(all.map((path) => ({ path, size: 1 })))).to.deep.equal(all);
  });

  it('README.md’s Install section names this tarball, the pinned Pulumi CLI and the Node engine', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const install = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n## Quick start\n'));
    const pjson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
      config: { pulumiVersion: string };
    };
    expect(install).to.contain(`npm install -g ./${packed.filename}`);
    expect(install).to.contain(`npx --package ./${packed.filename} ecs-crd`);
    expect(install).to.contain(`--version ${pjson.config.pulumiVersion} `);
    expect(install).to.contain(`~/.pulumi/versions/${pjson.config.pulumiVersion}/`);
    expect(pjson.engines.node).to.equal('>=20.19.0');
    expect(install).to.contain('Node.js ≥ 20.19');
  });

  it('installs into the empty prefix and links bin/ecs-crd', () => {
    expect(existsSync(join(prefix, 'bin', 'ecs-crd'))).to.equal(true);
    expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).name).to.equal('ecs-crd');
    // No build ran (npm does not run `prepare` for a tarball): what runs is what was packed.
    expect(existsSync(join(installed, 'src'))).to.equal(false);
  });

  it('ecs-crd --help from the prefix: exit 0, every command and the exit codes', () => {
    const help = run(join(prefix, 'bin', 'ecs-crd'), ['--help'], work);
    expect(help.status, help.stderr).to.equal(0);
    expect(help.stdout).to.match(/^USAGE\n {2}\$ ecs-crd \[COMMAND\]/m);
    for (const command of ['deploy', 'validate', 'rollback', 'status', 'schema']) {
      expect(help.stdout).to.match(new RegExp(`^ {2}${command} `, 'm'));
    }
    expect(help.stdout).to.contain('EXIT CODES');
  });

  it('ecs-crd validate from the prefix: an example file is valid (exit 0), a broken one is not (exit 2)', () => {
    copyFileSync(join(ROOT, EXAMPLE), join(work, 'prod.deploy.yml'));
    writeFileSync(join(work, 'broken.deploy.yml'), 'service:\n  name: 3\n');
    const ecsCrd = join(prefix, 'bin', 'ecs-crd');
    const valid = run(ecsCrd, ['validate', '-e', 'prod', '-f', 'prod.deploy.yml'], work);
    expect(valid.status, valid.stderr).to.equal(0);
    expect(valid.stdout).to.match(/^prod\.deploy\.yml: valid \(checkout 2024\.06\.1: 2 containers/);
    const broken = run(ecsCrd, ['validate', '-e', 'prod', '-f', 'broken.deploy.yml'], work);
    expect(broken.status, broken.stderr).to.equal(2);
    expect(broken.stdout).to.contain('broken.deploy.yml:2:3 service.name: must be a string');
  });

  it('every shipped module loads from the installed copy, with every package it imports, lazily too', () => {
    const modules = packed.files.map((f) => f.path).filter((path) => path.startsWith('dist/src/'));
    const specifiers = packageSpecifiers(modules.map((module) => join(installed, module))).filter(
      (specifier) => !OPTIONAL.has(packageOf(specifier)),
    );
    // The scan sees deploy's lazy imports (so a package missing from the install can fail it).
    expect(specifiers).to.include.members(['@pulumi/pulumi/automation/index.js', '@aws-sdk/client-ecs']);

    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const undeclared = [...new Set(specifiers.map(packageOf))].filter((name) => !manifest.dependencies[name]);
    expect(undeclared, 'imported at run time but not in dependencies').to.deep.equal([]);

    const result = probe(installed, modules, specifiers, work);
    expect(result.failed).to.deep.equal([]);
    expect(result.loaded).to.have.length(modules.length);
    const elsewhere = Object.entries(result.resolved).filter(([, path]) => !path.startsWith(installed + sep));
    expect(elsewhere, 'resolved outside the installed package').to.deep.equal([]);
  });
});
