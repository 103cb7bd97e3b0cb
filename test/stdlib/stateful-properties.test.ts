// Properties of the stateful functions against independent reference
// computations: folds, exact rational sums, naive windows, sorting, shifts.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { T, type NType } from "../../grammar/types.js";
import type { Value } from "../../stdlib/values.js";
import { seededRandom } from "../../stdlib/random.js";
import { entryNamed, runRows, typeCall, type CallSetup } from "./harness.js";

const u8: NType = { type: T.u8, nullable: false };
const u8n: NType = { type: T.u8, nullable: true };
const u32: NType = { type: T.u32, nullable: false };
const float: NType = { type: T.float, nullable: false };

/** Results after each value of a one-argument aggregate over a sequence of tuples. */
function fold(name: string, type: NType, xs: readonly Value[], nulls: "skip" | "keep" = "skip"): Value[] {
  return runRows(entryNamed(name), { types: [type], constants: [undefined], nulls, lifespan: "globally" }, xs.map((x) => [x])).results;
}

function prefixes<T>(xs: readonly T[]): T[][] {
  return xs.map((_, i) => xs.slice(0, i + 1));
}

describe("SUM", () => {
  it("wraps integer sums at the width of the operand", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 50 }), (xs) => {
        const expected = prefixes(xs).map((p) => Number(BigInt.asUintN(8, p.reduce((a, x) => a + BigInt(x), 0n))));
        expect(fold("sum", u8, xs)).toEqual(expected);
      }),
    );
  });

  it("wraps signed 64-bit sums", () => {
    const i64: NType = { type: T.i64, nullable: false };
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { minLength: 1, maxLength: 20 }), (xs) => {
        const expected = prefixes(xs).map((p) => BigInt.asIntN(64, p.reduce((a, x) => a + x, 0n)));
        expect(fold("sum", i64, xs)).toEqual(expected);
      }),
    );
  });

  it("is within the Neumaier error bound of the exact rational sum", () => {
    // Values k·2^e are multiples of 2^-20, so exact sums are integers in units of 2^-20,
    // and so is every double the summation produces.
    const scaled = fc.record({ k: fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), e: fc.integer({ min: -20, max: 40 }) });
    fc.assert(
      fc.property(fc.array(scaled, { minLength: 1, maxLength: 30 }), (items) => {
        const xs = items.map(({ k, e }) => k * 2 ** e);
        const exactUnits = items.reduce((a, { k, e }) => a + (BigInt(k) << BigInt(e + 20)), 0n);
        const computed = fold("sum", float, xs).at(-1) as number;
        const errorUnits = Number(BigInt(computed * 2 ** 20) - exactUnits);
        const absSum = xs.reduce((a, x) => a + Math.abs(x), 0) * 2 ** 20;
        const eps = 2 ** -53;
        const bound = 2 * eps * Math.abs(Number(exactUnits)) + 4 * xs.length * eps * eps * absSum;
        expect(Math.abs(errorUnits)).toBeLessThanOrEqual(bound);
      }),
    );
  });

  it("gets the cancelling example right where naive summation does not", () => {
    const xs = [1.0, 1e100, 1.0, -1e100];
    expect(xs.reduce((a, x) => a + x, 0)).toBe(0);
    expect(fold("sum", float, xs).at(-1)).toBe(2);
  });

  it("gives the same result in immediate mode as over tuples", () => {
    const list: NType = { type: T.list(u8n), nullable: false };
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }), { maxLength: 30 }), fc.constantFrom("skip" as const, "keep" as const), (xs, nulls) => {
        const setup: CallSetup = { types: [list], constants: [undefined], nulls, lifespan: "immediately" };
        const immediate = runRows(entryNamed("sum"), setup, [[xs]]).results[0];
        const tuples = fold("sum", u8n, xs, nulls).filter((_, i) => nulls === "keep" || xs[i] !== null);
        const expected = xs.length === 0 ? null : nulls === "skip" && xs.every((x) => x === null) ? null : (tuples.at(-1) ?? null);
        expect(immediate).toEqual(expected);
      }),
    );
  });
});

describe("AVG", () => {
  it("is the mean of the integers seen so far", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 50 }), (xs) => {
        const got = fold("avg", u32, xs) as number[];
        prefixes(xs).forEach((p, i) => {
          const mean = Number(p.reduce((a, x) => a + BigInt(x), 0n)) / p.length;
          expect(Math.abs(got[i]! - mean)).toBeLessThanOrEqual(mean * 1e-15);
        });
      }),
    );
  });
});

describe("MIN and MAX", () => {
  // Reference order: NaN below every number, and the first of equal values is kept.
  const below = (a: number, b: number) => (a !== a ? b === b : b === b && a < b);
  const reference = (xs: readonly number[], better: (a: number, b: number) => boolean) =>
    prefixes(xs).map((p) => p.reduce((best, x) => (better(x, best) ? x : best)));

  it("agree with a fold over random doubles (NaN, infinities, signed zeros)", () => {
    fc.assert(
      fc.property(fc.array(fc.double(), { minLength: 1, maxLength: 40 }), (xs) => {
        const mins = fold("min", float, xs);
        const maxs = fold("max", float, xs);
        reference(xs, below).forEach((m, i) => expect(Object.is(mins[i], m)).toBe(true));
        reference(xs, (a, b) => below(b, a)).forEach((m, i) => expect(Object.is(maxs[i], m)).toBe(true));
      }),
    );
  });

  it("skip NULLs, and keep NULL once one was aggregated with KEEP NULLS", () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }), { minLength: 1, maxLength: 30 }), (xs) => {
        const skip = fold("min", u8n, xs, "skip");
        const keep = fold("min", u8n, xs, "keep");
        prefixes(xs).forEach((p, i) => {
          const present = p.filter((x): x is number => x !== null);
          expect(skip[i]).toBe(present.length === 0 ? null : Math.min(...present));
          expect(keep[i]).toBe(present.length < p.length ? null : Math.min(...present));
        });
      }),
    );
  });
});

describe("MOVEAVG and SEASON_MOVEAVG", () => {
  it("agree with a naive window over the previous values", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (p, k, xs) => {
          const got = runRows(
            entryNamed("season_moveavg"),
            { types: [u32, u32, float], constants: [p, k, undefined] },
            xs.map((x) => [p, k, x]),
          ).results as number[];
          xs.forEach((_, i) => {
            let sum = 0;
            for (let j = 1; j <= k; j++) sum += i - j * p >= 0 ? xs[i - j * p]! : 0;
            expect(Math.abs(got[i]! - sum / k)).toBeLessThanOrEqual(1e-6);
          });
        },
      ),
    );
  });

  it("recover once an infinite value has left the window", () => {
    const xs = [1, Infinity, 2, 3, 4];
    const got = runRows(entryNamed("moveavg"), { types: [u32, float], constants: [2, undefined] }, xs.map((x) => [2, x])).results;
    expect(got).toEqual([0, 0.5, Infinity, Infinity, 2.5]);
  });
});

describe("LARGEST and SMALLEST", () => {
  const params = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.boolean()));

  it("agree with sorting the values seen so far", () => {
    fc.assert(
      fc.property(params, fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 }), ([n, b, upTo], xs) => {
        for (const largest of [true, false]) {
          const got = runRows(
            entryNamed(largest ? "largest" : "smallest"),
            { types: [u32, u32, u8, null], constants: [n, b, undefined, undefined], options: { upTo } },
            xs.map((x) => [n, b, x, null]),
          ).results;
          prefixes(xs).forEach((p, i) => {
            const best = [...p].sort((x, y) => (largest ? y - x : x - y)).slice(0, n);
            const nullNow = upTo ? best.length <= b : best.length < n;
            // Drop the b most extreme, then list from the least to the most extreme.
            expect(got[i]).toEqual(nullNow ? null : best.slice(b).reverse());
          });
        }
      }),
    );
  });
});

describe("LAG", () => {
  it("is the sequence shifted by k (KEEP NULLS records NULLs)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.array(fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }), { maxLength: 30 }), (k, xs) => {
        const got = runRows(entryNamed("lag"), { types: [u32, u8n], constants: [k, undefined], nulls: "keep" }, xs.map((x) => [k, x])).results;
        expect(got).toEqual(xs.map((_, i) => (i >= k ? xs[i - k] : null)));
      }),
    );
  });

  it("with SKIP NULLS shifts the non-null values only", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }), { maxLength: 30 }), (k, xs) => {
        const got = runRows(entryNamed("lag"), { types: [u32, u8n], constants: [k, undefined] }, xs.map((x) => [k, x])).results;
        let last: Value = null;
        const present: number[] = [];
        xs.forEach((x, i) => {
          if (x !== null) {
            present.push(x);
            last = present.length > k ? present[present.length - 1 - k]! : null;
          }
          expect(got[i]).toBe(last);
        });
      }),
    );
  });
});

describe("randomness comes from ImplCall.random", () => {
  it("SAMPLE replaces slot floor(random × i) when it is below n", () => {
    const run = (r: number) =>
      runRows(entryNamed("sample"), { types: [u32, u8], constants: [2, undefined], context: { random: () => r } }, [1, 2, 3, 4, 5].map((x) => [2, x])).results.at(-1);
    expect(run(0)).toEqual([5, 2]);
    expect(run(0.999)).toEqual([1, 2]);
  });

  it("SAMPLE(1, x) keeps each of three values about a third of the time", () => {
    // A seeded sequence: deterministic, roughly uniform.
    const random = seededRandom(42);
    const counts = [0, 0, 0];
    for (let trial = 0; trial < 3000; trial++) {
      const kept = runRows(entryNamed("sample"), { types: [u32, u8], constants: [1, undefined], context: { random } }, [0, 1, 2].map((x) => [1, x])).results.at(-1) as number[];
      counts[kept[0]!]!++;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});

describe("typing", () => {
  it("aggregates a single list operand immediately by default, and needs a list when IMMEDIATELY is written", () => {
    const list: NType = { type: T.list(u8), nullable: false };
    const immediate = typeCall(entryNamed("min"), { types: [list], constants: [undefined] });
    expect(immediate.ok && immediate.call.resultType).toEqual({ type: T.u8, nullable: true });
    const overTuples = typeCall(entryNamed("min"), { types: [list], constants: [undefined], lifespan: "locally" });
    expect(overTuples.ok && overTuples.call.resultType).toEqual({ type: list.type, nullable: false });
    const bad = typeCall(entryNamed("min"), { types: [u8], constants: [undefined], lifespan: "immediately" });
    expect(bad.ok ? "" : bad.code).toBe("RQ3018");
  });

  it("GROUP items are non-null with SKIP NULLS, nullable with KEEP NULLS", () => {
    const skip = typeCall(entryNamed("group"), { types: [u8n], constants: [undefined] });
    expect(skip.ok && skip.call.resultType).toEqual({ type: T.list(u8), nullable: true });
    const keep = typeCall(entryNamed("group"), { types: [u8n], constants: [undefined], nulls: "keep" });
    expect(keep.ok && keep.call.resultType).toEqual({ type: T.list(u8n), nullable: false });
  });

  it("default aliases follow §4.2", () => {
    const alias = (name: string) => entryNamed(name).defaultAlias?.("x", { constants: [] });
    expect(["min", "max", "sum", "avg", "agg_and", "agg_or", "first", "last", "histogram", "group"].map(alias)).toEqual([
      "min_x",
      "max_x",
      "sum_x",
      "avg_x",
      "and_x",
      "or_x",
      "first_x",
      "last_x",
      "x_histogram",
      "x",
    ]);
    expect(alias("count")).toBeUndefined();
  });

  it("sequence functions have no immediate mode", () => {
    const r = typeCall(entryNamed("moveavg"), { types: [u32, float], constants: [2, undefined], lifespan: "immediately" });
    expect(r.ok ? "" : r.code).toBe("RQ2031");
  });

  it("time arguments that default to #start are declared", () => {
    expect(entryNamed("derive").defaultTime).toEqual({ index: 1 });
    expect(entryNamed("remember").defaultTime).toEqual({ index: 3 });
    expect(entryNamed("every").defaultTime).toEqual({ index: 2 });
    expect(entryNamed("past").defaultTime).toEqual({ index: 2 });
    expect(entryNamed("top").defaultTime).toEqual({ index: 4, onlyWith: 5 });
  });
});
