import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.js';
import { openLogFile } from '../../src/ui/log-file.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('ui/log-file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file 0600 and missing directories 0700', () => {
    const path = join(dir, 'a', 'b', 'deploy.log');
    const log = openLogFile(path);
    log.close();
    assert.equal(mode(path), 0o600);
    assert.equal(mode(join(dir, 'a')), 0o700);
    assert.equal(mode(join(dir, 'a', 'b')), 0o700);
  });

  it('tightens an existing file to 0600 and appends to it', () => {
    const path = join(dir, 'old.log');
    writeFileSync(path, 'before\n');
    chmodSync(path, 0o644);
    const log = openLogFile(path, () => new Date('2025-01-02T03:04:05.678Z'));
    log.write('INFO', 'after');
    log.close();
    assert.equal(mode(path), 0o600);
    assert.equal(readFileSync(path, 'utf8'), 'before\n2025-01-02T03:04:05.678Z INFO after\n');
  });

  it('timestamps every line, colours stripped, and ignores writes after close', () => {
    const path = join(dir, 'x.log');
    const log = openLogFile(path, () => new Date('2025-01-02T03:04:05.678Z'));
    log.write('ERROR', '\u001b[31mfirst\u001b[39m\nsecond');
    log.close();
    log.write('INFO', 'late');
    assert.deepEqual(readFileSync(path, 'utf8').split('\n'), [
      '2025-01-02T03:04:05.678Z ERROR first',
      '2025-01-02T03:04:05.678Z ERROR second',
      '',
    ]);
  });

  it('is a usage error when the file cannot be opened', () => {
    assert.throws(
      () => openLogFile(dir),
      (error: unknown) => error instanceof UsageError && /cannot open the log file/.test(error.message),
    );
  });
});
