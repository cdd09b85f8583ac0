#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (no build step) for local development: tsx is loaded by
// the line above, and oclif is pointed at src/ (its own TypeScript lookup does not find this
// tsx version and would silently fall back to the built dist/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execute } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
pjson.oclif = { ...pjson.oclif, commands: './src/commands', helpClass: './src/help' };
await execute({ loadOptions: { root, pjson } });
