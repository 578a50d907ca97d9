import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatViolation, scanSource, tidy } from './tidy.js';
import { findImports } from './tidy/imports.js';
import { stripCommentsAndStrings } from './tidy/strip.js';

function found(source: string): string[] {
  return scanSource(source, 'sim/fixture.ts').map((violation) => violation.found);
}

describe('tidy rules fire on real uses', () => {
  const cases: [string, string][] = [
    ['const t = Date.now();', 'Date'],
    ['const d = new Date();', 'Date'],
    ['const d = globalThis.Date.now();', 'Date'],
    ['const r = Math.random();', 'Math.random'],
    ['const r = Math . random();', 'Math.random'],
    ['setTimeout(() => tick(), 5);', 'setTimeout'],
    ['const id = globalThis.setTimeout(f, 1);', 'setTimeout'],
    ['setInterval(f, 10);', 'setInterval'],
    ['setImmediate(f);', 'setImmediate'],
    ['const t = process.hrtime.bigint();', 'process.hrtime'],
    ['const t = performance.now();', 'performance.now'],
    ['const id = crypto.randomUUID();', 'crypto.random*'],
    ['const b = crypto.randomBytes(8);', 'crypto.random*'],
    ['const n = crypto.randomInt(10);', 'crypto.random*'],
    ["import { randomUUID } from 'node:crypto';", 'crypto.random*'],
    ["import { readFileSync } from 'fs';", 'import fs'],
    ["import { readFile } from 'node:fs/promises';", 'import fs/promises'],
    ["import * as net from 'node:net';", 'import net'],
    ["import 'child_process';", 'import child_process'],
    ["const { Worker } = await import('worker_threads');", 'import worker_threads'],
    ["const http = require('http');", 'import http'],
    ["export { createSocket } from 'dgram';", 'import dgram'],
    ["import tls from 'tls';", 'import tls'],
    ["import * as rl from 'node:readline';", 'import readline'],
    ['const m = await import(`fs`);', 'import fs'],
  ];
  for (const [source, rule] of cases) {
    it(`${rule}: ${source}`, () => {
      expect(found(source)).toEqual([rule]);
    });
  }

  it('names the file, the line and the replacement', () => {
    const violations = scanSource('// header\nconst a = 1;\nconst r = Math.random();\n', 'nodes/raft/log.ts');
    expect(violations.map(formatViolation)).toEqual([
      "nodes/raft/log.ts:3: Math.random -> the node's host.random or a sim/random.ts stream",
    ]);
  });
});

describe('tidy ignores what is not a real use', () => {
  const clean: string[] = [
    '// Date.now() would break determinism, so we use host.now().',
    '/* Math.random(), setTimeout(f) and\n   process.hrtime() are banned */ const x = 1;',
    "const message = 'do not call Date.now() or Math.random()';",
    'const message = "setTimeout is banned; import fs is too";',
    'const message = `use host.now() instead of Date.now()`;',
    'const t = event.Date + row.setTimeout + host.performance;',
    'const nowNs = host.now(); const random = host.random.int(6);',
    'const myDate = 1; const isDateLike = true; const DateTime = 2;',
    'host.setTimer(100, "tick"); world.setTimeoutNs = 5;',
    "import { createHash } from 'node:crypto';",
    "import { Host } from '../nodes/host.js'; // import fs from 'fs'",
    'const re = /Date\\.now\\(\\)|["\']Math.random/g; const ok = 1;',
    "const label = `${kind}: Math.random is ${'banned'}`;",
    'const fsync = disk.fsync("log", 1); const netSize = 3;',
  ];
  for (const source of clean) {
    it(source.split('\n')[0]!, () => {
      expect(found(source)).toEqual([]);
    });
  }

  it('still sees code after a regex containing quotes, and inside template expressions', () => {
    expect(found('const re = /["\']/; const t = Date.now();')).toEqual(['Date']);
    expect(found('const s = `at ${Date.now()} ms`;')).toEqual(['Date']);
    expect(found('const s = `a ${`b ${Math.random()}`} c`;')).toEqual(['Math.random']);
  });
});

describe('stripCommentsAndStrings', () => {
  it('keeps the length and the line breaks of the text', () => {
    const text = "a /* x\ny */ 'q\\'r' `t${u}v\nw` // z\nend";
    const { code, strings } = stripCommentsAndStrings(text);
    expect(code).toHaveLength(text.length);
    expect(code.split('\n')).toHaveLength(text.split('\n').length);
    expect(code).toContain('end');
    expect(code).toContain('u');
    expect(code).not.toMatch(/[xyzqrtvw]/);
    expect([...strings.values()]).toContain("q\\'r");
  });
});

describe('findImports', () => {
  it('finds every kind of import with its line', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c.js';",
      "import './d.js';",
      "const e = await import('./e.js');",
      '// import nope from "./comment.js";',
      "const s = 'import nope from \"./string.js\"';",
      'import {',
      '  f,',
      "} from './f.js';",
    ].join('\n');
    expect(findImports(text).map((site) => [site.specifier, site.line])).toEqual([
      ['./a.js', 1],
      ['../b.js', 2],
      ['./c.js', 3],
      ['./d.js', 4],
      ['./e.js', 5],
      ['./f.js', 10],
    ]);
  });
});

describe('the repository', () => {
  it('is tidy', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const { violations } = tidy(root);
    expect(violations.map(formatViolation)).toEqual([]);
  });
});
