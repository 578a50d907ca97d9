// The fault kinds one run may use: the kernel's, then the system's own, each one object. Everything
// that needs to know about kinds (a `--faults` list, a scenario's events, the drawer, the nemesis)
// asks the catalog, so a kind added by a plugin is a kind like any other.
import type { NodeId } from '../nodes/host.js';
import type { AnyFaultKind, FaultEvent, TargetSets } from './kind.js';
import { KERNEL_KINDS } from './kernel-kinds.js';

/** Older spellings a `--faults` list still accepts. */
const ALIASES: Readonly<Record<string, readonly string[]>> = { 'crash-restart': ['crash'] };

/** No target sets: targeted kinds aim at node ids only. */
export const NO_TARGETS: TargetSets = { names: [], pick: () => null };

/** Why a scenario's fault event is not valid, with the path inside the event. */
export class FaultEventError extends Error {
  constructor(
    readonly path: readonly (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'FaultEventError';
  }
}

export class FaultCatalog {
  private readonly byName = new Map<string, AnyFaultKind>();
  /** Group word -> kind names, in catalog order. */
  readonly groups: Readonly<Record<string, readonly string[]>>;

  constructor(
    readonly kinds: readonly AnyFaultKind[],
    readonly targets: TargetSets = NO_TARGETS,
  ) {
    const groups: Record<string, string[]> = {};
    for (const kind of kinds) {
      if (this.byName.has(kind.name)) throw new Error(`fault kind "${kind.name}" is declared twice`);
      if (kind.name === 'all' || kind.name === 'heal') throw new Error(`fault kind name "${kind.name}" is reserved`);
      this.byName.set(kind.name, kind);
      for (const group of kind.groups) (groups[group] ??= []).push(kind.name);
    }
    for (const [alias, names] of Object.entries(ALIASES)) {
      const known = names.filter((name) => this.byName.has(name));
      if (known.length > 0 && groups[alias] === undefined) groups[alias] = known;
    }
    for (const group of Object.keys(groups)) {
      if (this.byName.has(group)) throw new Error(`fault group "${group}" has the name of a kind`);
    }
    this.groups = groups;
  }

  names(): string[] {
    return this.kinds.map((kind) => kind.name);
  }

  /** The kind of a known name; an unknown one here is a bug of the caller (events are checked first). */
  kind(name: string): AnyFaultKind {
    const kind = this.byName.get(name);
    if (kind === undefined) throw new Error(`unknown fault kind "${name}" reached the nemesis unchecked`);
    return kind;
  }

  /**
   * Expands a `--faults` list (kinds and group names, or `all`) into kinds, in catalog order.
   * Throws with the offending word and the accepted names.
   */
  expand(words: readonly string[]): string[] {
    const chosen = new Set<string>();
    for (const raw of words) {
      const word = raw.trim();
      if (word === '') continue;
      if (word === 'all') for (const kind of this.kinds) chosen.add(kind.name);
      else if (this.byName.has(word)) chosen.add(word);
      else if (Object.hasOwn(this.groups, word)) for (const name of this.groups[word]!) chosen.add(name);
      else {
        throw new Error(
          `unknown fault kind "${word}" (expected all, one of ${this.names().join(', ')}, or a group: ${Object.keys(this.groups).join(', ')})`,
        );
      }
    }
    return this.names().filter((name) => chosen.has(name));
  }

  /** Kinds of `names` that mean something on a cluster of `nodeCount` servers. */
  applicable(names: readonly string[], nodeCount: number): string[] {
    return names.filter((name) => nodeCount >= this.kind(name).nodesMin);
  }

  /**
   * Validates one event with its kind's schema and checks the ids it names against `known` (when given) and
   * its target set against the system's names. Throws FaultEventError with the path in the event.
   */
  parseEvent(input: unknown, known: readonly NodeId[] | null): FaultEvent {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new FaultEventError([], 'expected an object {"atMs": ..., "kind": ...}');
    const given = (input as Record<string, unknown>).kind;
    if (given === undefined) throw new FaultEventError(['kind'], `missing "kind" (expected one of ${this.names().join(', ')})`);
    const kind = typeof given === 'string' ? this.byName.get(given) : undefined;
    if (kind === undefined) throw new FaultEventError(['kind'], `unknown fault kind ${JSON.stringify(given)} (expected one of ${this.names().join(', ')})`);
    const result = kind.schema.safeParse(input);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} for ${kind.name}`
          : issue.message;
      throw new FaultEventError(issue.path.map((part) => (typeof part === 'number' ? part : String(part))), message);
    }
    const event = result.data as FaultEvent;
    const unknown = known === null ? undefined : kind.named(event).find((id: NodeId) => !known.includes(id));
    if (unknown !== undefined) throw new FaultEventError([], `node "${unknown}" is not in this cluster (nodes are ${(known ?? []).join(', ')})`);
    if (event.role !== undefined && !this.targets.names.includes(event.role)) {
      const names = this.targets.names;
      throw new FaultEventError(['role'], `unknown target "${event.role}" (${names.length === 0 ? 'this system names no targets: give "node"' : `expected one of ${names.join(', ')}`})`);
    }
    return event;
  }
}

/** The catalog of a system: the kernel's kinds, then the system's own. */
export function faultCatalog(systemKinds: readonly AnyFaultKind[] = [], targets: TargetSets = NO_TARGETS): FaultCatalog {
  return new FaultCatalog([...KERNEL_KINDS, ...systemKinds], targets);
}
