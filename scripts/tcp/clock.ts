// The wall clock of a process under the TCP host: the machine's wall clock plus an offset a clock
// fault injected, which may grow or shrink over time (drift). Drift is honest: the offset is
// recomputed from the monotonic clock at every read, so a clock running `ppm` fast is ahead by
// ppm millionths of the time elapsed since the drift was set, as a fast crystal would be.
import type { Nanos } from '../../nodes/host.js';

/** What a clock fault sets: the offset now, and how fast it changes from now on. */
export interface ClockSetting {
  offsetNs: number;
  driftPpm: number;
}

/** Bounds that a clock request must respect (the fault kinds' own bounds, with room). */
export const CLOCK_OFFSET_NS_MAX = 24 * 3_600 * 1_000_000_000;
export const CLOCK_DRIFT_PPM_MAX = 1_000_000;

/** Says why a clock setting is unacceptable, or null. */
export function clockSettingProblem(setting: Partial<ClockSetting>): string | null {
  const { offsetNs, driftPpm } = setting;
  if (typeof offsetNs !== 'number' || !Number.isSafeInteger(offsetNs) || Math.abs(offsetNs) > CLOCK_OFFSET_NS_MAX) {
    return `offsetNs must be an integer within ±${CLOCK_OFFSET_NS_MAX}`;
  }
  if (typeof driftPpm !== 'number' || !Number.isFinite(driftPpm) || Math.abs(driftPpm) > CLOCK_DRIFT_PPM_MAX) {
    return `driftPpm must be a number within ±${CLOCK_DRIFT_PPM_MAX}`;
  }
  return null;
}

export class SkewedClock {
  private offsetNs = 0;
  private driftPpm = 0;
  /** Monotonic time when the setting took effect. */
  private sinceNs = 0;

  constructor(private readonly monotonicNow: () => Nanos) {}

  /** The offset from the machine's wall clock right now. */
  offsetNowNs(): number {
    if (this.driftPpm === 0) return this.offsetNs;
    return this.offsetNs + Math.round(((this.monotonicNow() - this.sinceNs) * this.driftPpm) / 1_000_000);
  }

  set(setting: ClockSetting): void {
    const problem = clockSettingProblem(setting);
    if (problem !== null) throw new Error(`clock: ${problem}`);
    this.offsetNs = setting.offsetNs;
    this.driftPpm = setting.driftPpm;
    this.sinceNs = this.monotonicNow();
  }

  setting(): ClockSetting {
    return { offsetNs: this.offsetNowNs(), driftPpm: this.driftPpm };
  }
}
