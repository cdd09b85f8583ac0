/**
 * The bench's world: one sandbox (moto on 127.0.0.1 and its fixtures), one temporary folder
 * holding ecs-crd's home and the state backend, and this process's environment set as the CLI
 * would have it under `npm run sandbox`. Every measured side (ecs-crd's runner, its `deploy`,
 * the minimal Automation API program) runs in this one process against this one setup.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { pinnedPulumiCommand, pinnedPulumiVersion } from '../../sandbox/engine.js';
import { REPO_ROOT, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import type { Environment } from '../../src/canary/ports/aws.js';
import type { StackIdentity } from '../../src/canary/ports/stack.js';
import { requireDeployment } from '../../src/config/load.js';
import type { DeploymentConfig } from '../../src/config/types.js';
import { type Backend, resolveBackend } from '../../src/stack/backend.js';
import type { ProviderSettings } from '../../src/stack/provider-config.js';

export const ENVIRONMENT = 'dev';

export interface BenchEnv {
  sandbox: Sandbox;
  /** Removed by `close`. */
  dir: string;
  /** The default file backend under `ECS_CRD_HOME`, as `deploy` resolves it: both sides use it. */
  backend: Backend;
  provider: ProviderSettings;
  pulumiVersion: string;
  /** Aborted on Ctrl-C: passed to every `up`, checked before starting one. */
  signal: AbortSignal;
  /** One sandbox service of its own per measurement, so none sees another's stack. */
  service(name: string): BenchService;
  close(): Promise<void>;
}

export interface ReleaseFile {
  version: string;
  health?: 'unhealthy';
  scaleWait?: number;
  strategy?: { weight: number; wait: number }[];
  healthTimeout?: number;
  /** `canary.drain`, seconds. */
  drain?: number;
  /** `canary.analysis`, verbatim. */
  analysis?: Record<string, unknown>;
}

export interface BenchService {
  name: string;
  fqdn: string;
  identity: StackIdentity;
  /** Writes a deployment file for this service from examples/sandbox.deploy.yml. */
  file(release: ReleaseFile): string;
  /** The file, loaded and checked as `deploy` does (`{{account_id}}` rendered). */
  load(release: ReleaseFile): Promise<DeploymentConfig>;
  /** What discovery finds for it in the sandbox, through ecs-crd's own `AwsLookup`. */
  discover(): Promise<Environment>;
}

/**
 * The variables the engine and the SDK read, set on this process so that the runner, `deploy`
 * (which passes the engine no environment of its own) and the minimal program all inherit the
 * same. A user's own backend or passphrase settings must not leak in: the bench owns its state.
 */
function adoptEnvironment(sandbox: Sandbox, home: string): void {
  for (const key of ['PULUMI_BACKEND_URL', 'PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE_FILE']) {
    delete process.env[key];
  }
  Object.assign(process.env, sandbox.env, {
    ECS_CRD_HOME: home,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
}

/** Starts the sandbox; on any failure here, whatever was started is stopped again. */
export async function openBenchEnv(signal: AbortSignal): Promise<BenchEnv> {
  // Fails clearly when the pinned CLI is missing, before the runner would try to download it.
  await pinnedPulumiCommand();
  const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-bench-'));
  let sandbox: Sandbox | undefined;
  try {
    // No automatic traffic: each measurement that needs clients runs its own, on its own names,
    // and the others are timed without that load.
    sandbox = await startSandbox({ traffic: false });
    adoptEnvironment(sandbox, join(dir, 'ecs-crd'));
    const started = sandbox;
    const backend = resolveBackend(undefined);
    const provider: ProviderSettings = { region: started.region, endpointUrl: started.endpoint };
    let files = 0;
    const env: BenchEnv = {
      sandbox: started,
      dir,
      backend,
      provider,
      pulumiVersion: pinnedPulumiVersion(),
      signal,
      service(name) {
        const fqdn = `${name}.${started.fixtures.hostedZoneName}`;
        const identity: StackIdentity = {
          project: 'sandbox',
          name,
          environment: ENVIRONMENT,
          region: started.region,
        };
        const file = (release: ReleaseFile): string => {
          const path = join(dir, `${name}-${++files}.deploy.yml`);
          writeFileSync(path, deploymentFile(name, fqdn, release));
          return path;
        };
        return {
          name,
          fqdn,
          identity,
          file,
          async load(release) {
            const loaded = await requireDeployment({
              environment: ENVIRONMENT,
              file: file(release),
              region: started.region,
              account_id: started.fixtures.accountId,
            });
            return loaded.config;
          },
          async discover() {
            const { lookup } = await awsPorts(env);
            const config = await this.load({ version: '0.0.0' });
            return lookup.discover(config);
          },
        };
      },
      async close() {
        await started.stop();
        removeDir(dir);
        forgetWorkspaces(dir);
      },
    };
    return env;
  } catch (error) {
    await sandbox?.stop();
    removeDir(dir);
    throw error;
  }
}

/**
 * The CLI remembers each work dir's selected stack in `~/.pulumi/workspaces/<project>-<hash>-
 * workspace.json`; the bench's point into the temp dir just removed, so they go too.
 */
function forgetWorkspaces(dir: string): void {
  const workspaces = join(process.env.PULUMI_HOME ?? join(homedir(), '.pulumi'), 'workspaces');
  if (!existsSync(workspaces)) return;
  for (const name of readdirSync(workspaces)) {
    const file = join(workspaces, name);
    try {
      if (name.endsWith('-workspace.json') && readFileSync(file, 'utf8').includes(`file://${dir}/`))
        rmSync(file);
    } catch {
      // Another process's file, changed or removed meanwhile: not ours to worry about.
    }
  }
}

/** Retries: an engine process cancelled a moment ago may still be closing files in there. */
function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

/** ecs-crd's real AWS ports (discovery, health probe) on the sandbox, as `deploy` builds them. */
export async function awsPorts(env: BenchEnv) {
  const aws = await import('../../src/aws/index.js');
  const clients = aws.createAwsClients({ region: env.provider.region, endpointUrl: env.sandbox.endpoint });
  return {
    lookup: aws.createAwsLookup(clients),
    probe: aws.createHealthProbe(clients),
    metrics: aws.createMetricsSource(clients),
  };
}

/** examples/sandbox.deploy.yml, renamed for `name` / `fqdn`, with the release's settings. */
function deploymentFile(name: string, fqdn: string, release: ReleaseFile): string {
  const doc = parseDocument(readFileSync(join(REPO_ROOT, 'examples', 'sandbox.deploy.yml'), 'utf8'));
  doc.setIn(['service', 'name'], name);
  doc.setIn(['service', 'fqdn'], fqdn);
  doc.setIn(['service', 'version'], release.version);
  if (release.health)
    doc.setIn(['service', 'containers', 0, 'environment'], { SANDBOX_HEALTH: release.health });
  if (release.scaleWait !== undefined) doc.setIn(['canary', 'scale', 'wait'], release.scaleWait);
  if (release.strategy) doc.setIn(['canary', 'strategy'], release.strategy);
  if (release.healthTimeout !== undefined) doc.setIn(['canary', 'health', 'timeout'], release.healthTimeout);
  if (release.drain !== undefined) doc.setIn(['canary', 'drain'], release.drain);
  if (release.analysis) doc.setIn(['canary', 'analysis'], release.analysis);
  return doc.toString();
}
