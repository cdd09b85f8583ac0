// `npm run schema`: writes schema/deploy.schema.json from the zod schema (a test checks it is current).
import { writeFileSync } from 'node:fs';
import { deploymentJsonSchema } from '../src/config/json-schema.js';

const target = new URL('../schema/deploy.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(deploymentJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
