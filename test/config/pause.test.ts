import { expect } from 'chai';
import { check, config, fileWith, problems } from './fixtures.js';

/** `LINE:COL PATH: MESSAGE` of every problem. */
function placed(text: string): string[] {
  const result = check(text);
  return result.ok ? [] : result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
}

describe('config: canary.strategy[].pause', () => {
  it('resolves true, seconds and false (no pause); with a pause the wait may be left out (0)', () => {
    const { strategy } = config(
      fileWith((f) => {
        f.canary.strategy = [
          { weight: 10, pause: true },
          { weight: 20, wait: 30, pause: 600 },
          { weight: 50, wait: 60, pause: false },
          { weight: 100, wait: 5, pause: true },
        ];
      }),
    ).canary;
    expect(strategy).to.deep.equal([
      { weight: 10, wait: 0, pause: true },
      { weight: 20, wait: 30, pause: 600 },
      { weight: 50, wait: 60 },
      { weight: 100, wait: 5, pause: true },
    ]);
    expect(strategy[2]).not.to.have.property('pause');
  });

  it('leaves pause absent from steps that do not say it', () => {
    const { strategy } = config(fileWith(() => {})).canary;
    expect(strategy).to.deep.equal([
      { weight: 10, wait: 70 },
      { weight: 60, wait: 50 },
    ]);
  });

  it('refuses 0, negative, fractional, string and too long pauses, at the pause', () => {
    const cases: [unknown, string][] = [
      [0, 'must be at least 1 second: 0 is no pause (leave `pause` out, or write false)'],
      [
        -5,
        'must be `true` (stop until `ecs-crd promote`) or a whole number of seconds from 1 to 604800 (7 days), not -5',
      ],
      [1.5, 'must be a whole number of seconds, not 1.5'],
      [
        'yes',
        'must be `true` (stop until `ecs-crd promote`) or a whole number of seconds from 1 to 604800 (7 days), not the string "yes": write true, without quotes',
      ],
      [
        '600',
        'must be `true` (stop until `ecs-crd promote`) or a whole number of seconds from 1 to 604800 (7 days), not the string "600": write 600, without quotes',
      ],
      [
        null,
        'must be `true` (stop until `ecs-crd promote`) or a whole number of seconds from 1 to 604800 (7 days), not empty',
      ],
      [604801, 'must be at most 604800 seconds (7 days): for longer, write true and run `ecs-crd promote`'],
      [
        { seconds: 3 },
        'must be `true` (stop until `ecs-crd promote`) or a whole number of seconds from 1 to 604800 (7 days), not a map',
      ],
    ];
    for (const [pause, message] of cases) {
      const text = fileWith((f) => (f.canary.strategy[1].pause = pause));
      expect(placed(text), JSON.stringify(pause)).to.deep.equal([
        `11:7 canary.strategy[1].pause: ${message}`,
      ]);
      expect(text.split('\n')[10]).to.match(/^ {6}pause:/);
    }
  });

  it('still requires wait without a pause (false is no pause), and says why', () => {
    const message =
      'canary.strategy[0].wait: is required: the seconds to watch the new release at this weight (only a step with `pause` may leave it out)';
    expect(problems(fileWith((f) => delete f.canary.strategy[0].wait))).to.deep.equal([message]);
    expect(
      problems(
        fileWith((f) => {
          delete f.canary.strategy[0].wait;
          f.canary.strategy[0].pause = false;
        }),
      ),
    ).to.deep.equal([message]);
  });

  it('reports a wrong pause alone when the wait is left out (the pause was meant)', () => {
    expect(
      problems(
        fileWith((f) => {
          f.canary.strategy[0] = { weight: 10, pause: 'true ' };
        }),
      ),
    ).to.deep.equal([
      'canary.strategy[0].pause: must be `true` (stop until `ecs-crd promote`) or a whole number of seconds from 1 to 604800 (7 days), not the string "true ": write true, without quotes',
    ]);
  });

  it('keeps every other step rule: weights 1–100 strictly increasing, wait ≥ 0', () => {
    expect(
      problems(
        fileWith((f) => {
          f.canary.strategy = [
            { weight: 20, pause: true },
            { weight: 20, pause: 60 },
            { weight: 101, wait: -1, pause: true },
          ];
        }),
      ),
    ).to.deep.equal([
      "canary.strategy[1].weight: must be greater than the previous step's weight (20)",
      'canary.strategy[2].weight: must be between 1 and 100',
      'canary.strategy[2].wait: must be at least 0',
    ]);
    expect(problems(fileWith((f) => (f.canary.strategy[0].paus = true)))).to.deep.equal([
      'canary.strategy[0].paus: unknown key `paus`: did you mean `pause`?',
    ]);
  });

  it('counts a paused step without wait as 0 s in the analysis timing warning', () => {
    const result = check(
      fileWith((f) => {
        f.canary.strategy = [
          { weight: 10, pause: true },
          { weight: 50, wait: 600 },
        ];
        f.canary.analysis = { interval: 60, timeout: 60, error_rate: { max: 0.01 } };
      }),
    );
    expect(result.ok).to.equal(true);
    expect(result.warnings?.map((w) => w.message).find((m) => m.includes('shortest step'))).to.include(
      'the shortest step lasts at most 60 s (wait 0 s + timeout 60 s)',
    );
  });
});
