import { expect } from 'chai';
import { EcsCrdError, StackLockedError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import {
  beyondTornReads,
  engineErrorLines,
  stackRemoved,
  translateEngineError,
} from '../../src/stack/engine-errors.js';

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

  it('a checkpoint that stays unreadable says to run again, or which file a full disk left empty', () => {
    const error = translateEngineError(commandError('error: failed to load checkpoint: EOF\n'), auto);
    expect(error.message).to.match(/state could not be read.*failed to load checkpoint: EOF/);
    expect(error.hint)
      .to.match(/run the command again/)
      .and.to.match(/\.json\.attrs/);
  });

  it('knows a stack removed meanwhile, raw or translated, and nothing else', () => {
    const gone = commandError("error: no stack named 'sandbox-api-dev-eu-west-1' found\n");
    expect(stackRemoved(gone)).to.equal(true);
    expect(stackRemoved(translateEngineError(gone, auto))).to.equal(true);
    expect(stackRemoved(commandError('error: failed to load checkpoint: EOF\n'))).to.equal(false);
    expect(stackRemoved(new EcsCrdError("no stack named 'x' found, said a user's file"))).to.equal(false);
  });

  describe('the engine’s own AWS calls (S3 state, KMS secrets)', () => {
    // As pulumi 3.274.1 words them against the sandbox's moto.
    const NO_BUCKET =
      'error: error listing stacks: could not list bucket: blob (code=NotFound): operation error S3: ListObjectsV2, https response error StatusCode: 404, RequestID: 0nhB, HostID: 9Gjj+1m/I=, NoSuchBucket: The specified bucket does not exist\n';
    const NO_ALIAS =
      'error: could not create secrets manager for new stack: secrets (code=NotFound): operation error KMS: Encrypt, https response error StatusCode: 400, RequestID: 9vpH, NotFoundException: Alias arn:aws:kms:eu-west-1:123456789012:alias/nope is not found.\n';
    const NO_CREDENTIALS =
      'error: read ".pulumi/meta.yaml": blob (key ".pulumi/meta.yaml") (code=Unknown): operation error S3: GetObject, get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, access disabled to EC2 IMDS via client option, or "AWS_EC2_METADATA_DISABLED" environment variable\n';

    it('a state bucket that does not exist is the user’s input (exit 2), named, with what to do', () => {
      const error = translateEngineError(commandError(NO_BUCKET), auto, {
        backendUrl: 's3://team-state/ecs-crd',
      });
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.equal(
        'The state bucket team-state does not exist (S3 ListObjectsV2: NoSuchBucket: The specified bucket does not exist).',
      );
      expect(error.hint).to.match(/create-bucket.*--backend-url/);
    });

    it('a KMS key or alias that does not exist is the user’s input (exit 2), with AWS’s words', () => {
      const error = translateEngineError(commandError(NO_ALIAS), auto);
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/KMS key .* does not exist .*alias\/nope is not found/);
      expect(error.hint).to.match(/create-alias.*--secrets-provider/);
    });

    it('no credentials: says where the engine looks for them', () => {
      const error = translateEngineError(commandError(NO_CREDENTIALS), auto);
      expect(error).to.be.instanceOf(EcsCrdError);
      expect(error).not.to.be.instanceOf(UsageError);
      expect(error.message).to.match(/no AWS credentials/);
      expect(error.hint).to.match(/--profile.*AWS_ACCESS_KEY_ID/);
    });

    it('credentials refused and access denied: which permission is missing', () => {
      const refused = translateEngineError(
        commandError(
          'error: operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: x, HostID: y, api error InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.\n',
        ),
        auto,
      );
      expect(refused.message).to.match(/refused the credentials.*InvalidAccessKeyId/);
      const denied = translateEngineError(
        commandError(
          'error: secrets (code=PermissionDenied): operation error KMS: Decrypt, https response error StatusCode: 400, RequestID: x, api error AccessDeniedException: User is not authorized\n',
        ),
        auto,
      );
      expect(denied.message).to.match(/denied the Pulumi engine KMS Decrypt/);
      expect(denied.hint).to.match(/kms:Encrypt and kms:Decrypt/);
    });

    it('a bucket in another region than the engine’s: name it in the URL (exit 2)', () => {
      const error = translateEngineError(
        commandError(
          'error: could not list bucket: blob (code=Unknown): operation error S3: ListObjectsV2, https response error StatusCode: 301, RequestID: x, HostID: y, api error PermanentRedirect: The bucket you are attempting to access must be addressed using the specified endpoint.\n',
        ),
        auto,
      );
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/another region .*PermanentRedirect/);
      expect(error.hint).to.match(/\?region=REGION/);
    });

    it('S3 access denied: which permissions the state needs', () => {
      const error = translateEngineError(
        commandError(
          'error: operation error S3: GetObject, https response error StatusCode: 403, RequestID: x, HostID: y, api error AccessDenied: Access Denied\n',
        ),
        auto,
      );
      expect(error.message).to.equal(
        'AWS denied the Pulumi engine S3 GetObject (AccessDenied: Access Denied).',
      );
      expect(error.hint).to.match(/s3:ListBucket .* s3:GetObject, s3:PutObject, s3:DeleteObject/);
    });

    it('an endpoint nobody answers: where to look', () => {
      const error = translateEngineError(
        commandError(
          'error: could not list bucket: blob (code=Unknown): operation error S3: ListObjectsV2, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , HostID: , request send failed, Get "http://127.0.0.1:9/team-state?list-type=2": dial tcp 127.0.0.1:9: connect: connection refused\n',
        ),
        auto,
      );
      expect(error.message).to.equal(
        'The Pulumi engine could not reach AWS S3 (ListObjectsV2): dial tcp 127.0.0.1:9: connect: connection refused.',
      );
      expect(error.hint).to.match(/--endpoint-url/);
    });

    it('a passphrase stack opened without a passphrase says so (exit 2)', () => {
      const error = translateEngineError(
        commandError(
          'error: constructing secrets manager of type "passphrase": passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables\n',
        ),
        auto,
      );
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/sealed with a passphrase, and none is set/);
      const asked = translateEngineError(
        commandError('error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE\n'),
        auto,
        {
          secretsProvider: 'awskms://alias/team',
        },
      );
      expect(asked.message).to.match(/sealed with a passphrase, not with awskms:\/\/alias\/team as asked/);
      expect(asked.hint).to.match(/--secrets-provider passphrase/);
    });

    it('any other S3 failure keeps the engine’s lines', () => {
      const error = translateEngineError(
        commandError(
          'error: operation error S3: PutObject, https response error StatusCode: 500, RequestID: x, HostID: y, InternalError: We encountered an internal error.\n',
        ),
        auto,
      );
      expect(error.message).to.match(/^The Pulumi engine failed: .*InternalError/);
    });
  });

  it('a full disk, hit by the SDK or by the engine, says so and where to free space', () => {
    const sdk = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      path: '/tmp/ecs-crd-api-XXXX/Pulumi.yaml',
    });
    const engine = commandError(
      'error: could not save checkpoint: write /state/.pulumi/stacks/ecs-crd/api.json: no space left on device\n',
    );
    for (const [error, where] of [
      [translateEngineError(sdk, auto), '/tmp/ecs-crd-api-XXXX/Pulumi.yaml'],
      [
        translateEngineError(engine, auto),
        'could not save checkpoint: write /state/.pulumi/stacks/ecs-crd/api.json',
      ],
    ] as const) {
      expect(error.message)
        .to.match(/^The disk is full: /)
        .and.include(where);
      expect(error.hint).to.include('TMPDIR').and.include('ecs-crd rollback');
    }
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
