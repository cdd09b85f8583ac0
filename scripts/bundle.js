#!/usr/bin/env node
// The second half of `npm run build`, after tsc: bundles what bin/run.js loads on every start
// (oclif, zod, yaml and our code) into a few files, because start-up time is dominated by
// loading hundreds of small modules, not by running them (`npm run bench:startup`). Every
// entry keeps its tsc path (dist/src/main.js, help.js, commands/*.js): oclif finds them as
// before, and shared code lands in dist/src/chunks/, loaded once. Packages other than those
// below stay external and load from node_modules as before, so Pulumi and the AWS SDK are
// still loaded only by the commands that import them, when they import them.
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

/** Bundled with everything they depend on. */
const BUNDLED = new Set(['@oclif/core', 'zod', 'yaml']);
/** Never bundled, even when a bundled package asks (oclif loads TypeScript only in development). */
const NEVER = new Set(['typescript', 'ts-node', 'tsx']);

const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const externals = {
  name: 'externals',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, ({ path, importer }) => {
      const name = packageOf(path);
      const fromBundledPackage = importer.includes('/node_modules/');
      if (NEVER.has(name) || (!fromBundledPackage && !BUNDLED.has(name))) return { path, external: true };
      return undefined;
    });
  },
};

/**
 * zod re-exports its ~50 message locales as one namespace (`z.locales`), so none of them is
 * left out of the bundle (~400 KB, every start parses them). ecs-crd writes its own messages
 * and keeps zod's English default only: the namespace is reduced to `en`.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(esbuild) {
    esbuild.onResolve({ filter: /\/locales\/index\.js$/ }, ({ path, importer, resolveDir }) =>
      importer.includes('/node_modules/zod/')
        ? { path: join(resolveDir, path), namespace: 'zod-locales' }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'zod-locales' }, ({ path }) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(path), 'en.js'))};`,
      resolveDir: dirname(path),
    }));
  },
};

const entryPoints = [
  'src/main.ts',
  'src/help.ts',
  ...readdirSync('src/commands')
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `src/commands/${file}`),
];

rmSync('dist/src/chunks', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist',
  outbase: '.',
  chunkNames: 'src/chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // Bundled CommonJS (oclif, yaml) calls require() for Node's own modules.
  banner: {
    js: "import { createRequire as __ecsCrdRequire } from 'node:module'; const require = __ecsCrdRequire(import.meta.url);",
  },
  plugins: [externals, zodEnglishOnly],
  logLevel: 'warning',
});
