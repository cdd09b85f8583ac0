/**
 * The one question ecs-crd asks a person: a yes/no confirmation before a destructive command,
 * on stderr so that stdout stays the result.
 */
import { createInterface } from 'node:readline';

/**
 * Asks `question` and waits for an answer: only `y` or `yes` (any case) is a yes. End of
 * input (Ctrl-D) and Ctrl-C count as no.
 */
export function confirm(
  question: string,
  streams: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream } = {
    input: process.stdin,
    output: process.stderr,
  },
): Promise<boolean> {
  // On a terminal, readline reads raw keys: Ctrl-C reaches it as an event instead of killing
  // the process, so the caller's `finally` (releasing the lease) still runs.
  const terminal = 'isTTY' in streams.input && streams.input.isTTY === true;
  const rl = createInterface({ input: streams.input, output: streams.output, terminal });
  return new Promise<boolean>((resolve) => {
    let answered = false;
    const finish = (yes: boolean): void => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(yes);
    };
    // Without a listener, readline answers Ctrl-C by pausing the input: the prompt would hang.
    rl.on('SIGINT', () => finish(false));
    rl.on('close', () => finish(false));
    rl.question(`${question} [y/N] `, (answer) => finish(/^y(es)?$/i.test(answer.trim())));
  });
}
