import { expect } from 'chai';
import { EcsCrdError, StackLockedError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { beyondTornReads, engineErrorLines, translateEngineError } from '../../src/stack/runner.js';

class FakeConcurrentUpdateError extends Error {}
const auto = { ConcurrentUpdateError: FakeConcurrentUpdateError } as never;

const commandError = (stderr: string, stdout = '') =>
  Object.assign(
    new Error(
      `code: 255\n stdout: ${stdout}\n stderr: ${stderr}\n err?: Command failed: pulumi up --message {"reason":"error: old"}`,
    ),
    {
      commandResult: { stdout, stderr },
    },
  );

describe('engine errors', () => {
  it('keeps the distinct error lines the engine printed, not the echoed command line', () => {
    const error = translateEngineError(
      commandError(
        'error: could not read plugin [pulumi-resource-aws]: exit status 1\nerror: update failed\n',
        '  pulumi:providers:aws default  error: could not read plugin [pulumi-resource-aws]: exit status 1\n',
      ),
      auto,
    );
    expect(error).to.be.instanceOf(EcsCrdError);
    expect(error.message).to.equal(
      'The Pulumi engine failed: could not read plugin [pulumi-resource-aws]: exit status 1',
    );
  });

  it('turns the engine lock into exit 5, naming the holder', () => {
    const error = translateEngineError(
      commandError(
        'error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n  file:///s/.pulumi/locks/organization/ecs-crd/dev/1.json: created by root@ci (pid 42) at 2026-11-27T10:00:00Z\n',
      ),
      auto,
    );
    expect(error).to.be.instanceOf(StackLockedError);
    expect(error.message).to.match(/created by root@ci \(pid 42\)/);
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
  });

  it('turns a wrong secrets passphrase into the user’s input (exit 2), saying what to set', () => {
    const error = translateEngineError(
      commandError('error: getting stack configuration: get stack secrets manager: incorrect passphrase\n'),
      auto,
    );
    expect(error).to.be.instanceOf(UsageError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect(error.hint).to.match(/PULUMI_CONFIG_PASSPHRASE/);
  });

  it('caps what it repeats', () => {
    const text = Array.from({ length: 9 }, (_, i) => `error: problem ${i}`).join('\n');
    expect(engineErrorLines(text)).to.have.length(5);
  });
});

describe('stack/runner: reads beside a running deploy', () => {
  const torn = () =>
    Object.assign(new Error('command failed'), {
      commandResult: { stderr: 'error: failed to load checkpoint: EOF', stdout: '' },
    });
  const noSleep = async () => {};

  it('reads a checkpoint caught mid-write again, and gets it', async () => {
    let calls = 0;
    const value = await beyondTornReads(async () => {
      calls += 1;
      if (calls < 3) throw torn();
      return 'outputs';
    }, noSleep);
    expect(value).to.equal('outputs');
    expect(calls).to.equal(3);
  });

  it('gives up after a few reads, with the engine’s error', async () => {
    let calls = 0;
    const reading = beyondTornReads(
      async () => {
        calls += 1;
        throw torn();
      },
      noSleep,
      4,
    );
    expect(await reading.catch((err: Error) => err.message)).to.equal('command failed');
    expect(calls).to.equal(4);
  });

  it('never reads again on another error', async () => {
    let calls = 0;
    const reading = beyondTornReads(async () => {
      calls += 1;
      throw new Error('error: incorrect passphrase');
    }, noSleep);
    expect(await reading.catch((err: Error) => err.message)).to.equal('error: incorrect passphrase');
    expect(calls).to.equal(1);
  });
});
