import { expect } from 'chai';
import { deployIn } from '../../src/app/deploy.js';
import { formatProblem } from '../../src/config/problems.js';
import { RecordingReporter } from '../helpers/fakes.js';
import { openedService, SECRET_WARNING } from './opened.js';

describe('deploy: the deployment file’s warnings', () => {
  const service = { environment: 'prod' as const, region: 'eu-west-1', pulumiVersion: '3.274.1' };

  it('reports each warning once, before anything else, and carries them in the document', async () => {
    const other = { ...SECRET_WARNING, line: 32, path: 'service.containers[0].environment.API_KEY' };
    const opened = openedService({ warnings: [SECRET_WARNING, other] });
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });

    expect(document.outcome).to.equal('deployed');
    expect(reports.codes().slice(0, 3)).to.deep.equal([
      'config.warning',
      'config.warning',
      'rollout.started',
    ]);
    const warnings = reports.of('config.warning');
    expect(warnings.map((event) => event.level)).to.deep.equal(['warn', 'warn']);
    expect(warnings.map((event) => event.text)).to.deep.equal([
      formatProblem(SECRET_WARNING),
      formatProblem(other),
    ]);
    expect(warnings[0]?.data).to.deep.equal({
      file: 'prod.deploy.yml',
      line: 31,
      column: 9,
      path: 'service.containers[0].environment.DB_PASSWORD',
    });
    expect(document.warnings).to.deep.equal([formatProblem(SECRET_WARNING), formatProblem(other)]);
  });

  it('reports them even when the deployment is then refused', async () => {
    const opened = openedService({ warnings: [SECRET_WARNING] });
    opened.aws.lookup.discover = async () => {
      throw new Error('no ALB is tagged CanaryGroup=orders');
    };
    const reports = new RecordingReporter();
    const error = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect(reports.codes()).to.deep.equal(['config.warning']);
  });

  it('has none to report for a file without any', async () => {
    const opened = openedService();
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });
    expect(reports.of('config.warning')).to.deep.equal([]);
    expect(document.warnings).to.deep.equal([]);
  });
});
