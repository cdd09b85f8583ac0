import { expect } from 'chai';
import { ownedListeners } from '../../src/canary/rollout/desired.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildListener,
  buildSlotListener,
  SAMPLE_CERTIFICATE_ARN,
} from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';

describe('the listeners a stack owns', () => {
  const https = { port: 443, protocol: 'HTTPS' as const, certificateArns: [SAMPLE_CERTIFICATE_ARN] };
  const noListener = buildEnvironment({
    slots: { green: { listeners: [buildSlotListener('green', { listenerArn: undefined })] } },
  });

  it('owns a listener for a port where the candidate’s ALB has none, and none where it has one', () => {
    const config = buildConfig({ listeners: [buildListener()] });
    expect(ownedListeners(null, noListener, { slot: 'green', config })).to.deep.equal({ green: [https] });
    expect(ownedListeners(null, buildEnvironment(), { slot: 'green', config })).to.deep.equal({});
  });

  it('keeps every listener it recorded, whatever the next release needs or a recovery does', () => {
    const previous = outputsOf(buildDesiredState({ listeners: { green: [https] } }));
    // Discovery now finds the stack's own listener: still the stack's.
    expect(
      ownedListeners(previous, buildEnvironment(), { slot: 'blue', config: buildConfig() }),
    ).to.deep.equal({
      green: [https],
    });
    expect(ownedListeners(previous, buildEnvironment())).to.deep.equal({ green: [https] });
  });

  it('finds the listeners of a stack older than the record, in its releases’ recorded discovery', () => {
    const previous = outputsOf(
      buildDesiredState({ environment: noListener, releases: { green: buildConfig() }, listeners: {} }),
    );
    delete previous.listeners;
    expect(ownedListeners(previous, buildEnvironment())).to.deep.equal({ green: [https] });
  });
});
