/**
 * Values the deployment file names by ARN and the ALB needs as they are (the client secret of
 * an authenticate-oidc action), read at deploy time: SSM GetParameter WithDecryption, Secrets
 * Manager GetSecretValue. The values stay in memory; callers hand them to Pulumi as secrets.
 * The SDK modules load on the first read only.
 */
import { EcsCrdError } from '../errors.js';
import { type AwsClientOptions, awsError, sdkConfigOf } from './clients.js';

/** Reads the value an ARN names; the error names the ARN, never a value. */
export type SecretReader = (arn: string) => Promise<string>;

/**
 * `arn:…:secretsmanager:<region>:<account>:secret:<name>[:<json-key>:<stage>:<version>]`, as
 * ECS takes it: the secret's own ARN, and which JSON key, stage and version of it.
 */
export function parseSecretArn(arn: string): {
  secretId: string;
  jsonKey?: string;
  stage?: string;
  version?: string;
} {
  const parts = arn.split(':');
  const secretId = parts.slice(0, 7).join(':');
  const [jsonKey, stage, version] = parts.slice(7);
  return {
    secretId,
    ...(jsonKey ? { jsonKey } : {}),
    ...(stage ? { stage } : {}),
    ...(version ? { version } : {}),
  };
}

export function createSecretReader(options: AwsClientOptions): SecretReader {
  let config: ReturnType<typeof sdkConfigOf> | undefined;
  const sdkConfig = () => {
    config ??= sdkConfigOf(options);
    return config;
  };
  return async (arn) => {
    if (arn.split(':')[2] === 'ssm') {
      try {
        const m = await import('@aws-sdk/client-ssm');
        const client = new m.SSMClient(await sdkConfig());
        const found = await client.send(new m.GetParameterCommand({ Name: arn, WithDecryption: true }));
        const value = found.Parameter?.Value;
        if (value === undefined) throw new EcsCrdError(`AWS SSM parameter ${arn} has no value`);
        return value;
      } catch (error) {
        throw awsError('SSM', 'GetParameter', error);
      }
    }
    const { secretId, jsonKey, stage, version } = parseSecretArn(arn);
    let text: string | undefined;
    try {
      const m = await import('@aws-sdk/client-secrets-manager');
      const client = new m.SecretsManagerClient(await sdkConfig());
      const found = await client.send(
        new m.GetSecretValueCommand({
          SecretId: secretId,
          ...(stage ? { VersionStage: stage } : {}),
          ...(version ? { VersionId: version } : {}),
        }),
      );
      text = found.SecretString;
    } catch (error) {
      throw awsError('SecretsManager', 'GetSecretValue', error);
    }
    if (text === undefined) throw new EcsCrdError(`AWS Secrets Manager secret ${arn} has no string value`);
    if (jsonKey === undefined) return text;
    const value = jsonValue(text, jsonKey);
    if (value === undefined) {
      throw new EcsCrdError(
        `AWS Secrets Manager secret ${secretId} holds no JSON key ${jsonKey} (named by ${arn})`,
      );
    }
    return value;
  };
}

function jsonValue(text: string, key: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const value = parsed[key];
    return typeof value === 'string' ? value : value === undefined ? undefined : JSON.stringify(value);
  } catch {
    return undefined;
  }
}
