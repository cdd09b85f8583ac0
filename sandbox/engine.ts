/**
 * The pinned Pulumi CLI, as scripts/install-pulumi.sh leaves it. Kept apart from the harness so
 * that `npm run sandbox` does not load @pulumi/pulumi (~0.5 s) just to start moto.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import { REPO_ROOT } from './harness.js';

/** `config.pulumiVersion` of package.json. */
export function pinnedPulumiVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    config?: { pulumiVersion?: string };
  };
  const version = pkg.config?.pulumiVersion;
  if (!version) throw new Error('package.json has no config.pulumiVersion');
  return version;
}

/**
 * The CLI at ~/.pulumi/versions/<pinned>/ (where PulumiCommand.install looks first). Never
 * downloads: PulumiCommand.get only runs `pulumi version` on that binary.
 */
export async function pinnedPulumiCommand(): Promise<PulumiCommand> {
  const root = join(homedir(), '.pulumi', 'versions', pinnedPulumiVersion());
  if (!existsSync(join(root, 'bin', 'pulumi'))) {
    throw new Error(`no Pulumi CLI at ${root}/bin/pulumi: run bash scripts/install-pulumi.sh`);
  }
  return PulumiCommand.get({ root });
}
