import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeId } from '../../nodes/host.js';
import { newSecret } from './auth.js';
import { HistoryRecorder, TcpClientHost } from './client-host.js';
import { TcpNodeHost } from './host.js';
import type { Address } from './link.js';
import { freePorts } from './ports.js';
import { FaultProxy, parseRules, proxyControl, ruleFor } from './proxy.js';
import { kvClient, type KvOp } from './testing/kv-client.js';
import { createRegisterNode } from './testing/register-node.js';
import { waitFor } from './testing/wait.js';

const secret = newSecret();
const ids = ['n1', 'n2'];
const hosts: TcpNodeHost[] = [];
const proxies: Record<NodeId, FaultProxy> = {};
const proxyAddresses: Record<NodeId, Address> = {};
const clients: TcpClientHost[] = [];
const log: { kind: string; fields: Record<string, unknown> }[] = [];
let dataRoot = '';

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-proxy-'));
  const ports = await freePorts(ids.length * 3);
  ids.forEach((id, i) => {
    proxyAddresses[id] = { host: '127.0.0.1', port: ports[i * 3 + 1]! };
  });
  for (const [i, id] of ids.entries()) {
    const proxy = new FaultProxy({
      node: id,
      listen: proxyAddresses[id]!,
      target: { host: '127.0.0.1', port: ports[i * 3]! },
      control: { host: '127.0.0.1', port: ports[i * 3 + 2]! },
      secret,
      seed: 3,
      log: (kind, fields) => log.push({ kind, fields }),
    });
    proxies[id] = proxy;
    await proxy.start();
    const host = new TcpNodeHost({
      id,
      listen: { host: '127.0.0.1', port: ports[i * 3]! },
      peers: Object.fromEntries(ids.filter((peer) => peer !== id).map((peer) => [peer, proxyAddresses[peer]!])),
      dataDir: path.join(dataRoot, id),
      secret,
      seed: 1,
      factory: createRegisterNode,
      trace: () => undefined,
      hostLog: () => undefined,
      onFailure: (node, message) => {
        throw new Error(`${node} failed: ${message}`);
      },
    });
    hosts.push(host);
    await host.start();
  }
});

afterAll(async () => {
  for (const client of clients) client.stop();
  await Promise.all(hosts.map((host) => host.stop()));
  await Promise.all(Object.values(proxies).map((proxy) => proxy.stop()));
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

/** Runs a script; `afterFirst` runs once the first op completed (the connection is established). */
/** `timeoutNs` defaults to 2 s of real time: a loaded machine can take far longer than 300 ms to connect. */
async function run(id: string, script: KvOp[], timeoutNs = 2e9, afterFirst?: () => void) {
  const recorder = new HistoryRecorder(process.hrtime.bigint());
  let done = false;
  const client = new TcpClientHost({
    id,
    nodes: proxyAddresses,
    secret,
    seed: 2,
    recorder,
    factory: kvClient({ index: 0, stride: 1, keys: 1, timeoutNs, gapNs: afterFirst ? 100e6 : 1e6, stopAtNs: 60e9, opsMax: script.length, script, target: 'n1' }),
    trace: () => undefined,
    hostLog: () => undefined,
    onFailure: (node, message) => {
      throw new Error(`${node} failed: ${message}`);
    },
    onDone: () => (done = true),
  });
  clients.push(client);
  client.start();
  if (afterFirst) {
    await waitFor(() => recorder.records.length >= 2, `the first op of ${id}`);
    afterFirst();
  }
  await waitFor(() => done, `client ${id}`);
  client.stop();
  return recorder.records.filter((record) => record.type !== 'invoke').map((record) => [record.type, record.f, record.value]);
}

describe('rules', () => {
  it('picks the most specific matching rule', () => {
    const rules = parseRules([
      { from: '*', to: '*', delayMs: 1 },
      { from: 'c1', to: '*', delayMs: 2 },
      { from: 'c1', to: 'n1', cut: true },
    ]);
    if (typeof rules === 'string') throw new Error(rules);
    expect(ruleFor(rules, 'c1', 'n1')?.cut).toBe(true);
    expect(ruleFor(rules, 'c1', 'n2')?.delayMs).toBe(2);
    expect(ruleFor(rules, 'c2', 'n2')?.delayMs).toBe(1);
    expect(ruleFor([], 'c2', 'n2')).toBeNull();
  });

  it('rejects malformed rules with the path of the bad field', () => {
    expect(parseRules([{ from: 'n1', to: 'n2', delayMs: -1 }])).toMatch(/rules\[0\]\.delayMs/);
    expect(parseRules([{ from: 'n1', to: '../x' }])).toMatch(/rules\[0\]\.to/);
    expect(parseRules([{ from: 'n1', to: 'n2', lossPercent: 101 }])).toMatch(/lossPercent/);
    expect(parseRules('all')).toMatch(/array/);
  });
});

describe('fault proxy in front of real nodes', () => {
  it('forwards everything when no rule is set', async () => {
    expect(await run('c1', [{ f: 'write', key: 'k', value: 1 }, { f: 'read', key: 'k', value: null }])).toEqual([
      ['ok', 'write', 1],
      ['ok', 'read', 1],
    ]);
  });

  it('cuts one direction only: a request that reached the node takes effect although its reply is lost', async () => {
    const cutBefore = proxies.n1!.counters.framesCut;
    const cutReplies = () => proxies.n1!.setRules([{ from: 'n1', to: 'c2', cut: true }]);
    expect(await run('c2', [{ f: 'read', key: 'k', value: null }, { f: 'write', key: 'k', value: 4 }], 300e6, cutReplies)).toEqual([
      ['ok', 'read', 1],
      ['info', 'write', 4],
    ]);
    expect(proxies.n1!.counters.framesCut).toBeGreaterThan(cutBefore);
    proxies.n1!.heal();
    expect(await run('c3', [{ f: 'read', key: 'k', value: null }])).toEqual([['ok', 'read', 4]]);
    // The other direction: the request never arrives, so nothing changes.
    const cutRequests = () => proxies.n1!.setRules([{ from: 'c4', to: 'n1', cut: true }]);
    expect(await run('c4', [{ f: 'read', key: 'k', value: null }, { f: 'write', key: 'k', value: 5 }], 300e6, cutRequests)).toEqual([
      ['ok', 'read', 4],
      ['info', 'write', 5],
    ]);
    proxies.n1!.heal();
    expect(await run('c5', [{ f: 'read', key: 'k', value: null }])).toEqual([['ok', 'read', 4]]);
  });

  it('delays frames in order and drops lost ones', async () => {
    proxies.n1!.setRules([{ from: '*', to: '*', delayMs: 60, jitterMs: 20 }]);
    const delayedBefore = proxies.n1!.counters.framesDelayed;
    const started = Date.now();
    expect(await run('c6', [{ f: 'write', key: 'k', value: 6 }, { f: 'read', key: 'k', value: null }], 2e9)).toEqual([
      ['ok', 'write', 6],
      ['ok', 'read', 6],
    ]);
    // A delay is a lower bound: two round trips of at least 60 ms each way cannot finish sooner.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 2 * 60);
    expect(proxies.n1!.counters.framesDelayed).toBeGreaterThan(delayedBefore);
    proxies.n1!.setRules([{ from: 'c7', to: '*', lossPercent: 100 }]);
    expect(await run('c7', [{ f: 'read', key: 'k', value: null }], 300e6)).toEqual([['info', 'read', null]]);
    expect(proxies.n1!.counters.framesLost).toBeGreaterThan(0);
    proxies.n1!.heal();
  });

  it('holds frames while a link is clogged and releases them in order, nothing lost, when the clog lifts', async () => {
    const heldBefore = proxies.n1!.counters.framesHeld;
    let clogged = 0;
    const clog = () => {
      proxies.n1!.setRules([{ from: 'c8', to: 'n1', hold: true }]);
      clogged = Date.now();
      setTimeout(() => proxies.n1!.heal(), 250);
    };
    const ops = await run('c8', [{ f: 'read', key: 'k', value: null }, { f: 'write', key: 'k', value: 8 }, { f: 'read', key: 'k', value: null }], 2e9, clog);
    expect(ops.slice(1)).toEqual([
      ['ok', 'write', 8],
      ['ok', 'read', 8],
    ]);
    expect(Date.now() - clogged).toBeGreaterThanOrEqual(250);
    expect(proxies.n1!.counters.framesHeld).toBeGreaterThan(heldBefore);
  });

  it('duplicates and reorders frames after the handshake, which a node must cope with', async () => {
    const before = { ...proxies.n1!.counters };
    proxies.n1!.setRules([{ from: '*', to: 'n1', dupPercent: 100, reorderPercent: 50, reorderMsMax: 20 }]);
    expect(await run('c10', [{ f: 'write', key: 'k', value: 10 }, { f: 'read', key: 'k', value: null }], 2e9)).toEqual([
      ['ok', 'write', 10],
      ['ok', 'read', 10],
    ]);
    expect(proxies.n1!.counters.framesDuplicated).toBeGreaterThan(before.framesDuplicated);
    expect(proxies.n1!.counters.framesReordered).toBeGreaterThan(before.framesReordered);
    proxies.n1!.heal();
  });

  it('is controlled over its authenticated control port', async () => {
    const control = { host: '127.0.0.1', port: proxies.n2!.controlPort! };
    const reply = await proxyControl(control, secret, 'n2', { op: 'rules', rules: [{ from: 'n1', to: 'n2', cut: true }] });
    expect(reply).toMatchObject({ ok: true, stats: { node: 'n2', rules: [{ from: 'n1', to: 'n2', cut: true }] } });
    expect(ruleFor(proxies.n2!.stats().rules, 'n1', 'n2')?.cut).toBe(true);
    expect(await proxyControl(control, secret, 'n2', { op: 'rules', rules: [{ from: 'n1', to: 'n2', delayMs: 1e9 }] })).toMatchObject({ ok: false, error: /delayMs/ });
    expect(await proxyControl(control, secret, 'n2', { op: 'heal' })).toMatchObject({ ok: true, stats: { rules: [] } });
    await expect(proxyControl(control, newSecret(), 'n2', { op: 'heal' }, 1_000)).rejects.toThrow(/proxy of n2/);
  });

  it('closes a connection whose dialer sends a bad frame', async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const socket = net.connect(proxyAddresses.n1!, () => socket.write(new Uint8Array([0xff, 0xff, 0xff, 0xff])));
      socket.on('close', () => resolve(true));
      socket.on('error', () => undefined);
      socket.resume();
    });
    expect(closed).toBe(true);
    await waitFor(() => log.some((entry) => /bad frame from dialer/.test(String(entry.fields.reason))), 'the proxy log line');
  });
});
