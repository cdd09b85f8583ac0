import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { confirm } from '../../src/ui/confirm.js';

describe('confirmation prompt', () => {
  async function ask(answer: string | null): Promise<{ yes: boolean; shown: string }> {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString('utf8');
    });
    const pending = confirm('Destroy it?', { input, output });
    if (answer === null) input.end();
    else input.write(`${answer}\n`);
    return { yes: await pending, shown };
  }

  it('asks on the output, [y/N]', async () => {
    expect((await ask('y')).shown).to.equal('Destroy it? [y/N] ');
  });

  for (const answer of ['y', 'Y', 'yes', ' YES ']) {
    it(`takes ${JSON.stringify(answer)} for yes`, async () => {
      expect((await ask(answer)).yes).to.equal(true);
    });
  }

  for (const answer of ['', 'n', 'no', 'yep', 'sure']) {
    it(`takes ${JSON.stringify(answer)} for no`, async () => {
      expect((await ask(answer)).yes).to.equal(false);
    });
  }

  it('takes the end of input for no', async () => {
    expect((await ask(null)).yes).to.equal(false);
  });
});
