import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './tidy.js';
import { findImports } from './tidy/imports.js';
import {
  checkImportDirections,
  directionRule,
  formatDirectionViolation,
  resolveRelative,
  type SourceImports,
} from './tidy/import-directions.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FOLDERS = ['sim', 'nodes', 'faults', 'workloads', 'checkers', 'histories', 'ui', 'scripts', 'api'];

function source(file: string, ...specifiers: string[]): SourceImports {
  return { file, imports: specifiers.map((specifier, index) => ({ specifier, line: index + 1 })) };
}

describe('import directions (rules)', () => {
  it('resolves relative specifiers to repository paths', () => {
    expect(resolveRelative('sim/world.ts', '../nodes/host.js')).toBe('nodes/host');
    expect(resolveRelative('nodes/raft/log.ts', './storage.js')).toBe('nodes/raft/storage');
    expect(resolveRelative('scripts/commands/run.ts', '../lab/runner.js')).toBe('scripts/lab/runner');
    expect(resolveRelative('sim/world.ts', 'seedrandom')).toBeNull();
    expect(resolveRelative('sim/world.ts', 'node:fs')).toBeNull();
  });

  it('allows the layering of DESIGN.md', () => {
    const allowed: [string, string][] = [
      ['sim/world.ts', 'nodes/host'],
      ['sim/world.ts', 'sim/queue'],
      ['nodes/raft/node.ts', 'nodes/host'],
      ['nodes/raft/node.ts', 'nodes/raft/log'],
      ['nodes/broker/controller.ts', 'nodes/raft/index'],
      ['nodes/broker/controller.ts', 'nodes/embed'],
      ['nodes/embed.ts', 'nodes/host'],
      ['checkers/linearizable.ts', 'histories/schema'],
      ['checkers/models/register.ts', 'checkers/verdict'],
      ['scripts/lab/runner.ts', 'sim/world'],
      ['scripts/lab/runner.ts', 'faults/nemesis'],
      ['workloads/raft/faults.ts', 'faults/kind'],
      ['faults/nemesis.ts', 'nodes/host'],
      ['faults/schedule.test.ts', 'sim/random'],
      ['workloads/raft/plugin.ts', 'nodes/raft/index'],
      ['ui/viewer.tsx', 'histories/store'],
      ['scripts/commands/run.ts', 'scripts/lab/runner'],
      ['scripts/commands/run.ts', 'workloads/registry'],
      ['scripts/commands/view.ts', 'ui/viewer'],
      ['api/simulate.ts', 'scripts/lab/runner'],
      ['examples/counter/counter.ts', 'api/index'],
    ];
    for (const [file, target] of allowed) expect(directionRule(file, target), `${file} -> ${target}`).toBeNull();
  });

  it('finds synthetic violations of every rule', () => {
    const violations = checkImportDirections([
      source('sim/world.ts', '../nodes/host.js', '../workloads/system.js', 'seedrandom'),
      source('nodes/raft/node.ts', '../host.js', './log.js', '../broker/queue.js', '../../sim/world.js'),
      source('nodes/helpers.ts', './raft/log.js'),
      source('checkers/linearizable.ts', '../histories/schema.js', '../sim/world.js'),
      source('histories/store.ts', '../ui/colors.js'),
      source('faults/nemesis.ts', '../scripts/cli/command.js', '../workloads/system.js', '../sim/world.js', './kind.js'),
      source('faults/schedule.test.ts', '../sim/random.js'),
      source('ui/viewer.tsx', '../scripts/crucible.js'),
      source('workloads/lin-kv.ts', './registry.js'),
      source('checkers/set.ts', '../api/index.js'),
      source('api/index.ts', '../ui/viewer.js'),
    ]);
    expect(violations.map((violation) => `${violation.file}:${violation.line} ${violation.target}`)).toEqual([
      'sim/world.ts:2 workloads/system',
      'nodes/raft/node.ts:3 nodes/broker/queue',
      'nodes/raft/node.ts:4 sim/world',
      'nodes/helpers.ts:1 nodes/raft/log',
      'checkers/linearizable.ts:2 sim/world',
      'histories/store.ts:1 ui/colors',
      'faults/nemesis.ts:1 scripts/cli/command',
      'faults/nemesis.ts:2 workloads/system',
      'faults/nemesis.ts:3 sim/world',
      'ui/viewer.tsx:1 scripts/crucible',
      'workloads/lin-kv.ts:1 workloads/registry',
      'checkers/set.ts:1 api/index',
      'api/index.ts:1 ui/viewer',
    ]);
    expect(formatDirectionViolation(violations[0]!)).toBe(
      'sim/world.ts:2: imports ../workloads/system.js (workloads/system): sim/ may import only nodes/host.ts and sim/',
    );
  });
});

describe('import directions (this repository)', () => {
  it('every source file keeps to them', () => {
    const sources: SourceImports[] = FOLDERS.flatMap((folder) =>
      sourceFiles(ROOT, folder).map((file) => ({
        file: file.split('\\').join('/'),
        imports: findImports(readFileSync(join(ROOT, file), 'utf8')),
      })),
    );
    // The scan must see the shared contracts, or it is checking nothing.
    expect(sources.map((entry) => entry.file)).toEqual(expect.arrayContaining(['nodes/host.ts', 'histories/schema.ts']));
    expect(checkImportDirections(sources).map(formatDirectionViolation)).toEqual([]);
  });
});
