// Fault events as a scenario file holds them, before the system is known: each is an object with
// `atMs`, `kind` and an optional `durationMs`; its own fields are checked against its kind's schema
// by the system's catalog (faults/catalog.ts) once the scenario's system is known.
import { z } from 'zod';
import type { FaultEvent } from './kind.js';

export type { FaultEvent } from './kind.js';

/** The shape every event shares; the rest passes through to the kind's own strict schema. */
export const faultEventShapeSchema = z
  .object({
    atMs: z.number().int().nonnegative().max(86_400_000),
    kind: z.string().min(1).max(64),
    durationMs: z.number().int().positive().max(86_400_000).optional(),
  })
  .passthrough() as unknown as z.ZodType<FaultEvent>;
