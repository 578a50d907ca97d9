// The example Maelstrom node (examples/maelstrom-node/) through the real command: each run starts
// real node processes and sends real messages for a second or two. The correct node passes each
// workload, under partitions where the workload can show their effect; the broken variant fails
// lin-kv with a stale read and broadcast with lost messages under the same partitions the correct
// node survives. Bad input is one line and exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../crucible.js';
import { commands } from '../commands/index.js';

const NODE = ['--bin', 'node', 'examples/maelstrom-node/node.mjs'];
const BROKEN = ['--bin', 'examples/maelstrom-node/broken.mjs'];
/** Short runs: a fast CI, few processes on a shared machine. */
function short(seconds = 1): string[] {
  return ['--time-limit', String(seconds), '--node-count', '3', '--rate', '40', '--recovery', '400'];
}
const SHORT = short();
/**
 * Seed 7 draws partitions (isolate, one-way, bridge, ...) over 5 nodes from 423 ms to the heal at
 * 1500 ms of a 2 s run: broadcasts sent in that stretch cross a cut.
 */
const PARTITIONED = ['--time-limit', '2', '--node-count', '5', '--rate', '40', '--recovery', '500', '--nemesis', 'partition', '--seed', '7'];

const dir = mkdtempSync(join(tmpdir(), 'crucible-maelstrom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  code: number;
  json: { verdict: string; violation: string | null; anomalies: string[]; checkers: { checker: string; verdict: string; summary: string }[]; stats: { ops: number; outcomes: { ok: number; info: number }; droppedByPartition: number; serverMessages: number }; faults: { kind: string }[]; problems: string[] };
  err: string[];
}

async function maelstrom(...argv: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['maelstrom', 'test', '--json', ...argv], commands, { out: (line) => out.push(line), err: (line) => err.push(line), isTTY: false, env: {} });
  return { code, json: out.length > 0 ? JSON.parse(out[out.length - 1]!) : null, err };
}

async function usageError(...argv: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await main(['maelstrom', 'test', ...argv], commands, { out: () => {}, err: (line) => err.push(line), isTTY: false, env: {} });
  return { code, err };
}

describe('maelstrom test with the example node', () => {
  it.each([['echo'], ['unique-ids'], ['pn-counter'], ['lin-kv']])('passes %s', async (workload) => {
    const { code, json } = await maelstrom('--workload', workload, ...NODE, ...SHORT);
    expect(json.checkers.filter((checker) => checker.verdict !== 'valid')).toEqual([]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('valid');
    // Real traffic happened: a run that sent nothing would pass vacuously.
    expect(json.stats.ops).toBeGreaterThan(10);
  });

  it('passes broadcast under partitions: the partitions really dropped messages, and gossip resent them', async () => {
    const { code, json } = await maelstrom('--workload', 'broadcast', ...NODE, ...PARTITIONED);
    expect(json.checkers.filter((checker) => checker.verdict !== 'valid')).toEqual([]);
    expect(code).toBe(0);
    expect(json.stats.droppedByPartition).toBeGreaterThan(0);
    expect(json.faults.some((fault) => fault.kind.startsWith('partition-') && fault.kind.endsWith('.start'))).toBe(true);
  });

  it.each([['seq-kv'], ['lww-kv']])('forwards lin-kv ops to %s over the network and gets its answers', async (service) => {
    // Whether these weaker stores show a stale read within a second is chance; that they answer is not.
    const { json } = await maelstrom('--workload', 'lin-kv', '--bin', 'node', ...SHORT, '--', 'examples/maelstrom-node/node.mjs', '--service', service);
    expect(json.stats.outcomes.ok).toBeGreaterThan(10);
    expect(json.stats.outcomes.info).toBe(0);
    expect(json.checkers.find((checker) => checker.checker === 'maelstrom-protocol')!.verdict).toBe('valid');
  });

  it('passes g-counter by gossip: every final read sees the adds made through the other nodes', async () => {
    const { code, json } = await maelstrom('--workload', 'g-counter', ...NODE, ...SHORT);
    expect(code).toBe(0);
    expect(json.stats.serverMessages).toBeGreaterThan(0);
    expect(json.checkers.find((checker) => checker.checker === 'g-counter')!.summary).toMatch(/3 ok reads/);
  });
});

describe('maelstrom test of g-set', () => {
  // The example node cannot tell a g-set read from a counter read before its first add, so g-set
  // runs against a small state-based grow-only set of its own: every node sends its whole set to
  // every other node every 50 ms.
  const G_SET = [
    "import { createInterface } from 'node:readline';",
    'let me = null; let all = []; const set = new Set();',
    'const send = (dest, body) => process.stdout.write(JSON.stringify({ src: me, dest, body }) + "\\n");',
    "setInterval(() => { for (const other of all) if (other !== me) send(other, { type: 'merge', elements: [...set] }); }, 50).unref();",
    'createInterface({ input: process.stdin }).on(\'line\', (line) => {',
    '  const { src, body } = JSON.parse(line);',
    '  const reply = (b) => send(src, { ...b, in_reply_to: body.msg_id });',
    "  if (body.type === 'init') { me = body.node_id; all = body.node_ids; reply({ type: 'init_ok' }); }",
    "  else if (body.type === 'add') { if (!LOSES || me !== 'n2') set.add(body.element); reply({ type: 'add_ok' }); }",
    "  else if (body.type === 'read') reply({ type: 'read_ok', value: [...set] });",
    "  else if (body.type === 'merge') for (const element of body.elements) set.add(element);",
    '});',
  ];

  it('passes a grow-only set that merges by gossip, and fails one whose n2 forgets its adds', async () => {
    const good = join(dir, 'g-set.mjs');
    writeFileSync(good, ['const LOSES = false;', ...G_SET].join('\n'));
    const passed = await maelstrom('--workload', 'g-set', '--bin', 'node', good, ...SHORT);
    expect(passed.json.checkers.filter((checker) => checker.verdict !== 'valid')).toEqual([]);
    expect(passed.code).toBe(0);
    const lossy = join(dir, 'g-set-lossy.mjs');
    writeFileSync(lossy, ['const LOSES = true;', ...G_SET].join('\n'));
    const failed = await maelstrom('--workload', 'g-set', '--bin', 'node', lossy, ...SHORT);
    expect(failed.code).toBe(1);
    expect(failed.json.anomalies).toEqual(['lost']);
  });
});

describe('maelstrom test with the broken node', () => {
  it('fails lin-kv with a stale read, and `check` finds the same in the history it wrote', async () => {
    const file = join(dir, 'lin-kv.jsonl');
    const { code, json } = await maelstrom('--workload', 'lin-kv', ...BROKEN, ...short(2), '--history', file);
    expect(code).toBe(1);
    expect(json.verdict).toBe('invalid');
    expect(json.violation).toBe('linearizable');
    expect(json.anomalies).toEqual(['stale-read']);
    const checked = await main(['check', file, '--model', 'cas-register-absent'], commands, { out: () => {}, err: () => {}, isTTY: false, env: {} });
    expect(checked).toBe(1);
  });

  it('fails broadcast with lost messages under the partitions the correct node survives', async () => {
    const { code, json } = await maelstrom('--workload', 'broadcast', ...BROKEN, ...PARTITIONED);
    expect(code).toBe(1);
    expect(json.violation).toBe('set');
    expect(json.anomalies).toEqual(['lost']);
    expect(json.checkers.find((checker) => checker.checker === 'set')!.summary).toMatch(/[1-9]\d* lost/);
  });

  it('passes broadcast without partitions: the bug needs a cut to show', async () => {
    const { code } = await maelstrom('--workload', 'broadcast', ...BROKEN, ...SHORT);
    expect(code).toBe(0);
  });
});

describe('maelstrom test with a node that breaks the protocol', () => {
  it('fails on a stdout line that is not a message, a reply to nothing, and a node that dies by itself', async () => {
    const rude = join(dir, 'rude.mjs');
    writeFileSync(
      rude,
      [
        "import { createInterface } from 'node:readline';",
        'createInterface({ input: process.stdin }).on(\'line\', (line) => {',
        '  const { src, dest, body } = JSON.parse(line);',
        '  const say = (b) => process.stdout.write(JSON.stringify({ src: dest, dest: src, body: b }) + "\\n");',
        "  if (body.type === 'init') { say({ type: 'init_ok', in_reply_to: body.msg_id }); process.stdout.write('debug: up\\n'); return; }",
        "  say({ type: 'echo_ok', echo: body.echo });",
        "  process.stderr.write('giving up\\n'); process.exit(4);",
        '});',
      ].join('\n'),
    );
    const { code, json } = await maelstrom('--workload', 'echo', '--bin', 'node', rude, '--node-count', '1', '--time-limit', '1', '--rate', '20');
    expect(code).toBe(1);
    expect(json.anomalies).toContain('protocol-violation');
    const { problems } = json;
    expect(problems.some((problem) => /n1 wrote a line that is not a Maelstrom message \(not JSON: debug: up\)/.test(problem))).toBe(true);
    expect(problems.some((problem) => /n1 sent c1 a echo_ok that answers no request of c1 \(in_reply_to undefined\)/.test(problem))).toBe(true);
    expect(problems.some((problem) => /n1 exited by itself during the test \(exit code 4\): giving up/.test(problem))).toBe(true);
  });
});

describe('maelstrom test on bad input', () => {
  it('says a missing binary in one line, exit 2', async () => {
    const { code, err } = await usageError('--workload', 'echo', '--bin', join(dir, 'no-such-node'));
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/no-such-node: no such executable/);
  });

  it('says a script that is not executable, and how to run it', async () => {
    const plain = join(dir, 'plain.mjs');
    writeFileSync(plain, '');
    const { code, err } = await usageError('--workload', 'echo', '--bin', plain);
    expect(code).toBe(2);
    expect(err[0]).toMatch(/plain\.mjs: not executable; chmod \+x it, or run it through its interpreter \(--bin node .*plain\.mjs\)/);
  });

  it('says a missing script in one line, exit 2', async () => {
    const { code, err } = await usageError('--workload', 'echo', '--bin', 'node', join(dir, 'missing.mjs'));
    expect(code).toBe(2);
    expect(err[0]).toMatch(/missing\.mjs: no such file/);
  });

  it('says a node that never answers init, exit 2', async () => {
    const silent = join(dir, 'silent.mjs');
    writeFileSync(silent, 'process.stdin.resume();\n');
    const { code, err } = await usageError('--workload', 'echo', '--bin', 'node', silent, '--node-count', '1', '--init-timeout', '300');
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/node n1 never answered init within 300 ms/);
  });

  it('says a node that exits before init, with the last line of its log', async () => {
    const dying = join(dir, 'dying.mjs');
    writeFileSync(dying, "process.stderr.write('cannot open config\\n'); process.exit(3);\n");
    const { code, err } = await usageError('--workload', 'echo', '--bin', 'node', dying, '--node-count', '1');
    expect(code).toBe(2);
    expect(err[0]).toMatch(/node n1 exited before answering init \(exit code 3\): cannot open config/);
  });

  it('refuses an unknown workload and a fault a Maelstrom node cannot suffer', async () => {
    expect((await usageError('--workload', 'kafka', ...NODE)).err[0]).toMatch(/--workload kafka: unknown workload/);
    expect((await usageError('--workload', 'echo', ...NODE, '--nemesis', 'crash')).err[0]).toMatch(/--nemesis crash: cannot apply to a Maelstrom node/);
  });

  it('writes node logs to --log-dir', async () => {
    const logs = join(dir, 'logs');
    const { code } = await maelstrom('--workload', 'echo', ...NODE, '--time-limit', '1', '--node-count', '2', '--log-dir', logs);
    expect(code).toBe(0);
    expect(readFileSync(join(logs, 'n2.log'), 'utf8')).toMatch(/n2 up; cluster n1 n2/);
  });
});
