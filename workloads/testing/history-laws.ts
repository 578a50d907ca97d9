// Laws every workload client's history must obey, whatever the cluster did: records are numbered in
// order and time never runs back; each process alternates invoke and completion (so an invoke has at
// most one completion, with the same f and key); a process whose op ended `info` never appears again;
// and a client (process number modulo the client count) has at most one op outstanding.
import type { HistoryRecord } from '../../histories/schema.js';

export function historyLawProblems(history: readonly HistoryRecord[], clients: number): string[] {
  const problems: string[] = [];
  const open = new Map<number, HistoryRecord>();
  const retired = new Set<number>();
  const busyClients = new Set<number>();
  let lastTime = 0;
  history.forEach((record, position) => {
    const at = `index ${record.index}`;
    if (record.index !== position) problems.push(`${at}: expected index ${position}`);
    if (record.time === undefined || record.time < lastTime) problems.push(`${at}: time missing or runs back`);
    lastTime = record.time ?? lastTime;
    if (retired.has(record.process)) problems.push(`${at}: process ${record.process} appears after its info`);
    const client = record.process % clients;
    if (record.type === 'invoke') {
      if (open.has(record.process)) problems.push(`${at}: process ${record.process} invokes twice`);
      if (busyClients.has(client)) problems.push(`${at}: client ${client} has two ops outstanding`);
      open.set(record.process, record);
      busyClients.add(client);
      return;
    }
    const invoke = open.get(record.process);
    if (invoke === undefined) {
      problems.push(`${at}: ${record.type} with no open invoke`);
      return;
    }
    if (invoke.f !== record.f || invoke.key !== record.key) problems.push(`${at}: completion does not match its invoke`);
    open.delete(record.process);
    busyClients.delete(client);
    if (record.type === 'info') retired.add(record.process);
  });
  return problems;
}
