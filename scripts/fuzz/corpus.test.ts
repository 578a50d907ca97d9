// The regression corpus: every capsule under histories/corpus/ is replayed by `npm test` and must
// still give its recorded verdict. A capsule of a bug since fixed records `valid` and stays as a
// regression test; a planted bug's capsule records `invalid` and proves the checkers still see it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../lab/runner.js';
import { readCapsule } from '../lab/capsule.js';
import { resolvePlugin } from '../lab/plugin.js';
import { repoRoot } from '../lab/code-version.js';

const corpus = join(repoRoot(), 'histories', 'corpus');
const files = readdirSync(corpus)
  .filter((name) => name.endsWith('.json'))
  .sort();

describe('regression corpus', () => {
  it('has capsules to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const name of files) {
    it(`${name} still gives its recorded verdict`, async () => {
      const capsule = readCapsule(join(corpus, name));
      const plugin = await resolvePlugin(capsule.system, capsule.plugin === undefined ? undefined : join(repoRoot(), capsule.plugin));
      const result = runScenario(capsule.scenario, capsule.seed, { plugin, source: name });
      expect(result.verdict, `${name}: ${JSON.stringify(result.checkers)}`).toBe(capsule.expected.verdict);
      if (capsule.expected.verdict === 'invalid') expect(result.violation).toBe(capsule.expected.violation);
    });
  }
});
