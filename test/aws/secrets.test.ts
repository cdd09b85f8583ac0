/** Reading an OIDC client secret by its ARN: SSM with decryption, Secrets Manager and its JSON keys. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { createSecretReader, parseSecretArn } from '../../src/aws/secrets.js';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/oidc-AbCdEf';
const PARAMETER = 'arn:aws:ssm:eu-west-1:123456789012:parameter/shop/oidc';

describe('aws/secrets', () => {
  const ssm = mockClient(SSMClient);
  const secrets = mockClient(SecretsManagerClient);
  after(() => {
    ssm.restore();
    secrets.restore();
  });

  it('splits a Secrets Manager ARN as ECS does: the secret, then its JSON key, stage and version', () => {
    expect(parseSecretArn(SECRET)).to.deep.equal({ secretId: SECRET });
    expect(parseSecretArn(`${SECRET}:client_secret:AWSCURRENT:`)).to.deep.equal({
      secretId: SECRET,
      jsonKey: 'client_secret',
      stage: 'AWSCURRENT',
    });
  });

  it('reads an SSM parameter decrypted, and a JSON key of a secret', async () => {
    ssm
      .on(GetParameterCommand, { Name: PARAMETER, WithDecryption: true })
      .resolves({ Parameter: { Value: 's3cr3t' } });
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET })
      .resolves({ SecretString: '{"client_secret":"json-s3cr3t"}' });
    const read = createSecretReader({ region: 'eu-west-1' });
    expect(await read(PARAMETER)).to.equal('s3cr3t');
    expect(await read(`${SECRET}:client_secret::`)).to.equal('json-s3cr3t');
    const missing = await read(`${SECRET}:nope::`).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(missing).to.equal(
      `AWS Secrets Manager secret ${SECRET} holds no JSON key nope (named by ${SECRET}:nope::)`,
    );
    expect(missing).not.to.include('json-s3cr3t');
  });
});
