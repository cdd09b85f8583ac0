import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Every module specifier a file imports at run time (static imports that are not `import type`, and `import()`). */
function runtimeImports(text: string): { specifier: string; dynamic: boolean }[] {
  const found: { specifier: string; dynamic: boolean }[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s+'([^']+)'/gm)) {
    found.push({ specifier: match[1] ?? '', dynamic: false });
  }
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g))
    found.push({ specifier: match[1] ?? '', dynamic: true });
  return found;
}

const isSdk = (specifier: string) => specifier.startsWith('@aws-sdk/') || specifier.startsWith('@smithy/');

describe('aws/boundaries', () => {
  const files = sources(SRC).map((file) => ({ name: relative(SRC, file), text: readFileSync(file, 'utf8') }));

  it('keeps every @aws-sdk import inside src/aws', () => {
    const outside = files
      .filter(
        (file) =>
          !file.name.startsWith('aws/') && /from\s+'@aws-sdk\/|import\(\s*'@aws-sdk\//.test(file.text),
      )
      .map((file) => file.name);
    expect(outside).to.deep.equal([]);
  });

  it('loads the SDK in src/aws only through import(), so importing src/aws costs nothing', () => {
    const eager = files
      .filter((file) => file.name.startsWith('aws/'))
      .flatMap((file) =>
        runtimeImports(file.text)
          .filter((i) => isSdk(i.specifier) && !i.dynamic)
          .map(() => file.name),
      );
    expect(eager).to.deep.equal([]);
  });

  it('lets commands reach src/aws only through import()', () => {
    const eager = files
      .filter((file) => file.name.startsWith('commands/'))
      .flatMap((file) =>
        runtimeImports(file.text)
          .filter((i) => i.specifier.includes('/aws/') && !i.dynamic)
          .map(() => file.name),
      );
    expect(eager).to.deep.equal([]);
  });
});
