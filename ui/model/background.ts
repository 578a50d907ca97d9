// Which trace traffic is background: messages and timers that keep a system alive (heartbeats,
// pre-votes, pings, ticks) rather than tell its story. Views hide it by default and show it when
// asked. The plugin is to say which of its message types are background (issue 11 moves that
// vocabulary to the plugin); until it does, a run may list them itself and, failing that, the
// heuristic below decides. This is the ONE place that guesses; nothing else in ui/ names a type.
import type { TraceEventRow } from '../../histories/store.js';

/**
 * HEURISTIC (until plugins declare their background types): a message type is background when a
 * word of it says keep-alive. Responses (`x.resp`, `x-ack`) follow their request.
 */
const BACKGROUND_TYPE_WORDS = /(^|[.\-_:])(heartbeat|heart-beat|hb|ping|pong|keepalive|keep-alive|prevote|pre-vote|gossip|probe|tick)([.\-_:]|$)/i;

/** Kernel kinds that are background: timers firing, fsyncs completing, fault-point draws. */
const BACKGROUND_KINDS = /^(timer\.|disk\.|proc\.fault-point)/;

export interface BackgroundRule {
  /** Message types named background by the run or the plugin; the heuristic is used when absent. */
  types: ReadonlySet<string> | null;
}

/** The rule for a run: a `backgroundMessages` list in its scenario when it has one, else the heuristic. */
export function backgroundRule(scenario: unknown): BackgroundRule {
  const listed = (scenario as { backgroundMessages?: unknown } | null)?.backgroundMessages;
  if (Array.isArray(listed) && listed.every((item) => typeof item === 'string')) return { types: new Set(listed as string[]) };
  return { types: null };
}

/** The message type a trace event carries, if any. */
export function messageType(event: TraceEventRow): string | undefined {
  const value = event.fields?.type ?? event.fields?.msgType;
  return typeof value === 'string' ? value : undefined;
}

export function isBackgroundType(type: string, rule: BackgroundRule): boolean {
  if (rule.types !== null) return rule.types.has(type);
  return BACKGROUND_TYPE_WORDS.test(type);
}

/** True for events hidden unless asked: timers, disk completions, and background messages. */
export function isBackgroundEvent(event: TraceEventRow, rule: BackgroundRule): boolean {
  if (BACKGROUND_KINDS.test(event.kind)) return true;
  const type = messageType(event);
  return type !== undefined && event.kind.startsWith('msg.') && isBackgroundType(type, rule);
}
