import { expect } from 'chai';
import { awsProviderConfig, engineAwsEnv } from '../../src/stack/provider-config.js';

describe('aws provider config', () => {
  it('sets only the region against real AWS', () => {
    expect(awsProviderConfig({ region: 'eu-west-1' })).to.deep.equal({ 'aws:region': 'eu-west-1' });
  });

  it('sends every service the program uses to one endpoint and skips the account checks', () => {
    const config = awsProviderConfig({
      region: 'eu-west-1',
      endpointUrl: 'http://127.0.0.1:5000',
      profile: 'ops',
    });
    expect(config['aws:profile']).to.equal('ops');
    const endpoints = JSON.parse(config['aws:endpoints'] ?? '[]') as Record<string, string>[];
    expect(endpoints).to.have.length(1);
    expect(Object.keys(endpoints[0] ?? {})).to.include.members(['ecs', 'elbv2', 'route53', 'iam', 'logs']);
    expect(Object.values(endpoints[0] ?? {})).to.satisfy((v: string[]) =>
      v.every((u) => u === 'http://127.0.0.1:5000'),
    );
    expect(config['aws:skipCredentialsValidation']).to.equal('true');
  });
});

describe('the engine’s own AWS environment (S3 state, KMS secrets)', () => {
  it('carries the endpoint and the profile given to ecs-crd, never a secret', () => {
    expect(
      engineAwsEnv(
        { region: 'eu-west-1', profile: 'team', endpointUrl: 'http://127.0.0.1:5000' },
        { AWS_REGION: 'us-east-1' },
      ),
    ).to.deep.equal({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_PROFILE: 'team' });
  });

  it('gives the deploy region only when the environment names none', () => {
    expect(engineAwsEnv({ region: 'eu-west-1' }, {})).to.deep.equal({ AWS_REGION: 'eu-west-1' });
    expect(engineAwsEnv({ region: 'eu-west-1' }, { AWS_DEFAULT_REGION: 'us-east-1' })).to.deep.equal({});
  });
});
