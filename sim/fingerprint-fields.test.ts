// The fingerprint law at the World's level: a run's fingerprint covers every field of every history
// record and of every trace event, so two runs that differ in any one of them never share one.
import { describe, expect, it } from 'vitest';
import type { ClientHost, ClientRecord, Process, TraceFields } from '../nodes/host.js';
import { World } from './world.js';

interface Recorded {
  record?: Partial<ClientRecord>;
  log?: { kind: string; fields?: TraceFields };
}

/** One client that records one history record and logs one trace event, then finishes. */
function fingerprintOf(recorded: Recorded): string {
  const record: ClientRecord = { process: 0, type: 'invoke', f: 'write', value: 1, key: 'k0', node: 'n1', ...recorded.record };
  const log = recorded.log ?? { kind: 'client.note', fields: { a: 1, b: 'x' } };
  const world = new World({
    seed: 1,
    nodes: ['n1'],
    node: (): Process => ({ start() {}, onMessage() {}, onTimer() {}, onFsync() {} }),
    clients: [
      {
        id: 'c0',
        factory: (host: ClientHost): Process => ({
          start() {
            host.record(record);
            host.log(log.kind, log.fields);
            host.done();
          },
          onMessage() {},
          onTimer() {},
          onFsync() {},
        }),
      },
    ],
  });
  world.start();
  world.runUntil(1_000_000);
  return world.fingerprint();
}

describe('the run fingerprint', () => {
  const base = fingerprintOf({});

  it('is the same for the same run', () => {
    expect(fingerprintOf({})).toBe(base);
  });

  it('changes with each field of a history record', () => {
    const variants: Partial<ClientRecord>[] = [
      { process: 1 },
      { type: 'ok' },
      { f: 'read' },
      { value: 2 },
      { value: null },
      { value: [1] },
      { key: 'k1' },
      { key: undefined },
      { node: 'n2' },
      { node: undefined },
    ];
    for (const record of variants) expect(fingerprintOf({ record }), JSON.stringify(record)).not.toBe(base);
  });

  it('changes with the kind and each field of a trace event', () => {
    const variants: Recorded['log'][] = [
      { kind: 'client.other', fields: { a: 1, b: 'x' } },
      { kind: 'client.note', fields: { a: 2, b: 'x' } },
      { kind: 'client.note', fields: { a: 1, b: 'y' } },
      { kind: 'client.note', fields: { a: 1 } },
      { kind: 'client.note', fields: { a: 1, b: 'x', c: true } },
      { kind: 'client.note' },
    ];
    for (const log of variants) expect(fingerprintOf({ log }), JSON.stringify(log)).not.toBe(base);
  });
});
