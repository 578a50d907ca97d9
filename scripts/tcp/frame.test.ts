import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat } from './bytes.js';
import { FRAME_BYTES_MAX_DEFAULT, FrameDecoder, FrameError, MESSAGE_ENVELOPE_BYTES, encodeFrame } from './frame.js';
import { messageFrame } from './wire.js';
import { MESSAGE_BYTES_MAX } from '../../nodes/host.js';

const jsonValue = fc.jsonValue();

function header(lengthBytes: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(lengthBytes, 0);
  return buffer;
}

describe('frames', () => {
  it('round-trips any JSON values however the byte stream is cut', () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (values, cuts) => {
        const stream = concat(values.map((value) => encodeFrame(value)));
        const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
        const decoder = new FrameDecoder();
        const out: unknown[] = [];
        let from = 0;
        for (const point of [...points, stream.length]) {
          out.push(...decoder.push(stream.subarray(from, point)));
          from = point;
        }
        expect(out).toEqual(values.map((value) => JSON.parse(JSON.stringify(value))));
        expect(decoder.pendingBytes).toBe(0);
      }),
    );
  });

  it('refuses to encode a frame over the limit', () => {
    expect(() => encodeFrame('x'.repeat(100), 50)).toThrow(FrameError);
    expect(encodeFrame('x'.repeat(40), 50).length).toBe(4 + 42);
  });

  it('fails on a declared length over the limit before the payload arrives', () => {
    const decoder = new FrameDecoder(1_000);
    expect(() => decoder.push(header(1_001))).toThrow(/exceeds the limit of 1000 bytes/);
    // The stream has lost its framing: the decoder stays failed.
    expect(() => decoder.push(encodeFrame(1))).toThrow(FrameError);
  });

  it('fails on invalid JSON and on an empty frame', () => {
    const garbage = concat([header(3), Buffer.from('{x}', 'utf8')]);
    expect(() => new FrameDecoder().push(garbage)).toThrow(/not valid JSON/);
    expect(() => new FrameDecoder().push(header(0))).toThrow(/empty frame/);
  });

  it('returns raw frames byte for byte', () => {
    const frames = [encodeFrame({ a: 1 }), encodeFrame([1, 2, 3])];
    const decoder = new FrameDecoder();
    const raw = decoder.pushRaw(concat(frames));
    expect(raw.map((frame) => frame.toString('hex'))).toEqual(frames.map((frame) => frame.toString('hex')));
    expect(decoder.parse(raw[1]!)).toEqual([1, 2, 3]);
  });

  it('frames a message of exactly MESSAGE_BYTES_MAX bytes of JSON and refuses one byte more', () => {
    expect(FRAME_BYTES_MAX_DEFAULT).toBe(MESSAGE_BYTES_MAX + MESSAGE_ENVELOPE_BYTES);
    // JSON of a string of k characters is k + 2 bytes; the envelope adds exactly MESSAGE_ENVELOPE_BYTES.
    const atLimit = 'x'.repeat(MESSAGE_BYTES_MAX - 2);
    expect(encodeFrame(messageFrame(atLimit)).length).toBe(4 + MESSAGE_BYTES_MAX + MESSAGE_ENVELOPE_BYTES);
    expect(() => encodeFrame(messageFrame(`${atLimit}x`))).toThrow(FrameError);
  });
});
