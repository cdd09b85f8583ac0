/**
 * Every boundary rule of the layout, checked on the sources: the domain (`src/canary`) owns
 * its ports and imports no side that implements them; the AWS SDK lives in `src/aws` and is
 * loaded lazily; reporters see events and documents, never the engine or AWS; files stay
 * small.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { expect } from 'chai';

const SRC = new URL('../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

interface Import {
  specifier: string;
  /** Resolved against `src/` for relative imports (`stack/runner.js`); the package name otherwise. */
  target: string;
  dynamic: boolean;
  typeOnly: boolean;
}

/** Every module a file imports: static (value or type), re-exports, and `import()`. */
function importsOf(file: string, text: string): Import[] {
  const resolve = (specifier: string) =>
    specifier.startsWith('.') ? relative(SRC, normalize(join(dirname(file), specifier))) : specifier;
  const found: Import[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/gm)) {
    const specifier = match[2] ?? '';
    found.push({ specifier, target: resolve(specifier), dynamic: false, typeOnly: match[1] !== undefined });
  }
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) {
    const specifier = match[1] ?? '';
    found.push({ specifier, target: resolve(specifier), dynamic: true, typeOnly: false });
  }
  return found;
}

const isSdk = (specifier: string) => specifier.startsWith('@aws-sdk/') || specifier.startsWith('@smithy/');
const isPulumi = (specifier: string) => specifier.startsWith('@pulumi/');

describe('architecture: the boundaries of the layout', () => {
  const files = sources(SRC).map((file) => {
    const text = readFileSync(file, 'utf8');
    return { name: relative(SRC, file), text, imports: importsOf(file, text) };
  });
  const under = (dir: string) => files.filter((file) => file.name.startsWith(`${dir}/`));
  /** `file imports target`, for every import of `files` that `bad` picks out. */
  const offending = (of: typeof files, bad: (i: Import) => boolean) =>
    of.flatMap((file) => file.imports.filter(bad).map((i) => `${file.name} imports ${i.specifier}`));

  it('finds the sources it checks', () => {
    expect(under('canary').length).to.be.greaterThan(10);
    expect(under('stack').length).to.be.greaterThan(5);
    expect(under('hooks').length).to.be.greaterThan(1);
  });

  it('keeps the domain free of its adapters: src/canary imports no stack, aws, ui, app or command code', () => {
    const outside = (i: Import) =>
      /^(stack|aws|ui|app|commands)\//.test(i.target) || i.target === 'base-command.js';
    expect(offending(under('canary'), outside)).to.deep.equal([]);
  });

  it('keeps Pulumi and the AWS SDK out of the domain, even as types', () => {
    expect(offending(under('canary'), (i) => isPulumi(i.specifier) || isSdk(i.specifier))).to.deep.equal([]);
  });

  it('lets the adapters implement the domain’s ports, never each other or the ui', () => {
    const stackOut = (i: Import) => /^(aws|ui|app|commands)\//.test(i.target);
    const awsOut = (i: Import) => /^(stack|ui|app|commands)\//.test(i.target);
    const hooksOut = (i: Import) => /^(stack|aws|ui|app|commands)\//.test(i.target);
    expect(offending(under('stack'), stackOut)).to.deep.equal([]);
    expect(offending(under('aws'), awsOut)).to.deep.equal([]);
    expect(offending(under('hooks'), hooksOut)).to.deep.equal([]);
  });

  it('keeps the reporters to events and documents: src/ui imports no stack, aws, app or command code', () => {
    expect(offending(under('ui'), (i) => /^(stack|aws|app|commands)\//.test(i.target))).to.deep.equal([]);
  });

  it('keeps the deployment file on its own: src/config imports only itself and the errors', () => {
    const outside = (i: Import) =>
      i.specifier.startsWith('.') && !i.target.startsWith('config/') && i.target !== 'errors.js';
    expect(offending(under('config'), outside)).to.deep.equal([]);
  });

  it('keeps every @aws-sdk import inside src/aws', () => {
    const outside = files.filter((file) => !file.name.startsWith('aws/'));
    expect(offending(outside, (i) => isSdk(i.specifier))).to.deep.equal([]);
  });

  it('loads the SDK in src/aws only through import(), so importing src/aws costs nothing', () => {
    expect(offending(under('aws'), (i) => isSdk(i.specifier) && !i.dynamic && !i.typeOnly)).to.deep.equal([]);
  });

  it('keeps commands thin: no SDK, no engine, and src/aws or src/stack only through the app layer', () => {
    const heavy = (i: Import) =>
      isSdk(i.specifier) || (isPulumi(i.specifier) && !i.typeOnly) || /^(aws|stack|hooks)\//.test(i.target);
    expect(offending(under('commands'), heavy)).to.deep.equal([]);
  });

  it('keeps every file of src under 400 lines', () => {
    const long = files
      .map((file) => ({ name: file.name, lines: file.text.split('\n').length }))
      .filter((file) => file.lines > 400)
      .map((file) => `${file.name}: ${file.lines} lines`);
    expect(long).to.deep.equal([]);
  });
});
