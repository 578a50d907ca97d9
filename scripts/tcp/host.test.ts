import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeId } from '../../nodes/host.js';
import { newSecret } from './auth.js';
import { queryStatus, setClock } from './admin.js';
import { MESSAGE_BYTES_MAX } from '../../nodes/host.js';
import { HistoryRecorder, TcpClientHost } from './client-host.js';
import { type Connection, dialConnection } from './connection.js';
import { TcpNodeHost } from './host.js';
import type { Address } from './link.js';
import { freePorts } from './ports.js';
import { kvClient, type KvOp } from './testing/kv-client.js';
import { createRegisterNode } from './testing/register-node.js';
import { waitFor } from './testing/wait.js';

const secret = newSecret();
const ids = ['n1', 'n2', 'n3'];
const hosts: TcpNodeHost[] = [];
const clients: TcpClientHost[] = [];
const addresses: Record<NodeId, Address> = {};
const hostLog: { kind: string; fields: Record<string, unknown> }[] = [];
const failures: string[] = [];
let dataRoot = '';

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-host-'));
  const ports = await freePorts(ids.length);
  ids.forEach((id, i) => (addresses[id] = { host: '127.0.0.1', port: ports[i]! }));
  for (const id of ids) await startHost(id);
});

afterAll(async () => {
  for (const client of clients) client.stop();
  await Promise.all(hosts.map((host) => host.stop()));
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

function startHost(id: string): Promise<unknown> {
  const host = new TcpNodeHost({
    id,
    listen: addresses[id]!,
    peers: Object.fromEntries(ids.filter((peer) => peer !== id).map((peer) => [peer, addresses[peer]!])),
    dataDir: path.join(dataRoot, id),
    secret,
    seed: 1,
    factory: createRegisterNode,
    trace: () => undefined,
    hostLog: (kind, fields) => hostLog.push({ kind, fields }),
    onFailure: (node, message) => failures.push(`${node}: ${message}`),
  });
  hosts.push(host);
  return host.start();
}

function runClient(id: string, script: KvOp[], target: NodeId, clientSecret = secret) {
  const recorder = new HistoryRecorder(process.hrtime.bigint());
  let done = false;
  const client = new TcpClientHost({
    id,
    nodes: addresses,
    secret: clientSecret,
    seed: 2,
    recorder,
    factory: kvClient({ index: 0, stride: 1, keys: 1, timeoutNs: 2e9, gapNs: 1e6, stopAtNs: 60e9, opsMax: script.length, script, target }),
    trace: () => undefined,
    hostLog: (kind, fields) => hostLog.push({ kind, fields }),
    onFailure: (node, message) => failures.push(`${node}: ${message}`),
    onDone: () => (done = true),
  });
  clients.push(client);
  client.start();
  return { recorder, isDone: () => done, client };
}

/** Opens a raw socket and sends bytes; resolves with whether the node closed it. */
function rawSend(address: Address, bytes: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(address, () => socket.write(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)));
    socket.on('close', () => resolve(true));
    socket.on('error', () => undefined);
    socket.resume();
  });
}

describe('TCP host with a real node', () => {
  it('serves a client through redirects, with writes fsynced before the reply', async () => {
    const script: KvOp[] = [
      { f: 'write', key: 'k', value: 1 },
      { f: 'read', key: 'k', value: null },
      { f: 'cas', key: 'k', value: [1, 2] },
      { f: 'cas', key: 'k', value: [1, 3] },
      { f: 'read', key: 'k', value: null },
    ];
    const { recorder, isDone } = runClient('c1', script, 'n3');
    await waitFor(isDone, 'the client to finish its script');
    const completions = recorder.records.filter((record) => record.type !== 'invoke');
    expect(completions.map((record) => [record.type, record.f, record.value, record.node])).toEqual([
      ['ok', 'write', 1, 'n1'],
      ['ok', 'read', 1, 'n1'],
      ['ok', 'cas', [1, 2], 'n1'],
      ['fail', 'cas', [1, 3], 'n1'],
      ['ok', 'read', 2, 'n1'],
    ]);
    // Times are ns from the recorder's epoch, increasing with the index.
    const times = recorder.records.map((record) => record.time!);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The write is in the primary's WAL on the real disk.
    expect(fs.readFileSync(path.join(dataRoot, 'n1', 'wal'), 'utf8')).toContain('"client":"c1"');
    expect(failures).toEqual([]);
  });

  it('answers an operator status query with the node status', async () => {
    const status = await queryStatus(addresses.n1!, secret, 'n1');
    expect(status).toMatchObject({ id: 'n1', pid: process.pid, status: { role: 'leader', term: 1 }, failed: null });
    expect(status.peersConnected).toEqual(['n2', 'n3']);
    await expect(queryStatus(addresses.n1!, newSecret(), 'n1', 1_000)).rejects.toThrow(/n1/);
  });

  it('closes a connection that sends a bad frame, logs why, and keeps serving', async () => {
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(100 * 1024 * 1024, 0);
    expect(await rawSend(addresses.n2!, huge)).toBe(true);
    await waitFor(() => hostLog.some((entry) => entry.kind === 'connection.closed' && /bad frame: frame of 104857600 bytes exceeds/.test(String(entry.fields.reason))), 'the bad-frame log line');
    // After the challenge, a frame of garbage JSON.
    const garbage = Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('{oops', 'utf8')].map((b) => new Uint8Array(b)));
    expect(await rawSend(addresses.n2!, garbage)).toBe(true);
    await waitFor(() => hostLog.some((entry) => /not valid JSON/.test(String(entry.fields.reason))), 'the bad-JSON log line');
    const { recorder, isDone } = runClient('c2', [{ f: 'read', key: 'k', value: null }], 'n2');
    await waitFor(isDone, 'a client after the bad frames');
    expect(recorder.records.at(-1)).toMatchObject({ type: 'ok', value: 2 });
    expect(failures).toEqual([]);
  });

  it('closes an authenticated connection that breaks the protocol', async () => {
    const reasons: string[] = [];
    await new Promise<void>((resolve) => {
      dialConnection(addresses.n1!, { id: 'c9', role: 'client', expectNode: 'n1' }, { secret, log: () => undefined }, {
        onOpen: (connection: Connection) => connection.send({ surprise: true }),
        onFrame: () => undefined,
        onClose: (_connection, reason) => {
          reasons.push(reason);
          resolve();
        },
      });
    });
    await waitFor(() => hostLog.some((entry) => /protocol error: unknown frame shape/.test(String(entry.fields.reason))), 'the protocol-error log line');
    expect(reasons).toHaveLength(1);
  });

  it('redials a peer that went away, with backoff, once it is back', async () => {
    const n1 = hosts[0]!;
    const n3 = hosts[2]!;
    await n3.stop();
    await waitFor(() => !n1.hostStatus().peersConnected.includes('n3'), 'n1 to notice n3 is gone');
    await startHost('n3');
    await waitFor(() => n1.hostStatus().peersConnected.includes('n3'), 'n1 to reconnect to the new n3', 10_000);
    expect(n1.hostStatus().peersConnected).toEqual(['n2', 'n3']);
  });

  it('refuses a client that does not know the cluster secret', async () => {
    const { recorder, client } = runClient('c3', [{ f: 'read', key: 'k', value: null }], 'n1', newSecret());
    await waitFor(() => hostLog.some((entry) => /authentication failed for c3/.test(String(entry.fields.reason))), 'the refusal log line');
    client.stop();
    expect(recorder.records.filter((record) => record.type === 'ok')).toEqual([]);
  });

  it('moves its wall clock, never its monotonic clock, when an operator sets it (a clock fault)', async () => {
    const n1 = hosts[0]!;
    const skew = () => n1.wallNow() - Date.now() * 1_000_000;
    expect(Math.abs(skew())).toBeLessThan(5e6);
    const monotonicBefore = n1.monotonicNow();
    const status = await setClock(addresses.n1!, secret, 'n1', { offsetNs: -3_000_000_000, driftPpm: 0 });
    expect(status.clock).toEqual({ offsetNs: -3_000_000_000, driftPpm: 0 });
    expect(Math.abs(skew() + 3e9)).toBeLessThan(5e6);
    expect(n1.monotonicNow()).toBeGreaterThan(monotonicBefore);
    // Drift is honest: the offset grows with the time elapsed, here 20% fast.
    await setClock(addresses.n1!, secret, 'n1', { offsetNs: 0, driftPpm: 200_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(skew()).toBeGreaterThan(30e6);
    expect(skew()).toBeLessThan(300e6);
    await setClock(addresses.n1!, secret, 'n1', { offsetNs: 0, driftPpm: 0 });
    expect(Math.abs(skew())).toBeLessThan(5e6);
    // A malformed request is a protocol error for that connection, not a clock change.
    await expect(setClock(addresses.n1!, secret, 'n1', { offsetNs: 0.5, driftPpm: 0 }, 1_000)).rejects.toThrow(/n1/);
    await waitFor(() => hostLog.some((entry) => /clock request: offsetNs must be an integer/.test(String(entry.fields.reason))), 'the bad-clock log line');
    expect(n1.hostStatus().clock).toEqual({ offsetNs: 0, driftPpm: 0 });
  });

  it('refuses to send a message larger than MESSAGE_BYTES_MAX: dropped and logged, the node goes on', async () => {
    const [n1, n2] = [hosts[0]!, hosts[1]!];
    const before = hostLog.filter((entry) => entry.kind === 'tcp.frame-too-large').length;
    const droppedBefore = n1.hostStatus().framesDropped;
    // JSON of a string of k characters is k + 2 bytes.
    n1.send('n2', 'x'.repeat(MESSAGE_BYTES_MAX - 1));
    await waitFor(() => hostLog.filter((entry) => entry.kind === 'tcp.frame-too-large').length === before + 1, 'the too-large log line');
    expect(String(hostLog.filter((entry) => entry.kind === 'tcp.frame-too-large').at(-1)!.fields.reason)).toMatch(new RegExp(`${MESSAGE_BYTES_MAX + 7} bytes exceeds the limit of ${MESSAGE_BYTES_MAX + 6}`));
    expect(n1.hostStatus().framesDropped).toBe(droppedBefore + 1);
    // One of exactly the limit arrives at the other end.
    const framesIn = n2.hostStatus().framesIn;
    n1.send('n2', 'x'.repeat(MESSAGE_BYTES_MAX - 2));
    await waitFor(() => n2.hostStatus().framesIn > framesIn, 'the message at the limit to arrive');
    expect(hostLog.filter((entry) => entry.kind === 'tcp.frame-too-large').length).toBe(before + 1);
    expect(n1.failed).toBeNull();
  });
});
