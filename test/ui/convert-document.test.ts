import { expect } from 'chai';
import { type ConvertReport, convertDocument, convertLines } from '../../src/ui/convert-report.js';

const report: ConvertReport = {
  file: 'prod.deploy.yml',
  output: 'canary: {}\n',
  changes: [
    {
      path: 'service.containers[0].secrets',
      line: 12,
      column: 7,
      change: 'list of one-key maps → map (2 entries)',
    },
  ],
  notConverted: [
    {
      path: 'service.containers[0].port_mappings[0].container_port',
      line: 15,
      column: 11,
      reason: 'a container listens on one port whatever the slot',
      hint: 'per-slot ports go in `host_port: {blue, green}`',
    },
  ],
  written: null,
};

describe('convert --json: the document scripts read', () => {
  it('has this shape, these fields in this order', () => {
    const document = convertDocument(report);
    expect(Object.keys(document)).to.deep.equal([
      'file',
      'changed',
      'changes',
      'not_converted',
      'output',
      'written',
    ]);
    expect(document).to.deep.equal({
      file: 'prod.deploy.yml',
      changed: true,
      changes: [
        {
          path: 'service.containers[0].secrets',
          line: 12,
          column: 7,
          change: 'list of one-key maps → map (2 entries)',
        },
      ],
      not_converted: [
        {
          path: 'service.containers[0].port_mappings[0].container_port',
          line: 15,
          column: 11,
          reason: 'a container listens on one port whatever the slot',
          hint: 'per-slot ports go in `host_port: {blue, green}`',
        },
      ],
      output: 'canary: {}\n',
      written: null,
    });
  });

  it('says changed: false for a file already in ecs-crd’s form', () => {
    expect(convertDocument({ ...report, changes: [], notConverted: [] }).changed).to.equal(false);
  });
});

describe('convert: the lines on stderr', () => {
  it('one FILE:LINE:COL PATH line per change and per thing not converted, then the verdict and what next', () => {
    expect(convertLines(report)).to.deep.equal([
      'prod.deploy.yml:12:7 service.containers[0].secrets: list of one-key maps → map (2 entries)',
      'prod.deploy.yml:15:11 service.containers[0].port_mappings[0].container_port: not converted: a container listens on one port whatever the slot; per-slot ports go in `host_port: {blue, green}`',
      'prod.deploy.yml: 1 change; 1 thing not converted (listed above)',
      'next: `ecs-crd validate -e ENV -f CONVERTED_FILE`',
    ]);
  });

  it('names where the file was written, and the backup', () => {
    const lines = convertLines({
      ...report,
      notConverted: [],
      written: 'prod.deploy.yml',
      backup: 'prod.deploy.yml.bak',
    });
    expect(lines.slice(-2)).to.deep.equal([
      'prod.deploy.yml: 1 change, written to prod.deploy.yml (the original kept as prod.deploy.yml.bak)',
      'next: `ecs-crd validate -e ENV -f prod.deploy.yml`',
    ]);
  });

  it('says a file is already in ecs-crd’s form', () => {
    expect(convertLines({ ...report, changes: [], notConverted: [] })).to.deep.equal([
      "prod.deploy.yml is already in ecs-crd's form: nothing to change",
    ]);
  });
});
