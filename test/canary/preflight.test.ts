import { expect } from 'chai';
import { listenerProblems } from '../../src/canary/preflight.js';
import { buildConfig, buildEnvironment, buildListener, buildSlotListener } from '../helpers/builders.js';

describe('preflight: listeners', () => {
  const https = buildListener({ port: 443, protocol: 'HTTPS', certificate_arns: [] });

  it('accepts an HTTPS listener without certificates when both ALBs already have one', () => {
    expect(listenerProblems(buildConfig({ listeners: [https] }), buildEnvironment())).to.deep.equal([]);
  });

  it('names each ALB where the stack would have to create an HTTPS listener without certificates', () => {
    const environment = buildEnvironment({
      slots: { green: { listeners: [buildSlotListener('green', { port: 443, listenerArn: undefined })] } },
    });
    const problems = listenerProblems(buildConfig({ listeners: [https] }), environment);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/listeners\[0\]: the ALB .* \(green\) has no listener on port 443/);
  });
});
