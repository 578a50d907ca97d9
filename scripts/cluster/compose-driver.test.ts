// The compose driver without Docker: in-process nodes and proxies stand in for the containers, and
// a fake `docker` records the commands the driver would run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSecret } from '../tcp/auth.js';
import { TcpNodeHost } from '../tcp/host.js';
import { freePorts } from '../tcp/ports.js';
import { FaultProxy, ruleFor } from '../tcp/proxy.js';
import { createRegisterNode } from '../tcp/testing/register-node.js';
import { ComposeDriver, type ComposeTarget } from './compose-driver.js';

const secret = newSecret();
const ids = ['n1', 'n2', 'n3'];
const hosts: TcpNodeHost[] = [];
const proxies: FaultProxy[] = [];
let target: ComposeTarget;
let dataRoot = '';

beforeAll(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-compose-driver-'));
  const ports = await freePorts(ids.length * 3);
  const at = (port: number) => ({ host: '127.0.0.1', port });
  target = {
    nodes: ids,
    admin: Object.fromEntries(ids.map((id, i) => [id, at(ports[i * 3]!)])),
    clients: Object.fromEntries(ids.map((id, i) => [id, at(ports[i * 3 + 1]!)])),
    control: Object.fromEntries(ids.map((id, i) => [id, at(ports[i * 3 + 2]!)])),
    secretFile: '',
  };
  for (const id of ids) {
    const proxy = new FaultProxy({ node: id, listen: target.clients[id]!, target: target.admin[id]!, control: target.control[id]!, secret, log: () => undefined });
    proxies.push(proxy);
    await proxy.start();
    const host = new TcpNodeHost({
      id,
      listen: target.admin[id]!,
      peers: Object.fromEntries(ids.filter((peer) => peer !== id).map((peer) => [peer, target.clients[peer]!])),
      dataDir: path.join(dataRoot, id),
      secret,
      seed: 1,
      factory: createRegisterNode,
      trace: () => undefined,
      hostLog: () => undefined,
      onFailure: () => undefined,
    });
    hosts.push(host);
    await host.start();
  }
});

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.stop()));
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

describe('compose driver', () => {
  it('maps faults to docker compose commands and proxy rules to the control ports', async () => {
    const commands: string[] = [];
    const driver = new ComposeDriver('dc.yml', target, secret, async (args) => {
      commands.push(args.join(' '));
    });
    await driver.start();
    await driver.kill('n2');
    await driver.restart('n2');
    await driver.pause('n3');
    await driver.resume('n3');
    expect(commands).toEqual([
      'compose -f dc.yml kill -s SIGKILL n2',
      'compose -f dc.yml start n2',
      'compose -f dc.yml pause n3',
      'compose -f dc.yml unpause n3',
    ]);
    await driver.setRules('n1', [{ from: 'n2', to: 'n1', cut: true }]);
    expect(ruleFor(proxies[0]!.stats().rules, 'n2', 'n1')?.cut).toBe(true);
    await driver.stop();
    expect(driver.problems()).toEqual([]);
  });

  it('refuses to test a cluster that is not up, naming the command that starts it', async () => {
    const down = { ...target, admin: { n1: { host: '127.0.0.1', port: 1 }, n2: target.admin.n2!, n3: target.admin.n3! } };
    const driver = new ComposeDriver('dc.yml', down, secret, async () => undefined);
    await expect(driver.start()).rejects.toThrow(/not up \(n1 did not answer\): run docker compose -f dc.yml up -d --build/);
  });
});
