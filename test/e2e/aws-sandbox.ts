/**
 * The AWS adapters against the sandbox's moto (sandbox/harness.ts): ecs-crd's own clients
 * pointed at the emulator, plus plain SDK clients for the tests' extra fixtures.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { type AwsClients, createAwsClients } from '../../src/aws/clients.js';
import { setEnv } from '../aws/fake-endpoint.js';

export interface AwsSandbox {
  sandbox: Sandbox;
  /** ecs-crd's clients, as a command builds them with `--endpoint-url`. */
  clients: AwsClients;
  /** For arranging fixtures the harness does not make. */
  sdk: { elbv2: ElasticLoadBalancingV2Client; route53: Route53Client; ecs: ECSClient };
  stop(): Promise<void>;
}

/** Starts moto with the sandbox fixtures; the product's credential chain finds the fake keys. */
export async function startAwsSandbox(): Promise<AwsSandbox> {
  const sandbox = await startSandbox({ traffic: false });
  const restoreEnv = setEnv({
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
  const sdk = {
    elbv2: new ElasticLoadBalancingV2Client(config),
    route53: new Route53Client(config),
    ecs: new ECSClient(config),
  };
  return {
    sandbox,
    clients: createAwsClients({
      region: sandbox.region,
      endpointUrl: sandbox.endpoint,
      retry: { maxAttempts: 2 },
    }),
    sdk,
    async stop() {
      for (const client of Object.values(sdk)) client.destroy();
      restoreEnv();
      await sandbox.stop();
    },
  };
}
