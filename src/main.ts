/**
 * What bin/run.js runs. A module of its own so that the build can bundle oclif with the
 * commands (scripts/bundle.js): bin/run.js and every command then share one oclif.
 */
export { execute } from '@oclif/core';
