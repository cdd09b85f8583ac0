/**
 * Stack configuration for the `aws` provider against the sandbox's emulator: the product's
 * own `awsProviderConfig` (so the tests exercise the keys ecs-crd really writes), plus static
 * credentials where a test wants them in config rather than in the environment.
 */
import { awsProviderConfig } from '../src/stack/provider-config.js';

/** One stack config value, as the Automation API's `setAllConfig` takes it. */
export interface StackConfigValue {
  value: string;
  secret?: boolean;
}

export interface EmulatorProviderOptions {
  /** e.g. http://127.0.0.1:5000 */
  endpoint: string;
  region: string;
  /** Static credentials; emulators accept any. The secret key is stored as a secret. */
  accessKey?: string;
  secretKey?: string;
}

/** The `aws:*` stack config for the emulator; pass it to `stack.setAllConfig(...)`. */
export function awsEmulatorStackConfig(options: EmulatorProviderOptions): Record<string, StackConfigValue> {
  const config: Record<string, StackConfigValue> = Object.fromEntries(
    Object.entries(awsProviderConfig({ region: options.region, endpointUrl: options.endpoint })).map(
      ([key, value]) => [key, { value }],
    ),
  );
  if (options.accessKey !== undefined) config['aws:accessKey'] = { value: options.accessKey };
  if (options.secretKey !== undefined) config['aws:secretKey'] = { value: options.secretKey, secret: true };
  return config;
}
