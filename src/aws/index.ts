/**
 * The AWS side of ecs-crd, loaded by commands through a dynamic `import()` so that commands
 * which never call AWS (`validate`, `--help`) never load it. Importing this module loads no
 * SDK code either: each client loads its SDK module on its first call.
 */
export { type AwsClientOptions, type AwsClients, createAwsClients, type RetryTuning } from './clients.js';
export { createAwsLookup, type DiscoveryOptions } from './discovery.js';
export { createImageRegistry } from './ecr.js';
export { createHealthProbe } from './health.js';
export { createMetricsSource } from './metrics.js';
export { createNotifier } from './notify.js';
