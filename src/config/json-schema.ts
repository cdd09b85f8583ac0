/**
 * The JSON Schema of the deployment file, generated from the zod schema so the two never
 * disagree. Editors running yaml-language-server use it (the committed copy in
 * `schema/deploy.schema.json`) to complete and check files as they are typed.
 */
import { z } from 'zod';
import { deploymentFileSchema } from './schema.js';
import { hookJsonSchema, hookSchema } from './schema-hooks.js';

export const SCHEMA_ID = 'https://github.com/ecs-crd/ecs-crd/schema/deploy.schema.json';

export function deploymentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(deploymentFileSchema, {
    // What may be written (numbers for releases, one fqdn or a list), not what it becomes.
    io: 'input',
    // yaml-language-server supports draft-07 best.
    target: 'draft-7',
    override: ({ zodSchema, jsonSchema }) => {
      // z.int() bounds itself to the safe integers; that is noise in an editor.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      // A hook is checked with every key optional; editors get its two shapes instead.
      if (zodSchema === hookSchema) {
        for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
        Object.assign(jsonSchema, hookJsonSchema());
      }
    },
  });
  // Top-level `x-…` keys are free for YAML anchors; checkDeployment drops them first.
  return { $schema: schema.$schema, $id: SCHEMA_ID, ...schema, patternProperties: { '^x-': {} } };
}
