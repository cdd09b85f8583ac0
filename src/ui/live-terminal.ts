/**
 * The live view's terminal glue: owns the cursor and the timers, and draws what the pure
 * reducer and renderer of ./live-view.ts make of the events.
 */
import { initialLiveView, reduceLiveView, renderLiveView } from './live-view.js';
import type { OutputStream, ReporterSession } from './reporter.js';

/** At most 10 redraws a second: the engine can send hundreds of events in a burst. */
const REDRAW_MS = 100;
/** The countdown moves once a second. */
const TICK_MS = 1000;

const eraseBlock = (lines: number): string => (lines > 0 ? `\u001b[${lines}A\r\u001b[J` : '');

/**
 * Draws the live view on `stream` (a terminal) at most every 100 ms, and every second during a
 * wait for the countdown: permanent lines wait for the next frame (in order), the block is
 * redrawn below them. `close` stops the timers, prints the permanent lines still pending and
 * erases the block, so the result lands right below the permanent lines.
 */
export function createLiveView(options: {
  stream: OutputStream;
  verbose: boolean;
  color: boolean;
  now: () => number;
}): ReporterSession {
  const { stream, now } = options;
  let state = initialLiveView({ verbose: options.verbose, color: options.color });
  let above: string[] = [];
  let drawnLines = 0;
  let lastDrawAt = 0;
  let redraw: ReturnType<typeof setTimeout> | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let closed = false;

  // One write per frame (erase, permanent lines, block): a terminal never shows half of one.
  const draw = (block: readonly string[]): void => {
    clearTimeout(redraw);
    redraw = undefined;
    lastDrawAt = Date.now();
    const frame = eraseBlock(drawnLines) + [...above, ...block].map((line) => `${line}\n`).join('');
    above = [];
    drawnLines = block.length;
    if (frame !== '') stream.write(frame);
  };
  const drawView = (): void => draw(renderLiveView(state, now(), stream.columns ?? 80));

  const scheduleDraw = (): void => {
    if (redraw) return;
    const delay = lastDrawAt + REDRAW_MS - Date.now();
    if (delay <= 0) {
      drawView();
      return;
    }
    redraw = setTimeout(drawView, delay);
    // Timers must never keep the process alive: a command that forgets `close` still exits.
    redraw.unref();
  };

  return {
    report(event) {
      if (closed) return;
      state = reduceLiveView(state, event);
      above.push(...state.emitted);
      if (!ticker) {
        ticker = setInterval(() => {
          if (state.waitEndsAt !== null) drawView();
        }, TICK_MS);
        ticker.unref();
      }
      scheduleDraw();
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      draw([]);
    },
  };
}
