// Random 32-bit words for Zobrist hashing of the linearized set: the set's hash is the XOR of its
// ops' words, updated in one instruction when an op is linearized or taken back. Drawn from a
// fixed-seed generator (SplitMix32), so a check is the same computation on every run.

/** Fills `words` from `seed`, and returns it. */
export function zobristWords(words: Int32Array, seed: number): Int32Array {
  let state = seed | 0;
  for (let index = 0; index < words.length; index += 1) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    words[index] = z ^ (z >>> 16);
  }
  return words;
}
