// The mutation catalogue stays true to the code: every mutation finds its text exactly once in
// today's source and changes it; a stale or ambiguous one is an error naming it. One mutation is
// then run end to end through `crucible mutate`, which must kill it and leave the source as it was.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../lab/code-version.js';
import { main } from '../crucible.js';
import { commands } from '../commands/index.js';
import { applyMutation, MUTATIONS } from './catalog.js';

describe('mutation catalogues', () => {
  for (const [system, catalogue] of Object.entries(MUTATIONS)) {
    it(`${system}: every mutation applies to today's source, once, and changes it`, () => {
      const ids = new Set<string>();
      for (const mutation of catalogue) {
        expect(ids.has(mutation.id), mutation.id).toBe(false);
        ids.add(mutation.id);
        const source = readFileSync(join(repoRoot(), mutation.file), 'utf8');
        const mutated = applyMutation(source, mutation);
        expect(mutated, mutation.id).not.toBe(source);
        expect(mutated.length - source.length, mutation.id).toBe(mutation.replace.length - mutation.find.length);
      }
    });
  }

  it('refuses a mutation whose text is gone or appears twice', () => {
    const mutation = { id: 'x', file: 'f.ts', find: 'a < b', replace: 'a <= b', description: '' };
    expect(() => applyMutation('if (c) return;', mutation)).toThrow(/mutation x: its text is no longer in f\.ts/);
    expect(() => applyMutation('a < b; a < b;', mutation)).toThrow(/occurs more than once/);
    expect(applyMutation('if (a < b) go();', mutation)).toBe('if (a <= b) go();');
  });

  it('crucible mutate kills a mutation in a scratch copy and leaves the source untouched', async () => {
    const file = join(repoRoot(), 'nodes/raft/kv.ts');
    const before = readFileSync(file, 'utf8');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['mutate', '--system', 'raft', '--only', 'cas-writes-expected', '--runs', '10', '--workers', '0', '--json'], commands, { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, env: {} });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(out[0]!) as { killed: number; total: number; mutants: { id: string; status: string; killedBy: string }[] };
    expect(report).toMatchObject({ killed: 1, total: 1 });
    expect(report.mutants[0]).toMatchObject({ id: 'cas-writes-expected', status: 'killed' });
    expect(report.mutants[0]!.killedBy).toMatch(/^all-faults seed \d+ \(linearizable/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    const unknown = await main(['mutate', '--system', 'raft', '--only', 'nope'], commands, { out: () => {}, err: (t) => err.push(t), isTTY: false, env: {} });
    expect(unknown).toBe(2);
    expect(err.at(-1)).toMatch(/--only: unknown mutation nope/);
  }, 120_000);
});
