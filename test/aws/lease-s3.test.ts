import { expect } from 'chai';
import { s3Location } from '../../src/aws/s3-objects.js';
import { UsageError } from '../../src/errors.js';

describe('aws/lease-s3: where an S3 backend keeps its leases', () => {
  it('reads the bucket and the prefix of the state from the backend URL, without its query', () => {
    expect(s3Location('s3://team-state/prod/services?region=eu-west-1')).to.deep.equal({
      bucket: 'team-state',
      prefix: 'prod/services/',
    });
    expect(s3Location('s3://team-state')).to.deep.equal({ bucket: 'team-state', prefix: '' });
    expect(s3Location('s3://team-state/')).to.deep.equal({ bucket: 'team-state', prefix: '' });
    expect(s3Location('s3://team.state/a//')).to.deep.equal({ bucket: 'team.state', prefix: 'a/' });
  });

  it('refuses what is no s3:// URL', () => {
    expect(() => s3Location('https://api.pulumi.com')).to.throw(
      UsageError,
      /not an s3:\/\/bucket\/prefix URL/,
    );
  });
});
