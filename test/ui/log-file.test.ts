import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
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
    expect(mode(path)).to.equal(0o600);
    expect(mode(join(dir, 'a'))).to.equal(0o700);
    expect(mode(join(dir, 'a', 'b'))).to.equal(0o700);
  });

  it('tightens an existing file to 0600 and appends to it', () => {
    const path = join(dir, 'old.log');
    writeFileSync(path, 'before\n');
    chmodSync(path, 0o644);
    const log = openLogFile(path, () => new Date('2025-01-02T03:04:05.678Z'));
    log.write('INFO', 'after');
    log.close();
    expect(mode(path)).to.equal(0o600);
    expect(readFileSync(path, 'utf8')).to.equal('before\n2025-01-02T03:04:05.678Z INFO after\n');
  });

  it('timestamps every line, colours stripped, and ignores writes after close', () => {
    const path = join(dir, 'x.log');
    const log = openLogFile(path, () => new Date('2025-01-02T03:04:05.678Z'));
    log.write('ERROR', '\u001b[31mfirst\u001b[39m\nsecond');
    log.close();
    log.write('INFO', 'late');
    expect(readFileSync(path, 'utf8').split('\n')).to.deep.equal([
      '2025-01-02T03:04:05.678Z ERROR first',
      '2025-01-02T03:04:05.678Z ERROR second',
      '',
    ]);
  });

  it('is a usage error when the file cannot be opened', () => {
    expect(() => openLogFile(dir)).to.throw(UsageError, /cannot open the log file .* \(it is a folder\)/);
    writeFileSync(join(dir, 'file'), '');
    expect(() => openLogFile(join(dir, 'file', 'x.log'))).to.throw(UsageError, /file is not a folder/);
  });

  it('leaves the mode of a device alone: only regular files are tightened', () => {
    const before = mode('/dev/null');
    try {
      const log = openLogFile('/dev/null');
      log.write('INFO', 'gone');
      log.close();
      expect(mode('/dev/null')).to.equal(before);
    } finally {
      // Should it fail, put the device back: every process on the machine uses it.
      if (mode('/dev/null') !== before) chmodSync('/dev/null', before);
    }
  });

  it('refuses an empty path (`--log-file=`), saying what it needs', () => {
    expect(() => openLogFile('')).to.throw(UsageError, /^--log-file needs the path of a file to write$/);
  });

  it('refuses a FIFO nobody reads at once, rather than waiting for a reader', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => openLogFile(fifo)).to.throw(
      UsageError,
      /cannot open the log file .*fifo \(nobody reads it\)/,
    );
  });

  (existsSync('/dev/full') ? it : it.skip)(
    'warns once when a write fails (a full disk), then stops writing instead of failing the command',
    () => {
      const warnings: string[] = [];
      const log = openLogFile('/dev/full', undefined, (message) => warnings.push(message));
      log.write('INFO', 'first');
      log.write('INFO', 'second');
      log.close();
      expect(warnings).to.deep.equal([
        'could not write the log file /dev/full: no space left; the log stops here',
      ]);
    },
  );
});
