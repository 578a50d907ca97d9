#!/usr/bin/env node
// A small Maelstrom node in plain Node.js: no dependencies, one JSON message per line on stdin and
// stdout, logs on stderr. It serves the workloads echo, unique-ids, broadcast, g-counter,
// pn-counter and lin-kv:
// - echo: answers with the payload;
// - generate: ids `<node>-<n>`, unique because node ids are;
// - broadcast: keeps every message it has seen and gossips new ones to its topology neighbours,
//   resending each until that neighbour acknowledges it, so a partition delays messages but never
//   loses one;
// - add/read (counters): a state-based PN-counter CRDT, one increment and one decrement total per
//   node, merged by maximum and gossiped to every node every GOSSIP_MS;
// - read/write/cas with a key (lin-kv): forwarded to Maelstrom's lin-kv service, its answer (or
//   error) handed back to the client. `--service seq-kv` (or lww-kv) forwards to that service
//   instead, which is not linearizable: a way to see the services' weaker semantics fail lin-kv.
//
// Planted bugs, by name (`--bug NAME`, or run broken.mjs for both):
// - stale-reads: lin-kv reads answer from a local cache of the last value this node saw for the
//   key, instead of asking the service; a write through another node goes unseen (not linearizable);
// - lost-broadcast: a new message is sent once to each neighbour, never resent, so a message sent
//   across a partition is lost for good.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const GOSSIP_MS = 100;
/** Messages per gossip envelope, so one envelope stays small. */
const GOSSIP_BATCH_MAX = 500;
/** Requests to the lin-kv service outstanding at once; more are refused with temporarily-unavailable. */
const PENDING_MAX = 10_000;

export function runNode({ bugs = new Set(), kvService = 'lin-kv', input = process.stdin, output = process.stdout, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  let nodeId = null;
  let nodeIds = [];
  let nextMsgId = 1;
  let neighbours = null;
  const messages = new Set();
  /** Per neighbour: messages it has not acknowledged yet. */
  const unacked = new Map();
  /** msg_id of a gossip we sent -> [neighbour, messages it carried]. */
  const inFlight = new Map();
  const increments = {};
  const decrements = {};
  /** msg_id of our request to lin-kv -> the client's request. */
  const pending = new Map();
  const cache = new Map();

  const send = (dest, body) => output.write(`${JSON.stringify({ src: nodeId, dest, body })}\n`);
  const reply = (request, body) => send(request.src, { ...body, in_reply_to: request.body.msg_id });
  const rpc = (dest, body) => {
    const msgId = nextMsgId++;
    send(dest, { ...body, msg_id: msgId });
    return msgId;
  };

  const learn = (incoming, from) => {
    for (const message of incoming) {
      if (messages.has(message)) continue;
      messages.add(message);
      for (const neighbour of neighbours ?? []) {
        if (neighbour === from) continue;
        if (bugs.has('lost-broadcast')) send(neighbour, { type: 'gossip', messages: [message] });
        else unacked.get(neighbour).add(message);
      }
    }
  };

  const gossip = () => {
    for (const [neighbour, waiting] of unacked) {
      if (waiting.size === 0) continue;
      const batch = [...waiting].slice(0, GOSSIP_BATCH_MAX);
      inFlight.set(rpc(neighbour, { type: 'gossip', messages: batch }), [neighbour, batch]);
    }
    // Replies to gossip that never came are resent from `unacked`; forget their ids after a while.
    if (inFlight.size > 10_000) inFlight.clear();
    if (Object.keys(increments).length > 0 || Object.keys(decrements).length > 0) {
      for (const other of nodeIds) if (other !== nodeId) send(other, { type: 'counter', increments, decrements });
    }
  };

  const merge = (into, from) => {
    for (const [node, count] of Object.entries(from)) into[node] = Math.max(into[node] ?? 0, count);
  };
  const total = (counts) => Object.values(counts).reduce((sum, count) => sum + count, 0);

  const kv = (request) => {
    const { body } = request;
    if (body.type === 'read' && bugs.has('stale-reads') && cache.has(JSON.stringify(body.key))) {
      reply(request, { type: 'read_ok', value: cache.get(JSON.stringify(body.key)) });
      return;
    }
    if (pending.size >= PENDING_MAX) {
      reply(request, { type: 'error', code: 11, text: 'too many requests to lin-kv outstanding' });
      return;
    }
    const { msg_id: _ignored, ...forward } = body;
    pending.set(rpc(kvService, forward), request);
  };

  const fromService = (body) => {
    const request = pending.get(body.in_reply_to);
    if (request === undefined) return;
    pending.delete(body.in_reply_to);
    const key = JSON.stringify(request.body.key);
    if (body.type === 'read_ok') cache.set(key, body.value);
    if (body.type === 'write_ok') cache.set(key, request.body.value);
    if (body.type === 'cas_ok') cache.set(key, request.body.to);
    const { in_reply_to: _dropped, msg_id: _also, ...answer } = body;
    reply(request, answer);
  };

  const handlers = {
    init(request) {
      nodeId = request.body.node_id;
      nodeIds = request.body.node_ids;
      reply(request, { type: 'init_ok' });
      log(`${nodeId} up; cluster ${nodeIds.join(' ')}; kv service ${kvService}; bugs: ${[...bugs].join(', ') || 'none'}`);
    },
    echo(request) {
      reply(request, { type: 'echo_ok', echo: request.body.echo });
    },
    generate(request) {
      reply(request, { type: 'generate_ok', id: `${nodeId}-${nextMsgId++}` });
    },
    topology(request) {
      neighbours = request.body.topology[nodeId] ?? [];
      for (const neighbour of neighbours) unacked.set(neighbour, new Set());
      reply(request, { type: 'topology_ok' });
    },
    broadcast(request) {
      learn([request.body.message], request.src);
      reply(request, { type: 'broadcast_ok' });
    },
    gossip(request) {
      learn(request.body.messages, request.src);
      if (request.body.msg_id !== undefined) reply(request, { type: 'gossip_ok' });
    },
    gossip_ok(request) {
      const sent = inFlight.get(request.body.in_reply_to);
      if (sent === undefined) return;
      inFlight.delete(request.body.in_reply_to);
      const [neighbour, batch] = sent;
      for (const message of batch) unacked.get(neighbour)?.delete(message);
    },
    counter(request) {
      merge(increments, request.body.increments);
      merge(decrements, request.body.decrements);
    },
    add(request) {
      const delta = request.body.delta;
      if (!Number.isSafeInteger(delta)) {
        reply(request, { type: 'error', code: 12, text: 'add needs an integer delta' });
        return;
      }
      if (delta >= 0) increments[nodeId] = (increments[nodeId] ?? 0) + delta;
      else decrements[nodeId] = (decrements[nodeId] ?? 0) - delta;
      reply(request, { type: 'add_ok' });
    },
    read(request) {
      if ('key' in request.body) kv(request);
      else if (neighbours !== null) reply(request, { type: 'read_ok', messages: [...messages] });
      else reply(request, { type: 'read_ok', value: total(increments) - total(decrements) });
    },
    write: kv,
    cas: kv,
  };

  const timer = setInterval(gossip, GOSSIP_MS);
  const lines = createInterface({ input });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const request = JSON.parse(line);
    const { body } = request;
    if (request.src === kvService) {
      fromService(body);
      return;
    }
    const handler = handlers[body.type];
    if (handler !== undefined) handler(request);
    else if (body.msg_id !== undefined) reply(request, { type: 'error', code: 10, text: `${body.type} is not supported` });
  });
  lines.on('close', () => clearInterval(timer));
}

/** `--bug NAME` (repeatable) and `--service NAME` from the command line. */
function optionsOf(argv) {
  const options = { bugs: new Set() };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--bug' && argv[i + 1] !== undefined) options.bugs.add(argv[++i]);
    else if (argv[i] === '--service' && argv[i + 1] !== undefined) options.kvService = argv[++i];
    else throw new Error(`unknown argument ${argv[i]} (expected --bug NAME or --service lin-kv|seq-kv|lww-kv)`);
  }
  return options;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runNode(optionsOf(process.argv.slice(2)));
