import { expect } from 'chai';
import type { Slot } from '../../src/canary/ports/aws.js';
import { releaseCapacity, scalingCapacity } from '../../src/canary/scaling.js';
import type { AutoScalingConfig, DeploymentConfig } from '../../src/config/types.js';
import { buildConfig, buildMeta } from '../helpers/builders.js';

const scaling = (min: number, max: number): AutoScalingConfig => ({
  min_capacity: min,
  max_capacity: max,
  target_tracking: [{ name: 'cpu', metric: 'cpu', target: 60 }],
  step_scaling: [],
});

const releaseWith = (auto: AutoScalingConfig | undefined, desired: number): DeploymentConfig => {
  const base = buildConfig({ canary: { scale: { desired, wait: 0 } } });
  return { ...base, service: { ...base.service, ...(auto ? { auto_scaling: auto } : {}) } };
};

describe('canary/scaling: the capacity a release is declared with', () => {
  it('holds a sharing candidate at scale.desired at least, raising max with it', () => {
    expect(scalingCapacity(scaling(1, 10), 3, true)).to.deep.equal({ min: 3, max: 10 });
    expect(scalingCapacity(scaling(4, 10), 3, true)).to.deep.equal({ min: 4, max: 10 });
    expect(scalingCapacity(scaling(1, 2), 3, true)).to.deep.equal({ min: 3, max: 3 });
  });

  it('gives any other release its file’s own capacity', () => {
    expect(scalingCapacity(scaling(1, 2), 3, false)).to.deep.equal({ min: 1, max: 2 });
    expect(scalingCapacity(scaling(0, 0), 5, false)).to.deep.equal({ min: 0, max: 0 });
  });

  describe('through a rollout', () => {
    const live = releaseWith(scaling(1, 6), 2);
    const candidate = releaseWith(scaling(1, 6), 4);
    const at = (releases: Partial<Record<Slot, DeploymentConfig>>, candidateSlot: Slot | null) => ({
      releases,
      meta: buildMeta({ candidateSlot, liveSlot: 'blue' }),
    });

    it('provision, shifts and rollback: the candidate at scale.desired, the live release as recorded', () => {
      const both = at({ blue: live, green: candidate }, 'green');
      expect(releaseCapacity(both, 'green', candidate)).to.deep.equal({ min: 4, max: 6 });
      expect(releaseCapacity(both, 'blue', live)).to.deep.equal({ min: 1, max: 6 });
    });

    it('finalized (alone), or a stable stack: the file’s minimum', () => {
      expect(releaseCapacity(at({ green: candidate }, 'green'), 'green', candidate)).to.deep.equal({
        min: 1,
        max: 6,
      });
      expect(releaseCapacity(at({ blue: live }, null), 'blue', live)).to.deep.equal({ min: 1, max: 6 });
    });

    it('the next deployment declares the former candidate, now live, exactly as finalize left it', () => {
      const finalized = releaseCapacity(at({ green: candidate }, 'green'), 'green', candidate);
      const next = releaseCapacity(at({ green: candidate, blue: live }, 'blue'), 'green', candidate);
      expect(next).to.deep.equal(finalized);
    });

    it('a release without auto_scaling has none', () => {
      const plain = releaseWith(undefined, 2);
      expect(releaseCapacity(at({ blue: live, green: plain }, 'green'), 'green', plain)).to.equal(null);
    });
  });
});
