// The history format of DESIGN.md: one operation is an `invoke` and then exactly one of `ok`,
// `fail` (it certainly did not happen) or `info` (unknown). Every codec reads into this shape and
// every checker reads from it, whatever tool recorded the history.
import { z } from 'zod';
import type { HistoryRecord as HostHistoryRecord } from '../nodes/host.js';

export const OP_TYPES = ['invoke', 'ok', 'fail', 'info'] as const;
export type OpType = (typeof OP_TYPES)[number];

export const historyRecordSchema = z
  .object({
    /** Position in the history, from 0, strictly increasing. */
    index: z.number().int().nonnegative(),
    /** The client process. A process whose op ended in `info` never invokes again. */
    process: z.number().int().nonnegative(),
    type: z.enum(OP_TYPES),
    f: z.string().min(1),
    value: z.unknown(),
    /** Present where the model is keyed (per-key linearizability). */
    key: z.string().optional(),
    /** Nanoseconds from run start (virtual in the simulator). Absent when the source had none. */
    time: z.number().int().nonnegative().optional(),
    /** The node that served the op, when known. */
    node: z.string().optional(),
  })
  .strict();

/** The record of nodes/host.ts; the schema above validates exactly that shape (checked below). */
export type HistoryRecord = HostHistoryRecord;

/** True when A and B are the same type: the schema and the host's record must not drift apart. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const schemaMatchesHost: Same<z.infer<typeof historyRecordSchema>, HostHistoryRecord> = true;
void schemaMatchesHost;

/** A whole history: records in index order. */
export type History = HistoryRecord[];

/**
 * The deepest nesting of arrays and objects (or EDN collections) a history value may have: checkers
 * compare and hash values recursively, so every reader refuses deeper input with a clear error.
 */
export const VALUE_DEPTH_MAX = 256;
