// The layering of DESIGN.md as a rule over (file, imports) pairs: sim/ knows only nodes/host.ts;
// a node knows only nodes/host.ts, the system-neutral toolkit nodes/embed.ts, its own folder and
// another system's public surface (`nodes/<system>/index.ts`: the broker runs Raft as a library,
// never by reaching into its files); the nemesis (faults/) knows only
// nodes/host.ts (and sim/ in its tests); checkers know only histories/ and nodes/host.ts; only
// scripts/ and the library (api/) import scripts/, only scripts/ imports ui/, and only scripts/ knows the registry
// of built-in systems (everything below is handed its system). Pure, so a test can feed it a synthetic violation.
import { posix } from 'node:path';

export interface SourceImports {
  /** Repository-relative path with forward slashes: `sim/world.ts`. */
  file: string;
  imports: readonly { specifier: string; line: number }[];
}

export interface DirectionViolation {
  file: string;
  line: number;
  specifier: string;
  /** The imported file, repository-relative. */
  target: string;
  rule: string;
}

const HOST = 'nodes/host';
/** Hosting one process inside another (a node that embeds a Raft group): knows no system. */
const EMBED = 'nodes/embed';
const REGISTRY = 'workloads/registry';

function isTest(file: string): boolean {
  return /\.test\.tsx?$/.test(file);
}

/** `../nodes/host.js` from `sim/world.ts` is `nodes/host`: repository-relative, without extension. */
export function resolveRelative(file: string, specifier: string): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const joined = posix.normalize(posix.join(posix.dirname(file), specifier));
  return joined.replace(/\.(js|mjs|cjs|ts|tsx|mts|cts|jsx)$/, '');
}

function top(path: string): string {
  return path.split('/')[0]!;
}

/** Why `file` may not import `target`, or null when it may. */
export function directionRule(file: string, target: string): string | null {
  const from = top(file);
  const to = top(target);
  if (target.startsWith('..')) return 'imports must stay inside the repository';
  // The library's entry (api/) sits beside the CLI on top: it wraps the run pipeline in scripts/lab/.
  if (to === 'scripts' && from !== 'scripts' && from !== 'api') return 'nothing outside scripts/ and api/ imports scripts/ (the CLI and the library sit on top)';
  if (to === 'api' && from !== 'api' && from !== 'examples') return 'nothing below the library imports api/ (only its users: examples/)';
  if (from === 'api' && to === 'ui') return 'the library never imports ui/ (the viewer and report are the CLI\'s)';
  // The CLI is the one layer above ui/: `crucible view` and `report` have to start the viewer.
  if (to === 'ui' && from !== 'ui' && from !== 'scripts') return 'nothing below ui/ imports ui/ (only scripts/ sits above it)';
  if (from === 'sim' && to !== 'sim' && target !== HOST) return 'sim/ may import only nodes/host.ts and sim/';
  if (from === 'nodes') {
    const parts = file.split('/');
    const ownFolder = parts.length > 2 ? `nodes/${parts[1]}/` : null;
    const publicSurface = /^nodes\/[^/]+\/index$/.test(target);
    const ok = target === HOST || target === EMBED || (ownFolder !== null && (target.startsWith(ownFolder) || publicSurface));
    if (!ok) {
      return ownFolder === null
        ? 'nodes/ may import only nodes/host.ts'
        : `${ownFolder} may import only nodes/host.ts, nodes/embed.ts, ${ownFolder} and another system's nodes/<system>/index.ts`;
    }
  }
  if (from === 'checkers' && to !== 'checkers' && to !== 'histories' && target !== HOST) {
    return 'checkers/ may import only histories/, nodes/host.ts and checkers/';
  }
  if (from === 'faults' && to !== 'faults' && target !== HOST && !(isTest(file) && to === 'sim')) {
    return 'faults/ may import only nodes/host.ts and faults/ (the nemesis knows no system and no kernel)';
  }
  if (target === REGISTRY && from !== 'scripts') return 'only scripts/ imports the registry of built-in systems; hand the system down';
  return null;
}

export function checkImportDirections(sources: readonly SourceImports[]): DirectionViolation[] {
  const violations: DirectionViolation[] = [];
  for (const source of sources) {
    for (const site of source.imports) {
      const target = resolveRelative(source.file, site.specifier);
      if (target === null) continue;
      const rule = directionRule(source.file, target);
      if (rule !== null) violations.push({ file: source.file, line: site.line, specifier: site.specifier, target, rule });
    }
  }
  return violations;
}

export function formatDirectionViolation(violation: DirectionViolation): string {
  return `${violation.file}:${violation.line}: imports ${violation.specifier} (${violation.target}): ${violation.rule}`;
}
