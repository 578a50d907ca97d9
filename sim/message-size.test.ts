import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSizeBytes } from './message-size.js';

const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

describe('jsonSizeBytes', () => {
  it('is the UTF-8 length of the JSON, for any JSON value (unicode and escapes included)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonSizeBytes(value, Number.MAX_SAFE_INTEGER)).toBe(utf8(value));
      }),
      { numRuns: 2_000 },
    );
    for (const text of ['\u0000\u001f', '"\\', '\b\f\n\r\t', 'é€😀', '\ud800x', 'x\udc00', '']) expect(jsonSizeBytes(text, 1e9)).toBe(utf8(text));
    expect(jsonSizeBytes({ a: undefined, b: [undefined, 1] }, 1e9)).toBe(utf8({ a: undefined, b: [undefined, 1] }));
  });

  it('stops early past the limit, and always answers above it then', () => {
    const big = { entries: Array.from({ length: 10_000 }, (_, index) => ({ index, data: 'x'.repeat(100) })) };
    expect(jsonSizeBytes(big, 1_000)).toBeGreaterThan(1_000);
    expect(jsonSizeBytes(big, 1_000)).toBeLessThan(utf8(big));
  });

  it('refuses what is not a plain JSON value, as the wire would', () => {
    expect(() => jsonSizeBytes({ when: new Uint8Array(2) }, 1e9)).toThrow(/plain JSON/);
    expect(() => jsonSizeBytes(() => 1, 1e9)).toThrow(/plain JSON/);
  });
});

describe('the World and large messages', () => {
  it('drops a message larger than the limit as too-large, and delivers one at the limit', async () => {
    const { World } = await import('./world.js');
    const received: number[] = [];
    const world = new World({
      seed: 1,
      nodes: ['n1', 'n2'],
      messageBytesMax: 1_000,
      node: (host) => ({
        start() {
          if (host.id !== 'n1') return;
          host.send('n2', { pad: 'x'.repeat(1_000 - 10) }); // exactly 1,000 bytes of JSON
          host.send('n2', { pad: 'x'.repeat(1_000 - 9) }); // one byte over
        },
        onMessage: (_from, message) => received.push(JSON.stringify(message).length),
        onTimer() {},
        onFsync() {},
      }),
    });
    world.start();
    world.runUntil(100_000_000);
    expect(received).toEqual([1_000]);
    expect(world.trace().filter((event) => event.kind === 'msg.drop').map((event) => event.fields?.reason)).toEqual(['too-large']);
  });
});

describe('link bandwidth', () => {
  it('queues messages on a link and takes each one its size over the rate', async () => {
    const { World } = await import('./world.js');
    const arrivals: number[] = [];
    const world = new World({
      seed: 1,
      nodes: ['n1', 'n2'],
      network: { latency: { kind: 'constant', ns: 1_000_000 }, bandwidthBytesPerSecond: 1_000_000 },
      node: (host) => ({
        start() {
          if (host.id !== 'n1') return;
          // Two messages of 1,000 bytes of JSON at 1 MB/s: 1 ms each on the wire, one after the other.
          host.send('n2', { pad: 'x'.repeat(990) });
          host.send('n2', { pad: 'y'.repeat(990) });
        },
        onMessage: () => arrivals.push(world.nowNs()),
        onTimer() {},
        onFsync() {},
      }),
    });
    world.start();
    world.runUntil(100_000_000);
    expect(arrivals).toEqual([2_000_000, 3_000_000]);
  });
});
