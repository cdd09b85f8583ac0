/**
 * `canary.hooks` and the stack: the releases the outputs record leave them out (a webhook's
 * headers may hold a token; hooks are the pipeline's, not the release's), and no resource
 * depends on them, so the next deployment re-declaring a recorded release changes nothing.
 */
import { expect } from 'chai';
import type { HooksConfig } from '../../src/config/types.js';
import { buildConfig, buildDesiredState, buildMeta } from '../helpers/builders.js';
import { type ProgramRun, runProgram } from '../helpers/program-run.js';

const TOKEN = 'Bearer hk_live_s3cr3t';

const HOOKS: HooksConfig = {
  before_traffic: [
    { kind: 'command', command: ['./smoke.sh', '--host', 'orders.example.com'], timeout: 120 },
  ],
  after_step: [
    {
      kind: 'webhook',
      url: 'https://hooks.example.com/ecs-crd/T0SECRETPATH',
      headers: { Authorization: TOKEN },
      timeout: 10,
      retries: 2,
    },
  ],
};

const STABLE = buildConfig();
const CANDIDATE = buildConfig({ service: { version: '1.5.0' } });
const withHooks = (config: typeof STABLE) => ({ ...config, canary: { ...config.canary, hooks: HOOKS } });

/** Mid-canary, 1.4.0 live on blue, 1.5.0 on green at 30 %; both files with hooks when `hooks`. */
const midCanary = (hooks: boolean) =>
  buildDesiredState({
    releases: hooks
      ? { blue: withHooks(STABLE), green: withHooks(CANDIDATE) }
      : { blue: STABLE, green: CANDIDATE },
    weights: { blue: 70, green: 30 },
    meta: buildMeta({
      phase: 'deploying',
      candidateSlot: 'green',
      candidateVersion: '1.5.0',
      step: 1,
      outcome: null,
    }),
  });

describe('deployment program: hooks stay out of the stack', () => {
  let run: ProgramRun;
  let without: ProgramRun;
  before(async () => {
    run = await runProgram(midCanary(true));
    without = await runProgram(midCanary(false));
  });

  it('records each release without canary.hooks, and otherwise as declared', () => {
    const releases = run.outputs.releases as Record<string, { canary: Record<string, unknown> }>;
    expect(releases.blue?.canary).not.to.have.property('hooks');
    expect(releases.green?.canary).not.to.have.property('hooks');
    expect(releases).to.deep.equal({ blue: STABLE, green: CANDIDATE });
  });

  it('puts neither a header value nor a webhook URL in any output or resource input', () => {
    const everything = JSON.stringify({ outputs: run.outputs, resources: [...run.resources] });
    expect(everything).not.to.contain('s3cr3t');
    expect(everything).not.to.contain('T0SECRETPATH');
    expect(everything).not.to.contain('smoke.sh');
  });

  it('declares the same resources with the same inputs whether the files have hooks or not', () => {
    expect([...run.resources.keys()].sort()).to.deep.equal([...without.resources.keys()].sort());
    for (const [name, resource] of run.resources) {
      expect(resource.inputs, name).to.deep.equal(without.resources.get(name)?.inputs);
    }
  });

  it('records the same outputs as for files without hooks', () => {
    expect(run.outputs).to.deep.equal(without.outputs);
  });
});
