import { describe, expect, it } from 'vitest';
import { FrameDecoder, FramingError, encodeChunked, encodeEndOfMessage } from '../../adapters/netconf/framing.js';

const UTF8 = '<data>Zürich-Ω 𝄞</data>';

function splitEvery(buffer: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) parts.push(buffer.subarray(i, i + size));
  return parts;
}

describe('end-of-message framing (base:1.0)', () => {
  it('appends the marker and decodes back', () => {
    const framed = encodeEndOfMessage('<hello/>');
    expect(framed.toString('utf8')).toBe('<hello/>]]>]]>');
    const decoder = new FrameDecoder();
    decoder.push(framed);
    expect(decoder.next()).toBe('<hello/>');
    expect(decoder.next()).toBeUndefined();
  });

  it('refuses to encode a message holding the marker', () => {
    expect(() => encodeEndOfMessage('<a>]]>]]></a>')).toThrow(FramingError);
  });

  it('decodes messages split byte by byte, including a marker and a character split in half', () => {
    const decoder = new FrameDecoder();
    const framed = Buffer.concat([encodeEndOfMessage(UTF8), encodeEndOfMessage('<b/>')]);
    const out: string[] = [];
    for (const part of splitEvery(framed, 1)) {
      decoder.push(part);
      out.push(...decoder.drain());
    }
    expect(out).toEqual([UTF8, '<b/>']);
  });

  it('decodes several messages in one read', () => {
    const decoder = new FrameDecoder();
    decoder.push(Buffer.from('<a/>]]>]]><b/>]]>]]><c'));
    expect(decoder.drain()).toEqual(['<a/>', '<b/>']);
    decoder.push(Buffer.from('/>]]>]]>'));
    expect(decoder.drain()).toEqual(['<c/>']);
  });

  it('fails a message that grows past the limit without a marker', () => {
    const decoder = new FrameDecoder({ maxMessageBytes: 100 });
    decoder.push(Buffer.alloc(200, 0x61));
    expect(() => decoder.next()).toThrow(/exceeds 100 bytes/);
    // The decoder stays failed: the stream position is lost.
    expect(() => decoder.next()).toThrow(FramingError);
  });
});

describe('chunked framing (base:1.1)', () => {
  it('counts chunk sizes in bytes, not characters', () => {
    const framed = encodeChunked(UTF8).toString('utf8');
    const byteLength = Buffer.byteLength(UTF8, 'utf8');
    expect(byteLength).toBeGreaterThan(UTF8.length);
    expect(framed).toBe(`\n#${byteLength}\n${UTF8}\n##\n`);
  });

  it('splits into several chunks and reassembles, even across a multi-byte character', () => {
    const framed = encodeChunked(UTF8, 3);
    expect(framed.toString('latin1').match(/\n#\d+\n/g)?.length).toBe(Math.ceil(Buffer.byteLength(UTF8) / 3));
    const decoder = new FrameDecoder({ mode: 'chunked' });
    decoder.push(framed);
    expect(decoder.next()).toBe(UTF8);
  });

  it('decodes chunks split across reads at every position', () => {
    const framed = Buffer.concat([encodeChunked(UTF8, 5), encodeChunked('<ok/>')]);
    for (let size = 1; size <= 7; size += 1) {
      const decoder = new FrameDecoder({ mode: 'chunked' });
      const out: string[] = [];
      for (const part of splitEvery(framed, size)) {
        decoder.push(part);
        out.push(...decoder.drain());
      }
      expect(out).toEqual([UTF8, '<ok/>']);
    }
  });

  it('decodes the RFC 6242 example with two chunks', () => {
    const decoder = new FrameDecoder({ mode: 'chunked' });
    decoder.push(Buffer.from('\n#4\n<rpc\n#18\n message-id="102"\n\n##\n'));
    expect(decoder.next()).toBe('<rpc message-id="102"\n');
  });

  it('switches from end-of-message to chunked with bytes already buffered behind the hello', () => {
    const decoder = new FrameDecoder();
    decoder.push(Buffer.concat([encodeEndOfMessage('<hello/>'), encodeChunked('<rpc/>')]));
    expect(decoder.next()).toBe('<hello/>');
    decoder.setMode('chunked');
    expect(decoder.next()).toBe('<rpc/>');
  });

  it.each([
    ['no LF', 'x#4\nabcd\n##\n'],
    ['no hash', '\nx4\nabcd\n##\n'],
    ['letters in the size', '\n#4a\nabcd\n##\n'],
    ['leading zero', '\n#04\nabcd\n##\n'],
    ['empty size', '\n#\nabcd\n##\n'],
    ['end marker first', '\n##\n'],
    ['chunk longer than announced', '\n#2\nabcd\n##\n'],
  ])('rejects malformed framing: %s', (_name, raw) => {
    const decoder = new FrameDecoder({ mode: 'chunked' });
    decoder.push(Buffer.from(raw));
    expect(() => decoder.drain()).toThrow(FramingError);
  });

  it('fails a message whose chunks add up past the limit', () => {
    const decoder = new FrameDecoder({ mode: 'chunked', maxMessageBytes: 10 });
    decoder.push(Buffer.from('\n#6\nabcdef\n#6\n'));
    expect(() => decoder.next()).toThrow(/exceeds 10 bytes/);
  });

  it('fails on an announced chunk larger than the limit before its bytes arrive', () => {
    const decoder = new FrameDecoder({ mode: 'chunked', maxMessageBytes: 1000 });
    decoder.push(Buffer.from('\n#4000000000\n'));
    expect(() => decoder.next()).toThrow(FramingError);
  });
});
