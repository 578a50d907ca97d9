// The interaction scripts (etcd raft's datadriven style): a command, a `----` line, then the
// expected output up to a blank line. Lines starting with `#` are comments. Running a script yields
// the same text with the actual output in place, so a test compares the two and an update rewrites
// the file (the diff is then reviewed).
import { RaftInvariants } from '../invariants.js';
import { InteractionCluster } from './cluster.js';
import { parseCommand, runCommand } from './commands.js';

interface Block {
  comments: string[];
  command: string;
  expected: string[];
}

export function parseScript(text: string): Block[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const blocks: Block[] = [];
  let comments: string[] = [];
  let k = 0;
  while (k < lines.length) {
    const line = lines[k]!;
    if (line.trim() === '') {
      k++;
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line);
      k++;
      continue;
    }
    const command = line.trim();
    k++;
    if (lines[k] !== '----') throw new Error(`line ${k + 1}: expected ---- after the command "${command}"`);
    k++;
    const expected: string[] = [];
    while (k < lines.length && lines[k]!.trim() !== '') expected.push(lines[k++]!);
    blocks.push({ comments, command, expected });
    comments = [];
  }
  return blocks;
}

/** Runs every command on a fresh cluster; returns the script text with the actual outputs. */
export function runScript(text: string): string {
  const cluster = new InteractionCluster();
  const invariants = new RaftInvariants();
  const parts: string[] = [];
  let step = 0;
  const reported = new Set<string>();
  cluster.onLog = (id, kind, fields) => {
    const node = cluster.members.get(id)?.node;
    if (node) invariants.onEvent(step, node.inspect(), kind, fields);
  };
  for (const block of parseScript(text)) {
    const seen = invariants.violations.length;
    let output: string;
    try {
      output = runCommand(cluster, parseCommand(block.command));
    } catch (error) {
      output = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    // After every command, the white-box invariants over every running node; new violations show.
    step++;
    const views = () => cluster.running().map((id) => cluster.node(id).inspect());
    for (const view of views()) invariants.observe(step, view, views);
    const fresh = invariants.violations
      .slice(seen)
      .map((v) => `INVARIANT ${v.invariant} violated: ${v.message}`)
      .filter((line) => !reported.has(line));
    for (const line of fresh) reported.add(line);
    if (fresh.length > 0) output = output === 'ok' ? fresh.join('\n') : `${output}\n${fresh.join('\n')}`;
    parts.push([...block.comments, block.command, '----', output].join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}
