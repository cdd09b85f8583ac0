/**
 * examples/ci/: the GitHub Actions workflow and the GitLab CI file parse, have the jobs the
 * README promises (validate on every push, preview on merge requests, deploy on main with
 * --json and the exit codes, a manual promote and a manual rollback), hold no secret, and every
 * `ecs-crd` command line in them parses with that command's own flags. Their deployment file is
 * valid and pauses at 10 %. test/e2e/pipeline.test.ts runs the same lines against the sandbox.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Flags, Parser } from '@oclif/core';
import { expect } from 'chai';
import { checkDeployment } from '../src/config/check.js';
import { formatProblem } from '../src/config/problems.js';
import { CI_DIR, type CiFile, ciCommands, expandWords, fileFlag, readCi } from './helpers/ci-commands.js';

const FILES: CiFile[] = ['github-actions.yml', 'gitlab-ci.yml'];
/** The variables the command lines use, as a runner would have them. */
const CI_ENV = { AWS_ACCOUNT_ID: '123456789012', GIT_SHA: '0123abcd' };

type Job = Record<string, unknown>;

/** A GitHub Actions expression as written in the file: `${{ body }}`. */
const expression = (body: string): string => `\${{ ${body} }}`;

/** The text of a job's scripts (GitHub: every step's `run`; GitLab: `script`). */
function scriptOf(job: Job): string {
  if (Array.isArray(job.steps)) return (job.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
  return ((job.script as string[] | undefined) ?? []).join('\n');
}

describe('examples/ci', () => {
  describe('github-actions.yml', () => {
    const doc = readCi('github-actions.yml');
    const jobs = doc.jobs as Record<string, Job>;
    const commandsOf = (job: string) =>
      ciCommands('github-actions.yml')
        .filter((c) => c.job === job)
        .map((c) => c.words[0]);

    it('runs on every push, on pull requests and by hand (promote, promote-full, rollback)', () => {
      const on = doc.on as Record<string, { inputs?: Record<string, { options?: string[] }> } | null>;
      expect(on).to.have.keys('push', 'pull_request', 'workflow_dispatch');
      expect(on.push, 'every branch').to.equal(null);
      expect(on.workflow_dispatch?.inputs?.action?.options).to.deep.equal([
        'promote',
        'promote-full',
        'rollback',
      ]);
      expect(on.workflow_dispatch?.inputs).to.have.property('version');
    });

    it('validates on every push, previews pull requests, deploys main and promotes/rolls back by hand', () => {
      expect(jobs.validate?.if, 'validate runs always').to.equal(undefined);
      expect(commandsOf('validate')).to.deep.equal(['validate']);
      expect(jobs.preview?.if).to.equal("github.event_name == 'pull_request'");
      expect(commandsOf('preview')).to.deep.equal(['preview']);
      expect(jobs.deploy?.if).to.include("github.ref == 'refs/heads/main'");
      expect(commandsOf('deploy')).to.deep.equal(['deploy']);
      // The promote job of the same run waits for a reviewer of its environment.
      expect(jobs.promote?.environment).to.equal('production-promote');
      expect(jobs.promote?.if).to.equal("needs.deploy.outputs.outcome == 'paused'");
      expect(commandsOf('promote')).to.deep.equal(['status', 'promote']);
      expect(jobs['manual-promote']?.if).to.include('workflow_dispatch');
      expect(commandsOf('manual-promote')).to.deep.equal(['promote', 'promote']);
      expect(jobs.rollback?.if).to.include("inputs.action == 'rollback'");
      expect(commandsOf('rollback')).to.deep.equal(['rollback']);
    });

    it('deploys with --json, keeps the document as an artifact and acts on every exit code', () => {
      const deploy = jobs.deploy as Job;
      const [command] = ciCommands('github-actions.yml').filter((c) => c.job === 'deploy');
      expect(command?.words).to.include('--json');
      expect(command?.stdout).to.equal('deploy.json');
      const upload = (deploy.steps as { uses?: string; with?: { path?: string }; if?: string }[]).find((s) =>
        s.uses?.startsWith('actions/upload-artifact@'),
      );
      expect(upload?.if).to.equal('always()');
      expect(upload?.with?.path).to.include('deploy.json');
      const script = scriptOf(deploy);
      for (const code of [0, 2, 3, 4, 5]) expect(script).to.match(new RegExp(`^\\s*${code}\\)`, 'm'));
      expect(script).to.include('"$outcome" = paused');
      expect((deploy.outputs as Record<string, string>).outcome).to.include('steps.deploy.outputs.outcome');
    });

    it('assumes an AWS role with OIDC and takes the passphrase from the secret store', () => {
      expect(doc.permissions).to.deep.include({ 'id-token': 'write' });
      for (const name of ['preview', 'deploy', 'promote', 'manual-promote', 'rollback']) {
        const job = jobs[name] as Job;
        const steps = job.steps as { uses?: string; with?: Record<string, string> }[];
        const aws = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect(aws?.with?.['role-to-assume'], name).to.match(
          /^arn:aws:iam::\$\{\{ vars\.AWS_ACCOUNT_ID \}\}:role\//,
        );
        expect((job.env as Record<string, string>).PULUMI_CONFIG_PASSPHRASE, name).to.equal(
          expression('secrets.PULUMI_CONFIG_PASSPHRASE'),
        );
      }
      expect((doc.env as Record<string, string>).GIT_SHA).to.equal(
        expression('inputs.version || github.sha'),
      );
    });
  });

  describe('gitlab-ci.yml', () => {
    const doc = readCi('gitlab-ci.yml');
    const job = (name: string) => doc[name] as Job;
    const commandsOf = (name: string) =>
      ciCommands('gitlab-ci.yml')
        .filter((c) => c.job === name)
        .map((c) => c.words[0]);
    const rules = (name: string) =>
      job(name).rules as { if?: string; when?: string; allow_failure?: boolean }[];

    it('has the stages, and validates in every pipeline', () => {
      expect(doc.stages).to.deep.equal(['validate', 'preview', 'build', 'deploy', 'promote']);
      expect(job('validate').rules, 'validate runs always').to.equal(undefined);
      expect(commandsOf('validate')).to.deep.equal(['validate']);
      expect((doc.variables as Record<string, string>).GIT_SHA).to.equal('$CI_COMMIT_SHA');
    });

    it('previews merge requests and deploys the default branch with --json as an artifact', () => {
      expect(rules('preview')).to.deep.equal([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
      expect(commandsOf('preview')).to.deep.equal(['preview']);
      expect(rules('deploy')).to.deep.equal([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
      const [command] = ciCommands('gitlab-ci.yml').filter((c) => c.job === 'deploy');
      expect(command?.words).to.include('--json');
      expect(command?.stdout).to.equal('deploy.json');
      expect(job('deploy').artifacts).to.deep.include({ when: 'always' });
      expect((job('deploy').artifacts as { paths: string[] }).paths).to.include('deploy.json');
      const script = scriptOf(job('deploy'));
      for (const code of [0, 2, 3, 4, 5]) expect(script).to.match(new RegExp(`^\\s*${code}\\)`, 'm'));
    });

    it('promotes and rolls back from manual jobs', () => {
      for (const name of ['promote', 'promote-full', 'rollback']) {
        expect(rules(name), name).to.deep.equal([
          { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual', allow_failure: true },
        ]);
        expect(job(name).extends, name).to.equal('.production');
      }
      expect(commandsOf('promote')).to.deep.equal(['status', 'promote']);
      expect(commandsOf('promote-full')).to.deep.equal(['promote']);
      expect(commandsOf('rollback')).to.deep.equal(['rollback']);
      // deploy, promote and rollback take production one at a time.
      expect((doc['.production'] as Job).resource_group).to.equal('production');
    });

    it('assumes an AWS role with GitLab’s ID token', () => {
      const aws = doc['.aws'] as Job;
      expect(aws.id_tokens).to.deep.equal({ AWS_ID_TOKEN: { aud: 'sts.amazonaws.com' } });
      expect(scriptOf({ script: aws.before_script })).to.include('AWS_WEB_IDENTITY_TOKEN_FILE');
    });
  });

  for (const file of FILES) {
    describe(`${file}: its ecs-crd command lines`, () => {
      const commands = ciCommands(file);

      it('are there, each with -e and -f, never with a GitHub expression the shell would not see', () => {
        expect(commands.length).to.be.at.least(6);
        for (const { line, words } of commands) {
          expect(words, line).to.include('-e');
          expect(fileFlag(words), line).to.equal('deploy/prod.deploy.yml');
          expect(line).to.not.include('${{');
        }
      });

      it("parse with each command's own flags", async () => {
        for (const { line, words } of commands) {
          const [id, ...argv] = expandWords(words, CI_ENV);
          const command = (await import(`../src/commands/${id}.ts`)).default as {
            flags: Record<string, unknown>;
            baseFlags: Record<string, unknown>;
            args?: Record<string, unknown>;
            enableJsonFlag?: boolean;
          };
          const flags = {
            ...command.baseFlags,
            ...command.flags,
            ...(command.enableJsonFlag ? { json: Flags.boolean() } : {}),
          };
          const parsed = await Parser.parse(argv, {
            flags: flags as Parameters<typeof Parser.parse>[1]['flags'],
            args: (command.args ?? {}) as Parameters<typeof Parser.parse>[1]['args'],
            strict: true,
          }).catch((error: Error) => {
            throw new Error(`${file}: ${line}: ${error.message}`);
          });
          expect(parsed.flags.environment, line).to.equal('prod');
        }
      });
    });
  }

  it('never writes a secret: no access key, no passphrase value, no token', () => {
    for (const file of FILES) {
      const text = readFileSync(new URL(file, CI_DIR), 'utf8');
      expect(text, file).to.not.match(/AKIA[0-9A-Z]{16}|aws_secret_access_key|aws-secret-access-key/i);
      expect(text, file).to.not.match(/AWS_SECRET_ACCESS_KEY|PULUMI_ACCESS_TOKEN/);
      expect(text, file).to.not.match(/PULUMI_CONFIG_PASSPHRASE:\s*(?!\$\{\{ secrets\.)\S/);
    }
  });

  it('deploy/prod.deploy.yml is valid with GIT_SHA set, pauses at 10 %, and names GIT_SHA when unset', () => {
    const text = readFileSync(new URL('deploy/prod.deploy.yml', CI_DIR), 'utf8');
    const context = { environment: 'prod', region: 'eu-west-1', account_id: '123456789012' } as const;
    const result = checkDeployment(text, { file: 'deploy/prod.deploy.yml', ...context, env: CI_ENV });
    expect(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n')).to.equal(true);
    if (!result.ok) return;
    expect(result.config.service.version).to.equal(CI_ENV.GIT_SHA);
    expect(result.config.service.containers[0]?.image).to.equal(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:${CI_ENV.GIT_SHA}`,
    );
    expect(result.config.canary.strategy[0]).to.deep.include({ weight: 10, pause: true });
    expect(result.config.canary.hooks?.before_traffic).to.deep.equal([
      { kind: 'command', command: ['./smoke.sh'], timeout: 120 },
    ]);
    const unset = checkDeployment(text, { file: 'deploy/prod.deploy.yml', ...context, env: {} });
    expect(unset.ok).to.equal(false);
    if (!unset.ok) expect(unset.problems.map(formatProblem).join('\n')).to.include('GIT_SHA');
  });

  it('deploy/smoke.sh, the before_traffic hook, is executable and reads the candidate’s address', () => {
    const smoke = new URL('deploy/smoke.sh', CI_DIR);
    expect(existsSync(smoke)).to.equal(true);
    expect(statSync(smoke).mode & 0o111).to.not.equal(0);
    const text = readFileSync(smoke, 'utf8');
    expect(text).to.include('ECS_CRD_CANDIDATE_URL').and.to.include('ECS_CRD_CANDIDATE_HOST');
  });
});
