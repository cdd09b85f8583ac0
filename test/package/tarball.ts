/**
 * What the package check does, as the README tells a user: `npm pack`, then
 * `npm install -g --prefix <empty folder> <tarball>`, then the CLI from that prefix. Everything
 * runs in a temporary folder outside the repository, so nothing resolves from the repository's
 * node_modules.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

export interface PackedFile {
  path: string;
  size: number;
}

/** What `npm pack --json` reports of the tarball it wrote. */
export interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackedFile[];
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The only files the tarball may hold: the entry point, oclif's manifest, and the bundles it
 * loads (scripts/bundle.js: main, help, one file per command, shared chunks). Not tsc's
 * per-module output beside them (the bundles replace it), no source maps (Node reads them only
 * under --enable-source-maps; they were 4.5 of 7.5 MB), no sources, tests, sandbox, scripts,
 * examples or schema (`ecs-crd schema` prints the schema). package.json and README.md npm
 * always adds; a LICENSE file would be added the same way.
 */
export const ALLOWED: readonly RegExp[] = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/run\.js$/,
  /^oclif\.manifest\.json$/,
  /^dist\/src\/(main|help)\.js$/,
  /^dist\/src\/commands\/[a-z-]+\.js$/,
  /^dist\/src\/chunks\/[A-Za-z0-9_-]+\.js$/,
];

/**
 * Packages the bundled oclif names but loads only in development or under Yarn PnP, each
 * behind a try: never needed by an installed ecs-crd.
 */
export const OPTIONAL = new Set(['typescript', 'ts-node', 'pnpapi']);

/**
 * The environment of every child: nothing from the developer's or npm's own run that would
 * point npm at another prefix, or Node at other modules.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_config_(global_|local_)?prefix$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NODE_PATH: '', NODE_OPTIONS: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', ...extra };
}

export function run(command: string, args: string[], cwd: string, timeout = 180_000): Run {
  const child = spawnSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout });
  return { status: child.status, stdout: child.stdout ?? '', stderr: child.stderr ?? '' };
}

/**
 * `npm pack` of the repository into `into`. Its scripts (`prepare` builds) are skipped: the
 * tier runs after `npm test`'s build, and what is checked is the dist/ that build wrote.
 */
export function pack(root: string, into: string): Packed {
  const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', into], root);
  if (packed.status !== 0) throw new Error(`npm pack failed (${packed.status}): ${packed.stderr}`);
  const [result] = JSON.parse(packed.stdout) as Packed[];
  if (!result) throw new Error(`npm pack reported nothing: ${packed.stdout}`);
  return result;
}

/** `npm install -g` of the tarball into an empty prefix, from the cache `npm ci` filled when it can. */
export function installGlobally(tarball: string, prefix: string, cwd: string): Run {
  return run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    cwd,
  );
}

export const disallowed = (files: readonly PackedFile[]): string[] =>
  files.map((f) => f.path).filter((path) => !ALLOWED.some((allowed) => allowed.test(path)));

/** The package a specifier names: `@pulumi/aws/ecs/service.js` → `@pulumi/aws`. */
export const packageOf = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

/**
 * Every package specifier the shipped JavaScript names: static imports, `import()` and
 * `require()` with a literal (what esbuild leaves external and the bundled CommonJS asks for),
 * other than Node's own modules and relative paths.
 */
export function packageSpecifiers(files: readonly string[]): string[] {
  const found = new Set<string>();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(["'])([^"'\s]+)\1/g;
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const specifier = match[2] ?? '';
      if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) continue;
      found.add(specifier);
    }
  }
  return [...found].sort();
}

/** What the probe reports: each module it loaded and where each package resolved, or why not. */
export interface ProbeResult {
  loaded: string[];
  resolved: Record<string, string>;
  failed: string[];
}

/**
 * Loads every given module and package from inside the installed package (written there, so
 * that packages resolve as they do for its own modules: from its node_modules up), and prints
 * a ProbeResult.
 */
const PROBE = `
const [modules, specifiers] = JSON.parse(process.argv[2]);
const result = { loaded: [], resolved: {}, failed: [] };
for (const module of modules) {
  try { await import(new URL(module, import.meta.url)); result.loaded.push(module); }
  catch (e) { result.failed.push(module + ': ' + e.message); }
}
for (const specifier of specifiers) {
  try { result.resolved[specifier] = new URL(import.meta.resolve(specifier)).pathname; await import(specifier); }
  catch (e) { result.failed.push(specifier + ': ' + e.message); }
}
process.stdout.write(JSON.stringify(result));
`;

export function probe(packageDir: string, modules: string[], specifiers: string[], cwd: string): ProbeResult {
  const file = join(packageDir, 'ecs-crd-load-probe.mjs');
  writeFileSync(file, PROBE);
  const child = run(process.execPath, [file, JSON.stringify([modules, specifiers])], cwd, 120_000);
  if (child.status !== 0) throw new Error(`the load probe failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout) as ProbeResult;
}
