import { expect } from 'chai';
import { candidateEndpoint, hookEnvironment } from '../../src/canary/hooks.js';
import { buildConfig, buildEnvironment, buildListener } from '../helpers/builders.js';
import { sampleEvent } from '../hooks/sample-event.js';

describe('hookEnvironment: what a command hook is told', () => {
  it('names every fact of the event as an ECS_CRD_* string', () => {
    expect(hookEnvironment(sampleEvent())).to.deep.equal({
      ECS_CRD_HOOK: 'after_step',
      ECS_CRD_DEPLOYMENT_ID: 'd-20240501-0002',
      ECS_CRD_PROJECT: 'shop',
      ECS_CRD_SERVICE: 'orders-api',
      ECS_CRD_ENVIRONMENT: 'prod',
      ECS_CRD_REGION: 'eu-west-1',
      ECS_CRD_VERSION: '1.4.2',
      ECS_CRD_SLOT: 'green',
      ECS_CRD_RELEASE_ID: 'shop-green',
      ECS_CRD_STABLE_VERSION: '1.4.1',
      ECS_CRD_STABLE_SLOT: 'blue',
      ECS_CRD_WEIGHT: '10',
      ECS_CRD_STEP: '1',
      ECS_CRD_STEPS: '3',
      ECS_CRD_CANDIDATE_URL: 'https://shop-green-1234567890.eu-west-1.elb.amazonaws.com:443',
      ECS_CRD_CANDIDATE_HOST: 'orders.example.com',
      ECS_CRD_OUTCOME: '',
      ECS_CRD_REASON: '',
    });
  });

  it('gives the empty string for what a first deployment or another point does not have', () => {
    const env = hookEnvironment(sampleEvent({ hook: 'before_traffic', stable: null, step: null, weight: 0 }));
    expect(env.ECS_CRD_STABLE_VERSION).to.equal('');
    expect(env.ECS_CRD_STABLE_SLOT).to.equal('');
    expect(env.ECS_CRD_STEP).to.equal('');
    expect(env.ECS_CRD_WEIGHT).to.equal('0');
  });

  it('says how a deployment ended, and why, at the after_* points', () => {
    const env = hookEnvironment(
      sampleEvent({
        hook: 'after_rollback',
        outcome: 'rolled_back',
        reason: 'Step 2/3: candidate unhealthy',
      }),
    );
    expect(env.ECS_CRD_OUTCOME).to.equal('rolled_back');
    expect(env.ECS_CRD_REASON).to.equal('Step 2/3: candidate unhealthy');
  });

  it('holds strings only, so that it can be merged into a child process environment', () => {
    for (const value of Object.values(hookEnvironment(sampleEvent()))) expect(value).to.be.a('string');
  });
});

describe('candidateEndpoint: the candidate past DNS', () => {
  it('is the slot ALB on the first listener, https for an HTTPS listener, with the first fqdn as Host', () => {
    const endpoint = candidateEndpoint(buildEnvironment(), 'green', buildConfig());
    expect(endpoint).to.deep.equal({
      url: 'https://shop-green-1234567890.eu-west-1.elb.amazonaws.com:443',
      host: 'orders.example.com',
    });
  });

  it('takes the slot it is given, and http with the port of an HTTP listener', () => {
    const config = buildConfig({
      listeners: [
        buildListener({ port: 8080, protocol: 'HTTP', certificate_arns: [] }),
        buildListener({ port: 443 }),
      ],
    });
    const environment = buildEnvironment({
      slots: { blue: { albDnsName: 'internal-blue-123.elb.example' } },
    });
    expect(candidateEndpoint(environment, 'blue', config)).to.deep.equal({
      url: 'http://internal-blue-123.elb.example:8080',
      host: 'orders.example.com',
    });
  });
});
