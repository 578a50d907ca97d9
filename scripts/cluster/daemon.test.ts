// cluster up|status|down as functions, with the test-only register node (no Raft needed): detached
// processes, pid files, status over the authenticated admin port, and a down that leaves nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../tcp/ports.js';
import { clusterDown, clusterStatus, clusterUp, portFree, readState, runningProcesses } from './daemon.js';
import { REPO_ROOT } from './node-command.js';
import { UpDriver } from './up-driver.js';
import { waitFor } from '../tcp/testing/wait.js';
import { registerSystem } from '../tcp/testing/register-system.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-daemon-'));
const registerMain = [process.execPath, '--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'tcp', 'testing', 'register-main.ts')];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  // Whatever happened above, leave no process behind.
  if (fs.existsSync(path.join(dir, 'cluster.json'))) {
    for (const [, pid] of runningProcesses(dir, readState(dir))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A base port whose node, proxy and control ports (base+1.., +101.., +201..) are all free now. */
async function freeBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const [probe] = await freePorts(1);
    const base = Math.min(probe!, 65_000) - 1;
    const wanted = [1, 2, 3, 101, 102, 103, 201, 202, 203].map((offset) => base + offset);
    const free = await Promise.all(wanted.map((port) => portFree('127.0.0.1', port)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free base port');
}

describe('cluster up, status and down', () => {
  it('starts detached nodes behind proxies, reports their own status fields, and stops every process', async () => {
    const basePort = await freeBase();
    const { state, ready, statuses } = await clusterUp({
      system: registerSystem,
      nodes: ['n1', 'n2', 'n3'],
      dir,
      basePort,
      host: '127.0.0.1',
      seed: 1,
      bugs: [],
      nodeCommand: registerMain,
    });
    expect(ready).toBe(true);
    expect(statuses.n1).toEqual({ role: 'leader', term: 1 });
    expect(state.nodes.map((node) => node.proxyPort)).toEqual([basePort + 101, basePort + 102, basePort + 103]);
    const running = runningProcesses(dir, state);
    expect(running.map(([name]) => name).sort()).toEqual(['n1', 'n2', 'n3', 'proxy-n1', 'proxy-n2', 'proxy-n3']);
    expect((fs.statSync(path.join(dir, 'secret')).mode & 0o777).toString(8)).toBe('600');

    const status = await clusterStatus(dir, registerSystem);
    expect(status.nodes.filter((node) => !node.healthy)).toEqual([]);
    expect(status.healthy).toBe(true);
    expect(status.ready).toBe(true);
    // The fields are the system's own words, passed through as the node reports them.
    expect(status.nodes.map((node) => [node.id, node.status.role, node.proxyRules])).toEqual([
      ['n1', 'leader', 0],
      ['n2', 'follower', 0],
      ['n3', 'follower', 0],
    ]);
    // The proxies are what peers dial: once up, every node reaches the other two through them.
    expect(status.nodes.every((node) => node.peersConnected.length === 2)).toBe(true);

    await expect(clusterUp({ system: registerSystem, nodes: ['n1'], dir, basePort, host: '127.0.0.1', seed: 1, bugs: [], nodeCommand: registerMain })).rejects.toThrow(/already up/);

    // A test can drive this cluster from outside: signals to its pids, rules on its proxies.
    const driver = new UpDriver(dir);
    await driver.start();
    const oldPid = running.find(([name]) => name === 'n2')![1];
    await driver.kill('n2');
    expect(alive(oldPid)).toBe(false);
    await driver.restart('n2');
    const restarted = runningProcesses(dir, state).find(([name]) => name === 'n2')![1];
    expect(restarted).not.toBe(oldPid);
    await driver.pause('n2');
    const processState = () => fs.readFileSync(`/proc/${restarted}/stat`, 'utf8').split(') ')[1]![0];
    await waitFor(() => processState() === 'T', 'n2 to be stopped by SIGSTOP', 2_000);
    await driver.resume('n2');
    await waitFor(() => processState() !== 'T', 'n2 to run again after SIGCONT', 2_000);
    await driver.setRules('n1', [{ from: 'n2', to: 'n1', cut: true }]);
    expect((await clusterStatus(dir, registerSystem)).nodes.map((node) => node.proxyRules)).toEqual([1, 0, 0]);
    await driver.setRules('n1', []);
    await driver.stop();
    expect(driver.problems()).toEqual([]);
    running.splice(running.findIndex(([name]) => name === 'n2'), 1, ['n2', restarted]);

    // A node killed behind the supervisor's back shows up as unhealthy.
    process.kill(running.find(([name]) => name === 'n3')![1], 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const degraded = await clusterStatus(dir, registerSystem);
    expect(degraded.healthy).toBe(false);
    expect(degraded.nodes.find((node) => node.id === 'n3')).toMatchObject({ alive: false, healthy: false });

    const { stopped } = await clusterDown(dir, true);
    expect(stopped.sort()).toEqual(['n1', 'n2', 'proxy-n1', 'proxy-n2', 'proxy-n3']);
    for (const [, pid] of running) expect(alive(pid)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    expect(() => readState(dir)).toThrow(/no cluster/);
  });
});
