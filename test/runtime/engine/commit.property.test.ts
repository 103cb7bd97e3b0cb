// The commit steps of raql.md §4.6, generated code against small reference
// models written here from the spec, on random inputs. Row order between
// groups committed by the same tuple is not specified: outputs are compared
// as sorted lists.

import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { Value } from "../../../stdlib/values.js";
import { type Compiled, compile, feed } from "./harness.js";

const W = 10;

const PROGRAM = `
DEFINE src AS READ FROM FILE "unused.csv" AS CSV (t u32, k u8, v u16);
-- a comparison of an in-side with an out-side: the group heap
DEFINE windows AS FROM src
  SELECT k, t // ${W} * ${W} AS w, SUM v AS s, COUNT v AS n
  GROUP BY k, t // ${W}
  COMMIT AFTER in.t >= out.w + ${W};
-- the same condition in a form the heap does not take: every group scanned
DEFINE windows_scan AS FROM src
  SELECT k, t // ${W} * ${W} AS w, SUM v AS s, COUNT v AS n
  GROUP BY k, t // ${W}
  COMMIT AFTER in.t >= out.w + ${W} OR in.k = 255;
-- the same groups found through nested maps (a string key part) and through a key text (a tuple key)
DEFINE windows_nested AS FROM src
  SELECT k, t // ${W} * ${W} AS w, SUM v AS s, COUNT v AS n
  GROUP BY string(k), t // ${W}
  COMMIT AFTER in.t >= out.w + ${W};
DEFINE windows_tuple_key AS FROM src
  SELECT k, t // ${W} * ${W} AS w, SUM v AS s, COUNT v AS n
  GROUP BY (k; t // ${W})
  COMMIT AFTER in.t >= out.w + ${W} OR in.k = 255;
DEFINE cut_before AS FROM src
  SELECT k, SUM v AS s, COUNT v AS n
  GROUP BY k
  COMMIT BEFORE s > 10;
DEFINE kept AS FROM src
  SELECT k, SUM v AS s, COUNT v AS n
  GROUP BY k
  COMMIT AND KEEP AFTER s > 10;
`;

interface Row {
  t: number;
  k: number;
  v: number;
}

type Out = [number, ...number[]];

const sorted = (rows: readonly (readonly Value[])[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

/** §4.6 with FLUSH: the receiving group is checked, then every other one (the condition reads `in`). */
function referenceWindows(rows: readonly Row[]): Out[] {
  const groups = new Map<string, { k: number; w: number; s: number; n: number }>();
  const out: Out[] = [];
  for (const r of rows) {
    const id = `${r.k}/${Math.trunc(r.t / W)}`;
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { k: r.k, w: Math.trunc(r.t / W) * W, s: 0, n: 0 }));
    g.s += r.v;
    g.n++;
    for (const [key, h] of [[id, g] as const, ...[...groups].filter(([key]) => key !== id)]) {
      if (r.t >= h.w + W) {
        out.push([h.k, h.w, h.s, h.n]);
        groups.delete(key);
      }
    }
  }
  return out;
}

/** COMMIT BEFORE: the would-be output decides; the previous content is emitted and the tuple starts the next. */
function referenceBefore(rows: readonly Row[]): Out[] {
  const groups = new Map<number, { s: number; n: number }>();
  const out: Out[] = [];
  for (const r of rows) {
    const g = groups.get(r.k) ?? { s: 0, n: 0 };
    groups.set(r.k, g);
    if (g.s + r.v > 10 && g.n > 0) {
      out.push([r.k, g.s, g.n]);
      g.s = r.v;
      g.n = 1;
    } else {
      g.s += r.v;
      g.n++;
    }
  }
  return out;
}

/** KEEP: running totals emitted at every tuple once the condition holds, never reset. */
function referenceKept(rows: readonly Row[]): Out[] {
  const groups = new Map<number, { s: number; n: number }>();
  const out: Out[] = [];
  for (const r of rows) {
    const g = groups.get(r.k) ?? { s: 0, n: 0 };
    groups.set(r.k, g);
    g.s += r.v;
    g.n++;
    if (g.s > 10) out.push([r.k, g.s, g.n]);
  }
  return out;
}

/** Rows with a non-decreasing time, a few keys, values, some above the thresholds alone. */
const rowsArb = fc.array(fc.record({ dt: fc.nat(6), k: fc.nat(3), v: fc.nat(12) }), { maxLength: 150 }).map((xs) => {
  let t = 0;
  return xs.map(({ dt, k, v }) => ({ t: (t += dt), k, v }));
});

describe("commit semantics (§4.6) against reference models", () => {
  let c: Compiled;
  beforeAll(async () => {
    c = await compile(PROGRAM);
  });

  it("closes other groups when the condition reads `in`: heap or scan, groups by number, nested maps or key text", () => {
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: 1, max: 7 }), (rows, batchRows) => {
        const expected = sorted(referenceWindows(rows));
        expect(sorted(feed(c, "windows", rows, batchRows))).toEqual(expected);
        expect(sorted(feed(c, "windows_scan", rows, batchRows))).toEqual(expected);
        expect(sorted(feed(c, "windows_nested", rows, batchRows))).toEqual(expected);
        expect(sorted(feed(c, "windows_tuple_key", rows, batchRows))).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it("COMMIT BEFORE emits the content before the triggering tuple", () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        expect(sorted(feed(c, "cut_before", rows))).toEqual(sorted(referenceBefore(rows)));
      }),
      { numRuns: 150 },
    );
  });

  it("KEEP emits running totals without resetting", () => {
    fc.assert(
      fc.property(rowsArb, (rows) => {
        expect(sorted(feed(c, "kept", rows))).toEqual(sorted(referenceKept(rows)));
      }),
      { numRuns: 150 },
    );
  });
});
