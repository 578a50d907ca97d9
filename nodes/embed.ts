// One process hosted inside another on the same host: how a system reuses another as a library
// (the broker's nodes each run a Raft node for their controller state, as Kafka's KRaft does)
// without copying it and without the embedded process knowing. The embedded process gets a host of
// its own that shares the outer one's network, clocks, random stream and switches, with:
//
//   disk      every file under `${name}/`, so the two never see each other's files;
//   timers    tags wrapped as `${name}:<tag>` (fsync tags too), routed back by the outer handlers;
//   network   its messages travel in an envelope `{ type: '${name}.embed', m }` to the same
//             embedding on the peer; the outer node's application is a peer too, at the address
//             `appAddress(id, name)`, so a request the application sends arrives from that address
//             and the reply to it comes back to `onAppMessage`.
//
// Deliveries inside one node (the application to its own embedded process, and back) wait for a
// zero-delay timer: never re-entrant, and ordered like any other event of the node.
import type { Disk, Host, Message, NodeId, NodeStatus, Process, ProcessFactory, TimerId, TimerTag } from './host.js';

export interface EmbedOptions {
  /** The namespace: a short word of letters and digits (`raft`). */
  name: string;
  factory: ProcessFactory;
  /** The outer peers that belong to the embedded group (default: all of them). Must be sorted. */
  members?(peers: readonly NodeId[]): readonly NodeId[];
  /** A message the embedded process of node `from` addressed to this node's application. */
  onAppMessage(from: NodeId, message: Message): void;
}

export interface Embedded {
  /** The embedded process (for white-box inspection: downcast it to its own class). */
  readonly process: Process;
  /** Call from the outer process's `start()`. */
  start(): void;
  /** Each router returns true when the event was the embedding's (the outer handler then stops). */
  onMessage(from: NodeId, message: Message): boolean;
  onTimer(tag: TimerTag): boolean;
  onFsync(tag: TimerTag, ok: boolean): boolean;
  /**
   * From this node's application to the embedded process on node `to` (this node included). The
   * message arrives from `appAddress(host.id, name)`; replies come back to `onAppMessage`.
   */
  sendToGroup(to: NodeId, message: Message): void;
  status(): NodeStatus;
}

/** The wire envelope between embeddings; `app` marks a message to or from an application. */
interface Envelope {
  type: string;
  m: Message;
  app?: 'to' | 'from';
}

/** Local deliveries waiting for their zero-delay timer, at most (beyond: dropped, like a full link). */
const LOCAL_QUEUE_MAX = 65_536;
const APP_SEPARATOR = '#';

/** The address, inside an embedding, of node `id`'s application. */
export function appAddress(id: NodeId, name: string): NodeId {
  return `${id}${APP_SEPARATOR}${name}`;
}

export function embed(host: Host, options: EmbedOptions): Embedded {
  const name = options.name;
  if (!/^[a-z][a-z0-9]*$/.test(name)) throw new Error(`embed: name "${name}" must be a short word of lowercase letters and digits`);
  const envelopeType = `${name}.embed`;
  const tagPrefix = `${name}:`;
  const localTag = `${name}!local`;
  const members = options.members ?? ((peers: readonly NodeId[]) => peers);
  const ownApp = appAddress(host.id, name);

  /** What waits for the local timer: for the embedded process (from: the sender) or the application. */
  const local: { toApp: boolean; from: NodeId; message: Message }[] = [];
  let localTimer: TimerId | null = null;
  const deliverLocally = (toApp: boolean, from: NodeId, message: Message): void => {
    if (local.length >= LOCAL_QUEUE_MAX) {
      host.log('embed.local-dropped', { name, limit: LOCAL_QUEUE_MAX });
      return;
    }
    local.push({ toApp, from, message });
    localTimer ??= host.setTimer(0, localTag);
  };

  const inner: Host = {
    id: host.id,
    peers: () => members(host.peers()),
    ...(host.founding === undefined ? {} : { founding: () => { const founders = host.founding!(); return founders.length === 0 ? founders : members(founders); } }),
    wallNow: () => host.wallNow(),
    monotonicNow: () => host.monotonicNow(),
    send(to, message) {
      const separator = to.indexOf(APP_SEPARATOR);
      if (separator >= 0) {
        // A reply to an application: to this node's own, or over the wire to the peer's.
        const node = to.slice(0, separator);
        if (to !== appAddress(node, name)) return;
        if (node === host.id) deliverLocally(true, host.id, message);
        else host.send(node, { type: envelopeType, m: message, app: 'to' } satisfies Envelope);
        return;
      }
      if (to === host.id) deliverLocally(false, host.id, message);
      else host.send(to, { type: envelopeType, m: message } satisfies Envelope);
    },
    setTimer: (delay, tag) => host.setTimer(delay, wrapTag(tagPrefix, tag)),
    cancelTimer: (id) => host.cancelTimer(id),
    disk: prefixedDisk(host.disk, `${name}/`, tagPrefix),
    random: host.random,
    log: (kind, fields) => host.log(kind, fields),
    faultPoint: (point) => host.faultPoint(point),
    bug: (bug) => host.bug(bug),
  };
  const process = options.factory(inner);

  return {
    process,
    start: () => process.start(),
    onMessage(from, message) {
      if (!isEnvelope(message, envelopeType)) return false;
      if (message.app === 'to') options.onAppMessage(from, message.m);
      else process.onMessage(message.app === 'from' ? appAddress(from, name) : from, message.m);
      return true;
    },
    onTimer(tag) {
      if (tag === localTag) {
        localTimer = null;
        // Deliveries queued while these run wait for the next timer: one batch per event.
        for (const item of local.splice(0, local.length)) {
          if (item.toApp) options.onAppMessage(item.from, item.message);
          else process.onMessage(item.from, item.message);
        }
        return true;
      }
      const unwrapped = unwrapTag(tagPrefix, tag);
      if (unwrapped === null) return false;
      process.onTimer(unwrapped);
      return true;
    },
    onFsync(tag, ok) {
      const unwrapped = unwrapTag(tagPrefix, tag);
      if (unwrapped === null) return false;
      process.onFsync(unwrapped, ok);
      return true;
    },
    sendToGroup(to, message) {
      if (to === host.id) deliverLocally(false, ownApp, message);
      else host.send(to, { type: envelopeType, m: message, app: 'from' } satisfies Envelope);
    },
    status: () => process.status?.() ?? {},
  };
}

function isEnvelope(message: Message, type: string): message is Envelope {
  if (typeof message !== 'object' || message === null) return false;
  const envelope = message as Partial<Envelope>;
  return envelope.type === type && (envelope.app === undefined || envelope.app === 'to' || envelope.app === 'from');
}

/** `raft:n:12` for the number 12, `raft:s:tick` for the text `tick`: the type survives the trip. */
function wrapTag(prefix: string, tag: TimerTag): string {
  return typeof tag === 'number' ? `${prefix}n:${tag}` : `${prefix}s:${tag}`;
}

function unwrapTag(prefix: string, tag: TimerTag): TimerTag | null {
  if (typeof tag !== 'string' || !tag.startsWith(prefix)) return null;
  const rest = tag.slice(prefix.length);
  if (rest.startsWith('n:')) return Number(rest.slice(2));
  if (rest.startsWith('s:')) return rest.slice(2);
  return null;
}

/** The host's disk seen through a folder: names are prefixed going in and stripped coming out. */
function prefixedDisk(disk: Disk, folder: string, tagPrefix: string): Disk {
  const full = (name: string): string => `${folder}${name}`;
  return {
    read: (name) => disk.read(full(name)),
    write: (name, data) => disk.write(full(name), data),
    append: (name, data) => disk.append(full(name), data),
    truncate: (name, sizeBytes) => disk.truncate(full(name), sizeBytes),
    rename: (from, to) => disk.rename(full(from), full(to)),
    delete: (name) => disk.delete(full(name)),
    list: () => disk.list().filter((name) => name.startsWith(folder)).map((name) => name.slice(folder.length)),
    size: (name) => disk.size(full(name)),
    fsync: (name, tag) => disk.fsync(full(name), wrapTag(tagPrefix, tag)),
  };
}
