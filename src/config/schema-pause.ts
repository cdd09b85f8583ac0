/**
 * `canary.strategy[].pause`: `true` stops after the step until `ecs-crd promote`; a number of
 * seconds holds the step that much longer, watching, then goes on. `false` is no pause.
 */
import { z } from 'zod';

/**
 * The longest timed pause: the process that holds it keeps running (and the stack locked) all
 * along. A week covers a weekend freeze; longer, `pause: true` and a promote say it better.
 */
export const MAX_PAUSE_S = 7 * 24 * 3600;

const WHAT = `\`true\` (stop until \`ecs-crd promote\`) or a whole number of seconds from 1 to ${MAX_PAUSE_S} (7 days)`;

function pauseProblem(input: unknown): string {
  if (input === null) return `must be ${WHAT}, not empty`;
  if (typeof input === 'string') {
    const meant = /^(true|yes|on)$/i.test(input.trim())
      ? ': write true, without quotes'
      : /^\d+$/.test(input.trim())
        ? `: write ${input.trim()}, without quotes`
        : '';
    return `must be ${WHAT}, not the string "${input.length > 40 ? `${input.slice(0, 37)}...` : input}"${meant}`;
  }
  if (typeof input === 'number') {
    if (input === 0) return 'must be at least 1 second: 0 is no pause (leave `pause` out, or write false)';
    if (!Number.isInteger(input)) return `must be a whole number of seconds, not ${input}`;
    if (input < 0) return `must be ${WHAT}, not ${input}`;
    return `must be at most ${MAX_PAUSE_S} seconds (7 days): for longer, write true and run \`ecs-crd promote\``;
  }
  return `must be ${WHAT}, not ${Array.isArray(input) ? 'a list' : typeof input === 'object' ? 'a map' : String(input)}`;
}

export const pauseSchema = z
  .unknown()
  .transform((input, ctx): true | number | undefined => {
    if (input === undefined || input === false) return undefined;
    if (input === true) return true;
    if (typeof input === 'number' && Number.isInteger(input) && input >= 1 && input <= MAX_PAUSE_S)
      return input;
    ctx.addIssue({ code: 'custom', message: pauseProblem(input), input });
    return z.NEVER;
  })
  .meta({
    anyOf: [{ type: 'boolean' }, { type: 'integer', minimum: 1, maximum: MAX_PAUSE_S }],
    description:
      'After the wait (health gate and `after_step` hooks passed): `true` stops here until `ecs-crd promote` (or `rollback`); a number of seconds holds the step that much longer, watching, then goes on. `false` or absent: no pause. A first deployment never pauses.',
  });
