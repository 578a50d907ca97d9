// The node processes of a local cluster: start (and restart) each with the same arguments, wait
// for its `ready` line, SIGKILL, SIGSTOP/SIGCONT, and stop them all. Exits we did not cause are
// kept, with the tail of the node's stderr, so a test can report a node that died by itself.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { NodeId } from '../../nodes/host.js';

export interface NodeLaunch {
  id: NodeId;
  /** The program and its arguments (program first). */
  argv: readonly string[];
  /** Where the process's stdout and stderr go (appended across restarts). */
  logFile: string;
  env?: Readonly<Record<string, string>>;
  /** Working directory of the process (the repository root, so `--import tsx` resolves). */
  cwd?: string;
}

export interface ReadyLine {
  event: 'ready';
  id: NodeId;
  pid: number;
  port: number;
  clientPort: number | null;
}

export interface UnexpectedExit {
  id: NodeId;
  code: number | null;
  signal: string | null;
  stderrTail: string[];
}

type Phase = 'starting' | 'running' | 'paused' | 'killing' | 'stopped';

interface Managed {
  launch: NodeLaunch;
  child: ChildProcess | null;
  phase: Phase;
  pid: number | null;
  stderrTail: string[];
  exited: Promise<void> | null;
}

/** Lines of a node's stderr kept for the report of an unexpected exit. */
const STDERR_TAIL_LINES = 20;
export const READY_MS_MAX_DEFAULT = 30_000;
/** After SIGTERM, a node that has not exited within this is killed. */
const STOP_GRACE_MS = 3_000;

export class NodeProcesses {
  private readonly managed = new Map<NodeId, Managed>();
  readonly unexpectedExits: UnexpectedExit[] = [];
  starts = 0;

  constructor(
    launches: readonly NodeLaunch[],
    private readonly readyMsMax: number = READY_MS_MAX_DEFAULT,
  ) {
    for (const launch of launches) {
      if (this.managed.has(launch.id)) throw new Error(`processes: ${launch.id} launched twice`);
      this.managed.set(launch.id, { launch, child: null, phase: 'stopped', pid: null, stderrTail: [], exited: null });
    }
  }

  ids(): NodeId[] {
    return [...this.managed.keys()];
  }

  pid(id: NodeId): number | null {
    return this.get(id).pid;
  }

  isRunning(id: NodeId): boolean {
    const phase = this.get(id).phase;
    return phase === 'running' || phase === 'paused';
  }

  /** Starts the node and resolves with its ready line; rejects if it exits or is silent too long. */
  start(id: NodeId): Promise<ReadyLine> {
    const node = this.get(id);
    if (node.phase !== 'stopped') throw new Error(`processes: ${id} is ${node.phase}, cannot start`);
    const [program, ...args] = node.launch.argv;
    const child = spawn(program!, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...node.launch.env },
      cwd: node.launch.cwd,
    });
    this.starts += 1;
    node.child = child;
    node.phase = 'starting';
    node.pid = child.pid ?? null;
    node.stderrTail = [];
    const logStream = fs.createWriteStream(node.launch.logFile, { flags: 'a' });
    let stdoutText = '';
    let stderrText = '';
    return new Promise<ReadyLine>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`${id} did not report ready within ${this.readyMsMax} ms (log: ${node.launch.logFile})`));
        child.kill('SIGKILL');
      }, this.readyMsMax);
      child.stdout!.on('data', (chunk: Buffer) => {
        logStream.write(chunk.toString('utf8'));
        stdoutText += chunk.toString('utf8');
        let newline = stdoutText.indexOf('\n');
        while (newline >= 0) {
          const line = stdoutText.slice(0, newline);
          stdoutText = stdoutText.slice(newline + 1);
          newline = stdoutText.indexOf('\n');
          let parsed: Partial<ReadyLine> | null = null;
          try {
            parsed = JSON.parse(line) as Partial<ReadyLine>;
          } catch {
            continue;
          }
          if (!settled && parsed?.event === 'ready' && parsed.id === id) {
            settled = true;
            clearTimeout(timer);
            if (node.phase === 'starting') node.phase = 'running';
            resolve(parsed as ReadyLine);
          }
        }
        if (stdoutText.length > 65_536) stdoutText = '';
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        logStream.write(text);
        stderrText += text;
        const lines = stderrText.split('\n');
        stderrText = lines.pop() ?? '';
        node.stderrTail.push(...lines.filter((line) => line.length > 0));
        if (node.stderrTail.length > STDERR_TAIL_LINES) node.stderrTail.splice(0, node.stderrTail.length - STDERR_TAIL_LINES);
      });
      node.exited = new Promise<void>((exited) => {
        child.on('exit', (code, signal) => {
          logStream.end();
          if (stderrText.length > 0) node.stderrTail.push(stderrText);
          const expected = node.phase === 'killing' || node.phase === 'stopped';
          if (!expected) this.unexpectedExits.push({ id, code, signal, stderrTail: [...node.stderrTail] });
          node.phase = 'stopped';
          node.child = null;
          node.pid = null;
          clearTimeout(timer);
          if (!settled) {
            settled = true;
            reject(new Error(`${id} exited (code ${code}, signal ${signal}) before it was ready: ${node.stderrTail.slice(-3).join(' | ')}`));
          }
          exited();
        });
      });
      child.on('error', (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new Error(`${id} could not be started: ${error.message}`));
      });
    });
  }

  /** SIGKILL, as a crash: the node gets no chance to flush anything. Resolves once it is gone. */
  async kill(id: NodeId): Promise<void> {
    const node = this.get(id);
    if (node.child === null) return;
    node.phase = 'killing';
    node.child.kill('SIGKILL');
    await node.exited;
  }

  pause(id: NodeId): void {
    const node = this.get(id);
    if (node.child === null || node.phase !== 'running') throw new Error(`processes: ${id} is ${node.phase}, cannot pause`);
    node.child.kill('SIGSTOP');
    node.phase = 'paused';
  }

  resume(id: NodeId): void {
    const node = this.get(id);
    if (node.child === null || node.phase !== 'paused') return;
    node.child.kill('SIGCONT');
    node.phase = 'running';
  }

  /** Stops every node: SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM, then SIGKILL. */
  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.managed.values()].map(async (node) => {
        const child = node.child;
        if (child === null) return;
        node.phase = 'killing';
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await node.exited;
        clearTimeout(timer);
      }),
    );
  }

  private get(id: NodeId): Managed {
    const node = this.managed.get(id);
    if (node === undefined) throw new Error(`processes: unknown node ${id}`);
    return node;
  }
}
