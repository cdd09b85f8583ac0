#!/usr/bin/env node
// dist/src/main.js re-exports oclif's execute from the bundle the commands share (scripts/bundle.js).
import { execute } from '../dist/src/main.js';

await execute({ dir: import.meta.url });
