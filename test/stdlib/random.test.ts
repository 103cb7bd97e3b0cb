// The seedable generator against a reference mulberry32 written with exact
// BigInt arithmetic modulo 2^32 (rather than Math.imul and `>>> 0`), and a
// rough check of its uniformity.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../stdlib/random.js";

const M32 = 1n << 32n;
const mod32 = (x: bigint) => ((x % M32) + M32) % M32;

function referenceMulberry32(seed: number): () => number {
  let state = mod32(BigInt(seed));
  return () => {
    state = mod32(state + 0x6d2b79f5n);
    let t = mod32((state ^ (state >> 15n)) * (state | 1n));
    t = mod32(t ^ (t + mod32((t ^ (t >> 7n)) * (t | 61n))));
    return Number(t ^ (t >> 14n)) / 2 ** 32;
  };
}

describe("seededRandom", () => {
  it("gives the mulberry32 sequence of its seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const actual = seededRandom(seed);
        const expected = referenceMulberry32(seed);
        for (let i = 0; i < 50; i++) expect(actual()).toBe(expected());
      }),
      { numRuns: 50 },
    );
  });

  it("takes the seed modulo 2^32", () => {
    const a = seededRandom(5);
    const b = seededRandom(2 ** 32 + 5);
    for (let i = 0; i < 10; i++) expect(a()).toBe(b());
  });

  it("spreads values evenly over [0, 1)", () => {
    const random = seededRandom(1);
    const buckets = new Array<number>(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) {
      const x = random();
      expect(x >= 0 && x < 1).toBe(true);
      buckets[Math.floor(x * 10)]!++;
    }
    // 9 degrees of freedom: chi-square above 27.9 has probability 0.001.
    const chiSquare = buckets.reduce((sum, n) => sum + (n - draws / 10) ** 2 / (draws / 10), 0);
    expect(chiSquare).toBeLessThan(27.9);
  });
});
