// A node's own clock. True (simulated) time runs evenly; a node's clock is a piecewise-linear
// function of it: an offset, a rate (drift in parts per million) and jumps, each applying from the
// true time it was set. `now()` is what the node sees; timers are durations on the node's clock and
// become true-time delays through the current rate.
//
// Two choices, stated here because nodes may depend on them:
// - A clock never reads below zero: a jump or offset that would take it negative reads as 0 (a
//   real wall clock cannot show a time before the epoch either). Clocks start WALL_EPOCH_NS past
//   the epoch, so only a skew of more than an hour back gets there.
// - Timers are measured like CLOCK_MONOTONIC: a jump moves `now()` but does not move timers
//   already set; drift does stretch them (the rate at the time they are set applies).
// - `monotonic()` is that timer clock read out: it runs at the clock's rate (drift applies) and
//   never moves under an offset or a jump, so it never goes back.
import { AssertionError, assert, isCount } from './assert.js';

/**
 * Where the wall clocks stand at true time 0: the run starts an hour after the cluster's epoch, so
 * a clock that starts skewed back (or is set back by up to an hour) still reads a positive time.
 */
export const WALL_EPOCH_NS = 3_600_000_000_000;

/** Drift beyond this is not a clock, it is a bug in the scenario. */
export const CLOCK_DRIFT_PPM_MAX = 500_000;

export interface ClockConfig {
  /** Each node's initial offset is drawn uniformly from [-offsetNsMax, offsetNsMax]. */
  offsetNsMax: number;
  /** Each node's initial drift is drawn uniformly from [-driftPpmMax, driftPpmMax] (integer ppm). */
  driftPpmMax: number;
}

export const CLOCK_CONFIG_DEFAULT: ClockConfig = { offsetNsMax: 0, driftPpmMax: 0 };

export class NodeClock {
  /** True time at which the current linear piece starts. */
  private baseTrueNs = 0;
  /** Clock value (unclamped) at `baseTrueNs`. */
  private baseClockNs = 0;
  private rate = 1;
  private driftPpmValue = 0;
  /** The monotonic reading (unrounded) at `monoBaseTrueNs`: only the rate moves it. */
  private monoBaseNs = 0;
  private monoBaseTrueNs = 0;

  /**
   * `offsetNs` and `driftPpm` are the machine's own skew and drift, from its start: clock faults
   * (setOffset, setDrift) act on top of them, and undoing a fault (0) gives the machine its own back.
   */
  constructor(
    private readonly ownOffsetNs = 0,
    private readonly ownDriftPpm = 0,
    /** Where the clock stands at true time 0 before its skew (the World uses WALL_EPOCH_NS). */
    private readonly epochNs = 0,
  ) {
    this.baseClockNs = epochNs + ownOffsetNs;
    this.setDrift(0, 0);
  }

  get driftPpm(): number {
    return this.driftPpmValue;
  }

  /** The clock's reading at true time `trueNs`: an integer, never negative. */
  now(trueNs: number): number {
    const value = Math.floor(this.baseClockNs + (trueNs - this.baseTrueNs) * this.rate);
    return value < 0 ? 0 : value;
  }

  /** The monotonic reading at `trueNs`: elapsed time at the clock's rate, blind to offsets and jumps. */
  monotonic(trueNs: number): number {
    return Math.floor(this.monoBaseNs + (trueNs - this.monoBaseTrueNs) * this.rate);
  }

  /** The unclamped reading, for tests of the clamping itself. */
  raw(trueNs: number): number {
    return this.baseClockNs + (trueNs - this.baseTrueNs) * this.rate;
  }

  /** True nanoseconds until a timer of `delayNs` on this clock fires (rounded up, so never early). */
  trueDelayNs(delayNs: number): number {
    if (!(Number.isFinite(delayNs) && delayNs >= 0)) throw new AssertionError(`timer delay must be a finite non-negative number, got ${delayNs}`);
    return Math.ceil(delayNs / this.rate);
  }

  /** From `trueNs` on, the clock reads true time plus its own skew plus `offsetNs` (the drift keeps its rate). */
  setOffset(trueNs: number, offsetNs: number): void {
    assert(isCount(trueNs) && Number.isSafeInteger(offsetNs), 'clock offset: need integer times');
    this.baseTrueNs = trueNs;
    this.baseClockNs = this.epochNs + trueNs + this.ownOffsetNs + offsetNs;
  }

  /** A step of `deltaNs` (forward when positive, back when negative) at `trueNs`. */
  jump(trueNs: number, deltaNs: number): void {
    assert(isCount(trueNs) && Number.isSafeInteger(deltaNs), 'clock jump: need integer times');
    this.baseClockNs = this.raw(trueNs) + deltaNs;
    this.baseTrueNs = trueNs;
  }

  /** From `trueNs` on, the clock runs `ppm` parts per million faster (positive) or slower (negative) than its own drift. */
  setDrift(trueNs: number, extraPpm: number): void {
    assert(isCount(trueNs), 'clock drift: need an integer time');
    const ppm = this.ownDriftPpm + extraPpm;
    assert(Number.isFinite(ppm) && Math.abs(ppm) <= CLOCK_DRIFT_PPM_MAX, `clock drift must be within +-${CLOCK_DRIFT_PPM_MAX} ppm, got ${ppm}`);
    this.baseClockNs = this.raw(trueNs);
    this.baseTrueNs = trueNs;
    this.monoBaseNs = this.monoBaseNs + (trueNs - this.monoBaseTrueNs) * this.rate;
    this.monoBaseTrueNs = trueNs;
    this.rate = 1 + ppm / 1_000_000;
    this.driftPpmValue = ppm;
  }
}
