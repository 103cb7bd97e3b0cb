// The one seedable pseudo-random generator of the project. Workers give it
// to the functions they run as ImplCall.random when `--seed` /
// RAMEN_RANDOM_SEED is set (cli-runtime.md §5), so that RANDOM, SAMPLE and
// the other random functions are reproducible; tests and benchmarks use it
// for deterministic data.

/**
 * mulberry32: a generator of uniformly distributed floats in [0, 1) whose
 * sequence depends only on `seed` (taken modulo 2^32). Fast and small, with a
 * period of 2^32: good for sampling and test data, not for cryptography.
 * Each call of the returned function advances one 32-bit state without
 * allocating, so it suits per-tuple code.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
