import { expect } from 'chai';
import type { PreviewDocument, PreviewStep } from '../../src/ui/documents.js';
import { previewLines } from '../../src/ui/preview-report.js';

type Step = PreviewStep & { pause?: true | number | null; hooks?: string[] };

const step = (number: number, overrides: Partial<Step>): Step => ({
  number,
  kind: 'shift',
  label: 'step',
  weights: { candidate: 0, stable: 100 },
  wait_s: 0,
  start_s: 0,
  end_s: 0,
  aws_estimate_s: 0,
  estimated_end_s: 0,
  pause: null,
  hooks: [],
  ...overrides,
});

function doc(timeline: Step[]): PreviewDocument {
  return {
    service: 'orders-api',
    project: 'shop',
    environment: 'prod',
    region: 'eu-west-1',
    stack: 'shop-orders-api-prod-eu-west-1',
    candidate: { slot: 'green', release_id: 'orders-green', version: '1.5.0' },
    stable: { slot: 'blue', release_id: 'orders-blue', version: '1.4.0' },
    changes: [],
    summary: {},
    timeline: timeline as PreviewDocument['timeline'],
    warnings: [],
  };
}

/** The timeline's table: from its header to the end. */
const table = (lines: string[]) => lines.slice(lines.findIndex((line) => line.includes('STEP')));

describe('preview: pauses and hooks in the timeline', () => {
  const timeline = [
    step(1, {
      kind: 'scale-wait',
      label: 'scale wait (60 s)',
      wait_s: 60,
      end_s: 60,
      hooks: ['before_traffic'],
    }),
    step(2, {
      label: 'shift 10 % to the candidate, watch 60 s, then pause until promoted',
      weights: { candidate: 10, stable: 90 },
      wait_s: 60,
      end_s: 120,
      pause: true,
      hooks: ['after_step'],
    }),
    step(3, {
      label: 'shift 50 % to the candidate, watch 60 s, then pause 600 s (watching)',
      weights: { candidate: 50, stable: 50 },
      wait_s: 60,
      end_s: 780,
      pause: 600,
      hooks: ['after_step', 'before_finalize'],
    }),
    step(4, {
      kind: 'finalize',
      label: 'finalize',
      weights: { candidate: 100, stable: 0 },
      end_s: 780,
      hooks: ['after_deploy'],
    }),
  ];

  it('shows each step’s pause and the hooks that run at its end, with a note on each', () => {
    const lines = table(previewLines(doc(timeline)));
    expect(lines[0]).to.match(
      /^\s+STEP\s+WHAT\s+CANDIDATE\s+STABLE\s+WAIT\s+PAUSE\s+ELAPSED\s+AWS ADDS\s+ON AWS\s+HOOKS$/,
    );
    expect(lines[1]).to.match(/scale wait \(60 s\).*before_traffic$/);
    expect(lines[2]).to.match(
      /then pause until promoted\s+10 %\s+90 %\s+1:00\s+until promoted\s+2:00.*after_step$/,
    );
    expect(lines[3]).to.match(/\s600 s\s+13:00.*after_step, before_finalize$/);
    expect(lines[4]).to.match(/finalize.*after_deploy$/);
    expect(lines).to.include(
      '  (a pause until promoted stops the deployment there, exit 0: `ecs-crd promote` goes on, `ecs-crd rollback` aborts; ELAPSED does not count it)',
    );
    expect(lines).to.include(
      '  (HOOKS: the canary.hooks points that run at the end of the step, in that order)',
    );
  });

  it('a file without pauses or hooks reads as before: neither column, neither note', () => {
    const plain = timeline.map((s) => ({ ...s, label: `step ${s.number}`, pause: null, hooks: [] }));
    const lines = table(previewLines(doc(plain)));
    expect(lines[0]).to.match(/^\s+STEP\s+WHAT\s+CANDIDATE\s+STABLE\s+WAIT\s+ELAPSED\s+AWS ADDS\s+ON AWS$/);
    expect(lines.join('\n')).to.not.match(/PAUSE|HOOKS|ELAPSED does not count it/);
  });

  it('hooks without pauses: the hooks column alone', () => {
    const lines = table(previewLines(doc(timeline.map((s) => ({ ...s, pause: null })))));
    expect(lines[0]).to.match(/WAIT\s+ELAPSED.*ON AWS\s+HOOKS$/);
  });
});
