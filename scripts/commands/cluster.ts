// `crucible cluster up|down|status|test|compose|proxy`: the same nodes as real processes over TCP,
// with the same workloads, faults (from outside) and checkers as a simulated run.
import fs from 'node:fs';
import path from 'node:path';
import { EXIT, UsageError, type Command, type CommandContext, type ParsedArgs } from '../cli/command.js';
import { openRunStore } from '../cli/store-path.js';
import type { NodeId } from '../../nodes/host.js';
import { type SystemPlugin, pluginFaultCatalog } from '../../workloads/system.js';
import { codeVersion } from '../lab/code-version.js';
import { PLUGIN_FLAG, resolveSystem } from '../lab/plugin.js';
import { CLI } from '../lab/scenario-args.js';
import { CLUSTER_DIR_DEFAULT, BASE_PORT_DEFAULT, clusterDown, clusterStatus, clusterUp } from '../cluster/daemon.js';
import { ComposeDriver, readComposeTarget } from '../cluster/compose-driver.js';
import type { ClusterDriver } from '../cluster/driver.js';
import { LocalDriver } from '../cluster/local-driver.js';
import { HEALTHY_NETWORK, type NetworkState, partitionCuts, proxyRules } from '../cluster/link-rules.js';
import { UpDriver } from '../cluster/up-driver.js';
import { NO_LINK_FAULTS } from '../../faults/world-port.js';
import { DEFAULT_INTENSITY } from '../../faults/schedule.js';
import { DELAY_MS_MAX } from '../tcp/proxy.js';
import { runProxyProcess } from '../cluster/proxy-process.js';
import { type ClusterTestResult, runClusterTest } from '../cluster/test-run.js';
import { IMAGE_DEFAULT, SECRET_FILE_DEFAULT, composeYaml } from '../docker/compose.js';
import { isLoopback, parseAddress } from '../tcp/address.js';
import { newSecret, isValidId } from '../tcp/auth.js';
import { checkBugs, readSecret } from './node.js';

const SUBCOMMANDS = ['up', 'down', 'status', 'test', 'net', 'compose', 'proxy'];

/** Bounds that keep a mistyped flag from starting a thousand processes or a week-long test. */
const DURATION_MS_MAX = 24 * 3600 * 1000;
const CLIENTS_MAX = 1_000;

type Flags = ParsedArgs['flags'];

function int(flags: Flags, name: string, min: number, max: number): number {
  const value = flags[name] as number;
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${name} ${value}: expected an integer in [${min}, ${max}]`);
  return value;
}

function need(flags: Flags, name: string, sub: string): string {
  const value = flags[name] as string | undefined;
  if (value === undefined) throw new UsageError(`cluster ${sub} needs --${name}`);
  return value;
}

/**
 * The system (`--system`, loaded from `--plugin FILE` when given, or the one the project's config
 * names) and the node ids of the cluster. `pluginPath` is the module the nodes must load too.
 */
async function systemAndNodes(flags: Flags, sub: string): Promise<{ system: SystemPlugin; nodes: NodeId[]; pluginPath: string | undefined }> {
  let resolved;
  try {
    resolved = await resolveSystem(flags.system as string | undefined, flags.plugin as string | undefined);
  } catch (error) {
    if (error instanceof UsageError && flags.system === undefined) throw new UsageError(`cluster ${sub} needs --system (${error.message})`);
    throw error;
  }
  const system = resolved.plugin;
  const pluginPath = resolved.module ?? undefined;
  // The repro line and a later `cluster test --target up` name the same system and module.
  flags.system ??= system.name;
  const count = flags.nodes === undefined ? system.nodes.default : int(flags, 'nodes', 1, 99);
  if (count < system.nodes.min || count > system.nodes.max) {
    throw new UsageError(`--nodes ${count}: ${system.name} runs with ${system.nodes.min} to ${system.nodes.max} nodes`);
  }
  checkBugs(system, flags.bug as string[]);
  return { system, nodes: Array.from({ length: count }, (_, index) => `n${index + 1}`), pluginPath };
}

/** `--fault-rate`: mean fault starts per second of the fault window. */
function faultRate(flags: Flags): number {
  const text = flags['fault-rate'] as string;
  const value = Number(text);
  if (!(text.trim() !== '' && Number.isFinite(value) && value > 0 && value <= 100)) throw new UsageError(`--fault-rate ${text}: expected a number in (0, 100], such as 1 or 0.5`);
  return value;
}

/** `--faults` words (kinds, groups, `all`, or `none`) as kind names of the system's catalog. */
function faultKinds(system: SystemPlugin, words: readonly string[]): string[] {
  const chosen = words.filter((word) => word.trim() !== 'none');
  try {
    return pluginFaultCatalog(system).expand(chosen);
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
}

function host(flags: Flags): string {
  const value = flags.host as string;
  const parsed = parseAddress(`${value}:1`, '--host');
  if (typeof parsed === 'string') throw new UsageError(`--host ${value}: expected an IP address or host name`);
  return parsed.host;
}

/** The command that repeats a cluster test (not a replay: a real cluster never runs the same way twice). */
function testRepro(flags: Flags, system: string, nodes: number, faults: readonly string[], pluginPath: string | undefined): string {
  const parts = [`${CLI} cluster test`, `--system ${system}`, `--nodes ${nodes}`, `--duration ${flags.duration as number}`];
  if (pluginPath !== undefined) parts.push(`--plugin ${path.relative(process.cwd(), pluginPath) || pluginPath}`);
  parts.push(`--faults ${faults.length > 0 ? faults.join(',') : 'none'}`, `--fault-rate ${flags['fault-rate'] as string}`, `--seed ${flags.seed as number}`);
  const bugs = flags.bug as string[];
  if (bugs.length > 0) parts.push(`--bug ${bugs.join(',')}`);
  if (flags.target === 'compose') parts.push(`--target compose --compose-file ${flags['compose-file'] as string}`);
  if (flags.target === 'up') parts.push(`--target up --dir ${flags.dir as string}`);
  return parts.join(' ');
}

function exitFor(verdict: string): number {
  return verdict === 'valid' ? EXIT.OK : verdict === 'invalid' ? EXIT.VIOLATION : EXIT.UNKNOWN;
}

async function test(args: ParsedArgs, context: CommandContext): Promise<number> {
  const flags = args.flags;
  const { system, nodes, pluginPath } = await systemAndNodes(flags, 'test');
  const workload = (flags.workload as string | undefined) ?? system.defaultWorkload;
  if (system.workloads[workload] === undefined) {
    throw new UsageError(`--workload ${workload}: ${system.name} has ${Object.keys(system.workloads).join(', ')}`);
  }
  const faultWords = (flags.faults as string[]).filter((word) => word.trim() !== '');
  const faults = faultKinds(system, faultWords);
  const durationMs = int(flags, 'duration', 1_000, DURATION_MS_MAX);
  const seed = int(flags, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const bugs = flags.bug as string[];
  const progress = (line: string) => (context.json ? context.err(line) : context.out(line));
  const target = flags.target as string;
  let driver: ClusterDriver;
  let traceFiles: Record<NodeId, string> | undefined;
  let workDir: string | null = null;
  if (target === 'local') {
    // Under the cluster directory, never in it: a cluster that `up` started there keeps its files.
    workDir = path.resolve(flags.dir as string, 'tests', `${new Date().toISOString().replace(/[:.]/g, '-')}-seed${seed}`);
    const local = new LocalDriver({ system: system.name, pluginPath, nodes, dir: workDir, secret: newSecret(), seed, bugs, host: host(flags), log: () => undefined });
    traceFiles = Object.fromEntries(nodes.map((id) => [id, local.traceFile(id)]));
    driver = local;
  } else if (target === 'up') {
    const up = new UpDriver(flags.dir as string);
    if ((up.state.plugin ?? undefined) !== (pluginPath === undefined ? undefined : path.resolve(pluginPath))) {
      throw new UsageError(`--plugin: the cluster in ${flags.dir as string} was started ${up.state.plugin ? `with --plugin ${up.state.plugin}` : 'without --plugin'}; pass the same`);
    }
    if (up.state.system !== system.name || up.state.nodes.length !== nodes.length) {
      throw new UsageError(`--target up: the cluster in ${flags.dir as string} runs ${up.state.nodes.length} ${up.state.system} nodes; pass --system ${up.state.system} --nodes ${up.state.nodes.length}`);
    }
    if ([...up.state.bugs].sort().join(',') !== [...bugs].sort().join(',')) {
      throw new UsageError(`--bug: the cluster in ${flags.dir as string} was started with ${up.state.bugs.join(',') || 'no bugs'}; a test cannot change its nodes' bugs`);
    }
    traceFiles = Object.fromEntries(nodes.map((id) => [id, path.join(up.state.dir, 'logs', `${id}.trace.jsonl`)]));
    driver = up;
  } else if (target === 'compose') {
    const composeFile = need(flags, 'compose-file', 'test --target compose');
    const compose = readComposeTarget(composeFile);
    const secret = readSecret(compose.secretFile, 'the compose file\'s secret');
    if (compose.nodes.length !== nodes.length) {
      throw new UsageError(`--nodes ${nodes.length}: ${composeFile} has ${compose.nodes.length} nodes; pass --nodes ${compose.nodes.length}`);
    }
    driver = new ComposeDriver(composeFile, compose, secret);
  } else {
    throw new UsageError(`--target ${target}: expected local (a fresh cluster), up (the one cluster up started) or compose`);
  }
  progress(`cluster test: ${system.name}, ${nodes.length} nodes (${target}), ${durationMs} ms, faults ${faults.join(',') || 'none'}, seed ${seed}${bugs.length > 0 ? `, bug ${bugs.join(',')}` : ''}`);
  let result: ClusterTestResult;
  try {
    result = await runClusterTest({
      system,
      workload,
      nodes,
      durationMs,
      faults,
      intensity: { ...DEFAULT_INTENSITY, ratePerSecond: faultRate(flags) },
      seed,
      bugs,
      clients: int(flags, 'clients', 1, CLIENTS_MAX),
      opsPerSecond: int(flags, 'rate', 1, 1_000_000),
      keys: int(flags, 'keys', 1, 10_000),
      timeoutMs: int(flags, 'timeout', 10, 600_000),
      opsMax: int(flags, 'ops', 1, 10_000_000),
      driver,
      traceFiles,
      log: progress,
    });
  } catch (error) {
    if (workDir !== null) context.err(`cluster test: the nodes' logs are in ${workDir}`);
    throw error;
  }
  // A passing run leaves nothing behind; a failing one keeps its logs, traces and data to look at.
  if (workDir !== null && flags['keep-data'] !== true) {
    if (result.verdict === 'valid') fs.rmSync(workDir, { recursive: true, force: true });
    else progress(`the nodes' logs, traces and data are in ${workDir}`);
  }
  const repro = testRepro(flags, system.name, nodes.length, faultWords, pluginPath);
  const faultEvents = result.faults.filter((event) => event.kind.endsWith('.start') && event.kind !== 'heal.start').length;
  const skipped = result.faults.filter((event) => event.kind.endsWith('.skip')).length;
  const scenario = {
    target,
    system: system.name,
    workload,
    nodes: nodes.length,
    durationMs,
    faults: faults,
    schedule: result.schedule,
    cannotApplyForReal: result.unreal,
    neverDrawn: result.undrawable,
    clients: flags.clients,
    opsPerSecond: flags.rate,
    keys: flags.keys,
    timeoutMs: flags.timeout,
    bug: bugs.length > 0 ? bugs.join(',') : null,
  };
  const store = openRunStore(context.store);
  let runId: number;
  try {
    runId = store.saveRun(
      {
        kind: 'cluster',
        system: system.name,
        seed,
        scenario,
        codeVersion: codeVersion().commit,
        verdict: result.verdict,
        checkers: result.checkers,
        fingerprint: result.fingerprint,
        ops: result.ops,
        events: result.events,
        simMs: result.durationMs,
        wallMs: result.wallMs,
        faults: faultEvents,
        bug: bugs.length > 0 ? bugs.join(',') : null,
        repro,
        tags: ['cluster', target],
        notes: result.verdict === 'valid' ? null : `${repro}  # ${result.verdict}: ${result.violation ?? 'undecided'}`,
      },
      // A real run cannot be regenerated from its seed: always keep what it recorded.
      { history: result.history, faults: result.faults, trace: result.trace },
    );
  } finally {
    store.close();
  }
  if (context.json) {
    context.out(
      JSON.stringify({
        runId,
        system: system.name,
        seed,
        verdict: result.verdict,
        checkers: result.checkers,
        ops: result.ops,
        events: result.events,
        simMs: result.durationMs,
        wallMs: result.wallMs,
        fingerprint: result.fingerprint,
        repro,
        violation: result.violation,
        faultEvents,
        faultsSkipped: skipped,
        cannotApplyForReal: result.unreal,
        neverDrawn: result.undrawable,
        bug: bugs.length > 0 ? bugs.join(',') : null,
        target,
        nodes: nodes.length,
        problems: result.problems,
      }),
    );
  } else {
    if (result.verdict !== 'valid') context.out(`${repro}  # ${result.verdict}: ${result.violation ?? 'undecided'}`);
    for (const event of result.faults) context.out(`  ${(event.time / 1e6).toFixed(0).padStart(7)} ms  ${event.kind} ${JSON.stringify(event.fields ?? {})}`);
    for (const checker of result.checkers) context.out(`  ${checker.verdict.padEnd(7)}  ${checker.checker}: ${checker.summary}`);
    context.out(`${result.verdict}: ${result.ops} ops, ${faultEvents} faults (${skipped} skipped), ${result.durationMs} ms (wall ${result.wallMs} ms); stored as run ${runId} (crucible view ${runId})`);
  }
  return exitFor(result.verdict);
}

async function up(args: ParsedArgs, context: CommandContext): Promise<number> {
  const flags = args.flags;
  const { system, nodes, pluginPath } = await systemAndNodes(flags, 'up');
  const bindHost = host(flags);
  if (!isLoopback(bindHost)) context.err(`cluster up: binding to ${bindHost}, not loopback: anyone who can reach it and knows the secret can join`);
  const { state, ready, statuses } = await clusterUp({
    system,
    pluginPath,
    nodes,
    dir: flags.dir as string,
    basePort: int(flags, 'base-port', 1, 65_000),
    host: bindHost,
    seed: int(flags, 'seed', 0, Number.MAX_SAFE_INTEGER),
    bugs: flags.bug as string[],
  });
  if (context.json) {
    context.out(JSON.stringify({ dir: state.dir, system: state.system, ready, statuses, nodes: state.nodes, secretFile: path.join(state.dir, 'secret') }));
    return EXIT.OK;
  }
  context.out(`cluster up: ${nodes.length} ${system.name} nodes in ${state.dir}, ${ready ? 'ready' : 'up but not ready yet (see cluster status)'}`);
  for (const node of state.nodes) context.out(`  ${node.id}  clients ${node.host}:${node.proxyPort}  node ${node.host}:${node.port}  proxy control ${node.host}:${node.controlPort}`);
  const dirFlag = flags.dir === CLUSTER_DIR_DEFAULT ? '' : ` --dir ${flags.dir as string}`;
  context.out(`secret: ${path.join(state.dir, 'secret')}; status: crucible cluster status${dirFlag}; faults: crucible cluster net${dirFlag} --isolate n1; stop: crucible cluster down${dirFlag}`);
  return EXIT.OK;
}

async function down(args: ParsedArgs, context: CommandContext): Promise<number> {
  const { stopped } = await clusterDown(args.flags.dir as string, args.flags.wipe === true);
  if (context.json) context.out(JSON.stringify({ stopped }));
  else context.out(stopped.length === 0 ? 'cluster down: nothing was running' : `cluster down: stopped ${stopped.join(', ')}`);
  return EXIT.OK;
}

async function status(args: ParsedArgs, context: CommandContext): Promise<number> {
  const report = await clusterStatus(args.flags.dir as string);
  if (context.json) {
    context.out(JSON.stringify({ system: report.state.system, dir: report.state.dir, ready: report.ready, healthy: report.healthy, nodes: report.nodes }));
  } else {
    context.out(`${report.state.system} cluster in ${report.state.dir}: ${report.healthy ? 'healthy' : 'UNHEALTHY'}, ${report.ready ? 'ready' : 'not ready'}`);
    for (const node of report.nodes) {
      // The node's own status fields, in the system's words (a role and a term, a highest tag, ...).
      const fields = Object.entries(node.status)
        .filter(([name, value]) => name !== 'down' && value !== undefined)
        .map(([name, value]) => `${name}=${String(value)}`)
        .join(' ');
      const problem = node.error ?? node.down ?? node.failed ?? (node.alive ? '' : 'process not running');
      context.out(
        `  ${node.id.padEnd(4)} pid ${String(node.pid ?? '-').padEnd(7)} ${(fields || '-').padEnd(24)} peers ${node.peersConnected.join(',') || '-'}  proxy rules ${node.proxyRules ?? '?'}  ${problem}`,
      );
    }
  }
  return report.healthy ? EXIT.OK : EXIT.VIOLATION;
}

/** `cluster net`: change the links of an `up` cluster from outside, through its proxies. */
async function net(args: ParsedArgs, context: CommandContext): Promise<number> {
  const flags = args.flags;
  const driver = new UpDriver(flags.dir as string);
  const chosen = ['isolate', 'delay', 'loss', 'heal'].filter((name) => flags[name] !== undefined && flags[name] !== false);
  if (chosen.length !== 1) throw new UsageError('cluster net needs exactly one of --isolate ID, --delay MS [--jitter MS], --loss PCT, --heal');
  // The same network states, and so the same proxy rules, as the nemesis's faults of those kinds.
  let network: NetworkState = HEALTHY_NETWORK;
  if (flags.isolate !== undefined) {
    const id = flags.isolate as string;
    if (!driver.nodes.includes(id)) throw new UsageError(`--isolate ${id}: not a node of this cluster (${driver.nodes.join(', ')})`);
    network = { ...HEALTHY_NETWORK, ...partitionCuts({ shape: 'isolate', node: id }, driver.nodes) };
  } else if (flags.delay !== undefined) {
    const delayMs = int(flags, 'delay', 0, DELAY_MS_MAX);
    const jitterMs = flags.jitter === undefined ? 0 : int(flags, 'jitter', 0, DELAY_MS_MAX);
    network = { ...HEALTHY_NETWORK, faults: { ...NO_LINK_FAULTS, delayNsMin: delayMs * 1e6, delayNsMax: (delayMs + jitterMs) * 1e6 } };
  } else if (flags.loss !== undefined) {
    const lossPercent = int(flags, 'loss', 0, 100);
    network = { ...HEALTHY_NETWORK, faults: { ...NO_LINK_FAULTS, dropNum: Math.round((lossPercent / 100) * NO_LINK_FAULTS.den) } };
  }
  const rules = proxyRules(driver.nodes, network);
  for (const id of driver.nodes) await driver.setRules(id, rules.get(id) ?? []);
  const summary = Object.fromEntries(driver.nodes.map((id) => [id, rules.get(id) ?? []]));
  if (context.json) context.out(JSON.stringify({ rules: summary }));
  else context.out(`cluster net: ${chosen[0]} applied; rules per proxy: ${JSON.stringify(summary)}`);
  return EXIT.OK;
}

async function compose(args: ParsedArgs, context: CommandContext): Promise<number> {
  const flags = args.flags;
  const { system, nodes, pluginPath } = await systemAndNodes(flags, 'compose');
  if (pluginPath !== undefined) throw new UsageError('cluster compose: --plugin is not supported (the image holds the registered systems); register the system or use cluster up');
  const secretFile = (flags['secret-file'] as string | undefined) ?? SECRET_FILE_DEFAULT;
  if (!fs.existsSync(secretFile)) {
    fs.mkdirSync(path.dirname(path.resolve(secretFile)), { recursive: true });
    fs.writeFileSync(secretFile, `${newSecret()}\n`, { mode: 0o600 });
    context.err(`cluster compose: wrote a new cluster secret to ${secretFile}`);
  }
  const yaml = composeYaml({
    system: system.name,
    nodes,
    basePort: int(flags, 'base-port', 1, 65_000),
    seed: int(flags, 'seed', 0, Number.MAX_SAFE_INTEGER),
    bugs: flags.bug as string[],
    image: (flags.image as string | undefined) ?? IMAGE_DEFAULT,
    secretFile,
  });
  if (context.json) context.out(JSON.stringify({ compose: yaml, secretFile }));
  else for (const line of yaml.trimEnd().split('\n')) context.out(line);
  return EXIT.OK;
}

async function proxy(args: ParsedArgs): Promise<number> {
  const flags = args.flags;
  const node = need(flags, 'node', 'proxy');
  if (!isValidId(node)) throw new UsageError(`--node ${node}: not a valid node id`);
  const address = (name: string) => {
    const parsed = parseAddress(need(flags, name, 'proxy'), `--${name}`);
    if (typeof parsed === 'string') throw new UsageError(parsed);
    return parsed;
  };
  await runProxyProcess({
    node,
    listen: address('listen'),
    target: address('upstream'),
    control: address('control'),
    secret: readSecret(flags['secret-file'] as string | undefined),
    seed: int(flags, 'seed', 0, Number.MAX_SAFE_INTEGER),
  });
  return EXIT.OK;
}

export const command: Command = {
  name: 'cluster',
  summary: 'Run a system as real processes over TCP: up, down, status, test, net, compose',
  usage: 'crucible cluster up|down|status|test|net|compose --system S [--nodes K] [...]',
  subcommands: SUBCOMMANDS,
  flags: [
    { name: 'system', type: 'string', valueName: 'S', description: 'The system (up, test, compose)' },
    { ...PLUGIN_FLAG, description: 'up, test: load the system from a module exporting `system`; the nodes load the same module' },
    { name: 'nodes', type: 'int', valueName: 'K', description: 'Number of nodes (default: the system\'s default)' },
    { name: 'dir', type: 'string', valueName: 'DIR', default: CLUSTER_DIR_DEFAULT, description: 'Cluster directory: cluster.json, pid files, logs, data (up, down, status, net, test --target up); test --target local works in DIR/tests/' },
    { name: 'base-port', type: 'int', valueName: 'N', default: BASE_PORT_DEFAULT, description: 'Node i on N+i, its proxy on N+100+i, proxy control on N+200+i (up, compose)' },
    { name: 'host', type: 'string', valueName: 'ADDR', default: '127.0.0.1', description: 'Address to bind (loopback unless told otherwise)' },
    { name: 'seed', type: 'int', valueName: 'N', default: 1, description: 'Seeds the nodes\' random streams and the fault plan' },
    { name: 'bug', type: 'list', valueName: 'NAME', default: [], description: 'Planted bugs to switch on in every node' },
    { name: 'wipe', type: 'boolean', description: 'down: also delete data and logs' },
    { name: 'duration', type: 'int', valueName: 'MS', default: 10_000, description: 'test: how long clients invoke operations' },
    { name: 'faults', type: 'list', valueName: 'LIST', default: ['crash', 'pause', 'partition'], description: 'test: fault kinds or groups of the system, as for run (all, none); disk faults cannot apply for real and are recorded as skips' },
    { name: 'fault-rate', type: 'string', valueName: 'N', default: '1', description: 'test: mean fault starts per second of the fault window (as a scenario\'s intensity.ratePerSecond)' },
    { name: 'workload', type: 'string', valueName: 'W', description: 'test: the workload (default: the system\'s default)' },
    { name: 'clients', type: 'int', valueName: 'N', default: 5, description: 'test: client processes' },
    { name: 'rate', type: 'int', valueName: 'N', default: 200, description: 'test: target operations per second, all clients together' },
    { name: 'keys', type: 'int', valueName: 'N', default: 3, description: 'test: distinct keys' },
    { name: 'timeout', type: 'int', valueName: 'MS', default: 1_000, description: 'test: a client waits this long for a reply, then records info' },
    { name: 'ops', type: 'int', valueName: 'N', default: 1_000_000, description: 'test: at most this many operations' },
    { name: 'target', type: 'string', valueName: 'T', default: 'local', description: 'test: local (a fresh cluster of processes), up (the cluster in --dir) or compose (a running Docker cluster)' },
    { name: 'compose-file', type: 'string', valueName: 'FILE', description: 'test --target compose: the file cluster compose wrote' },
    { name: 'keep-data', type: 'boolean', description: 'test: keep the work directory (logs, traces, data) even when the run passes' },
    { name: 'isolate', type: 'string', valueName: 'ID', description: 'net: cut this node off from every other node and from clients, both ways (as the partition-isolate fault does)' },
    { name: 'delay', type: 'int', valueName: 'MS', description: 'net: delay every frame on every link' },
    { name: 'jitter', type: 'int', valueName: 'MS', description: 'net: extra random delay per frame (order is kept)' },
    { name: 'loss', type: 'int', valueName: 'PCT', description: 'net: drop this percent of frames between nodes' },
    { name: 'heal', type: 'boolean', description: 'net: clear every rule' },
    { name: 'image', type: 'string', valueName: 'IMAGE', description: `compose: image name (default ${IMAGE_DEFAULT})` },
    { name: 'secret-file', type: 'string', valueName: 'FILE', description: `compose: the cluster secret file (default ${SECRET_FILE_DEFAULT}, created if missing); proxy: its secret` },
    { name: 'node', type: 'string', valueName: 'ID', description: 'proxy: the node behind this proxy' },
    { name: 'listen', type: 'string', valueName: 'HOST:PORT', description: 'proxy: where peers and clients connect' },
    { name: 'upstream', type: 'string', valueName: 'HOST:PORT', description: 'proxy: the node\'s own address' },
    { name: 'control', type: 'string', valueName: 'HOST:PORT', description: 'proxy: the control port' },
  ],
  details: [
    'up: starts K node processes, each behind a fault proxy, detached, with pid files, logs and data under --dir.',
    'down: stops them (SIGTERM, then SIGKILL). status: each node\'s status fields as the system reports them, and',
    'whether the system says it is ready (exit 1 if unhealthy).',
    'net: cuts, delays or drops links of that cluster from outside (--isolate ID | --delay MS | --loss PCT | --heal);',
    'kill and pause its nodes with signals to the pids in DIR/pids/ (kill -KILL, kill -STOP / -CONT).',
    'test: runs the system\'s workload against a fresh local cluster (or --target up|compose) and the same nemesis as',
    'run: a schedule drawn from the seed over the system\'s fault kinds (--faults, as for run), applied from outside',
    '(SIGKILL + restart, SIGSTOP/SIGCONT, partitions of every shape, clogs, loss, duplication, reordering and delay',
    'through the proxies, clock offset, drift and jumps through the host, the system\'s own admin messages). Disk',
    'faults cannot apply for real: said up front and recorded as skips. Stores the history with real timestamps and',
    'checks it with the system\'s checkers, fault actions included; --json answers like `run`.',
    'compose: prints a docker-compose.yml for the same cluster (see scripts/docker/README.md).',
    'Exit codes: 0 valid (healthy), 1 violation (unhealthy), 2 bad usage, 3 a checker could not decide.',
  ].join('\n'),
  async run(args, context) {
    const sub = args.positionals[0];
    switch (sub) {
      case 'up':
        return up(args, context);
      case 'down':
        return down(args, context);
      case 'status':
        return status(args, context);
      case 'test':
        return test(args, context);
      case 'net':
        return net(args, context);
      case 'compose':
        return compose(args, context);
      case 'proxy':
        return proxy(args);
      default:
        throw new UsageError(`unknown subcommand ${String(sub)} (expected ${SUBCOMMANDS.join(', ')})`);
    }
  },
};
