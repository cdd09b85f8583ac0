import { expect } from 'chai';
import { CUT_MARK, lineSplitter, MAX_LINE } from '../../src/hooks/lines.js';

function split(chunks: string[]): string[] {
  const lines: string[] = [];
  const splitter = lineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe('lineSplitter: a command hook’s output as lines', () => {
  it('joins lines split across chunks and drops the \\r of \\r\\n', () => {
    expect(split(['one\ntw', 'o\r\nthr', 'ee\n'])).to.deep.equal(['one', 'two', 'three']);
  });

  it('flushes a last line without its newline, and keeps empty lines', () => {
    expect(split(['a\n\nb'])).to.deep.equal(['a', '', 'b']);
  });

  it('passes nothing for no output', () => {
    expect(split([])).to.deep.equal([]);
  });

  it('cuts a very long line at MAX_LINE and drops its rest, however it arrives', () => {
    const long = 'x'.repeat(MAX_LINE * 3);
    const cut = 'x'.repeat(MAX_LINE) + CUT_MARK;
    expect(split([`${long}\nnext\n`])).to.deep.equal([cut, 'next']);
    const chunks = long.match(/.{1,1000}/g) ?? [];
    expect(split([...chunks, '\nnext'])).to.deep.equal([cut, 'next']);
  });

  it('keeps a line of exactly MAX_LINE characters whole', () => {
    const line = 'y'.repeat(MAX_LINE);
    expect(split([`${line}\n`])).to.deep.equal([line]);
  });
});
