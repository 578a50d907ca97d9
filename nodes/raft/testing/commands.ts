// The commands of the interaction scripts, one handler each. A handler reads its arguments, acts on
// the cluster, and leaves its output in `cluster.out` (the runner compares it with the script).
//
//   add-nodes N [bug=NAME] [compact-every=K] [compact-keep=K] [chunk=CHARS] [lease] [stopped]   N more nodes (fresh disks)
//   start ID                          starts a node added with add-nodes but not started (joiners)
//   tick IDS [COUNT]                  COUNT ticks (default 1) on each node (IDS: n1,n2 or all)
//   tick-election ID                  ticks ID until it starts a (pre-)campaign
//   tick-heartbeat ID                 one heartbeat interval of ticks on ID
//   deliver-msgs [IDS]                delivers the messages queued now (to IDS, default all)
//   drop-msgs [IDS]                   discards them instead
//   deliver-fsyncs [IDS]              completes pending fsyncs (default all nodes)
//   fail-fsyncs IDS                   fails pending fsyncs
//   stabilize [IDS]                   fsyncs and messages until nothing moves
//   propose ID write|cas KEY V [V2] [client=C] [seq=S]   a client request to ID
//   read ID KEY [client=C]            a read request to ID
//   retry ID [client=C]               the client's last request again (same seq) to ID
//   crash ID [tear=BYTES] [clean]     crash; unsynced data is lost (or torn, keeping BYTES; the last
//                                     one garbage unless `clean`)
//   restart ID                        a new incarnation reading its disk
//   partition A B / C D               cut links between the groups; heal: restore them
//   admin ID add-member|remove-member|transfer-leader TARGET
//   disk ID corrupt-reads|full on|off
//   status [IDS]                      one line per node
//   log ID                            the node's log entries
import { NS_PER_MS } from '../../host.js';
import type { KvOp, KvRequest, RaftAdminMessage } from '../types.js';
import { compareIds, type InteractionCluster } from './cluster.js';
import { formatEntry, formatStatus } from './format.js';

export interface Command {
  name: string;
  args: string[];
  /** key=value arguments. */
  flags: Map<string, string>;
}

type Handler = (cluster: InteractionCluster, command: Command) => void;

const STABILIZE_ROUNDS_MAX = 1000;
const ELECTION_TICKS_MAX = 100;

export function parseCommand(line: string): Command {
  const words = line.trim().split(/\s+/);
  const name = words.shift()!;
  const args: string[] = [];
  const flags = new Map<string, string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq > 0) flags.set(word.slice(0, eq), word.slice(eq + 1));
    else args.push(word);
  }
  return { name, args, flags };
}

export function runCommand(cluster: InteractionCluster, command: Command): string {
  const handler = HANDLERS[command.name];
  if (handler === undefined) throw new Error(`unknown command "${command.name}" (known: ${Object.keys(HANDLERS).join(', ')})`);
  cluster.out = [];
  handler(cluster, command);
  const out = cluster.out;
  cluster.out = [];
  return out.length === 0 ? 'ok' : out.join('\n');
}

function ids(cluster: InteractionCluster, arg: string | undefined): string[] {
  if (arg === undefined || arg === 'all') return [...cluster.members.keys()].sort(compareIds);
  return arg.split(',');
}

function runningIds(cluster: InteractionCluster, arg: string | undefined): string[] {
  const running = new Set(cluster.running());
  return ids(cluster, arg).filter((id) => running.has(id));
}

function need(command: Command, index: number, what: string): string {
  const value = command.args[index];
  if (value === undefined) throw new Error(`${command.name}: missing ${what}`);
  return value;
}

function number(text: string, what: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${what}: not a number: ${text}`);
  return value;
}

const addNodes: Handler = (cluster, command) => {
  const count = number(need(command, 0, 'a count'), 'count');
  const bug = command.flags.get('bug');
  if (bug !== undefined) cluster.bugs.add(bug);
  const every = command.flags.get('compact-every');
  if (every !== undefined) cluster.options = { ...cluster.options, compactEveryEntries: number(every, 'compact-every') };
  const keep = command.flags.get('compact-keep');
  if (keep !== undefined) cluster.options = { ...cluster.options, compactKeepEntries: number(keep, 'compact-keep') };
  if (command.args.includes('lease')) cluster.options = { ...cluster.options, leaseReads: true };
  const chunk = command.flags.get('chunk');
  if (chunk !== undefined) cluster.options = { ...cluster.options, snapshotChunkChars: number(chunk, 'chunk') };
  cluster.options = { ...cluster.options, tickNs: 10 * NS_PER_MS };
  const first = cluster.members.size + 1;
  const added: string[] = [];
  for (let k = 0; k < count; k++) {
    const id = `n${first + k}`;
    cluster.addNode(id);
    added.push(id);
  }
  // The first nodes create the cluster; nodes added later join it (and learn its configuration).
  if (cluster.founders.length === 0) cluster.founders = [...added];
  if (!command.args.includes('stopped')) for (const id of added) cluster.start(id);
};

const start: Handler = (cluster, command) => {
  cluster.start(need(command, 0, 'a node'));
};

const tick: Handler = (cluster, command) => {
  const count = command.args[1] === undefined ? 1 : number(command.args[1], 'count');
  for (const id of runningIds(cluster, command.args[0])) {
    for (let k = 0; k < count; k++) {
      const node = cluster.node(id);
      node.onTimer('tick');
      if (node.inspect().down !== null) node.onTimer('recover');
    }
  }
};

const tickElection: Handler = (cluster, command) => {
  const id = need(command, 0, 'a node');
  for (let k = 0; k < ELECTION_TICKS_MAX; k++) {
    const before = cluster.out.length;
    cluster.node(id).onTimer('tick');
    if (cluster.out.slice(before).some((line) => line.startsWith(`${id}: raft.campaign`))) return;
  }
  throw new Error(`tick-election: ${id} did not campaign within ${ELECTION_TICKS_MAX} ticks`);
};

const tickHeartbeat: Handler = (cluster, command) => {
  const id = need(command, 0, 'a node');
  for (let k = 0; k < 5; k++) cluster.node(id).onTimer('tick');
};

const deliverMsgs: Handler = (cluster, command) => {
  cluster.deliver(command.args[0] === undefined ? null : ids(cluster, command.args[0]));
};

const dropMsgs: Handler = (cluster, command) => {
  const to = command.args[0] === undefined ? null : ids(cluster, command.args[0]);
  const dropped = cluster.queue.filter((m) => to === null || to.includes(m.to));
  cluster.queue = cluster.queue.filter((m) => !(to === null || to.includes(m.to)));
  cluster.out.push(`dropped ${dropped.length} messages`);
};

const deliverFsyncs: Handler = (cluster, command) => {
  cluster.fsyncs(ids(cluster, command.args[0]), true);
};

const failFsyncs: Handler = (cluster, command) => {
  cluster.fsyncs(ids(cluster, need(command, 0, 'nodes')), false);
};

const stabilize: Handler = (cluster, command) => {
  const only = command.args[0] === undefined ? null : ids(cluster, command.args[0]);
  for (let round = 0; round < STABILIZE_ROUNDS_MAX; round++) {
    const fsyncs = cluster.fsyncs(only ?? ids(cluster, undefined), true);
    const messages = cluster.deliver(only);
    if (fsyncs === 0 && messages === 0) return;
  }
  throw new Error(`stabilize: still moving after ${STABILIZE_ROUNDS_MAX} rounds`);
};

function clientOf(cluster: InteractionCluster, command: Command): { id: string; state: { seq: number; last: unknown } } {
  const id = command.flags.get('client') ?? 'c1';
  let state = cluster.clients.get(id);
  if (state === undefined) {
    state = { seq: 0, last: null };
    cluster.clients.set(id, state as { seq: number; last: null });
  }
  return { id, state: state as { seq: number; last: unknown } };
}

function sendOp(cluster: InteractionCluster, command: Command, node: string, op: KvOp): void {
  const client = clientOf(cluster, command);
  const seqFlag = command.flags.get('seq');
  const seq = seqFlag === undefined ? client.state.seq + 1 : number(seqFlag, 'seq');
  client.state.seq = Math.max(client.state.seq, seq);
  const request: KvRequest = { type: 'kv.request', client: client.id, seq, op };
  client.state.last = request;
  cluster.request(client.id, node, request);
}

const propose: Handler = (cluster, command) => {
  const node = need(command, 0, 'a node');
  const f = need(command, 1, 'write or cas');
  const key = need(command, 2, 'a key');
  if (f === 'write') sendOp(cluster, command, node, { f: 'write', key, value: number(need(command, 3, 'a value'), 'value') });
  else if (f === 'cas') sendOp(cluster, command, node, { f: 'cas', key, value: [number(need(command, 3, 'expected'), 'expected'), number(need(command, 4, 'new'), 'new')] });
  else throw new Error(`propose: expected write or cas, got ${f}`);
};

const read: Handler = (cluster, command) => {
  sendOp(cluster, command, need(command, 0, 'a node'), { f: 'read', key: need(command, 1, 'a key'), value: null });
};

const retry: Handler = (cluster, command) => {
  const client = clientOf(cluster, command);
  if (client.state.last === null) throw new Error(`retry: ${client.id} sent nothing yet`);
  cluster.request(client.id, need(command, 0, 'a node'), client.state.last);
};

const crash: Handler = (cluster, command) => {
  const tear = command.flags.get('tear');
  cluster.crash(need(command, 0, 'a node'), tear === undefined ? 0 : number(tear, 'tear'), command.args.includes('clean'));
};

const restart: Handler = (cluster, command) => {
  cluster.start(need(command, 0, 'a node'));
};

const partition: Handler = (cluster, command) => {
  const groups: string[][] = [[]];
  for (const word of command.args) {
    if (word === '/') groups.push([]);
    else groups[groups.length - 1]!.push(word);
  }
  cluster.partition(groups);
};

const heal: Handler = (cluster) => {
  cluster.heal();
};

const admin: Handler = (cluster, command) => {
  const node = need(command, 0, 'a node');
  const kind = need(command, 1, 'an action');
  const target = need(command, 2, 'a target');
  let message: RaftAdminMessage;
  if (kind === 'add-member' || kind === 'remove-member') message = { type: 'raft.admin', action: { kind, node: target } };
  else if (kind === 'transfer-leader') message = { type: 'raft.admin', action: { kind, to: target } };
  else throw new Error(`admin: unknown action ${kind}`);
  if (kind === 'add-member' && !cluster.members.has(target)) {
    cluster.addNode(target);
    cluster.start(target);
  }
  cluster.node(node).onMessage('admin', message);
};

const disk: Handler = (cluster, command) => {
  const member = cluster.member(need(command, 0, 'a node'));
  const what = need(command, 1, 'corrupt-reads or full');
  const on = need(command, 2, 'on or off') === 'on';
  if (what === 'corrupt-reads') member.disk.corruptReads = on;
  else if (what === 'full') member.disk.full = on;
  else throw new Error(`disk: unknown fault ${what}`);
};

const status: Handler = (cluster, command) => {
  for (const id of ids(cluster, command.args[0])) {
    const member = cluster.member(id);
    cluster.out.push(member.node === null ? `${id}: crashed` : formatStatus(member.node.inspect()));
  }
};

const log: Handler = (cluster, command) => {
  const id = need(command, 0, 'a node');
  const core = cluster.node(id).coreForTesting();
  if (core === null) {
    cluster.out.push(`${id}: down`);
    return;
  }
  const raftLog = core.log;
  if (raftLog.snapshotIndex > 0) cluster.out.push(`snapshot ${raftLog.snapshotIndex}/${raftLog.snapshotTerm}`);
  for (let index = raftLog.firstIndex(); index <= raftLog.lastIndex(); index++) cluster.out.push(formatEntry(raftLog.entry(index)!));
  if (raftLog.entryCount() === 0 && raftLog.snapshotIndex === 0) cluster.out.push('(empty)');
};

const HANDLERS: Readonly<Record<string, Handler>> = {
  'add-nodes': addNodes,
  start,
  tick,
  'tick-election': tickElection,
  'tick-heartbeat': tickHeartbeat,
  'deliver-msgs': deliverMsgs,
  'drop-msgs': dropMsgs,
  'deliver-fsyncs': deliverFsyncs,
  'fail-fsyncs': failFsyncs,
  stabilize,
  propose,
  read,
  retry,
  crash,
  restart,
  partition,
  heal,
  admin,
  disk,
  status,
  log,
};
