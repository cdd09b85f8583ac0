import { asBoolean, asString, type Json, parseDocument, plain } from './values.js';

/** The subset of pulumi-aws provider configuration the stand-in understands. */
export interface ProviderConfig {
  region?: string;
  /** Service key (ecs, elbv2, route53, iam, logs, ec2, sts) → URL. */
  endpoints: Record<string, string>;
  accessKey?: string;
  secretKey?: string;
  skipCredentialsValidation: boolean;
}

/** pulumi-aws accepts these aliases for the services the stand-in calls. */
const ENDPOINT_ALIASES: Record<string, readonly string[]> = {
  applicationautoscaling: ['applicationautoscaling', 'appautoscaling'],
  cloudwatch: ['cloudwatch'],
  ec2: ['ec2'],
  ecs: ['ecs'],
  elbv2: ['elbv2', 'elasticloadbalancingv2', 'elb'],
  iam: ['iam'],
  logs: ['logs', 'cloudwatchlogs', 'cloudwatchlog'],
  route53: ['route53'],
  sts: ['sts'],
};

function endpointsFrom(value: Json | undefined): Record<string, string> {
  // Stack config reaches a default provider as a JSON string; an explicit provider sends a list.
  const parsed = parseDocument(value);
  const blocks = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? [parsed] : [];
  const out: Record<string, string> = {};
  for (const block of blocks) {
    if (!block || typeof block !== 'object' || Array.isArray(block)) continue;
    for (const [service, aliases] of Object.entries(ENDPOINT_ALIASES)) {
      for (const alias of aliases) {
        const url = asString(block[alias]);
        if (url && out[service] === undefined) out[service] = url;
      }
    }
  }
  return out;
}

/**
 * Reads the Configure request: `args` (typed, may hold secret markers) when the engine sends
 * it, else the deprecated `variables` map keyed `aws:config:<key>` with string values.
 */
export function parseProviderConfig(args: unknown, variables: ReadonlyMap<string, string>): ProviderConfig {
  const fromArgs = plain(args);
  const bag: Record<string, Json> =
    fromArgs && typeof fromArgs === 'object' && !Array.isArray(fromArgs) ? fromArgs : {};
  const get = (key: string): Json | undefined => bag[key] ?? variables.get(`aws:config:${key}`);
  return {
    region: asString(get('region')),
    endpoints: endpointsFrom(get('endpoints')),
    accessKey: asString(get('accessKey')),
    secretKey: asString(get('secretKey')),
    skipCredentialsValidation: asBoolean(get('skipCredentialsValidation')) ?? false,
  };
}

/** Where one service's calls go: the provider config, else the SDK's own AWS_ENDPOINT_URL handling. */
export function endpointFor(config: ProviderConfig, service: string): string | undefined {
  return config.endpoints[service];
}
