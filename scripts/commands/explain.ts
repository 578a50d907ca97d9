// `crucible explain RUN_ID|CAPSULE_FILE`: why a failing run failed. Replays it once per fault event
// to find the necessary ones, follows the messages that led to the violating step, and names the
// node and message at fault (scripts/lab/explain.ts).
import { existsSync } from 'node:fs';
import { EXIT, type Command } from '../cli/command.js';
import { explainRun, explanationLines } from '../lab/explain.js';
import { PLUGIN_FLAG, resolvePlugin } from '../lab/plugin.js';
import { fromCapsule, fromStore, type Target } from './replay.js';

export const command: Command = {
  name: 'explain',
  summary: 'Explain a failing run: the necessary faults, the message chain to the violation, the node at fault',
  usage: 'crucible explain RUN_ID|CAPSULE_FILE [--json]',
  positionals: [{ name: 'target', description: 'A stored run id or a capsule file (.json)', required: true }],
  flags: [PLUGIN_FLAG],
  details: [
    'Replays the run (1 + one per fault event + 1 times; a shrunk capsule has few): a fault event is',
    'NECESSARY when the run without it no longer has the same violation (measured by replay, not',
    'guessed). The chain follows, back from the step where the violation showed, the last message',
    'delivered to that node before it, then the last one delivered to its sender, and so on back to',
    'the first necessary fault; each hop shows both nodes\' status as the system reports it.',
    'With --json: {violation, summary, point, faults[{index, event, necessary, without}], chain[{from,',
    'to, type, sentNs, deliveredNs, fromStatus, toStatus}], chainCut, atFault}.',
    'Exit 0 when explained; 2 when the target cannot be read or its run is not invalid.',
  ].join('\n'),
  async run(args, context) {
    const target = args.positionals[0]!;
    const chosen: Target = /^\d+$/.test(target) && !existsSync(target) ? fromStore(Number(target), context.store) : fromCapsule(target);
    if (chosen.warning !== null) context.err(`crucible explain: warning: ${chosen.warning}`);
    const plugin = await resolvePlugin(chosen.system, (args.flags.plugin as string | undefined) ?? chosen.plugin);
    const explanation = explainRun(chosen.scenario, chosen.seed, plugin, chosen.source);
    if (context.json) context.out(JSON.stringify(explanation));
    else {
      context.out(`explain ${chosen.source} (system ${chosen.system}, seed ${chosen.seed}${chosen.scenario.bug ? `, bug ${chosen.scenario.bug}` : ''})`);
      for (const line of explanationLines(explanation)) context.out(line);
    }
    return EXIT.OK;
  },
};
