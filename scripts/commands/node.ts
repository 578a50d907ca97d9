// `crucible node --system S --id n1 --listen 127.0.0.1:7001 --peers n2=...,n3=... --data DIR`:
// one node of a system as one OS process over TCP (the TCP host of scripts/tcp/host.ts).
import fs from 'node:fs';
import { EXIT, UsageError, type Command, type FlagSpec, type ParsedArgs } from '../cli/command.js';
import { findSystem, systems } from '../../workloads/registry.js';
import type { SystemPlugin } from '../../workloads/system.js';
import { isValidId, SECRET_BYTES_MIN } from '../tcp/auth.js';
import { parseAddress, parsePeers } from '../tcp/address.js';
import { type NodeProcessOptions, runNodeProcess } from '../tcp/node-process.js';
import { PLUGIN_FLAG, resolvePlugin } from '../lab/plugin.js';

export const SECRET_ENV = 'CRUCIBLE_SECRET';

export const nodeFlags: FlagSpec[] = [
  { name: 'system', type: 'string', valueName: 'S', required: true, description: 'The system whose node to run (see crucible bugs)' },
  { name: 'id', type: 'string', valueName: 'ID', required: true, description: 'This node\'s id, e.g. n1' },
  { name: 'listen', type: 'string', valueName: 'HOST:PORT', default: '127.0.0.1:7001', description: 'Where peers, clients and operators connect (loopback unless told otherwise)' },
  { name: 'client', type: 'string', valueName: 'HOST:PORT', description: 'An extra port for clients and operators only' },
  { name: 'peers', type: 'list', valueName: 'ID=HOST:PORT,...', default: [], description: 'The other nodes and where to reach them (their proxies, in a cluster)' },
  { name: 'data', type: 'string', valueName: 'DIR', required: true, description: 'The node\'s data directory (its disk)' },
  { name: 'secret-file', type: 'string', valueName: 'FILE', description: `The cluster secret (else the ${SECRET_ENV} environment variable)` },
  { name: 'seed', type: 'int', valueName: 'N', default: 1, description: 'Seeds the node\'s random stream, so its choices are reproducible' },
  { name: 'bug', type: 'list', valueName: 'NAME', default: [], description: 'Planted bugs to switch on' },
  { name: 'trace', type: 'string', valueName: 'FILE', description: 'The node\'s trace as JSON lines (default: next to the data directory)' },
  { name: 'parent-pid', type: 'int', valueName: 'PID', description: 'Exit when this process stops being our parent (used by the cluster runner)' },
  { name: 'frame-bytes-max', type: 'int', valueName: 'N', description: 'Largest frame accepted or sent (default: the largest message, nodes/host.ts MESSAGE_BYTES_MAX, plus its envelope)' },
  PLUGIN_FLAG,
];

/** The cluster secret from `--secret-file` or the environment, or a usage error naming the fix. */
export function readSecret(file: string | undefined, flag = '--secret-file'): string {
  let secret: string | undefined;
  if (file !== undefined) {
    try {
      secret = fs.readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`${flag} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  } else {
    secret = process.env[SECRET_ENV];
  }
  if (secret === undefined || secret === '') throw new UsageError(`no cluster secret: pass ${flag} FILE or set ${SECRET_ENV}`);
  if (Buffer.byteLength(secret, 'utf8') < SECRET_BYTES_MIN) {
    throw new UsageError(`the cluster secret is shorter than ${SECRET_BYTES_MIN} bytes: use a random one (crucible cluster up makes one)`);
  }
  return secret;
}

export function resolveSystem(name: string, lookup: (name: string) => SystemPlugin | undefined = findSystem): SystemPlugin {
  const system = lookup(name);
  if (system === undefined) {
    const known = systems.map((plugin) => plugin.name).join(', ') || 'none registered yet';
    throw new UsageError(`--system ${name}: unknown system (known: ${known})`);
  }
  return system;
}

export function checkBugs(system: SystemPlugin, bugs: readonly string[]): void {
  for (const bug of bugs) {
    if (!system.bugs.some((planted) => planted.name === bug)) {
      throw new UsageError(`--bug ${bug}: not a planted bug of ${system.name} (see crucible bugs --system ${system.name})`);
    }
  }
}

/** Turns parsed flags into the options of one node process; every mistake is a UsageError. */
export function nodeOptionsFromArgs(args: ParsedArgs, lookup?: (name: string) => SystemPlugin | undefined): NodeProcessOptions {
  const flags = args.flags;
  const system = resolveSystem(flags.system as string, lookup);
  const id = flags.id as string;
  if (!isValidId(id)) throw new UsageError(`--id ${id}: use letters, digits, _ . - (for example n1)`);
  const listen = parseAddress(flags.listen as string, '--listen');
  if (typeof listen === 'string') throw new UsageError(listen);
  const clientListen = flags.client === undefined ? undefined : parseAddress(flags.client as string, '--client');
  if (typeof clientListen === 'string') throw new UsageError(clientListen);
  const peers = parsePeers(flags.peers as string[], '--peers');
  if (typeof peers === 'string') throw new UsageError(peers);
  if (id in peers) throw new UsageError(`--peers: lists this node (${id}) itself; list only the others`);
  const bugs = flags.bug as string[];
  checkBugs(system, bugs);
  const clusterSize = Object.keys(peers).length + 1;
  if (clusterSize < system.nodes.min || clusterSize > system.nodes.max) {
    throw new UsageError(`--peers: ${system.name} runs with ${system.nodes.min} to ${system.nodes.max} nodes, this makes ${clusterSize}`);
  }
  return {
    id,
    listen,
    clientListen,
    peers,
    dataDir: flags.data as string,
    secret: readSecret(flags['secret-file'] as string | undefined),
    seed: flags.seed as number,
    bugs,
    factory: system.node,
    traceFile: flags.trace as string | undefined,
    parentPid: flags['parent-pid'] as number | undefined,
    frameBytesMax: flags['frame-bytes-max'] as number | undefined,
  };
}

export const command: Command = {
  name: 'node',
  summary: 'Run one node of a system as a real process over TCP',
  usage: 'crucible node --system S [--plugin FILE] --id n1 [--listen 127.0.0.1:7001] --peers n2=HOST:PORT,... --data DIR [--secret-file FILE]',
  flags: nodeFlags,
  details: [
    'The same node class that runs in the simulator, with real sockets, a real directory (fsync for',
    'real) and real timers. Peers, clients and operators authenticate with the cluster secret (an HMAC',
    'challenge on connect). A frame that does not parse or is too large closes that connection with a',
    'reason on stderr; it never stops the node. Prints one JSON line {event: "ready", id, pid, port,',
    'clientPort} on stdout once listening. SIGTERM stops it; exit 70 means a handler threw.',
    'Usually started by `crucible cluster up` or `cluster test`, one per node, each behind a fault proxy.',
  ].join('\n'),
  async run(args) {
    // A system from a plugin module (the one `cluster up|test --plugin` loaded) or the registry.
    const system = await resolvePlugin(args.flags.system as string, args.flags.plugin as string | undefined);
    const options = nodeOptionsFromArgs(args, () => system);
    try {
      await runNodeProcess(options);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new UsageError(`--listen ${args.flags.listen as string}: cannot listen there (${code}); pick another port`);
      }
      throw error;
    }
    // The servers keep the process alive; it ends on SIGTERM or when a handler throws.
    return EXIT.OK;
  },
};
