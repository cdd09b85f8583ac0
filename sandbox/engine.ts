/**
 * The pinned Pulumi CLI, as scripts/install-pulumi.sh leaves it. Kept apart from the harness so
 * that `npm run sandbox` does not load @pulumi/pulumi (~0.5 s) just to start moto.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import { pinnedPulumiVersion as pinnedVersionOf } from '../src/app/options.js';
import { REPO_ROOT } from './harness.js';

/** `config.pulumiVersion` of package.json, read as the product reads it. */
export function pinnedPulumiVersion(): string {
  return pinnedVersionOf(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')));
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
