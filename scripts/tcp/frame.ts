// Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
//
// Every byte that arrives from a socket goes through `FrameDecoder`, so a peer that sends garbage,
// a truncated length or a frame larger than the limit gets a `FrameError` (which closes that one
// connection with a logged reason) and never an exception that escapes into the node.

import { MESSAGE_BYTES_MAX } from '../../nodes/host.js';
import { concat, copyTail } from './bytes.js';

/** What a node message's frame `{"m":...}` adds to the message's own JSON. */
export const MESSAGE_ENVELOPE_BYTES = '{"m":}'.length;

/**
 * The default ceiling on one frame's payload: the largest message a host carries (nodes/host.ts,
 * the simulator's limit too) plus its envelope, so a larger message is refused when it is framed
 * (dropped and logged, as the simulator drops it) and never reaches the wire.
 */
export const FRAME_BYTES_MAX_DEFAULT = MESSAGE_BYTES_MAX + MESSAGE_ENVELOPE_BYTES;

const HEADER_BYTES = 4;

/** A frame that does not parse or breaks a limit: the connection that sent it must be closed. */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

/** Encodes one value as a frame. Throws `FrameError` when the payload is over the limit. */
export function encodeFrame(value: unknown, frameBytesMax: number = FRAME_BYTES_MAX_DEFAULT): Buffer {
  const json = JSON.stringify(value);
  if (json === undefined) throw new FrameError('cannot frame a value that JSON cannot represent');
  const payloadBytes = Buffer.byteLength(json, 'utf8');
  if (payloadBytes > frameBytesMax) {
    throw new FrameError(`frame of ${payloadBytes} bytes exceeds the limit of ${frameBytesMax} bytes`);
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  frame.writeUInt32BE(payloadBytes, 0);
  const written = frame.write(json, HEADER_BYTES, 'utf8');
  if (written !== payloadBytes) throw new Error('frame: UTF-8 length mismatch');
  return frame;
}

/**
 * Turns a byte stream into whole frames. It holds at most one partial frame (the limit plus the
 * header), so a slow or hostile sender cannot make it buffer without bound.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private failed: FrameError | null = null;

  constructor(readonly frameBytesMax: number = FRAME_BYTES_MAX_DEFAULT) {
    if (!Number.isSafeInteger(frameBytesMax) || frameBytesMax < 1 || frameBytesMax > 0xffff_ffff) {
      throw new Error(`frame: frameBytesMax must be an integer in [1, 2^32): ${frameBytesMax}`);
    }
  }

  /** Bytes held for a frame that has not fully arrived. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /**
   * Feeds bytes and returns the values of every frame they complete, in order. After the first
   * error the decoder stays failed: the stream has lost its framing and cannot be trusted again.
   */
  push(chunk: Buffer): unknown[] {
    const frames = this.pushRaw(chunk);
    const values: unknown[] = [];
    for (const frame of frames) values.push(this.parse(frame));
    return values;
  }

  /** Parses one whole frame returned by `pushRaw`. */
  parse(frame: Buffer): unknown {
    try {
      return JSON.parse(frame.toString('utf8', HEADER_BYTES));
    } catch (error) {
      return this.fail(`frame is not valid JSON (${(error as Error).message})`);
    }
  }

  /**
   * Feeds bytes and returns every whole frame they complete, header included, without parsing
   * them: a proxy forwards frames as they are and reads only the ones it must.
   */
  pushRaw(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    const data = this.pending.length === 0 ? chunk : concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    let offset = 0;
    while (data.length - offset >= HEADER_BYTES) {
      const payloadBytes = data.readUInt32BE(offset);
      if (payloadBytes === 0) return this.fail('empty frame (length 0)');
      if (payloadBytes > this.frameBytesMax) {
        return this.fail(`frame of ${payloadBytes} bytes exceeds the limit of ${this.frameBytesMax} bytes`);
      }
      const end = offset + HEADER_BYTES + payloadBytes;
      if (end > data.length) break;
      frames.push(data.subarray(offset, end));
      offset = end;
    }
    // Copy the tail so the (possibly large) chunk it came from can be freed.
    this.pending = offset === data.length ? Buffer.alloc(0) : copyTail(data, offset);
    if (this.pending.length > this.frameBytesMax + HEADER_BYTES) throw new Error('frame: pending bytes over limit');
    return frames;
  }

  private fail(reason: string): never {
    this.failed = new FrameError(reason);
    this.pending = Buffer.alloc(0);
    throw this.failed;
  }
}
