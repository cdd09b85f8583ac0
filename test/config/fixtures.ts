/**
 * Deployment files for the config tests: a small valid one as data, variants of it as YAML
 * text, and the checker's verdict in a form that is easy to compare.
 */
import { stringify } from 'yaml';
import { type CheckOptions, type CheckResult, checkDeployment } from '../../src/config/check.js';
import type { DeploymentConfig } from '../../src/config/types.js';

// biome-ignore lint/suspicious/noExplicitAny: tests edit files as loosely as a user would.
export type LooseFile = Record<string, any>;

/** The smallest interesting valid file: EC2, one container with one port, two steps. */
export function validFile(): LooseFile {
  return {
    canary: {
      group: 'private',
      releases: { blue: 1, green: 2 },
      strategy: [
        { weight: 10, wait: 70 },
        { weight: 60, wait: 50 },
      ],
    },
    service: {
      project: 'shop',
      name: 'api',
      cluster: 'main',
      fqdn: 'api.example.com',
      version: '1.2.3',
      containers: [{ name: 'web', port_mappings: [{ container_port: 8080 }] }],
    },
  };
}

/** The valid file changed by `edit`, as YAML text. */
export function fileWith(edit: (file: LooseFile) => void): string {
  const file = validFile();
  edit(file);
  return stringify(file);
}

export const OPTIONS: CheckOptions = { file: 'prod.deploy.yml', environment: 'prod', region: 'eu-west-1' };

export function check(text: string, options: Partial<CheckOptions> = {}): CheckResult {
  return checkDeployment(text, { ...OPTIONS, ...options });
}

/** `PATH: MESSAGE` of every problem (empty when the file is valid). */
export function problems(text: string, options: Partial<CheckOptions> = {}): string[] {
  const result = check(text, options);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

/** `LINE:COL PATH` of every problem. */
export function positions(text: string): string[] {
  const result = check(text);
  return result.ok ? [] : result.problems.map((p) => `${p.line}:${p.column} ${p.path}`);
}

/** The resolved config of a file that must be valid. */
export function config(text: string, options: Partial<CheckOptions> = {}): DeploymentConfig {
  const result = check(text, options);
  if (!result.ok)
    throw new Error(
      `expected a valid file, got:\n${result.problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`,
    );
  return result.config;
}
