/**
 * RFC 6242 message framing, pure and transport-free. The hello exchange always uses the
 * end-of-message marker (base:1.0); once both peers announce base:1.1 every later message is
 * chunked. Chunk sizes count bytes, never characters, so all arithmetic here is on Buffers and
 * text is decoded only once a whole message has arrived (a multi-byte character may straddle
 * two chunks or two TCP reads).
 */

export type FramingMode = 'eom' | 'chunked';

export const END_OF_MESSAGE = ']]>]]>';
const EOM_BYTES = Buffer.from(END_OF_MESSAGE, 'utf8');
/** RFC 6242 section 4.2: chunk-size is 1..4294967295. */
const MAX_CHUNK_SIZE = 4_294_967_295;
/** "\n#" + 10 digits + "\n": a chunk header longer than this is garbage, not a slow read. */
const MAX_HEADER_BYTES = 13;
const LF = 0x0a;
const HASH = 0x23;

/** The peer broke the framing rules or exceeded the size limit; the session cannot continue. */
export class FramingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FramingError';
  }
}

/** One message in base:1.0 framing. The text must not contain the marker itself. */
export function encodeEndOfMessage(message: string): Buffer {
  if (message.includes(END_OF_MESSAGE)) throw new FramingError('message contains the end-of-message marker');
  return Buffer.concat([Buffer.from(message, 'utf8'), EOM_BYTES]);
}

/** One message in base:1.1 chunked framing, split into chunks of at most `maxChunkBytes` bytes. */
export function encodeChunked(message: string, maxChunkBytes = 65_536): Buffer {
  if (!Number.isInteger(maxChunkBytes) || maxChunkBytes < 1) throw new RangeError('maxChunkBytes must be a positive integer');
  const body = Buffer.from(message, 'utf8');
  const parts: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += maxChunkBytes) {
    const chunk = body.subarray(offset, Math.min(offset + maxChunkBytes, body.length));
    parts.push(Buffer.from(`\n#${chunk.length}\n`, 'ascii'), chunk);
  }
  parts.push(Buffer.from('\n##\n', 'ascii'));
  return Buffer.concat(parts);
}

export function encodeMessage(message: string, mode: FramingMode): Buffer {
  return mode === 'eom' ? encodeEndOfMessage(message) : encodeChunked(message);
}

export interface FrameDecoderOptions {
  /** Largest message accepted, in bytes; a longer one fails the decoder so it cannot eat memory. */
  maxMessageBytes?: number;
  mode?: FramingMode;
}

/**
 * Streaming decoder: `push` any Buffers as they arrive, then take messages with `next()` one at a
 * time. One at a time matters: the framing mode changes right after the hello, and bytes already
 * received behind the hello must be decoded in the new mode.
 */
export class FrameDecoder {
  readonly maxMessageBytes: number;
  private mode: FramingMode;
  /**
   * Received bytes not yet taken, at `storage[start, end)`. The storage grows by doubling and is
   * compacted in place, so a long message costs linear time: concatenating on every read would
   * copy the whole pending message each time (quadratic: a 16 MiB flood would take seconds of CPU).
   */
  private storage: Buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** EOM mode: where to resume the marker search so a slow message is not rescanned each read. */
  private eomSearchFrom = 0;
  /** Chunked mode: the chunks of the message being assembled. */
  private chunks: Buffer[] = [];
  private chunkedBytes = 0;
  private failed: FramingError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
    this.mode = options.mode ?? 'eom';
  }

  get framing(): FramingMode {
    return this.mode;
  }

  /** Switches framing for every message not yet returned by `next()`. */
  setMode(mode: FramingMode): void {
    if (this.chunks.length > 0) throw new FramingError('cannot switch framing in the middle of a chunked message');
    this.mode = mode;
    this.eomSearchFrom = 0;
  }

  push(data: Buffer): void {
    if (this.failed) throw this.failed;
    const live = this.end - this.start;
    if (this.end + data.length > this.storage.length) {
      if (live + data.length <= this.storage.length / 2) {
        this.storage.copy(this.storage, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(4096, 2 * (live + data.length)));
        this.storage.copy(grown, 0, this.start, this.end);
        this.storage = grown;
      }
      this.start = 0;
      this.end = live;
    }
    data.copy(this.storage, this.end);
    this.end += data.length;
  }

  /** The bytes received and not yet taken (a view: valid until the next push). */
  private get pending(): Buffer {
    return this.storage.subarray(this.start, this.end);
  }

  private consume(bytes: number): void {
    this.start += bytes;
    if (this.start >= this.end) this.start = this.end = 0;
  }

  /** The next complete message, or undefined when more bytes are needed. Throws FramingError. */
  next(): string | undefined {
    if (this.failed) throw this.failed;
    try {
      return this.mode === 'eom' ? this.nextEndOfMessage() : this.nextChunked();
    } catch (error) {
      if (error instanceof FramingError) this.failed = error;
      throw error;
    }
  }

  /** Every complete message available now. Only safe when the mode does not change in between. */
  drain(): string[] {
    const messages: string[] = [];
    for (let message = this.next(); message !== undefined; message = this.next()) messages.push(message);
    return messages;
  }

  private nextEndOfMessage(): string | undefined {
    const at = this.pending.indexOf(EOM_BYTES, this.eomSearchFrom);
    if (at < 0) {
      if (this.pending.length > this.maxMessageBytes + EOM_BYTES.length) {
        throw new FramingError(`message exceeds ${this.maxMessageBytes} bytes without an end-of-message marker`);
      }
      this.eomSearchFrom = Math.max(0, this.pending.length - EOM_BYTES.length + 1);
      return undefined;
    }
    if (at > this.maxMessageBytes) throw new FramingError(`message of ${at} bytes exceeds ${this.maxMessageBytes}`);
    const message = this.pending.subarray(0, at).toString('utf8');
    this.consume(at + EOM_BYTES.length);
    this.eomSearchFrom = 0;
    return message;
  }

  private nextChunked(): string | undefined {
    for (;;) {
      const header = this.readChunkHeader();
      if (header === undefined) return undefined;
      if (header === 'end') {
        if (this.chunks.length === 0) throw new FramingError('end-of-chunks marker before any chunk');
        const message = Buffer.concat(this.chunks, this.chunkedBytes).toString('utf8');
        this.chunks = [];
        this.chunkedBytes = 0;
        return message;
      }
      const { size, headerBytes } = header;
      if (this.chunkedBytes + size > this.maxMessageBytes) {
        throw new FramingError(`message exceeds ${this.maxMessageBytes} bytes`);
      }
      if (this.pending.length < headerBytes + size) return undefined;
      this.chunks.push(Buffer.from(this.pending.subarray(headerBytes, headerBytes + size)));
      this.chunkedBytes += size;
      this.consume(headerBytes + size);
    }
  }

  /** Parses "\n#<size>\n" or "\n##\n" at the start of pending without consuming a chunk header. */
  private readChunkHeader(): { size: number; headerBytes: number } | 'end' | undefined {
    const p = this.pending;
    if (p.length < 1) return undefined;
    if (p[0] !== LF) throw new FramingError('chunk header does not start with LF');
    if (p.length < 2) return undefined;
    if (p[1] !== HASH) throw new FramingError('chunk header lacks #');
    if (p.length < 3) return undefined;
    if (p[2] === HASH) {
      if (p.length < 4) return undefined;
      if (p[3] !== LF) throw new FramingError('end-of-chunks marker not followed by LF');
      this.consume(4);
      return 'end';
    }
    let i = 2;
    while (i < p.length && p[i] !== LF) {
      const byte = p[i] as number;
      if (byte < 0x30 || byte > 0x39) throw new FramingError('chunk size is not a decimal number');
      if (i === 2 && byte === 0x30) throw new FramingError('chunk size has a leading zero');
      i += 1;
      if (i > MAX_HEADER_BYTES) throw new FramingError('chunk size too long');
    }
    if (i >= p.length) return undefined;
    if (i === 2) throw new FramingError('empty chunk size');
    const size = Number(p.subarray(2, i).toString('ascii'));
    if (size < 1 || size > MAX_CHUNK_SIZE) throw new FramingError(`chunk size ${size} out of range`);
    return { size, headerBytes: i + 1 };
  }
}
