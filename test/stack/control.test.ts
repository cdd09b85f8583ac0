import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { ControlChannel, ControlRequest } from '../../src/canary/ports/control.js';
import { fileControlChannel } from '../../src/stack/control.js';

function request(overrides: Partial<ControlRequest> = {}): ControlRequest {
  return {
    action: 'promote',
    full: false,
    deploymentId: 'd-20240501-0002',
    by: 'promote by ana@laptop (pid 4242)',
    at: '2024-05-01T10:20:00.000Z',
    ...overrides,
  };
}

describe('control channel: requests beside the lease', () => {
  let root: string;
  let dir: string;
  let channel: ControlChannel;
  const file = () => join(dir, 'shop-orders-api-prod.control.json');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ecs-crd-control-'));
    dir = join(root, '.ecs-crd', 'leases');
    channel = fileControlChannel(dir, 'shop-orders-api-prod');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('leaves a request in a private file of a private folder, and nothing else', async () => {
    await channel.send(request());
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    expect(statSync(file()).mode & 0o777).to.equal(0o600);
    expect(readdirSync(dir)).to.deep.equal(['shop-orders-api-prod.control.json']);
    expect(JSON.parse(readFileSync(file(), 'utf8'))).to.deep.equal(request());
  });

  it('hands the request to its deployment once, and removes it as it is read', async () => {
    await channel.send(request({ action: 'abort', by: 'rollback by ana@laptop (pid 4243)' }));
    expect(await channel.take('d-20240501-0002')).to.deep.equal(
      request({ action: 'abort', by: 'rollback by ana@laptop (pid 4243)' }),
    );
    expect(existsSync(file())).to.equal(false);
    expect(await channel.take('d-20240501-0002')).to.equal(null);
  });

  it('keeps the latest of two requests', async () => {
    await channel.send(request());
    await channel.send(request({ full: true }));
    expect(await channel.take('d-20240501-0002')).to.deep.include({ full: true });
  });

  it('says null when there is no request', async () => {
    expect(await channel.take('d-20240501-0002')).to.equal(null);
  });

  it('removes and ignores a request left for another deployment', async () => {
    await channel.send(request({ deploymentId: 'd-20240430-0009' }));
    expect(await channel.take('d-20240501-0002')).to.equal(null);
    expect(existsSync(file())).to.equal(false);
  });

  it('removes and ignores a garbled or incomplete file', async () => {
    for (const text of [
      '{"action": "prom',
      'null',
      '[]',
      JSON.stringify({ ...request(), action: 'destroy' }),
    ]) {
      await channel.send(request());
      writeFileSync(file(), text);
      expect(await channel.take('d-20240501-0002'), text).to.equal(null);
      expect(existsSync(file()), text).to.equal(false);
    }
    const { by: _by, ...withoutBy } = request();
    writeFileSync(file(), JSON.stringify(withoutBy));
    expect(await channel.take('d-20240501-0002')).to.equal(null);
  });

  it('gives a request to one of two readers only', async () => {
    await channel.send(request());
    const other = fileControlChannel(dir, 'shop-orders-api-prod');
    const taken = await Promise.all([channel.take('d-20240501-0002'), other.take('d-20240501-0002')]);
    expect(taken.filter((t) => t !== null)).to.have.length(1);
  });

  it('never shows a reader half a request while another process writes (temporary file, then rename)', async () => {
    await channel.send(request());
    // Another process sends large requests in a loop while this one reads the file as it is.
    const writer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { fileControlChannel } = await import(${JSON.stringify(new URL('../../src/stack/control.ts', import.meta.url).href)});
         const channel = fileControlChannel(${JSON.stringify(dir)}, 'shop-orders-api-prod');
         for (let i = 0; i < 60; i++) {
           await channel.send({ action: 'promote', full: false, deploymentId: 'd-' + i, by: 'x'.repeat(1 << 19), at: '' });
         }`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const done = new Promise<number | null>((resolve) => writer.once('exit', resolve));
    let running = true;
    void done.then(() => {
      running = false;
    });
    let reads = 0;
    while (running) {
      const text = readFileSync(file(), 'utf8');
      expect(() => JSON.parse(text), `read ${reads}: ${text.length} characters`).not.to.throw();
      reads++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await done).to.equal(0);
    expect(reads).to.be.greaterThan(10);
    expect(readdirSync(dir)).to.deep.equal(['shop-orders-api-prod.control.json']);
  });
});
