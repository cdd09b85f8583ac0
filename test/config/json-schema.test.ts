import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
    assert.deepEqual(committed, generated, 'schema/deploy.schema.json is stale: run `npm run schema`');
  });

  it('is a draft-07 schema that refuses unknown keys but allows x- extensions', () => {
    assert.equal(generated.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(generated.additionalProperties, false);
    assert.deepEqual(generated.patternProperties, { '^x-': {} });
    assert.deepEqual(generated.required, ['canary', 'service']);
  });

  it('has every key documented in README.md', () => {
    const docs = readFileSync('README.md', 'utf8');
    const paths = keyPaths(generated as JsonSchema);
    assert.ok(paths.length > 80, `only ${paths.length} key paths found`);
    const missing = paths.filter((path) => !docs.includes(`\`${path}\``));
    assert.deepEqual(missing, [], 'keys missing from the reference');
  });

  it('documents the yaml-language-server header', () => {
    const docs = readFileSync('README.md', 'utf8');
    assert.ok(docs.includes('# yaml-language-server: $schema=../schema/deploy.schema.json'));
  });
});
