// A system that does nothing and whose one checker says what its workload's name says (`valid`,
// `invalid`, `unknown`), so the commands' exit-code contract can be tested code by code. Tests only;
// loaded with `--plugin workloads/testing/verdict-plugin.ts`.
import type { Process } from '../../nodes/host.js';
import type { Verdict } from '../../checkers/verdict.js';
import type { SystemPlugin, Workload } from '../system.js';

const idle: Process = { start() {}, onMessage() {}, onTimer() {}, onFsync() {} };

function workload(verdict: Verdict): Workload {
  return {
    name: verdict,
    description: `no clients; its checker says ${verdict}`,
    client: () => (host) => ({ ...idle, start: () => host.done() }),
    check: () => [{ checker: 'verdict', verdict, summary: `the ${verdict} workload says ${verdict}` }],
  };
}

export const system: SystemPlugin = {
  name: 'verdicts',
  description: 'does nothing; the workload name is the verdict (tests only)',
  node: () => idle,
  nodes: { default: 1, min: 1, max: 3 },
  workloads: { valid: workload('valid'), invalid: workload('invalid'), unknown: workload('unknown') },
  defaultWorkload: 'valid',
  bugs: [],
  params: {},
};
