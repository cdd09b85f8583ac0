import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { promoteIn } from '../../src/app/promote.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { buildConfig } from '../helpers/builders.js';
import { RecordingReporter } from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';
import { openedService } from './opened.js';
import { FakeControl, pausedOutputs } from './paused.js';

describe('promote with the rollout’s own resume', () => {
  let leases: string;
  beforeEach(() => {
    leases = mkdtempSync(join(tmpdir(), 'ecs-crd-promote-resume-'));
  });
  afterEach(() => rmSync(leases, { recursive: true, force: true }));

  it('goes on from the pause to deployed, as the same deployment', async () => {
    const runner = new RecordingStackRunner({ outputs: pausedOutputs() });
    const opened = openedService({ runner });
    const config = buildConfig({ service: { version: '1.5.0' } });
    opened.ctx.config = config;
    opened.ctx.leases = fileLeaseStore(leases);
    const reports = new RecordingReporter();
    const result = await promoteIn(opened, {
      service: { environment: 'prod', region: 'eu-west-1', pulumiVersion: '3.274.1' },
      reporter: reports.reporter,
      clock: opened.clock,
      by: 'ana@laptop (pid 4242)',
      openControl: () => new FakeControl(),
    });
    if (result.kind !== 'resumed') expect.fail('resumed');
    expect(result.document.outcome, result.document.reason ?? '').to.equal('deployed');
    expect(result.document.deployment_id).to.equal('d-paused');
    expect(runner.stack.current?.meta.phase).to.equal('stable');
    expect(runner.stack.current?.weights).to.deep.equal({ blue: 0, green: 100 });
    expect(reports.codes()).to.include('rollout.resumed');
  });
});
