/**
 * RFC 6242 framing for the simulator, written from the RFC and apart from the client's
 * (adapters/netconf/framing.ts) on purpose: were both ends to share one implementation, a bug in
 * it would be symmetric and every test would pass. Section 4.3 (end-of-message, `]]>]]>`) and 4.2
 * (chunked: `\n#<size>\n<data>` ... `\n##\n`) are followed to the letter, and a stream that breaks
 * them is an error, as a strict server would have it.
 */

export type SimFraming = 'eom' | 'chunked';

export class SimFramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimFramingError';
  }
}

const EOM_MARKER = Buffer.from(']]>]]>', 'utf8');
const LF = 0x0a;
const HASH = 0x23;
/** RFC 6242 4.2: chunk-size = 1*DIGIT1 0*DIGIT, at most 4294967295, so at most 10 digits. */
const LARGEST_CHUNK = 4_294_967_295;
const MOST_SIZE_DIGITS = 10;

/**
 * Frames one message. Chunks are cut at `chunkBytes` octets, which may split a UTF-8 character
 * across two chunks: the RFC counts octets, and a client must join them before decoding.
 */
export function frameMessage(message: string, framing: SimFraming, chunkBytes = 8192): Buffer {
  const body = Buffer.from(message, 'utf8');
  if (framing === 'eom') return Buffer.concat([body, EOM_MARKER]);
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkBytes) {
    const piece = body.subarray(at, Math.min(at + chunkBytes, body.length));
    parts.push(Buffer.from(`\n#${piece.length}\n`, 'ascii'), piece);
  }
  parts.push(Buffer.from('\n##\n', 'ascii'));
  return Buffer.concat(parts);
}

/**
 * Reads framed messages from a byte stream that arrives in arbitrary pieces. The framing can
 * change between two messages (after the hellos), so messages are taken one at a time, each in
 * the framing in force when it is taken. Chunk data is moved out of the buffer as it arrives, so
 * a large chunk in small packets costs no rescans.
 */
export class SimFrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  framing: SimFraming = 'eom';
  /** The message being read in chunked framing: its chunks so far, and the octets its open chunk still owes. */
  private pieces: Buffer[] = [];
  private total = 0;
  private owed = 0;
  /** Where the search for ]]>]]> goes on: the bytes before it were searched already. */
  private searchedTo = 0;

  /** @param limitBytes the most one message may hold; a longer one is an error, never an unbounded buffer. */
  constructor(private readonly limitBytes: number) {}

  feed(data: Buffer): void {
    this.buffered = this.buffered.length === 0 ? Buffer.from(data) : Buffer.concat([this.buffered, data]);
  }

  /** The next whole message, or undefined until more bytes come. Throws SimFramingError on a broken stream. */
  take(): string | undefined {
    return this.framing === 'eom' ? this.takeEom() : this.takeChunked();
  }

  private takeEom(): string | undefined {
    const end = this.buffered.indexOf(EOM_MARKER, this.searchedTo);
    if (end < 0) {
      this.searchedTo = Math.max(0, this.buffered.length - EOM_MARKER.length + 1);
      if (this.buffered.length > this.limitBytes + EOM_MARKER.length) throw new SimFramingError(`no ]]>]]> within ${this.limitBytes} bytes`);
      return undefined;
    }
    if (end > this.limitBytes) throw new SimFramingError(`a message of ${end} bytes is over the ${this.limitBytes}-byte limit`);
    const message = this.buffered.subarray(0, end).toString('utf8');
    this.buffered = this.buffered.subarray(end + EOM_MARKER.length);
    this.searchedTo = 0;
    return message;
  }

  private takeChunked(): string | undefined {
    for (;;) {
      if (this.owed > 0) {
        // Inside a chunk: take what has come of it.
        const taken = this.buffered.subarray(0, Math.min(this.owed, this.buffered.length));
        if (taken.length === 0) return undefined;
        this.pieces.push(Buffer.from(taken));
        this.owed -= taken.length;
        this.buffered = this.buffered.subarray(taken.length);
        continue;
      }
      const header = this.readHeader();
      if (header === undefined) return undefined;
      if (header === 'end') {
        const message = Buffer.concat(this.pieces, this.total).toString('utf8');
        this.pieces = [];
        this.total = 0;
        return message;
      }
      this.total += header;
      if (this.total > this.limitBytes) throw new SimFramingError(`a message over the ${this.limitBytes}-byte limit`);
      this.owed = header;
    }
  }

  /** A chunk header (its size) or the end-of-chunks marker, consumed; undefined while it is incomplete. */
  private readHeader(): number | 'end' | undefined {
    const data = this.buffered;
    // Every header starts with LF HASH.
    if (data.length < 2) return undefined;
    if (data[0] !== LF || data[1] !== HASH) throw new SimFramingError('expected a chunk header (LF #)');
    if (data.length < 3) return undefined;
    if (data[2] === HASH) {
      // End of chunks: LF # # LF, valid only after at least one chunk.
      if (data.length < 4) return undefined;
      if (data[3] !== LF) throw new SimFramingError('end-of-chunks marker not closed by LF');
      if (this.pieces.length === 0) throw new SimFramingError('end-of-chunks with no chunk before it');
      this.buffered = data.subarray(4);
      return 'end';
    }
    let size = 0;
    let cursor = 2;
    for (; cursor < data.length && data[cursor] !== LF; cursor += 1) {
      const digit = data[cursor]! - 0x30;
      if (digit < 0 || digit > 9) throw new SimFramingError(`chunk size holds a byte that is not a digit (0x${data[cursor]!.toString(16)})`);
      if (cursor === 2 && digit === 0) throw new SimFramingError('chunk size starts with 0');
      if (cursor - 2 >= MOST_SIZE_DIGITS) throw new SimFramingError(`chunk size longer than ${MOST_SIZE_DIGITS} digits`);
      size = size * 10 + digit;
    }
    if (cursor >= data.length) return undefined;
    if (cursor === 2) throw new SimFramingError('chunk header with no size');
    if (size > LARGEST_CHUNK) throw new SimFramingError(`chunk size ${size} over ${LARGEST_CHUNK}`);
    this.buffered = data.subarray(cursor + 1);
    return size;
  }
}
