#!/usr/bin/env node
// The third step of `npm run build`: oclif.manifest.json, what oclif's own `oclif manifest`
// writes. Without it, every start imports every command's module to learn the commands and
// their flags (about 100 ms of `validate`'s start-up, `npm run bench:validate`); with it, a
// start reads one JSON file and loads only the command that runs. Written from the built
// dist/, so it always matches the code it describes.
import { writeFileSync } from 'node:fs';
import { Plugin } from '@oclif/core';

const plugin = new Plugin({
  root: process.cwd(),
  type: 'core',
  ignoreManifest: true,
  errorOnManifestCreate: true,
});
await plugin.load();
writeFileSync('oclif.manifest.json', `${JSON.stringify(plugin.manifest, null, 2)}\n`);
