/**
 * One deployment, one duration: what `deploy` prints when it ends and what `history` (and
 * `status`) list for the same run afterwards, each computed its own way (`deploy` from its
 * clock, to the tenth; `history` from the stack history, which keeps whole seconds).
 */
import { expect } from 'chai';
import type { HistoryEntry } from '../../src/canary/ports/stack.js';
import { deploymentHistory } from '../../src/canary/status.js';
import { deployDocument, historyDocument } from '../../src/ui/documents.js';
import { resultLines } from '../../src/ui/render-result.js';
import { historyLines } from '../../src/ui/status-report.js';
import { buildMeta } from '../helpers/builders.js';
import { result } from './result-fixtures.js';

const STARTED = '2025-01-01T12:00:00.000Z';

/** The duration at the end of `deploy`'s headline: `… in 1m 05s`. */
function summaryDuration(durationS: number): string {
  const [headline = ''] = resultLines(deployDocument(result({ durationS })));
  return headline.replace(/^.* in /, '');
}

/** The DURATION column of `history` for the same run, its last update ending `endedAfterS` in. */
function historyDuration(endedAfterS: number): string {
  const meta = buildMeta({
    deploymentId: 'd-0001',
    candidateVersion: '2.0.0',
    candidateSlot: 'green',
    startedAt: STARTED,
  });
  const entries: HistoryEntry[] = [
    { version: 1, kind: 'update', result: 'succeeded', startTime: STARTED, endTime: STARTED, meta },
    {
      version: 2,
      kind: 'update',
      result: 'succeeded',
      startTime: STARTED,
      endTime: new Date(Date.parse(STARTED) + endedAfterS * 1000).toISOString(),
      meta: { ...meta, outcome: 'deployed' },
    },
  ];
  const [header = '', row = ''] = historyLines(historyDocument(deploymentHistory(entries)));
  const at = header.indexOf('DURATION');
  return row.slice(at, header.indexOf('SLOT')).trim();
}

describe('a deployment’s duration: the same in its summary and in history', () => {
  // What deploy measured, and the end of its last update as the stack history keeps it.
  for (const [measured, recorded, shown] of [
    [65.4, 65, '1m 05s'],
    [42.3, 42, '42s'],
    [59.7, 60, '1m 00s'],
    [312.4, 312, '5m 12s'],
    [3900.2, 3900, '1h 05m'],
  ] as const) {
    it(`a run of ${measured} s shows ${shown} in both`, () => {
      expect(historyDuration(recorded)).to.equal(summaryDuration(measured));
      expect(summaryDuration(measured)).to.equal(shown);
    });
  }
});
