// Bursty arrivals: clients invoke only inside windows [j * everyNs, j * everyNs + lengthNs) of
// their elapsed time (which starts at 0 for every client, so the windows line up across clients),
// at the rate that spends the same budget as a steady client would. A hot key then meets its misses,
// expiries and writes at once, as a flash crowd does. Pure.

/**
 * The real delay until an arrival `gapNs` of burst time after `elapsedNs`: time outside the windows
 * does not count. With `everyNs` 0 there are no bursts and the gap is the delay.
 */
export function burstDelayNs(elapsedNs: number, gapNs: number, everyNs: number, lengthNs: number): number {
  if (everyNs === 0) return gapNs;
  if (!(lengthNs > 0 && lengthNs <= everyNs)) throw new Error(`bursts: lengthNs ${lengthNs} must be in (0, everyNs ${everyNs}]`);
  let t = elapsedNs;
  let left = gapNs;
  // Each round either returns or moves past one window edge, and the gap covers finitely many windows.
  for (;;) {
    const offset = t % everyNs;
    if (offset >= lengthNs) {
      t += everyNs - offset;
      continue;
    }
    const room = lengthNs - offset;
    if (left <= room) return Math.max(1, t + left - elapsedNs);
    left -= room;
    t += room;
  }
}
