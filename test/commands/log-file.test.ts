/**
 * `--log-file` as a hostile user points it: at devices, at a full disk, into /proc. The log is
 * secondary: it never changes what it does not own, never changes the command's outcome, and
 * never hangs it.
 */
import { chmodSync, existsSync, statSync } from 'node:fs';
import { expect } from 'chai';
import { requireBuild, runCli } from './cli.js';

const VALIDATE = ['validate', '-e', 'dev', '-f', 'examples/seed.deploy.yml'];
const mode = (path: string) => statSync(path).mode & 0o777;

describe('--log-file on what is not a plain file', function () {
  this.timeout(30_000);
  before(requireBuild);

  describe('/dev/null', () => {
    const before = mode('/dev/null');
    // Should the test fail, put the device back as it was: every process on the machine uses it.
    after(() => {
      if (mode('/dev/null') !== before) chmodSync('/dev/null', before);
    });

    it('is written to as it is: the device keeps its mode, the command its exit code', () => {
      const run = runCli([...VALIDATE, '--log-file', '/dev/null'], { timeout: 10_000 });
      expect(run.status, run.stderr).to.equal(0);
      expect(mode('/dev/null')).to.equal(before);
    });
  });

  (existsSync('/dev/full') ? it : it.skip)(
    'on a full disk (/dev/full): warns once, and the command keeps its output and exit code',
    () => {
      const plain = runCli(VALIDATE, { timeout: 10_000 });
      const run = runCli([...VALIDATE, '--log-file', '/dev/full'], { timeout: 10_000 });
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.equal(plain.stdout);
      const warnings = run.stderr.match(/could not write the log file/g) ?? [];
      expect(warnings, run.stderr).to.have.length(1);
      expect(run.stderr).to.include(
        'could not write the log file /dev/full: no space left; the log stops here',
      );
    },
  );

  (existsSync('/proc/self') ? it : it.skip)(
    'in a folder that cannot be made (/proc/nope): a usage error at once, no hang',
    () => {
      const run = runCli([...VALIDATE, '--log-file', '/proc/nope/x.log'], { timeout: 10_000 });
      expect(run.signal, 'the command hung and was killed').to.equal(null);
      expect(run.status).to.equal(2);
      expect(run.stderr).to.match(/cannot open the log file \/proc\/nope\/x\.log \(cannot create the folder/);
    },
  );
});
