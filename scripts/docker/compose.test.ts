import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readComposeTarget } from '../cluster/compose-driver.js';
import { composeDocument, composeProblems, composeSchema, composeYaml, type ComposeOptions } from './compose.js';
import { parseYaml, toYaml, type YamlValue } from './yaml.js';

const options = (nodes: number): ComposeOptions => ({
  system: 'raft',
  nodes: Array.from({ length: nodes }, (_, index) => `n${index + 1}`),
  basePort: 7000,
  seed: 4,
  bugs: [],
  image: 'crucible:local',
  secretFile: '.crucible/compose/secret',
});

describe('the generated docker-compose.yml', () => {
  it('parses back to the document it was written from, and the document fits the compose schema', () => {
    for (const nodes of [1, 3, 5, 7]) {
      const text = composeYaml(options(nodes));
      const parsed = parseYaml(text);
      expect(parsed).toEqual(composeDocument(options(nodes)));
      const checked = composeSchema.safeParse(parsed);
      expect(checked.success ? [] : checked.error.issues).toEqual([]);
      if (checked.success) expect(composeProblems(checked.data)).toEqual([]);
      expect(Object.keys(parsed.services as object)).toHaveLength(2 * nodes);
    }
  });

  it('puts every node behind its proxy: peers dial proxies, proxies dial their node', () => {
    const document = composeDocument(options(3)) as { services: Record<string, { command: string[]; ports?: string[] }> };
    const n1 = document.services.n1!.command;
    expect(n1[n1.indexOf('--peers') + 1]).toBe('n2=proxy-n2:7000,n3=proxy-n3:7000');
    const proxy = document.services['proxy-n2']!.command;
    expect(proxy[proxy.indexOf('--upstream') + 1]).toBe('n2:7000');
    // Published only on the host's loopback.
    const ports = Object.values(document.services).flatMap((service) => service.ports ?? []);
    expect(ports.every((port) => port.startsWith('127.0.0.1:'))).toBe(true);
    expect(new Set(ports.map((port) => port.split(':')[1])).size).toBe(ports.length);
  });

  it('names the planted bug in every node command', () => {
    const document = composeDocument({ ...options(3), bugs: ['raft.stale-local-read'] }) as { services: Record<string, { command: string[] }> };
    for (const id of ['n1', 'n2', 'n3']) expect(document.services[id]!.command.join(' ')).toContain('--bug raft.stale-local-read');
  });

  it('is rejected by the checks when it is broken', () => {
    const broken = composeDocument(options(3)) as { services: Record<string, Record<string, unknown>> };
    broken.services.n1!.volumes = ['missing:/data'];
    broken.services['proxy-n1']!.command = ['node', '--upstream', 'nowhere:7000'];
    broken.services['proxy-n2']!.ports = ['127.0.0.1:7101:7000'];
    const checked = composeSchema.parse(broken);
    const problems = composeProblems(checked);
    expect(problems.some((line) => /missing is not declared/.test(line))).toBe(true);
    expect(problems.some((line) => /--upstream nowhere:7000 names no service/.test(line))).toBe(true);
    expect(problems.some((line) => /host port 127.0.0.1:7101 is also published/.test(line))).toBe(true);
    expect(composeSchema.safeParse({ ...broken, servics: {} }).success).toBe(false);
    expect(composeSchema.safeParse({ ...broken, services: { n1: { image: 'x', command: ['a'], restrat: 'no' } } }).success).toBe(false);
  });

  it('gives cluster test the addresses of the published ports', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-compose-'));
    const file = path.join(dir, 'docker-compose.yml');
    fs.writeFileSync(file, composeYaml({ ...options(3), basePort: 9000 }));
    const target = readComposeTarget(file);
    expect(target.nodes).toEqual(['n1', 'n2', 'n3']);
    expect(target.admin.n2).toEqual({ host: '127.0.0.1', port: 9002 });
    expect(target.clients.n2).toEqual({ host: '127.0.0.1', port: 9102 });
    expect(target.control.n3).toEqual({ host: '127.0.0.1', port: 9203 });
    expect(target.secretFile).toBe(path.join(dir, '.crucible/compose/secret'));
    fs.writeFileSync(file, 'services:\n  n1: yes\n');
    expect(() => readComposeTarget(file)).toThrow(/line 2: unquoted string/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the YAML subset', () => {
  const key = fc.string({ minLength: 1, maxLength: 8 });
  const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
  const leaf: fc.Arbitrary<YamlValue> = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));
  const tree = fc.letrec<{ map: Record<string, YamlValue> }>((tie) => ({
    map: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, leaf, tie('map')), { maxKeys: 4 }),
  })).map;

  it('reads back exactly what it writes, whatever the strings hold', () => {
    fc.assert(
      fc.property(tree, (document) => {
        expect(parseYaml(toYaml(document, ['a comment']))).toEqual(document);
      }),
    );
  });

  it('rejects what is outside the subset with a line number', () => {
    expect(() => parseYaml('a:\n\tb: 1\n')).toThrow(/line 2: tabs/);
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/line 2: duplicate key a/);
    expect(() => parseYaml('a:\n')).toThrow(/line 1: key a has no value/);
    expect(() => parseYaml('a: "x\n')).toThrow(/line 1: malformed quoted string/);
  });
});
