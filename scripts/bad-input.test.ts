// Generated garbage against every reader a user's file reaches: the history codecs (JSONL, Jepsen
// EDN, Porcupine kv and etcd logs, transactional EDN), scenarios and capsules. The law: a reader
// gives a clean one-line error of its own kind, or a result that the checker then judges (again a
// verdict or a clean error); never an internal error. And a file changed without changing its
// meaning (line endings, spacing, comments) gets the same verdict.
//
// Runs per property: CRUCIBLE_BAD_INPUT_RUNS (default 300, so `npm test` stays quick); the issue's
// measurement runs 10,000 per reader with CRUCIBLE_BAD_INPUT_RUNS=10000.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, MalformedHistoryError } from '../checkers/linearizability.js';
import { ModelInputError } from '../checkers/model.js';
import { findModel } from '../checkers/models/index.js';
import { randomHistory } from '../checkers/testing/random-history.js';
import { checkTxnHistory } from '../checkers/txn/check.js';
import { TxnInputError } from '../checkers/txn/txns.js';
import { readHistory, UnknownFormatError } from '../histories/detect.js';
import { writeEdnHistory } from '../histories/edn-history.js';
import { jsonProblem } from '../histories/json-problem.js';
import { encodeJsonl, HistoryFormatError } from '../histories/jsonl.js';
import type { History } from '../histories/schema.js';
import { readTxnEdnHistory } from '../histories/txn-edn.js';
import { UsageError } from './cli/command.js';
import { parseCapsule } from './lab/capsule.js';
import { parseScenarioText, ScenarioError } from './lab/scenario.js';

const RUNS = Number(process.env.CRUCIBLE_BAD_INPUT_RUNS ?? 300);
const model = findModel('cas-register')!;

/** The errors that are a reader's or a checker's own answer to bad input (each is one line). */
const CLEAN_ERRORS = [HistoryFormatError, UnknownFormatError, MalformedHistoryError, ModelInputError, TxnInputError, ScenarioError, UsageError];

/** Runs `read`; a clean error is fine (one line), anything else thrown fails the property. */
function cleanly<T>(read: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    const clean = CLEAN_ERRORS.some((kind) => error instanceof kind);
    if (!clean) throw new Error(`internal error on bad input: ${(error as Error)?.stack ?? String(error)}`);
    expect((error as Error).message, 'one line').not.toMatch(/\n/);
    expect((error as Error).message.length).toBeGreaterThan(0);
    return { ok: false };
  }
}

/** Tokens that have broken readers before, and their neighbours. */
const NASTY = ['{', '}', '[', ']', '(', ')', '#{', '#_', '#_ #_', '#inst', '"', '\\', ':type', ':ok', ':fail', ':invoke', 'nil', '1e400', '-0', '7.5',
  '99999999999999999999', '\u0000', '\uFEFF', '\r', '\n', ',', ';', ' ', ':process', ':value', '"index"', '"value":', 'null', '[[[[[[[[', ']]]]', 'INFO  jepsen.util - 0\t:ok\t:read\t'];

/** A text damaged the ways files are: a cut, a deletion, an insertion of a nasty token, a doubled line. */
function damaged(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...NASTY) }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), token: fc.constantFrom('#_ ', '[', '{"a":'), times: fc.integer({ min: 100, max: 5_000 }) }),
    fc.record({ kind: fc.constant('double-line' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('noise' as const), token: fc.string({ unit: 'binary', maxLength: 40 }) }),
  );
  return fc.tuple(text, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([start, edits]) => {
    let out = start;
    for (const e of edits) {
      const at = out.length === 0 ? 0 : ('at' in e ? e.at % (out.length + 1) : 0);
      switch (e.kind) {
        case 'cut':
          out = out.slice(0, at);
          break;
        case 'delete':
          out = out.slice(0, at) + out.slice(at + e.length);
          break;
        case 'insert':
          out = out.slice(0, at) + e.token + out.slice(at);
          break;
        case 'repeat':
          out = out.slice(0, at) + e.token.repeat(e.times) + out.slice(at);
          break;
        case 'double-line': {
          const lines = out.split('\n');
          const line = at % Math.max(1, lines.length);
          lines.splice(line, 0, lines[line] ?? '');
          out = lines.join('\n');
          break;
        }
        case 'noise':
          out += e.token;
          break;
      }
    }
    return out;
  });
}

const histories = randomHistory('cas-register', 12);
const porcupineKv = (history: History): string =>
  history.map((record) => `{:process ${record.process}, :type :${record.type}, :f :${record.f}, :key "k", :value ${record.value === null ? 'nil' : Array.isArray(record.value) ? `[${record.value.join(' ')}]` : record.value}}`).join('\n');
const etcdLog = (history: History): string =>
  history.map((record) => `INFO  jepsen.util - ${record.process}\t:${record.type}\t:${record.f}\t${record.value === null ? 'nil' : Array.isArray(record.value) ? `[${record.value.join(' ')}]` : record.value}`).join('\n');

const CODECS: { name: string; encode: (history: History) => string }[] = [
  { name: 'jsonl', encode: (history) => encodeJsonl(history) },
  { name: 'edn', encode: (history) => writeEdnHistory(history) },
  { name: 'porcupine-kv', encode: porcupineKv },
  { name: 'porcupine-etcd', encode: etcdLog },
];

/** Reads with format detection and checks: the verdict, or null for a clean refusal. */
function verdictOf(text: string): string | null {
  const read = cleanly(() => readHistory(text, 'garbage'));
  if (!read.ok) return null;
  const checked = cleanly(() => checkHistory(read.value.history, model, { budgetSteps: 200_000 }));
  return checked.ok ? checked.value.verdict : null;
}

describe('bad input never reaches an internal error', () => {
  for (const codec of CODECS) {
    it(`${codec.name}: damaged files get a clean error or a verdict`, () => {
      fc.assert(fc.property(damaged(histories.map(codec.encode)), (text) => void verdictOf(text)), { numRuns: RUNS });
    });

    it(`${codec.name}: a file reformatted without changing its meaning keeps its verdict`, () => {
      const reformat = fc.constantFrom<(text: string) => string>(
        (text) => text.replace(/\n/g, '\r\n'),
        (text) => `\n\n${text}\n\n`,
        (text) => (codec.name === 'jsonl' || codec.name === 'porcupine-etcd' ? text : text.replace(/, /g, ' ,  ')),
        (text) => (codec.name === 'edn' ? `; a comment\n${text.replace(/\n/g, ' ; more\n')}` : text),
      );
      fc.assert(
        fc.property(histories, reformat, (history, change) => {
          const text = codec.encode(history);
          expect(verdictOf(change(text))).toBe(verdictOf(text));
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('transactional EDN: damaged files get a clean error or a verdict', () => {
    const txnText = fc
      .array(fc.tuple(fc.nat(3), fc.constantFrom('invoke', 'ok', 'fail', 'info'), fc.array(fc.tuple(fc.constantFrom('append', 'r'), fc.constantFrom('x', 'y'), fc.nat(9)), { minLength: 1, maxLength: 3 })), { maxLength: 10 })
      .map((ops) => `[${ops.map(([process, type, micro]) => `{:process ${process}, :type :${type}, :f :txn, :value [${micro.map(([f, key, value]) => `[:${f} :${key} ${f === 'r' ? (type === 'ok' ? `[${value}]` : 'nil') : value}]`).join(' ')}]}`).join('\n')}]`);
    fc.assert(
      fc.property(damaged(txnText), (text) => {
        const read = cleanly(() => readTxnEdnHistory(text, 'garbage.edn'));
        if (read.ok) cleanly(() => checkTxnHistory(read.value, { model: 'list-append' }));
      }),
      { numRuns: RUNS },
    );
  });

  it('scenarios and capsules: damaged files get a clean error, never an internal one', () => {
    const scenario = fc.constantFrom(
      '{"system":"raft","nodes":5,"durationMs":4000,"workload":{"clients":3,"opsMax":100},"faults":[{"atMs":10,"kind":"crash","node":"n1","durationMs":500}],"network":{"latencyUsMin":1000,"latencyUsMax":5000}}',
      '{"system":"raft","faults":{"kinds":["all"],"swarm":true},"checkers":["linearizable"]}',
    );
    fc.assert(fc.property(damaged(scenario), (text) => void cleanly(() => parseScenarioText(text, 'garbage.json'))), { numRuns: RUNS });
    const capsule = scenario.map((text) => `{"format":"crucible.capsule","version":1,"system":"raft","seed":3,"scenario":${text},"verdict":"invalid"}`);
    fc.assert(
      fc.property(damaged(capsule), (text) => {
        const json = cleanly(() => {
          try {
            return JSON.parse(text) as unknown;
          } catch (error) {
            throw new UsageError(`garbage.json: not valid JSON (${jsonProblem(error)})`);
          }
        });
        if (json.ok) cleanly(() => parseCapsule(json.value, 'garbage.json'));
      }),
      { numRuns: RUNS },
    );
  });
});
