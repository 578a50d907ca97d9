// The queue workload's options (a plugin-owned zod schema, workloads/system.ts): how many keys
// (each its own partition), the producer's acks, the topic's unclean-election setting, the op mix,
// and the length of the final phase.
import { z } from 'zod';
import { BROKER_DEFAULTS } from '../../nodes/broker/index.js';

export const queueOptionsSchema = z
  .object({
    keys: z.number().int().min(1).max(BROKER_DEFAULTS.partitions).default(BROKER_DEFAULTS.partitions),
    /** The producer's acks: 'all' waits for the high watermark; 1 for the leader's append; 0 for nothing. */
    acks: z.union([z.literal('all'), z.literal(1), z.literal(0)]).default('all'),
    /** unclean.leader.election.enable, set on the controller by client 0 before it starts. */
    uncleanElection: z.boolean().default(false),
    sendPercent: z.number().int().min(0).max(100).default(50),
    assignPercent: z.number().int().min(0).max(100).default(5),
    valuesPerSendMax: z.number().int().min(1).max(16).default(3),
    /**
     * Consume as a group (subscribe, commit) instead of assigning: clients join group `g`, take the
     * partitions the coordinator assigns from the committed offsets, and commit their positions
     * (`assignPercent` is then the share of commits). The final phase still assigns everything.
     */
    subscribe: z.boolean().default(false),
    /** The final phase (assign everything from the beginning, poll to the end) starts this long before clients stop. */
    finalPhaseMs: z.number().int().min(100).max(60_000).default(2_000),
  })
  .strict()
  .refine((options) => options.sendPercent + options.assignPercent <= 100, { message: 'sendPercent + assignPercent must be at most 100' });

export type QueueOptions = z.infer<typeof queueOptionsSchema>;
