/**
 * Stack configuration for the `aws` provider that sends every call of the engine's provider to
 * one AWS-compatible endpoint (moto, LocalStack). The keys and value shapes are pulumi-aws 7's
 * (`aws:endpoints` is a list holding one object keyed by service), so the real provider and the
 * sandbox's stand-in read them the same way. Meant to move into src/stack once the runner uses it.
 */

/** One stack config value, as the Automation API's `setAllConfig` takes it. */
export interface StackConfigValue {
  value: string;
  secret?: boolean;
}

export interface EmulatorProviderOptions {
  /** e.g. http://127.0.0.1:5000 */
  endpoint: string;
  region: string;
  /** Static credentials; emulators accept any. Stored as a secret in the stack config. */
  accessKey?: string;
  secretKey?: string;
}

/**
 * The pulumi-aws `endpoints` keys of the services the product touches. `logs` is the
 * canonical name (`cloudwatchlogs` is an alias; giving both is a conflict for pulumi-aws).
 */
export const EMULATED_SERVICES = [
  'cloudwatch',
  'ec2',
  'ecs',
  'elbv2',
  'iam',
  'logs',
  'route53',
  'sts',
] as const;

/**
 * The `aws:*` stack config for an emulator: region, endpoints, and the switches that stop
 * pulumi-aws from calling STS/EC2 metadata for real credentials or the account id.
 * Pass the result to `stack.setAllConfig(...)`.
 */
export function awsEmulatorStackConfig(options: EmulatorProviderOptions): Record<string, StackConfigValue> {
  const endpoints = [Object.fromEntries(EMULATED_SERVICES.map((service) => [service, options.endpoint]))];
  const config: Record<string, StackConfigValue> = {
    'aws:region': { value: options.region },
    'aws:endpoints': { value: JSON.stringify(endpoints) },
    'aws:skipCredentialsValidation': { value: 'true' },
    'aws:skipRequestingAccountId': { value: 'true' },
    'aws:skipMetadataApiCheck': { value: 'true' },
    'aws:s3UsePathStyle': { value: 'true' },
  };
  if (options.accessKey !== undefined) config['aws:accessKey'] = { value: options.accessKey };
  if (options.secretKey !== undefined) config['aws:secretKey'] = { value: options.secretKey, secret: true };
  return config;
}
