// A small, obviously-correct linearizability check of one read/write register (Wing & Gong's search
// with memoised (linearized set, value) states), enough to judge the test system's short histories.
// The project's real checker lives in checkers/; this one keeps faults/ tests independent of it.
import type { History } from '../../histories/schema.js';
import type { CheckerResult } from '../../checkers/verdict.js';

interface Op {
  f: 'read' | 'write';
  value: number | null;
  invoke: number;
  /** Index of the completion; Infinity for an op whose outcome is unknown. */
  complete: number;
  /** True when the op certainly completed (`ok`); unknown ops may be left out. */
  required: boolean;
}

/** States searched at most, then the verdict is `unknown` rather than a hang. */
const STATES_MAX = 200_000;

function collect(history: History): Op[] {
  const open = new Map<number, { f: string; value: unknown; invoke: number }>();
  const ops: Op[] = [];
  for (const record of history) {
    if (record.type === 'invoke') {
      open.set(record.process, { f: record.f, value: record.value, invoke: record.index });
      continue;
    }
    const started = open.get(record.process);
    if (started === undefined) continue;
    open.delete(record.process);
    if (record.type === 'fail') continue;
    const f = started.f === 'write' ? 'write' : 'read';
    // An unknown read tells nothing; an unknown write may have happened.
    if (record.type === 'info' && f === 'read') continue;
    const value = (f === 'write' ? started.value : record.value) as number | null;
    ops.push({ f, value, invoke: started.invoke, complete: record.type === 'ok' ? record.index : Infinity, required: record.type === 'ok' });
  }
  for (const started of open.values()) {
    if (started.f === 'write') ops.push({ f: 'write', value: started.value as number, invoke: started.invoke, complete: Infinity, required: false });
  }
  return ops;
}

export function checkRegister(history: History): CheckerResult {
  const ops = collect(history);
  const seen = new Set<string>();
  const done = new Array<boolean>(ops.length).fill(false);
  let states = 0;
  let exhausted = false;

  const search = (value: number | null, remainingRequired: number): boolean => {
    if (remainingRequired === 0) return true;
    const key = `${done.map((flag) => (flag ? '1' : '0')).join('')}|${value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (++states > STATES_MAX) {
      exhausted = true;
      return false;
    }
    let horizon = Infinity;
    for (let i = 0; i < ops.length; i++) if (!done[i] && ops[i]!.complete < horizon) horizon = ops[i]!.complete;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (done[i] || op.invoke > horizon) continue;
      if (op.f === 'read' && op.value !== value) continue;
      done[i] = true;
      const next = op.f === 'write' ? op.value : value;
      const found = search(next, remainingRequired - (op.required ? 1 : 0));
      done[i] = false;
      if (found) return true;
      if (exhausted) return false;
    }
    return false;
  };

  const required = ops.filter((op) => op.required).length;
  const ok = search(null, required);
  if (ok) return { checker: 'linearizable', verdict: 'valid', summary: `${ops.length} register ops linearize` };
  if (exhausted) return { checker: 'linearizable', verdict: 'unknown', summary: `search budget of ${STATES_MAX} states ran out` };
  return { checker: 'linearizable', verdict: 'invalid', summary: `${ops.length} register ops do not linearize` };
}
