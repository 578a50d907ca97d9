// Swarm mode, in the spirit of TigerBeetle's VOPR and of "swarm testing" (Groce et al.): each seed
// also draws which fault kinds are on and how hard they hit, so a campaign explores quiet runs with
// one rare fault as well as storms, instead of the same average mix every time.
import type { Random } from '../nodes/host.js';
import { eventsMaxFor, type Intensity, type Bursts } from './schedule.js';

export interface SwarmDraw {
  kinds: string[];
  weights: Record<string, number>;
  intensity: Intensity;
  linkProbabilityMax: number;
  /** Storms of fault starts close together; undefined when this seed drew none. */
  bursts: Bursts | undefined;
  faultPoints: { enabled: boolean; numerator: number; denominator: number };
  /** Flat record of everything drawn, for the banner and the recorded scenario. */
  record: Record<string, number | string | boolean | string[]>;
}

/**
 * Swarm parameters for one seed from `random`, over the kinds the system can run. The drawn cap is
 * per 10 s of `faultMs` (the fault time the schedule will span; absent: 10 s), so a seed that draws
 * "rare faults" keeps that density over an hour instead of spending its cap in the first minute.
 */
export function drawSwarm(random: Random, available: readonly string[], faultMs = 0): SwarmDraw {
  // Each kind is on with odds drawn per seed (from a few kinds to most of them), so that some seeds
  // hammer two or three kinds together instead of always averaging over half of them; at least
  // one stays on so the run is not fault-free.
  const keepPercent = random.pick([15, 30, 50, 75]);
  let kinds = available.filter(() => random.chance(keepPercent, 100));
  if (kinds.length === 0 && available.length > 0) kinds = [random.pick(available)];
  const weights: Record<string, number> = {};
  for (const kind of kinds) weights[kind] = random.range(1, 4);
  // From a rare fault to a storm: up to 8 starts per simulated second on average, and bursts.
  const ratePerSecond = random.pick([0.1, 0.25, 0.5, 1, 2, 4, 8]);
  const durationMsMin = random.pick([10, 50, 100, 300]);
  const durationMsMax = durationMsMin * random.pick([2, 5, 10, 30]);
  // The record keeps the drawn count (per 10 s of fault time), as it always said; the banner prints the cap.
  const eventsPerWindow = random.pick([4, 16, 64]);
  const eventsMax = eventsMaxFor(eventsPerWindow, faultMs);
  const linkProbabilityMax = random.pick([0.01, 0.05, 0.2, 0.5]);
  const burstsOn = random.chance(2, 3);
  const bursts: Bursts | undefined = burstsOn
    ? { percent: random.pick([10, 25, 50]), sizeMax: random.pick([3, 5, 8]), gapMsMax: random.pick([5, 20, 100]), atStart: random.chance(3, 4) }
    : undefined;
  const faultPointsOn = random.chance(1, 3);
  const faultPoints = { enabled: faultPointsOn, numerator: 1, denominator: faultPointsOn ? random.pick([10, 100, 1000]) : 100 };
  const intensity: Intensity = { ratePerSecond, durationMsMin, durationMsMax, eventsMax };
  // Drawn last, so every draw above is what it was before this one existed.
  const livenessMode = random.chance(1, 2) ? 'core' : 'heal-all';
  const record: SwarmDraw['record'] = {
    kinds,
    ratePerSecond,
    durationMsMin,
    durationMsMax,
    eventsMax: eventsPerWindow,
    linkProbabilityMax,
    bursts: bursts === undefined ? 'off' : `${bursts.percent}% x${bursts.sizeMax} within ${bursts.gapMsMax} ms${bursts.atStart ? ', one at start' : ''}`,
    faultPoints: faultPointsOn ? `1/${faultPoints.denominator}` : 'off',
    livenessMode,
  };
  for (const kind of kinds) record[`weight.${kind}`] = weights[kind]!;
  return { kinds, weights, intensity, linkProbabilityMax, bursts, faultPoints, record };
}
