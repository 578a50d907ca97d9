// `crucible maelstrom test`: a Maelstrom node binary (any language: JSON lines on stdin and stdout)
// run as child processes through one of Maelstrom's workloads, its messages carried by the lab's
// network in real time under the same nemesis as `run` and `cluster test`, its history judged by our
// checkers. scripts/maelstrom/ does the running; workloads/maelstrom/ says what the messages mean.
import { existsSync } from 'node:fs';
import { UsageError, type Command, type CommandContext, type ParsedArgs } from '../cli/command.js';
import { faultCatalog } from '../../faults/catalog.js';
import { writeJsonl } from '../../histories/jsonl.js';
import { ERROR_CODES } from '../../workloads/maelstrom/protocol.js';
import { SERVICE_IDS } from '../../workloads/maelstrom/services.js';
import { TOPOLOGIES, WORKLOADS, findWorkload, type TopologyName } from '../../workloads/maelstrom/workloads.js';
import { MaelstromStartError, NEMESIS_GROUPS, runMaelstromTest, type MaelstromTestResult } from '../maelstrom/test-run.js';
import { verdictExit } from './view.js';

type Flags = ParsedArgs['flags'];

function int(flags: Flags, name: string, min: number, max: number): number {
  const value = flags[name] as number;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} ${value}: expected an integer in [${min}, ${max}]`);
  return value;
}

/** `--nemesis` words as fault kinds: network kinds and groups only (see scripts/maelstrom/world.ts). */
export function nemesisKinds(words: readonly string[]): string[] {
  const catalog = faultCatalog();
  const allowed = NEMESIS_GROUPS.flatMap((group) => catalog.groups[group] ?? []);
  const chosen = words.filter((word) => word !== 'none');
  let kinds: string[];
  try {
    kinds = catalog.expand(chosen.flatMap((word) => (word === 'all' ? [...NEMESIS_GROUPS] : [word])));
  } catch (error) {
    throw new UsageError(`--nemesis: ${(error as Error).message}`);
  }
  const unfit = kinds.filter((kind) => !allowed.includes(kind));
  if (unfit.length > 0) {
    throw new UsageError(`--nemesis ${unfit.join(',')}: cannot apply to a Maelstrom node (only network faults: ${NEMESIS_GROUPS.join(', ')}, or one of ${allowed.join(', ')})`);
  }
  return kinds;
}

function rateOf(text: string): number {
  const rate = Number(text);
  if (text.trim() === '' || !Number.isFinite(rate) || rate <= 0 || rate > 100) throw new UsageError(`--fault-rate ${text}: expected a number in (0, 100], such as 2 or 0.5`);
  return rate;
}

function printHuman(result: MaelstromTestResult, context: CommandContext): void {
  for (const checker of result.checkers) context.out(`  ${checker.verdict.padEnd(7)} ${checker.summary}`);
  const { stats } = result;
  context.out(
    `  ${stats.ops} ops (${stats.outcomes.ok} ok, ${stats.outcomes.fail} fail, ${stats.outcomes.info} info), ${stats.serverMessages} messages between nodes (${stats.serverMessagesPerOp} per op), ` +
      `${stats.droppedByPartition} dropped by partitions, ${stats.droppedByLoss} by loss; ${result.wallMs} ms`,
  );
  const started = result.faults.filter((fault) => fault.kind.endsWith('.start') && fault.kind !== 'heal.start').length;
  if (result.schedule.length > 0) context.out(`  nemesis: ${started} faults started`);
  const anomalies = result.anomalies.length > 0 ? `: ${result.anomalies.join(', ')}` : '';
  context.out(`maelstrom ${result.workload}: ${result.verdict}${result.violation === null ? '' : ` (${result.violation}${anomalies})`}`);
}

export const command: Command = {
  name: 'maelstrom',
  summary: 'Run a Maelstrom node binary through a Maelstrom workload (echo, unique-ids, broadcast, counters, lin-kv)',
  usage: 'crucible maelstrom test --workload W --bin BIN [ARGS...] [--node-count N] [--time-limit S] [--nemesis partition] [--json]',
  subcommands: ['test'],
  positionals: [{ name: 'ARGS', description: 'Arguments for the binary (after `--` when one starts with a dash)', variadic: true }],
  flags: [
    { name: 'workload', type: 'string', valueName: 'W', required: true, description: `The workload: ${Object.keys(WORKLOADS).join(', ')}` },
    { name: 'bin', type: 'string', valueName: 'BIN', required: true, description: 'The node binary (a path, or a command on PATH such as node)' },
    { name: 'node-count', type: 'int', valueName: 'N', default: 5, description: 'Nodes n1..nN, each a process of BIN' },
    { name: 'time-limit', type: 'int', valueName: 'S', default: 10, description: 'Seconds the clients send requests' },
    { name: 'rate', type: 'int', valueName: 'N', default: 20, description: 'Requests per second, all clients together' },
    { name: 'concurrency', type: 'int', valueName: 'N', description: 'Clients, each bound to one node round robin (default: the node count)' },
    { name: 'latency', type: 'int', valueName: 'MS', default: 0, description: 'Latency every message gets on the network' },
    {
      name: 'nemesis',
      type: 'list',
      valueName: 'LIST',
      default: [],
      description: `Network faults drawn from the seed, as --faults of run: ${NEMESIS_GROUPS.join(', ')} (groups), their kinds, or all (both groups)`,
    },
    { name: 'fault-rate', type: 'string', valueName: 'N', default: '2', description: 'Mean fault starts per second of the fault window (a number, such as 2 or 0.5)' },
    { name: 'seed', type: 'int', valueName: 'N', default: 1, description: 'Seeds the clients, the network, the services and the fault schedule' },
    { name: 'timeout', type: 'int', valueName: 'MS', default: 1_000, description: 'A client waits this long for a reply, then records the op as unknown (info)' },
    { name: 'init-timeout', type: 'int', valueName: 'MS', default: 5_000, description: 'How long a node has to answer init' },
    { name: 'recovery', type: 'int', valueName: 'MS', default: 1_000, description: 'After the heal, wait this long before the final reads' },
    { name: 'keys', type: 'int', valueName: 'N', default: 3, description: 'lin-kv: distinct keys' },
    { name: 'topology', type: 'string', valueName: 'T', default: 'grid', description: `broadcast: the topology sent to the nodes (${TOPOLOGIES.join(', ')})` },
    { name: 'log-dir', type: 'string', valueName: 'DIR', description: "Write each node's stderr to DIR/<node>.log" },
    { name: 'history', type: 'string', valueName: 'FILE', description: 'Write the history as JSONL (a lin-kv history checks again with `crucible check FILE --model cas-register-absent`)' },
  ],
  details: [
    'A Maelstrom node reads one JSON envelope {src, dest, body} per line on stdin, writes its messages the same',
    'way on stdout, and logs on stderr. Each node first gets {"type": "init", "msg_id", "node_id", "node_ids"} and',
    'must answer {"type": "init_ok", "in_reply_to"}. Requests carry msg_id; replies carry in_reply_to.',
    'Errors are {"type": "error", "in_reply_to", "code", "text"}; definite codes say the op did not happen (recorded',
    'fail), the others that it may have (recorded info), as do timeouts:',
    ...ERROR_CODES.map((code) => `  ${String(code.code).padStart(2)} ${code.name.padEnd(24)} ${code.definite ? 'definite' : 'indefinite'}`),
    '  codes of 1000 and above are the node\'s own, and indefinite.',
    '',
    'Workloads (messages as in Maelstrom\'s doc/workloads.md):',
    ...Object.values(WORKLOADS).map((workload) => `  ${workload.summary}`),
    'broadcast, g-set and the counters are eventually consistent: they are judged on one final read per node, taken',
    '--recovery ms after the heal (the set checker: lost = acknowledged but missing; the counter checker).',
    'lin-kv is judged linearizable per key (a missing key reads as absent; cas errors 20 and 22 are failed compares).',
    '',
    `Services a node may call by id: ${SERVICE_IDS.join(', ')}. lin-kv is one in-process map (linearizable); seq-kv`,
    'serves stale reads but never older than what the caller saw (sequential); lww-kv is five replicas that gossip',
    'and keep the write with the higher, skewed timestamp. They sit outside partitions; an isolated node loses them.',
    '',
    'Messages between nodes go through the lab\'s network in real time: --latency, and with --nemesis the partitions',
    '(isolate, halves, bridge, ring, one-way) and link faults (drop, dup, reorder, delay, clog) of `run`, drawn from',
    'the seed over the middle of the time limit and healed at three quarters of it. A real run does not replay.',
    '',
    'Examples:',
    '  crucible maelstrom test --workload echo --bin node examples/maelstrom-node/node.mjs --time-limit 3',
    '  crucible maelstrom test --workload broadcast --bin examples/maelstrom-node/broken.mjs --nemesis partition',
    '  crucible maelstrom test --workload lin-kv --bin node -- examples/maelstrom-node/node.mjs --bug stale-reads',
    '',
    'With --json, one line: {workload, verdict, violation, anomalies, checkers, stats, faults, problems, fingerprint, wallMs}.',
    'Exit codes: 0 valid, 1 a violation, 2 bad usage, a missing binary or a node that never answers init,',
    '3 a checker could not decide.',
  ].join('\n'),
  async run(args, context) {
    const { flags } = args;
    const name = flags.workload as string;
    const workload = findWorkload(name);
    if (workload === undefined) throw new UsageError(`--workload ${name}: unknown workload (one of ${Object.keys(WORKLOADS).join(', ')})`);
    const topology = flags.topology as string;
    if (!(TOPOLOGIES as readonly string[]).includes(topology)) throw new UsageError(`--topology ${topology}: unknown topology (one of ${TOPOLOGIES.join(', ')})`);
    const nodeCount = int(flags, 'node-count', 1, 50);
    const binArgs = args.positionals.slice(1);
    // A script path that does not exist is the usual slip: said before any process starts.
    const script = binArgs[0];
    if (script !== undefined && /\.(m?js|cjs|ts|py|rb)$/.test(script) && !existsSync(script)) throw new UsageError(`${script}: no such file; give the path to the node's script`);
    const progress = (line: string): void => (context.json ? context.err(line) : context.out(line));
    let result: MaelstromTestResult;
    try {
      result = await runMaelstromTest({
        workload,
        command: flags.bin as string,
        args: binArgs,
        nodeCount,
        timeLimitMs: int(flags, 'time-limit', 1, 3_600) * 1_000,
        rate: int(flags, 'rate', 1, 10_000),
        concurrency: flags.concurrency === undefined ? nodeCount : int(flags, 'concurrency', 1, 1_000),
        latencyMs: int(flags, 'latency', 0, 60_000),
        nemesis: nemesisKinds(flags.nemesis as string[]),
        faultRate: rateOf(flags['fault-rate'] as string),
        seed: int(flags, 'seed', 0, Number.MAX_SAFE_INTEGER),
        timeoutMs: int(flags, 'timeout', 1, 600_000),
        initTimeoutMs: int(flags, 'init-timeout', 1, 600_000),
        recoveryMs: int(flags, 'recovery', 0, 600_000),
        workloadOptions: { keys: int(flags, 'keys', 1, 10_000), topology: topology as TopologyName },
        logDir: flags['log-dir'] as string | undefined,
        log: progress,
      });
    } catch (error) {
      if (error instanceof MaelstromStartError) throw new UsageError(error.message);
      throw error;
    }
    const historyFile = flags.history as string | undefined;
    if (historyFile !== undefined) {
      writeJsonl(historyFile, result.history);
      progress(`history: ${result.history.length} records in ${historyFile}`);
    }
    if (context.json) {
      const { history: _history, ...rest } = result;
      context.out(JSON.stringify({ ...rest, checkers: result.checkers.map(({ checker, verdict, summary }) => ({ checker, verdict, summary })), historyRecords: result.history.length }));
    } else printHuman(result, context);
    return verdictExit(result.verdict);
  },
};
