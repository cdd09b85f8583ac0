/** The sandbox's webhook receiver (sandbox/webhook.ts), with the real runner posting to it. */
import { expect } from 'chai';
import { startWebhookReceiver, type WebhookReceiver } from '../../sandbox/webhook.js';
import { createHookRunner } from '../../src/hooks/runner.js';
import { sampleEvent } from './sample-event.js';

describe('sandbox webhook receiver', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  const runner = createHookRunner({ cwd: '.', version: '9.9.9', sleep: async () => {} });
  const post = (url: string, retries = 0) =>
    runner.run({ kind: 'webhook', url, headers: { 'X-Token': 'abc' }, timeout: 5, retries }, sampleEvent());

  it('records each POST in order (time, headers, parsed body) and answers 204', async () => {
    receiver = await startWebhookReceiver();
    expect(receiver.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/hook$/);
    expect(await post(receiver.url)).to.include({ ok: true, detail: 'HTTP 204' });
    await runner.run(
      { kind: 'webhook', url: receiver.url, headers: {}, timeout: 5, retries: 0 },
      sampleEvent({ hook: 'after_deploy', outcome: 'deployed' }),
    );
    expect(receiver.received).to.have.length(2);
    expect(receiver.received[0]).to.deep.include({ method: 'POST', path: '/hook' });
    expect(receiver.received[0]?.headers).to.include({ 'x-token': 'abc', 'user-agent': 'ecs-crd/9.9.9' });
    expect(Date.parse(receiver.received[0]?.at ?? '')).to.be.closeTo(Date.now(), 5000);
    expect(receiver.events().map((e) => e.hook)).to.deep.equal(['after_step', 'after_deploy']);
    expect(receiver.events()[0]).to.deep.equal(sampleEvent());
  });

  it('answers the status a test chooses, per request', async () => {
    receiver = await startWebhookReceiver({ status: (n) => (n < 3 ? 503 : 200) });
    expect(await post(receiver.url, 2)).to.include({ ok: true, detail: 'HTTP 200 after 3 attempts' });
    const fixed = await startWebhookReceiver({ status: 404 });
    try {
      expect(await post(fixed.url, 2)).to.include({ ok: false, detail: 'HTTP 404' });
      expect(fixed.received).to.have.length(1);
    } finally {
      await fixed.close();
    }
  });

  it('keeps a body that is not JSON as text', async () => {
    receiver = await startWebhookReceiver();
    await fetch(receiver.url, { method: 'POST', body: 'not json' });
    expect(receiver.received[0]?.body).to.equal('not json');
    expect(receiver.events()).to.deep.equal([]);
  });
});
