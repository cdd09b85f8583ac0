import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { UsageError } from '../../src/errors.js';
import { resolveBackend, stackWorkspace } from '../../src/stack/backend.js';

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

  it('makes a relative file backend absolute', () => {
    const url = resolveBackend(`file://${join(home, 'x')}`, {
      ECS_CRD_HOME: home,
      PULUMI_CONFIG_PASSPHRASE: '',
    }).url;
    expect(url).to.equal(`file://${join(home, 'x')}`);
  });

  describe('the engine’s work folder of a stack', () => {
    const STACK = 'sandbox-api-dev-eu-west-1';

    it('is one per backend, named by a digest of its URL, never the URL, private', () => {
      const url = 's3://team-state/ecs-crd?region=eu-west-1';
      const one = stackWorkspace(home, url, STACK);
      const other = stackWorkspace(home, 'file:///var/state', STACK);
      expect(one).to.not.equal(other);
      expect(stackWorkspace(home, url, STACK)).to.equal(one);
      for (const dir of [one, other]) {
        expect(dir.startsWith(join(home, 'workspaces'))).to.equal(true);
        expect(dir).to.not.match(/team-state|var\/state|s3/);
        expect(dir.endsWith(STACK)).to.equal(true);
        expect(statSync(dir).mode & 0o777).to.equal(0o700);
      }
    });

    it('keeps no passphrase salt between runs: the stack in its backend holds it', () => {
      const dir = stackWorkspace(home, 'file:///var/state', STACK);
      const settings = join(dir, `Pulumi.${STACK}.yaml`);
      writeFileSync(
        settings,
        'encryptionsalt: v1:abc:v1:def:ghi\nconfig:\n  aws:region: eu-west-1\n  aws:skipCredentialsValidation: "true"\n',
      );
      stackWorkspace(home, 'file:///var/state', STACK);
      expect(readFileSync(settings, 'utf8')).to.equal(
        'config:\n  aws:region: eu-west-1\n  aws:skipCredentialsValidation: "true"\n',
      );
      expect(statSync(settings).mode & 0o777).to.equal(0o600);
    });
  });
});
