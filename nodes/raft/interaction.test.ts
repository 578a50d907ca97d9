// Runs the interaction scripts of testdata/ against the real node on the deterministic harness and
// compares the output with what the scripts expect. To rewrite the expected output after an
// intended change: `UPDATE=1 npx vitest run nodes/raft/interaction.test.ts` (or vitest's `-u`),
// then review the diff.
import { describe, expect, it } from 'vitest';
import { runScript } from './testing/script.js';

/** Vite's glob import (the scripts' text, without touching the file system from here). */
type GlobImport = (pattern: string, options: { query: string; import: string; eager: true }) => Record<string, string>;
const scripts = (import.meta as unknown as { glob: GlobImport }).glob('./testdata/*.txt', { query: '?raw', import: 'default', eager: true });

/** vitest decides snapshot updates from its `-u` flag; UPDATE=1 asks for the same. */
function honourUpdate(local: typeof expect): void {
  if (process.env.UPDATE !== '1') return;
  const state = local.getState().snapshotState as unknown as { _updateSnapshot?: string } | undefined;
  if (state !== undefined) state._updateSnapshot = 'all';
}

describe('raft interaction scripts', () => {
  it('has scripts', () => {
    expect(Object.keys(scripts).length).toBeGreaterThanOrEqual(11);
  });

  for (const [path, text] of Object.entries(scripts).sort()) {
    it(path.replace('./testdata/', ''), async ({ expect: local }) => {
      honourUpdate(local);
      const actual = runScript(text);
      await local(actual).toMatchFileSnapshot(path);
    });
  }
});
