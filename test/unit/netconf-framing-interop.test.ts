import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeChunked, encodeEndOfMessage } from '../../adapters/netconf/framing.js';
import { SimFrameReader, SimFramingError, frameMessage } from '../../simulators/netconf/sim-framing.js';

/**
 * The client's framing (adapters/netconf/framing.ts) against the simulator's own
 * (simulators/netconf/sim-framing.ts), written apart: each decodes what the other encodes, on
 * inputs that catch the usual framing bugs.
 */

/** Messages that are hard on a framer: markers and header look-alikes inside, multi-byte text, sizes around chunk boundaries. */
const TRICKY = [
  '<rpc message-id="1"><get/></rpc>',
  '<data>a chunk header inside: \n#12\n and the end marker: \n##\n and again\n##\n</data>',
  '<data>half an EOM marker ]]> and ]]>]] then more</data>',
  '<data>Zürich-Ω 電話 😀</data>',
  'x',
  '<data>' + 'ü'.repeat(5000) + '</data>',
  '<data>' + 'y'.repeat(70_000) + '</data>',
  '<data>' + 'z'.repeat(200_000) + '</data>',
];

/** Cuts a byte stream into packets of the given sizes (cycled), so markers and headers fall across packets. */
function packets(stream: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < stream.length; i += 1) {
    const size = sizes[i % sizes.length]!;
    out.push(stream.subarray(at, at + size));
    at += size;
  }
  return out;
}

const PACKET_SIZES: [number[]][] = [[[1]], [[2, 3, 5]], [[7, 1, 13]], [[4096]], [[65_537]]];
/** Byte-sized packets of 200 kB would take the decoders minutes: those run on the messages up to 70 kB. */
const messagesFor = (sizes: number[]): string[] => (Math.max(...sizes) < 100 ? TRICKY.filter((m) => m.length < 100_000) : TRICKY);

function clientDecodes(stream: Buffer, sizes: number[], mode: 'eom' | 'chunked'): string[] {
  const decoder = new FrameDecoder({ mode, maxMessageBytes: 1024 * 1024 });
  const messages: string[] = [];
  for (const packet of packets(stream, sizes)) {
    decoder.push(packet);
    for (let m = decoder.next(); m !== undefined; m = decoder.next()) messages.push(m);
  }
  return messages;
}

function simDecodes(stream: Buffer, sizes: number[], framing: 'eom' | 'chunked'): string[] {
  const reader = new SimFrameReader(1024 * 1024);
  reader.framing = framing;
  const messages: string[] = [];
  for (const packet of packets(stream, sizes)) {
    reader.feed(packet);
    for (let m = reader.take(); m !== undefined; m = reader.take()) messages.push(m);
  }
  return messages;
}

// The end-of-message framing cannot carry `]]>]]>` itself, and has no way to: RFC 6242 4.3.
const EOM_SAFE = TRICKY.filter((m) => !m.includes(']]>]]>'));

describe('NETCONF framing: the client and the simulator interoperate', () => {
  it.each(PACKET_SIZES)('simulator chunked -> client, in packets of %j bytes, chunks of 1, 3, 8192 and 100000 bytes', (sizes) => {
    const messages = messagesFor(sizes);
    for (const chunkBytes of [1, 3, 8192, 100_000]) {
      const stream = Buffer.concat(messages.map((m) => frameMessage(m, 'chunked', chunkBytes)));
      expect(clientDecodes(stream, sizes, 'chunked')).toEqual(messages);
    }
  });

  it.each(PACKET_SIZES)('client chunked -> simulator, in packets of %j bytes, chunks of 1, 3 and 65536 bytes', (sizes) => {
    const messages = messagesFor(sizes);
    for (const chunkBytes of [1, 3, 65_536]) {
      const stream = Buffer.concat(messages.map((m) => encodeChunked(m, chunkBytes)));
      expect(simDecodes(stream, sizes, 'chunked')).toEqual(messages);
    }
  });

  it.each(PACKET_SIZES)('end-of-message framing both ways, in packets of %j bytes', (sizes) => {
    const messages = messagesFor(sizes).filter((m) => EOM_SAFE.includes(m));
    expect(clientDecodes(Buffer.concat(messages.map((m) => frameMessage(m, 'eom'))), sizes, 'eom')).toEqual(messages);
    expect(simDecodes(Buffer.concat(messages.map((m) => encodeEndOfMessage(m))), sizes, 'eom')).toEqual(messages);
  });

  it('switches from end-of-message to chunked between two messages that arrived in one packet (after the hellos)', () => {
    const stream = Buffer.concat([encodeEndOfMessage('<hello/>'), encodeChunked('<rpc message-id="1"/>', 5)]);
    const reader = new SimFrameReader(1024);
    reader.feed(stream);
    expect(reader.take()).toBe('<hello/>');
    reader.framing = 'chunked';
    expect(reader.take()).toBe('<rpc message-id="1"/>');
    expect(reader.take()).toBeUndefined();
  });

  it('a chunk split inside a multi-byte character is joined before decoding', () => {
    // 'ü' is two octets; one-octet chunks cut every one of them in half.
    expect(clientDecodes(frameMessage('üüü', 'chunked', 1), [1], 'chunked')).toEqual(['üüü']);
    expect(simDecodes(encodeChunked('üüü', 1), [1], 'chunked')).toEqual(['üüü']);
  });

  it.each([
    ['no chunk before the end marker', '\n##\n'],
    ['a size with a leading zero', '\n#05\nhello\n##\n'],
    ['a size of zero', '\n#0\n\n##\n'],
    ['a size with a letter', '\n#1a\nx\n##\n'],
    ['a size of 11 digits', '\n#12345678901\n'],
    ['a size over 4294967295', '\n#4294967296\n'],
    ['data where a header must be', '\n#3\nabcX\n##\n'],
    ['an end marker not closed by LF', '\n#1\na\n##x'],
  ])('both refuse a broken chunked stream: %s', (_name, text) => {
    const stream = Buffer.from(text, 'utf8');
    expect(() => simDecodes(stream, [1], 'chunked')).toThrow(SimFramingError);
    expect(() => clientDecodes(stream, [1], 'chunked')).toThrow();
  });

  it('both bound a message with no end', () => {
    const endless = Buffer.alloc(2 * 1024 * 1024, 0x61);
    expect(() => simDecodes(endless, [65_536], 'eom')).toThrow(SimFramingError);
    expect(() => clientDecodes(endless, [65_536], 'eom')).toThrow();
    const oneHugeChunk = Buffer.concat([Buffer.from('\n#2000000\n'), Buffer.alloc(2_000_000, 0x61), Buffer.from('\n##\n')]);
    expect(() => simDecodes(oneHugeChunk, [65_536], 'chunked')).toThrow(SimFramingError);
    expect(() => clientDecodes(oneHugeChunk, [65_536], 'chunked')).toThrow();
  });
});
