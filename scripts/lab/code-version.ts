// Which code made a run: the git commit (read from .git directly, no git process), the Node version
// and a hash of package-lock.json. A capsule records all three so a replay can say when the code
// under it changed.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CodeVersion {
  /** The commit checked out, or null outside a git work tree. */
  commit: string | null;
  /** `process.version`, e.g. `v20.20.2`. */
  node: string;
  /** First 16 hex digits of the SHA-256 of package-lock.json, or null when there is none. */
  lockHash: string | null;
}

/** The repository root: two folders above this file. */
export function repoRoot(): string {
  return resolve(fileURLToPath(new URL('../..', import.meta.url)));
}

function gitDir(root: string): string | null {
  const dotGit = join(root, '.git');
  if (!existsSync(dotGit)) return null;
  if (statSync(dotGit).isDirectory()) return dotGit;
  // A worktree or submodule: `.git` is a file `gitdir: PATH`.
  const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
  return pointer === null ? null : resolve(root, pointer[1]!.trim());
}

/** The commit of HEAD, following one symbolic ref through loose refs or packed-refs. */
export function gitCommit(root: string = repoRoot()): string | null {
  const dir = gitDir(root);
  if (dir === null) return null;
  try {
    const head = readFileSync(join(dir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
    if (ref === undefined) return null;
    // In a linked worktree, branch refs live in the common dir.
    const common = existsSync(join(dir, 'commondir')) ? resolve(dir, readFileSync(join(dir, 'commondir'), 'utf8').trim()) : dir;
    for (const base of [dir, common]) {
      const loose = join(base, ref);
      if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    }
    const packed = join(common, 'packed-refs');
    if (existsSync(packed)) {
      for (const line of readFileSync(packed, 'utf8').split('\n')) {
        const [sha, name] = line.split(' ');
        if (name === ref && sha !== undefined && /^[0-9a-f]{40}$/.test(sha)) return sha;
      }
    }
  } catch {
    return null;
  }
  return null;
}

export function lockHash(root: string = repoRoot()): string | null {
  const file = join(root, 'package-lock.json');
  if (!existsSync(file)) return null;
  return createHash('sha256').update(readFileSync(file, 'utf8')).digest('hex').slice(0, 16);
}

let cached: CodeVersion | null = null;

/** The code version of this process (computed once). */
export function codeVersion(): CodeVersion {
  cached ??= { commit: gitCommit(), node: process.version, lockHash: lockHash() };
  return cached;
}
