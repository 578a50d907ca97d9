// Interaction tests of the counter node on the library's harness: every message, fsync and crash
// happens when the script says, and the expected output sits in the script. CRUCIBLE_REWRITE=1
// rewrites the scripts with what the node does now (review the diff).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Harness, runScript } from 'crucible';
import { system } from './counter.js';

const DATA = fileURLToPath(new URL('./testdata', import.meta.url));
const options = { node: system.node, nodes: ['n1', 'n2', 'n3'] };

describe('the counter node, step by step', () => {
  for (const file of readdirSync(DATA).filter((name) => name.endsWith('.txt'))) {
    it(file, () => {
      const text = readFileSync(join(DATA, file), 'utf8');
      const actual = runScript(text, options);
      if (process.env.CRUCIBLE_REWRITE === '1') writeFileSync(join(DATA, file), actual);
      else expect(actual).toBe(text);
    });
  }

  it('the planted bug counts a resent add twice', () => {
    const run = (bugs: string[]) => {
      const harness = new Harness({ ...options, bugs });
      harness.run('start');
      for (let attempt = 0; attempt < 2; attempt++) {
        harness.request('c0', 'n1', { type: 'counter.add', seq: 1, amount: 3 });
        harness.stabilize();
      }
      return harness.node('n1').status?.().value;
    };
    expect(run([])).toBe(3);
    expect(run(['counter.count-retries'])).toBe(6);
  });
});
