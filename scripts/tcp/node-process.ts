// One node as one OS process: the body of `crucible node`. It starts a `TcpNodeHost`, prints one
// JSON `ready` line on stdout (the supervisor waits for it), writes the node's trace to a file,
// and exits non-zero if a handler throws (the supervisor reports that as a failure).
import fs from 'node:fs';
import path from 'node:path';
import type { Host, NodeId, ProcessFactory } from '../../nodes/host.js';
import type { LogFn } from './connection.js';
import { TcpNodeHost } from './host.js';
import type { Address } from './link.js';
import { TRACE_EPOCH_KIND, TraceFile } from './trace-file.js';


export interface NodeProcessOptions {
  id: NodeId;
  listen: Address;
  clientListen?: Address;
  peers: Record<NodeId, Address>;
  dataDir: string;
  secret: string;
  seed: number;
  bugs: readonly string[];
  factory: ProcessFactory<Host>;
  /** Trace file (JSON lines); default `<dataDir>/../<id>.trace.jsonl` so the data dir holds only the node's files. */
  traceFile?: string;
  /** Exit when this process is no longer our parent (the runner died): no stray nodes. */
  parentPid?: number;
  frameBytesMax?: number;
}

/** Exit code of a node whose handler threw. */
export const EXIT_NODE_FAILED = 70;

/** Connection-close reasons that are routine and stay out of stderr. */
const ROUTINE_CLOSE = /^(closed by the other side|host stopping|replaced by a newer connection|status query finished|admin wait over|socket error: (read ECONNRESET|write EPIPE))/;

export async function runNodeProcess(options: NodeProcessOptions): Promise<void> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const traceFile = options.traceFile ?? path.join(path.dirname(path.resolve(options.dataDir)), `${options.id}.trace.jsonl`);
  const trace = new TraceFile(traceFile);
  const hostLog: LogFn = (kind, fields) => {
    trace.write(host ? host.monotonicNow() : 0, options.id, kind, fields);
    if (kind === 'connection.closed' && !ROUTINE_CLOSE.test(String(fields.reason ?? ''))) {
      process.stderr.write(`crucible node ${options.id}: closed connection from ${String(fields.remote)}: ${String(fields.reason)}\n`);
    } else if (kind === 'tcp.frame-too-large' || kind === 'listen.error') {
      process.stderr.write(`crucible node ${options.id}: ${kind}: ${String(fields.reason)}\n`);
    }
  };
  let stopping = false;
  const exit = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      await host?.stop().catch(() => undefined);
      await trace.close();
    }
    process.exit(code);
  };
  let host: TcpNodeHost | null = null;
  host = new TcpNodeHost({
    id: options.id,
    listen: options.listen,
    clientListen: options.clientListen,
    peers: options.peers,
    dataDir: options.dataDir,
    secret: options.secret,
    seed: options.seed,
    bugs: options.bugs,
    factory: options.factory,
    frameBytesMax: options.frameBytesMax,
    trace: (time, node, kind, fields) => trace.write(time, node, kind, fields),
    hostLog,
    onFailure: (node, message) => {
      process.stderr.write(`crucible node ${node}: a handler threw; the node stops (exit ${EXIT_NODE_FAILED}):\n${message}\n`);
      trace.write(host ? host.monotonicNow() : 0, node, 'host.failure', { message });
      void exit(EXIT_NODE_FAILED);
    },
  });
  trace.write(0, options.id, TRACE_EPOCH_KIND, { epochNs: String(host.epochNs), pid: process.pid });
  process.on('SIGTERM', () => void exit(0));
  process.on('SIGINT', () => void exit(0));
  if (options.parentPid !== undefined) {
    const parentPid = options.parentPid;
    setInterval(() => {
      if (process.ppid !== parentPid) void exit(0);
    }, 500).unref();
  }
  const { port, clientPort } = await host.start();
  // A node that failed while starting (reading its disk) is on its way out: never report it ready.
  if (host.failed !== null) return;
  process.stdout.write(`${JSON.stringify({ event: 'ready', id: options.id, pid: process.pid, port, clientPort, trace: traceFile })}\n`);
}
