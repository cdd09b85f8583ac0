import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { EXIT_CODE_MEANINGS } from '../../src/exit-codes.js';
import { requireBuild, runCli } from './cli.js';

const CODES = Object.entries(EXIT_CODE_MEANINGS);

/** A line `  <code>  <meaning>` (the table of the help), or a table row `| <code> | <meaning> |`. */
function documents(text: string, code: string, meaning: string): boolean {
  const words = meaning.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  return new RegExp(`(^|\\|)\\s*\`?${code}\`?\\s*(\\|\\s*)?${words}`, 'm').test(text);
}

describe('exit codes: documented wherever a user looks', () => {
  before(requireBuild);

  for (const args of [['--help'], ['validate', '--help'], ['schema', '--help'], ['convert', '--help']]) {
    it(`are all in \`ecs-crd ${args.join(' ')}\``, () => {
      const { status, stdout } = runCli(args);
      expect(status).to.equal(0);
      expect(stdout).to.match(/^EXIT CODES$/m);
      for (const [code, meaning] of CODES)
        expect(documents(stdout, code, meaning), `${code} ${meaning}`).to.equal(true);
    });
  }

  it('are all in README.md', () => {
    expect(existsSync('README.md'), 'README.md is missing').to.equal(true);
    const readme = readFileSync('README.md', 'utf8');
    for (const [code, meaning] of CODES)
      expect(documents(readme, code, meaning), `README lacks: ${code} ${meaning}`).to.equal(true);
  });

  it('the checker itself refuses a table with a code missing', () => {
    expect(
      documents('| 2 | invalid usage or configuration |', '2', 'invalid usage or configuration'),
    ).to.equal(true);
    expect(
      documents('| 20 | invalid usage or configuration |', '2', 'invalid usage or configuration'),
    ).to.equal(false);
    expect(documents('| 2 | invalid usage |', '2', 'invalid usage or configuration')).to.equal(false);
  });
});

const COMMANDS = readdirSync('src/commands')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.replace(/\.ts$/, ''));

describe('help: every way a user asks for it', () => {
  before(requireBuild);

  it('finds the commands it checks', () => {
    expect(COMMANDS).to.include.members(['convert', 'deploy', 'help', 'undeploy', 'validate']);
  });

  it('every command is in the root help and in README.md’s table of commands (`help` aside)', () => {
    const root = runCli(['--help']).stdout;
    const readme = readFileSync('README.md', 'utf8');
    for (const command of COMMANDS.filter((c) => c !== 'help')) {
      expect(root, `--help lacks ${command}`).to.match(new RegExp(`^\\s+${command}\\s`, 'm'));
      expect(readme, `README lacks a row for ${command}`).to.match(new RegExp(`^\\| \`${command}[\` ]`, 'm'));
    }
  });

  it('`ecs-crd help deploy` and `ecs-crd deploy -h` show what `ecs-crd deploy --help` shows', () => {
    const reference = runCli(['deploy', '--help']);
    expect(reference.status).to.equal(0);
    expect(reference.stdout).to.match(/^USAGE\n\s+\$ ecs-crd deploy /m);
    for (const args of [
      ['help', 'deploy'],
      ['deploy', '-h'],
      ['deploy', '-e', 'prod', '-h'],
    ]) {
      const run = runCli(args);
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).to.equal(0);
      expect(run.stdout, args.join(' ')).to.equal(reference.stdout);
    }
  });

  it('`ecs-crd help` and `ecs-crd -h` show the root help', () => {
    const reference = runCli(['--help']);
    for (const args of [['help'], ['-h']]) {
      const run = runCli(args);
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.equal(reference.stdout);
    }
  });

  it('an unknown command is exit 2, with the closest command', () => {
    for (const args of [['deplyo'], ['deplyo', 'now', '-e', 'prod'], ['help', 'deplyo']]) {
      const run = runCli(args);
      expect(run.status, args.join(' ')).to.equal(2);
      expect(run.stderr, args.join(' ')).to.match(/unknown command `deplyo`: did you mean `deploy`\?/);
    }
    const far = runCli(['frobnicate']);
    expect(far.status).to.equal(2);
    expect(far.stderr).to.match(/unknown command `frobnicate`/);
    expect(far.stderr).to.not.match(/did you mean/);
    expect(far.stderr).to.match(/ecs-crd --help/);
  });
});

describe('--yes: taken by every command, refused by none', () => {
  before(requireBuild);

  for (const command of COMMANDS) {
    it(`${command} accepts --yes`, () => {
      const { stderr } = runCli([command, '--yes']);
      expect(stderr).to.not.match(/Nonexistent flag|Unexpected argument/);
    });
  }

  it('changes nothing where nothing is asked: validate and schema succeed with --yes or -y', () => {
    expect(runCli(['validate', '-e', 'prod', '-f', 'examples/seed.deploy.yml', '--yes']).status).to.equal(0);
    expect(runCli(['schema', '-y']).status).to.equal(0);
  });
});
