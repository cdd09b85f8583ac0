import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { deploymentJsonSchema } from '../../src/config/json-schema.js';
import { HOOK_POINTS } from '../../src/config/types-hooks.js';

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

  it('describes pause as true/false or seconds, and wait as optional (required without pause by validate)', () => {
    // biome-ignore lint/suspicious/noExplicitAny: walking the generated document.
    const step = (generated as any).properties.canary.properties.strategy.items;
    expect(step.required).to.deep.equal(['weight']);
    expect(step.properties.pause.anyOf).to.deep.equal([
      { type: 'boolean' },
      { type: 'integer', minimum: 1, maximum: 604800 },
    ]);
  });

  it('describes each hook point as one hook or a list, a hook as a command or a webhook, strings open to templates', () => {
    // biome-ignore lint/suspicious/noExplicitAny: walking the generated document.
    const schema = generated as any;
    const hooks = schema.properties.canary.properties.hooks;
    expect(Object.keys(hooks.properties)).to.deep.equal([...HOOK_POINTS]);
    expect(hooks.additionalProperties).to.equal(false);
    for (const point of HOOK_POINTS) {
      expect(hooks.properties[point].anyOf, point).to.deep.equal([
        { $ref: '#/definitions/hook' },
        { type: 'array', items: { $ref: '#/definitions/hook' } },
      ]);
    }
    const [command, webhook] = schema.definitions.hook.anyOf;
    expect([command.required, Object.keys(command.properties)]).to.deep.equal([
      ['command'],
      ['command', 'timeout'],
    ]);
    expect(command.properties.timeout).to.include({ default: 300, minimum: 1, maximum: 3600 });
    expect([webhook.required, Object.keys(webhook.properties)]).to.deep.equal([
      ['webhook'],
      ['webhook', 'headers', 'timeout', 'retries'],
    ]);
    expect(webhook.properties.timeout).to.include({ default: 10, minimum: 1, maximum: 300 });
    expect(webhook.properties.retries).to.include({ default: 2, minimum: 0, maximum: 10 });
    // `{{env.HOOK_URL}}` and `Bearer {{env.TOKEN}}` are strings like any other.
    expect(webhook.properties.webhook)
      .to.include({ type: 'string' })
      .and.not.to.have.any.keys('pattern', 'format');
    expect(webhook.properties.headers.additionalProperties).to.deep.equal({ type: 'string' });
  });

  it('documents the yaml-language-server header', () => {
    const docs = readFileSync('README.md', 'utf8');
    expect(docs).to.include('# yaml-language-server: $schema=../schema/deploy.schema.json');
  });
});
