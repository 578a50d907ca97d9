import { checkOperations, partsOf } from './checkers/linearizability.js';
import { models } from './checkers/models/index.js';
import { splitAtQuiescence } from './checkers/quiescent.js';
const model = models['cas-register-absent']!;
// a long sequential history on one key: writes and reads, one client
const ops: any[] = [];
let idx = 0;
for (let i = 0; i < 10000; i++) {
  const w = { process: 0, f: i % 2 ? 'read' : 'write', key: 'k', type: 'ok', invokeIndex: idx++, completeIndex: idx++, invokeValue: i % 2 ? null : i, value: i % 2 ? i - 1 : i };
  ops.push(w);
}
const { parts } = partsOf(ops, model, true);
console.log(parts.length, parts[0].ops.length);
const s = splitAtQuiescence(parts[0].ops, model);
console.log(s.segments.length, s.resolved, s.dropped);
const r = checkOperations(ops, model, {});
console.log(r.verdict, JSON.stringify(r.split), r.steps);
