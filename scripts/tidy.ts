// The determinism lint, in the spirit of TigerBeetle's tidy: under sim/, nodes/, faults/,
// workloads/, checkers/ and the run pipeline in scripts/lab/ (tests included), nothing may read the real clock, real randomness, real
// timers, the file system or the network, because a run must be a pure function of its seed. Each
// message names the replacement. Only scripts/ (the CLI, the TCP host) touches the real world.
//
// Run: `tsx scripts/tidy.ts` (part of `npm run lint`). Exit 0 clean, 1 with violations listed.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findImports } from './tidy/imports.js';
import { lineOf, stripCommentsAndStrings } from './tidy/strip.js';

export interface TidyViolation {
  file: string;
  line: number;
  /** What was found: `Math.random`, `import fs`, ... */
  found: string;
  /** What to use instead. */
  replacement: string;
}

/** The folders whose code must be deterministic. */
export const DETERMINISTIC_DIRS = ['sim', 'nodes', 'faults', 'workloads', 'checkers', 'scripts/lab'] as const;

/**
 * The run pipeline lives in scripts/lab/ beside the few files that are its edge to the real world
 * (reading scenario files and capsules, the code version, the store, loading a plugin module, the
 * project's crucible.config.json):
 * every other file there must be deterministic, so a new pipeline file is checked by default.
 */
export const REAL_WORLD_EDGES: ReadonlySet<string> = new Set([
  'scripts/lab/capsule.ts',
  'scripts/lab/code-version.ts',
  'scripts/lab/config.ts',
  'scripts/lab/persist.ts',
  'scripts/lab/plugin.ts',
  'scripts/lab/scenario-args.ts',
]);

interface CallRule {
  found: string;
  /** Matched against the stripped code; the first group, when present, is the offset to report. */
  pattern: RegExp;
  replacement: string;
}

// `(?<![\w$])` keeps `myDate` out; the global prefix keeps `globalThis.Date` in while `x.Date`
// (a property of something else) stays out.
const GLOBAL = String.raw`(?<![\w$.])(?:(?:globalThis|global|window|self)\s*\.\s*)?`;

const CALL_RULES: readonly CallRule[] = [
  { found: 'Date', pattern: new RegExp(`${GLOBAL}Date\\b`, 'g'), replacement: "host.now() (the node's clock) or the World's virtual time" },
  { found: 'Math.random', pattern: new RegExp(`${GLOBAL}Math\\s*\\.\\s*random\\b`, 'g'), replacement: "the node's host.random or a sim/random.ts stream" },
  { found: 'setTimeout', pattern: new RegExp(`${GLOBAL}setTimeout\\b`, 'g'), replacement: 'host.setTimer (a timer event in virtual time)' },
  { found: 'setInterval', pattern: new RegExp(`${GLOBAL}setInterval\\b`, 'g'), replacement: 'host.setTimer, re-armed in onTimer' },
  { found: 'setImmediate', pattern: new RegExp(`${GLOBAL}setImmediate\\b`, 'g'), replacement: 'host.setTimer(0, tag), or do the work in the current handler' },
  { found: 'process.hrtime', pattern: new RegExp(`${GLOBAL}process\\s*\\.\\s*hrtime\\b`, 'g'), replacement: 'host.now(); measure wall time only in scripts/' },
  { found: 'performance.now', pattern: new RegExp(`${GLOBAL}performance\\s*\\.\\s*now\\b`, 'g'), replacement: 'host.now(); measure wall time only in scripts/' },
  {
    found: 'crypto.random*',
    pattern: new RegExp(`${GLOBAL}crypto\\s*\\.\\s*(?:random\\w*|getRandomValues)\\b`, 'g'),
    replacement: "the node's host.random or a sim/random.ts stream",
  },
];

const BANNED_MODULES: Readonly<Record<string, string>> = {
  fs: 'host.disk (the simulated disk)',
  'fs/promises': 'host.disk (the simulated disk)',
  net: 'host.send (the simulated network)',
  http: 'host.send (the simulated network)',
  https: 'host.send (the simulated network)',
  http2: 'host.send (the simulated network)',
  dgram: 'host.send (the simulated network)',
  tls: 'host.send (the simulated network)',
  dns: 'host.send (the simulated network)',
  child_process: 'nothing here; start processes from scripts/',
  worker_threads: 'nothing here; run workers from scripts/ (the fuzz harness)',
  readline: 'nothing here; the CLI in scripts/ reads input',
  'readline/promises': 'nothing here; the CLI in scripts/ reads input',
};

const CRYPTO_RANDOM_NAMES = /\b(?:random\w*|getRandomValues|webcrypto)\b/;

/** Every violation in one file's text. Pure, so the tests can feed it fixtures. */
export function scanSource(text: string, file: string): TidyViolation[] {
  const stripped = stripCommentsAndStrings(text);
  const violations: TidyViolation[] = [];
  for (const rule of CALL_RULES) {
    for (const match of stripped.code.matchAll(rule.pattern)) {
      violations.push({ file, line: lineOf(text, match.index), found: rule.found, replacement: rule.replacement });
    }
  }
  for (const site of findImports(text, stripped)) {
    const name = site.specifier.replace(/^node:/, '');
    const replacement = BANNED_MODULES[name];
    if (replacement !== undefined) {
      violations.push({ file, line: site.line, found: `import ${name}`, replacement });
    } else if (name === 'crypto' && CRYPTO_RANDOM_NAMES.test(site.clause)) {
      violations.push({ file, line: site.line, found: 'crypto.random*', replacement: "the node's host.random or a sim/random.ts stream" });
    }
  }
  return violations.sort((a, b) => a.line - b.line || a.found.localeCompare(b.found));
}

export function formatViolation(violation: TidyViolation): string {
  return `${violation.file}:${violation.line}: ${violation.found} -> ${violation.replacement}`;
}

/** Source files under a folder, sorted, skipping node_modules and dot folders. Bounded depth. */
export function sourceFiles(root: string, directory: string, depthMax = 32): string[] {
  if (depthMax < 0) throw new Error(`${directory}: folders nested too deep`);
  const files: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(root, directory)).sort();
  } catch {
    return files;
  }
  for (const entry of entries) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const path = join(directory, entry);
    const stats = statSync(join(root, path));
    if (stats.isDirectory()) files.push(...sourceFiles(root, path, depthMax - 1));
    else if (/\.(ts|tsx|mts|cts)$/.test(entry) && !entry.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Scans the deterministic folders of a checkout. */
export function tidy(root: string): { files: number; violations: TidyViolation[] } {
  const violations: TidyViolation[] = [];
  let files = 0;
  for (const directory of DETERMINISTIC_DIRS) {
    for (const file of sourceFiles(root, directory)) {
      if (REAL_WORLD_EDGES.has(file.split('\\').join('/'))) continue;
      files += 1;
      violations.push(...scanSource(readFileSync(join(root, file), 'utf8'), file));
    }
  }
  return { files, violations };
}

function isEntry(): boolean {
  const script = process.argv[1];
  try {
    return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { files, violations } = tidy(root);
  for (const violation of violations) process.stderr.write(`${formatViolation(violation)}\n`);
  if (violations.length > 0) {
    process.stderr.write(`tidy: ${violations.length} determinism violation(s) in ${relative(process.cwd(), root) || '.'}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`tidy: ${files} files in ${DETERMINISTIC_DIRS.join('/, ')}/ are deterministic\n`);
  }
}
