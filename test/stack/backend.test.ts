import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { makePrivateDirs } from '../../src/private-dirs.js';
import { ecsCrdHome, resolveBackend } from '../../src/stack/backend.js';
import { checkSecretsProvider, recordedSecretsProvider } from '../../src/stack/secrets-provider.js';

describe('state backend', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'ecs-crd-home-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('defaults to a private file backend and a generated 0600 passphrase file', () => {
    const backend = resolveBackend(undefined, { ECS_CRD_HOME: home });
    expect(backend.isDefault).to.equal(true);
    expect(backend.url).to.equal(`file://${join(home, 'state')}`);
    expect(statSync(join(home, 'state')).mode & 0o777).to.equal(0o700);
    expect(statSync(home).mode & 0o777).to.equal(0o700);
    const file = backend.env.PULUMI_CONFIG_PASSPHRASE_FILE ?? '';
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(readFileSync(file, 'utf8')).to.have.length.greaterThan(20);
    // The passphrase itself never travels in the engine's environment.
    expect(Object.values(backend.env)).to.not.include(readFileSync(file, 'utf8'));
  });

  it('keeps the same passphrase across runs', () => {
    const a = resolveBackend(undefined, { ECS_CRD_HOME: home }).env.PULUMI_CONFIG_PASSPHRASE_FILE ?? '';
    const first = readFileSync(a, 'utf8');
    resolveBackend(undefined, { ECS_CRD_HOME: home });
    expect(readFileSync(a, 'utf8')).to.equal(first);
  });

  it('agrees on one passphrase when first runs start at once: none fails, none reads it empty', async function () {
    this.timeout(60_000);
    // Each run loads first, then waits for the same instant: their first steps coincide.
    const resolveIn = `
      const { resolveBackend } = await import(${JSON.stringify(new URL('../../src/stack/backend.ts', import.meta.url).href)});
      while (Date.now() < Number(process.argv[2]));
      const file = resolveBackend(undefined, { ECS_CRD_HOME: process.argv[1] }).env.PULUMI_CONFIG_PASSPHRASE_FILE;
      process.stdout.write((await import('node:fs')).readFileSync(file, 'utf8'));`;
    const at = String(Date.now() + 3000);
    const runs = Array.from({ length: 6 }, () =>
      promisify(execFile)(process.execPath, [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        resolveIn,
        home,
        at,
      ]),
    );
    const passphrases = (await Promise.all(runs)).map((r) => r.stdout);
    expect(new Set(passphrases).size).to.equal(1);
    expect(passphrases[0]).to.have.length.greaterThan(20);
    expect(readdirSync(home).sort()).to.deep.equal(['passphrase', 'state']);
  });

  it('takes the flag over PULUMI_BACKEND_URL and leaves a given passphrase to the engine', () => {
    const backend = resolveBackend('s3://team-state', {
      ECS_CRD_HOME: home,
      PULUMI_BACKEND_URL: 's3://other',
      PULUMI_CONFIG_PASSPHRASE: 'x',
    });
    expect(backend.url).to.equal('s3://team-state');
    expect(backend.env).to.deep.equal({ PULUMI_BACKEND_URL: 's3://team-state' });
  });

  it('refuses an S3 backend without a passphrase, saying what to set', () => {
    expect(() => resolveBackend('s3://team-state', { ECS_CRD_HOME: home }))
      .to.throw(UsageError)
      .with.property('hint')
      .that.matches(/PULUMI_CONFIG_PASSPHRASE/);
  });

  it('needs no passphrase for Pulumi Cloud', () => {
    expect(resolveBackend('https://api.example.test', { ECS_CRD_HOME: home }).env).to.deep.equal({
      PULUMI_BACKEND_URL: 'https://api.example.test',
    });
  });

  it('refuses (exit 2) a URL the engine has no backend for, and a file:// naming no folder', () => {
    const env = { ECS_CRD_HOME: home, PULUMI_CONFIG_PASSPHRASE: '' };
    for (const [url, message] of [
      ['ftp://x', 'ftp://x is not a state backend URL.'],
      ['/srv/state', '/srv/state is not a state backend URL.'],
      ['file://', 'file:// names no folder.'],
    ] as const) {
      let error: unknown;
      try {
        resolveBackend(url, env);
      } catch (caught) {
        error = caught;
      }
      expect(exitCodeOf(error), url).to.equal(ExitCode.Usage);
      expect((error as UsageError).message).to.equal(message);
    }
    for (const url of ['s3://b/p?region=eu-west-1', 'gs://b', 'azblob://c', 'postgres://h/db']) {
      expect(resolveBackend(url, env).url, url).to.be.a('string');
    }
    expect(resolveBackend(`FILE://${join(home, 'upper')}`, env).url).to.equal(
      `file://${join(home, 'upper')}`,
    );
    expect(statSync(join(home, 'upper')).isDirectory()).to.equal(true);
  });

  it('takes an empty ECS_CRD_HOME as unset, not as the current folder', () => {
    expect(ecsCrdHome({ ECS_CRD_HOME: '' })).to.equal(join(homedir(), '.ecs-crd'));
  });

  it('refuses (exit 2), and never hangs on, a folder the system will not make: one under /proc', () => {
    // Node's recursive mkdir retries such a path for ever (a run with ECS_CRD_HOME=/proc/x hung).
    let error: unknown;
    try {
      resolveBackend(undefined, { ECS_CRD_HOME: '/proc/ecs-crd-test/home' });
    } catch (caught) {
      error = caught;
    }
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect((error as UsageError).message).to.equal(
      'The folder /proc/ecs-crd-test/home cannot be created (ENOENT). Nothing was changed.',
    );
  });

  it('makes every missing folder 0700, and takes one another run made meanwhile', () => {
    const deep = join(home, 'a', 'b', 'c');
    makePrivateDirs(deep);
    makePrivateDirs(deep);
    for (const dir of [join(home, 'a'), join(home, 'a', 'b'), deep]) {
      expect(statSync(dir).mode & 0o777, dir).to.equal(0o700);
    }
  });

  it('refuses (exit 2) a passphrase file that cannot be read, never showing what it holds', () => {
    for (const file of [join(home, 'missing'), home]) {
      let error: unknown;
      try {
        resolveBackend('s3://b/p', { ECS_CRD_HOME: home, PULUMI_CONFIG_PASSPHRASE_FILE: file });
      } catch (caught) {
        error = caught;
      }
      expect(exitCodeOf(error), file).to.equal(ExitCode.Usage);
      expect((error as UsageError).message).to.match(
        new RegExp(
          `^PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which cannot be read \\((ENOENT|EISDIR)\\)\\.$`,
        ),
      );
    }
  });

  it('makes a relative file backend absolute', () => {
    const url = resolveBackend(`file://${join(home, 'x')}`, {
      ECS_CRD_HOME: home,
      PULUMI_CONFIG_PASSPHRASE: '',
    }).url;
    expect(url).to.equal(`file://${join(home, 'x')}`);
  });

  describe('the secrets provider', () => {
    const KMS = 'awskms://alias/ecs-crd?region=eu-west-1';

    it('with a KMS key asks for no passphrase, creates none and hands none to the engine', () => {
      for (const url of [undefined, 's3://team-state/ecs-crd']) {
        const backend = resolveBackend(url, { ECS_CRD_HOME: home }, KMS);
        expect(backend.secretsProvider).to.equal(KMS);
        expect(Object.keys(backend.env)).to.deep.equal(['PULUMI_BACKEND_URL']);
      }
      expect(existsSync(join(home, 'passphrase'))).to.equal(false);
    });

    it('is read from PULUMI_SECRETS_PROVIDER when the flag is absent, the flag first', () => {
      const env = { ECS_CRD_HOME: home, PULUMI_SECRETS_PROVIDER: KMS };
      expect(resolveBackend('s3://team-state', env).secretsProvider).to.equal(KMS);
      expect(
        resolveBackend(undefined, env, 'gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k')
          .secretsProvider,
      ).to.equal('gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k');
      expect(resolveBackend(undefined, { ...env, PULUMI_SECRETS_PROVIDER: '' }).secretsProvider).to.equal(
        undefined,
      );
    });

    it('passes the other key services through', () => {
      for (const url of [
        'azurekeyvault://v.vault.azure.net/keys/k',
        'hashivault://ecs-crd',
        'awskms://1234abcd-12ab',
      ]) {
        expect(resolveBackend('s3://b', { ECS_CRD_HOME: home }, url).secretsProvider).to.equal(url);
      }
    });

    it('`passphrase` is today’s behaviour, and demands one on Pulumi Cloud too', () => {
      const backend = resolveBackend(undefined, { ECS_CRD_HOME: home }, 'passphrase');
      expect(backend.secretsProvider).to.equal('passphrase');
      expect(backend.env.PULUMI_CONFIG_PASSPHRASE_FILE).to.equal(join(home, 'passphrase'));
      expect(() => resolveBackend('https://api.example.test', { ECS_CRD_HOME: home }, 'passphrase'))
        .to.throw(UsageError)
        .with.property('hint')
        .that.matches(/PULUMI_CONFIG_PASSPHRASE/);
    });

    it('refuses anything else (exit 2), saying what is accepted and where it came from', () => {
      for (const [flag, env, source] of [
        ['kms', {}, '--secrets-provider'],
        ['', {}, '--secrets-provider'],
        [undefined, { PULUMI_SECRETS_PROVIDER: 'awskms:/alias/x' }, 'PULUMI_SECRETS_PROVIDER'],
        [undefined, { PULUMI_SECRETS_PROVIDER: 'default' }, 'PULUMI_SECRETS_PROVIDER'],
      ] as const) {
        let error: unknown;
        try {
          resolveBackend('s3://b', { ECS_CRD_HOME: home, PULUMI_CONFIG_PASSPHRASE: 'x', ...env }, flag);
        } catch (e) {
          error = e;
        }
        expect(error, String(flag)).to.be.instanceOf(UsageError);
        expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
        expect((error as UsageError).message).to.contain(source);
        expect((error as UsageError).hint).to.match(/passphrase.*awskms:\/\/alias\/NAME/);
      }
    });

    it('names the key choice in the hint of a backend without a passphrase', () => {
      expect(() => resolveBackend('s3://team-state', { ECS_CRD_HOME: home }))
        .to.throw(UsageError)
        .with.property('hint')
        .that.matches(/--secrets-provider awskms:/);
    });
  });

  describe('a stack’s recorded secrets provider against the one asked', () => {
    const KMS = 'awskms://alias/ecs-crd';

    it('reads it from the state as the user names it', () => {
      expect(
        recordedSecretsProvider({
          secrets_providers: { type: 'cloud', state: { url: KMS, encryptedkey: 'x' } },
        }),
      ).to.equal(KMS);
      expect(
        recordedSecretsProvider({ secrets_providers: { type: 'passphrase', state: { salt: 'v1:x' } } }),
      ).to.equal('passphrase');
      expect(recordedSecretsProvider({ secrets_providers: { type: 'service', state: {} } })).to.equal(
        'service',
      );
      expect(recordedSecretsProvider({})).to.equal(undefined);
      expect(recordedSecretsProvider(undefined)).to.equal(undefined);
    });

    it('accepts what the state records when nothing, or the same, was asked', () => {
      expect(() => checkSecretsProvider('s', undefined, KMS)).not.to.throw();
      expect(() => checkSecretsProvider('s', KMS, KMS)).not.to.throw();
      expect(() => checkSecretsProvider('s', KMS, undefined)).not.to.throw();
    });

    it('refuses another (exit 2), naming both and how to go on', () => {
      expect(() => checkSecretsProvider('shop-api-dev', KMS, 'passphrase'))
        .to.throw(
          UsageError,
          /shop-api-dev seals its secrets with a passphrase, not with awskms:\/\/alias\/ecs-crd/,
        )
        .with.property('hint')
        .that.matches(/--secrets-provider passphrase.*change-secrets-provider/);
      expect(() => checkSecretsProvider('s', 'passphrase', KMS)).to.throw(
        UsageError,
        /with awskms:\/\/alias\/ecs-crd, not with a passphrase/,
      );
      expect(() => checkSecretsProvider('s', KMS, 'service'))
        .to.throw(UsageError, /Pulumi Cloud/)
        .with.property('hint')
        .that.matches(/^Omit --secrets-provider/);
    });
  });
});
