import { expect } from 'chai';
import { REDACTED, redact } from '../../src/ui/redact.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('ui/redact', () => {
  const cases: [string, string][] = [
    ['PULUMI_CONFIG_PASSPHRASE=correct horse battery', `PULUMI_CONFIG_PASSPHRASE=${REDACTED}`],
    ['export PULUMI_CONFIG_PASSPHRASE="correct horse"', `export PULUMI_CONFIG_PASSPHRASE="${REDACTED}"`],
    [`AWS_SECRET_ACCESS_KEY=${SECRET}`, `AWS_SECRET_ACCESS_KEY=${REDACTED}`],
    [`aws_secret_access_key = ${SECRET}`, `aws_secret_access_key = ${REDACTED}`],
    [
      `{"secretAccessKey":"${SECRET}","region":"eu-west-1"}`,
      `{"secretAccessKey":"${REDACTED}","region":"eu-west-1"}`,
    ],
    ['AWS_SESSION_TOKEN: IQoJb3JpZ2luX2VjEBAaCWV1', `AWS_SESSION_TOKEN: ${REDACTED}`],
    ["db password: 'p@ss w0rd'", `db password: '${REDACTED}'`],
    ['--passphrase=hunter2 --yes', `--passphrase=${REDACTED}`],
    ['first\nPASSWORD=a b\nlast', `first\nPASSWORD=${REDACTED}\nlast`],
    ['GET https://ci/x?access_token=abc123&page=2', `GET https://ci/x?access_token=${REDACTED}`],
    [
      'backend https://alice:s3cr3t@state.example.com/x',
      `backend https://alice:${REDACTED}@state.example.com/x`,
    ],
    [`credentials ${SECRET} found`, `credentials ${REDACTED} found`],
    ['key id AKIAIOSFODNN7EXAMPLE used', `key id ${REDACTED} used`],
    [`token pul-${'0123456789abcdef'.repeat(2)}01234567 ok`, `token ${REDACTED} ok`],
  ];
  for (const [line, expected] of cases) {
    it(`hides the secret in ${JSON.stringify(line)}`, () => {
      expect(redact(line)).to.equal(expected);
    });
  }

  it('leaves ordinary deployment output alone', () => {
    const lines = [
      '    ~ aws:route53/record:Record record-api.example.com-green updating [diff: ~weightedRoutingPolicies]',
      'urn:pulumi:dev::ecs-crd::aws:ecs/service:Service::orders-api-green',
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders-green/6d0ecf831eec9f09',
      'image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'commit 0123456789abcdef0123456789abcdef01234567',
      'Step 3/5: 1 unhealthy target(s) in orders-green after the candidate had been healthy',
      'Resources: 2 updated, 14 unchanged',
    ];
    for (const line of lines) expect(redact(line)).to.equal(line);
  });

  it('is idempotent', () => {
    for (const [line] of cases) expect(redact(redact(line))).to.equal(redact(line));
  });
});
