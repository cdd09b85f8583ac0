// `node --import ./test/helpers/record-imports.mjs …` appends the URL of every module the
// process loads (ES modules through the resolve hook, CommonJS through require) to the file
// named by $RECORD_IMPORTS_FILE: used to prove that a command never loads Pulumi or the AWS SDK.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.RECORD_IMPORTS_FILE;
if (file) {
  register('./record-imports-hooks.mjs', import.meta.url, { data: { file } });
  const Module = createRequire(import.meta.url)('node:module');
  const load = Module._load;
  Module._load = function recordRequire(request, parent, ...rest) {
    const loaded = load.call(this, request, parent, ...rest);
    try {
      appendFileSync(file, `${Module._resolveFilename(request, parent)}\n`);
    } catch {
      appendFileSync(file, `${request}\n`);
    }
    return loaded;
  };
}
