// The fault events a scenario schedules: every fault kind of the kernel as one explicit, validated
// JSON object. A drawn schedule is always turned into these, so a run records exactly what it did.
import { z } from 'zod';

/** Every fault kind, in the order help texts and `--faults all` list them. */
export const FAULT_KINDS = [
  'partition-isolate',
  'partition-halves',
  'partition-bridge',
  'partition-ring',
  'partition-one-way',
  'drop',
  'dup',
  'reorder',
  'delay',
  'clog',
  'crash',
  'pause',
  'clock-offset',
  'clock-drift',
  'clock-jump',
  'disk-corrupt',
  'disk-fsync-fail',
  'disk-stall',
  'disk-full',
  'member-remove',
  'member-add',
  'leader-transfer',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** Names a `--faults` list may use for a group of kinds, or an older spelling of one. */
export const FAULT_KIND_GROUPS: Readonly<Record<string, readonly FaultKind[]>> = {
  partition: ['partition-isolate', 'partition-halves', 'partition-bridge', 'partition-ring', 'partition-one-way'],
  'isolate-leader': ['partition-isolate'],
  network: ['drop', 'dup', 'reorder', 'delay', 'clog'],
  'crash-restart': ['crash'],
  process: ['crash', 'pause'],
  clock: ['clock-offset', 'clock-drift', 'clock-jump'],
  disk: ['disk-corrupt', 'disk-fsync-fail', 'disk-stall', 'disk-full'],
  membership: ['member-remove', 'member-add'],
  admin: ['member-remove', 'member-add', 'leader-transfer'],
};

/** Kinds that need the system's `admin()` message; a system without one cannot run them. */
export const ADMIN_FAULT_KINDS: readonly FaultKind[] = ['member-remove', 'member-add', 'leader-transfer'];

/** Roles a fault may target; the node is chosen when the fault starts, from `status().role`. */
export const TARGET_ROLES = ['leader', 'follower'] as const;
export type TargetRole = (typeof TARGET_ROLES)[number];

const nodeId = z.string().min(1).max(64);
const atMs = z.number().int().nonnegative().max(86_400_000);
/** Absent: the fault lasts until the safety phase ends (instant kinds ignore it). */
const durationMs = z.number().int().positive().max(86_400_000).optional();
const probability = z.number().min(0).max(1);
const nodeList = z.array(nodeId).min(1).max(64);

/** A fault aimed at one node: by id, or by role at the moment it starts. Exactly one is set. */
const target = { node: nodeId.optional(), role: z.enum(TARGET_ROLES).optional() };

function event<K extends FaultKind, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.object({ atMs, kind: z.literal(kind), durationMs, ...shape }).strict();
}

const diskMode = z.enum(['lose', 'tear']);

export const faultEventSchema = z
  .discriminatedUnion('kind', [
    event('partition-isolate', target),
    event('partition-halves', { side: nodeList }),
    event('partition-bridge', { left: nodeList, right: nodeList, bridge: nodeId }),
    event('partition-ring', { order: nodeList }),
    event('partition-one-way', { from: nodeList, to: nodeList }),
    event('drop', { probability }),
    event('dup', { probability }),
    event('reorder', { probability, delayMsMax: z.number().int().positive().max(60_000) }),
    event('delay', { latencyMsMin: z.number().int().nonnegative().max(60_000), latencyMsMax: z.number().int().nonnegative().max(60_000) }),
    event('clog', { from: nodeId, to: nodeId }),
    event('crash', { ...target, mode: diskMode }),
    event('pause', target),
    event('clock-offset', { ...target, offsetMs: z.number().int().min(-3_600_000).max(3_600_000) }),
    event('clock-drift', { ...target, ppm: z.number().int().min(-100_000).max(100_000) }),
    event('clock-jump', { ...target, jumpMs: z.number().int().min(-3_600_000).max(3_600_000) }),
    event('disk-corrupt', target),
    event('disk-fsync-fail', target),
    event('disk-stall', { ...target, stallMs: z.number().int().positive().max(60_000) }),
    event('disk-full', target),
    event('member-remove', { node: nodeId }),
    event('member-add', { node: nodeId }),
    event('leader-transfer', { to: nodeId }),
  ])
  .superRefine((value, context) => {
    const fields = value as Record<string, unknown>;
    // Targeted kinds carry `node` or `role`; the membership and transfer kinds name their node
    // without a role and need no check here.
    if (isTargeted(value.kind)) {
      const hasNode = fields.node !== undefined;
      const hasRole = fields.role !== undefined;
      if (hasNode === hasRole) {
        context.addIssue({
          code: 'custom',
          path: ['node'],
          message: `give exactly one of "node" (a node id) or "role" (one of ${TARGET_ROLES.join(', ')})`,
        });
      }
    }
    if (value.kind === 'delay' && value.latencyMsMin > value.latencyMsMax) {
      context.addIssue({ code: 'custom', path: ['latencyMsMin'], message: 'must not exceed latencyMsMax' });
    }
  });

export type FaultEvent = z.infer<typeof faultEventSchema>;

/** The fault event of one kind. */
export type FaultEventOf<K extends FaultKind> = Extract<FaultEvent, { kind: K }>;

const TARGETED: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'partition-isolate',
  'crash',
  'pause',
  'clock-offset',
  'clock-drift',
  'clock-jump',
  'disk-corrupt',
  'disk-fsync-fail',
  'disk-stall',
  'disk-full',
]);

/** True for kinds aimed at one node by `node` or `role`. */
export function isTargeted(kind: FaultKind): boolean {
  return TARGETED.has(kind);
}

/** Kinds that happen at one instant; a `durationMs` on them means nothing. */
export const INSTANT_FAULT_KINDS: readonly FaultKind[] = ['clock-jump', 'member-add', 'leader-transfer'];

/**
 * Expands a `--faults` list (kinds and group names, or `all`) into kinds, in FAULT_KINDS order.
 * Throws with the offending word and the accepted names.
 */
export function expandFaultList(words: readonly string[]): FaultKind[] {
  const chosen = new Set<FaultKind>();
  for (const raw of words) {
    const word = raw.trim();
    if (word === '') continue;
    if (word === 'all') {
      for (const kind of FAULT_KINDS) chosen.add(kind);
    } else if ((FAULT_KINDS as readonly string[]).includes(word)) {
      chosen.add(word as FaultKind);
    } else if (Object.hasOwn(FAULT_KIND_GROUPS, word)) {
      for (const kind of FAULT_KIND_GROUPS[word]!) chosen.add(kind);
    } else {
      throw new Error(
        `unknown fault kind "${word}" (expected all, one of ${FAULT_KINDS.join(', ')}, or a group: ${Object.keys(FAULT_KIND_GROUPS).join(', ')})`,
      );
    }
  }
  return FAULT_KINDS.filter((kind) => chosen.has(kind));
}
