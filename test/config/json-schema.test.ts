import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { deploymentJsonSchema } from '../../src/config/json-schema.js';

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[] };

/** Every key path the schema allows, as the docs write them: `service.containers[].name`. */
function keyPaths(schema: JsonSchema, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    paths.push(path, ...keyPaths(child, path));
  }
  if (schema.items) paths.push(...keyPaths(schema.items, `${prefix}[]`));
  for (const option of schema.anyOf ?? []) paths.push(...keyPaths(option, prefix));
  return [...new Set(paths)];
}

describe('schema/deploy.schema.json', () => {
  const generated = deploymentJsonSchema();

  it('is current: `npm run schema` rewrites it from the zod schema', () => {
    const committed = JSON.parse(readFileSync('schema/deploy.schema.json', 'utf8'));
    expect(committed, 'schema/deploy.schema.json is stale: run `npm run schema`').to.deep.equal(generated);
  });

  it('is a draft-07 schema that refuses unknown keys but allows x- extensions', () => {
    expect(generated.$schema).to.equal('http://json-schema.org/draft-07/schema#');
    expect(generated.additionalProperties).to.equal(false);
    expect(generated.patternProperties).to.deep.equal({ '^x-': {} });
    expect(generated.required).to.deep.equal(['canary', 'service']);
  });

  it('has every key documented in README.md', () => {
    const docs = readFileSync('README.md', 'utf8');
    const paths = keyPaths(generated as JsonSchema);
    expect(paths.length, `only ${paths.length} key paths found`).to.be.above(80);
    const missing = paths.filter((path) => !docs.includes(`\`${path}\``));
    expect(missing, 'keys missing from the reference').to.deep.equal([]);
  });

  it('documents the yaml-language-server header', () => {
    const docs = readFileSync('README.md', 'utf8');
    expect(docs).to.include('# yaml-language-server: $schema=../schema/deploy.schema.json');
  });
});
