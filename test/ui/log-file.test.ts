import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    expect(() => openLogFile(dir)).to.throw(UsageError, /cannot open the log file/);
  });
});
