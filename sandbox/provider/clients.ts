import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { endpointFor, type ProviderConfig } from './config.js';

type ServiceKey =
  | 'applicationautoscaling'
  | 'cloudwatch'
  | 'ecs'
  | 'elbv2'
  | 'iam'
  | 'logs'
  | 'route53'
  | 'sts';

/** SDK clients built from the provider configuration, one per (service, region), made on first use. */
export class AwsClients {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly config: ProviderConfig) {}

  /** The region of a resource: its own `region` input (pulumi-aws 7), else the provider's, else the environment's. */
  region(own?: string): string {
    const region = own ?? this.config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('no region: set aws:region in the stack config or AWS_REGION');
    return region;
  }

  ecs(region?: string): ECSClient {
    return this.client('ecs', this.region(region), (o) => new ECSClient(o));
  }

  elbv2(region?: string): ElasticLoadBalancingV2Client {
    return this.client('elbv2', this.region(region), (o) => new ElasticLoadBalancingV2Client(o));
  }

  logs(region?: string): CloudWatchLogsClient {
    return this.client('logs', this.region(region), (o) => new CloudWatchLogsClient(o));
  }

  appAutoScaling(region?: string): ApplicationAutoScalingClient {
    return this.client(
      'applicationautoscaling',
      this.region(region),
      (o) => new ApplicationAutoScalingClient(o),
    );
  }

  cloudwatch(region?: string): CloudWatchClient {
    return this.client('cloudwatch', this.region(region), (o) => new CloudWatchClient(o));
  }

  /** Route 53 and IAM are global services: their calls are signed for us-east-1 on AWS. */
  route53(): Route53Client {
    return this.client('route53', this.globalRegion(), (o) => new Route53Client(o));
  }

  iam(): IAMClient {
    return this.client('iam', this.globalRegion(), (o) => new IAMClient(o));
  }

  sts(): STSClient {
    return this.client('sts', this.region(), (o) => new STSClient(o));
  }

  destroy(): void {
    for (const client of this.cache.values()) (client as { destroy(): void }).destroy();
    this.cache.clear();
  }

  private globalRegion(): string {
    // moto keeps one global backend whatever the region; a configured region keeps SigV4 happy.
    return this.config.region ?? process.env.AWS_REGION ?? 'us-east-1';
  }

  private client<T>(service: ServiceKey, region: string, make: (options: ClientOptions) => T): T {
    const key = `${service}/${region}`;
    const cached = this.cache.get(key);
    if (cached) return cached as T;
    const endpoint = endpointFor(this.config, service);
    const { accessKey, secretKey } = this.config;
    const options: ClientOptions = {
      region,
      // terraform-provider-aws retries throttled and transient calls up to 25 times (`max_retries`).
      maxAttempts: 25,
      ...(endpoint ? { endpoint } : {}),
      ...(accessKey && secretKey
        ? { credentials: { accessKeyId: accessKey, secretAccessKey: secretKey } }
        : {}),
    };
    const client = make(options);
    this.cache.set(key, client);
    return client;
  }
}

interface ClientOptions {
  region: string;
  maxAttempts: number;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}
