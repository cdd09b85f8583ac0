/**
 * The `aws:*` stack configuration of the default AWS provider: region, credentials profile
 * and, with `--endpoint-url`, every service the program uses sent to one endpoint (moto,
 * LocalStack) with the account and credential checks such emulators cannot answer skipped.
 * Credentials themselves never go into config: the provider reads the standard chain.
 */

/**
 * The services the program's resources call, by pulumi-aws's `endpoints` key. `logs` is the
 * canonical key (`cloudwatchlogs` is an alias; giving both is a conflict).
 */
const ENDPOINT_SERVICES = [
  'applicationautoscaling',
  'cloudwatch',
  'ec2',
  'ecs',
  'elbv2',
  'iam',
  'logs',
  'route53',
  'sts',
] as const;

export interface ProviderSettings {
  region: string;
  profile?: string;
  endpointUrl?: string;
}

/** Stack config entries, values as the engine stores them (strings; objects as JSON). */
export function awsProviderConfig(settings: ProviderSettings): Record<string, string> {
  const config: Record<string, string> = { 'aws:region': settings.region };
  if (settings.profile) config['aws:profile'] = settings.profile;
  if (settings.endpointUrl) {
    const url = settings.endpointUrl;
    config['aws:endpoints'] = JSON.stringify([Object.fromEntries(ENDPOINT_SERVICES.map((s) => [s, url]))]);
    config['aws:skipCredentialsValidation'] = 'true';
    config['aws:skipMetadataApiCheck'] = 'true';
    config['aws:skipRegionValidation'] = 'true';
    config['aws:skipRequestingAccountId'] = 'true';
  }
  return config;
}

/**
 * What the engine itself needs to reach the same account as the program: its S3 backend and
 * its KMS secrets provider open the AWS SDK's default configuration, which knows nothing of
 * the `aws:*` stack config. So the endpoint and profile given to ecs-crd go into the engine's
 * environment too, and the deploy region when the environment names none (the SDK signs every
 * request for a region; an `awskms://alias/…` URL without `?region=` names none).
 * The backend URL itself stays as the user wrote it: it names the backend (see stackWorkspace).
 */
export function engineAwsEnv(settings: ProviderSettings, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  if (settings.endpointUrl) out.AWS_ENDPOINT_URL = settings.endpointUrl;
  if (settings.profile) out.AWS_PROFILE = settings.profile;
  if (!env.AWS_REGION && !env.AWS_DEFAULT_REGION) out.AWS_REGION = settings.region;
  return out;
}
