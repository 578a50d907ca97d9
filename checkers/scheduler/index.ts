// The scheduler's checkers, pure over histories: fencing at the resource, the mutex model and the
// scheduler's lease promise, tokens across failovers, exactly-once and at-least-once effects, and
// the re-lease of a crashed holder's job.
export { checkFencedResource, fencingViolations, type FencingViolation } from './fencing.js';
export { checkMutex, checkLeaseExclusion, holdsOf, overlaps, leaseBreaches, type Hold } from './mutex.js';
export { checkTokens, tokenRegressions } from './tokens.js';
export { checkQuota, quotaExcesses } from './quota.js';
export { checkAtLeastOnce, checkExactlyOnce, checkRelease, duplicateEffects, type ReleaseOptions } from './delivery.js';
export { schedulerEvents, type SchedulerEvents } from './events.js';
