// The vector files of every stateless entry (operators, math, strings, misc),
// run through typing, conversions, `apply` and the inline templates.

import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { entries as math } from "../../stdlib/functions/math.js";
import { entries as misc } from "../../stdlib/functions/misc.js";
import { entries as operators } from "../../stdlib/functions/operators.js";
import { entries as strings } from "../../stdlib/functions/strings.js";
import { renderValue } from "../../stdlib/format.js";
import type { Value } from "../../stdlib/values.js";
import { loadVectors, runCase, valuesMatch, vectorPath } from "./stateless-harness.js";

const ENTRIES = [...operators, ...math, ...strings, ...misc];

describe.each(ENTRIES.map((e) => [e.name, e] as const))("vectors of %s", (name, entry) => {
  // A missing file fails the first test only, so the other entries still run.
  const file = existsSync(vectorPath(name)) ? loadVectors(name) : { function: "(missing file)", cases: [] };

  it("has at least 3 cases", () => {
    expect(file.function).toBe(name);
    expect(file.cases.length).toBeGreaterThanOrEqual(3);
  });

  it.each(file.cases.map((c, i) => [i, c] as const))("case %i", (_i, c) => {
    const outcome = runCase(entry, c);
    if (c.error !== undefined) {
      expect(outcome.code).toBe(c.error);
      return;
    }
    expect(outcome.code).toBeUndefined();
    expect(outcome.actual.length).toBe(c.results!.length);
    outcome.actual.forEach((r, row) => {
      const expected = outcome.expected[row]!;
      const show = (v: Value) => (outcome.resultType && !Array.isArray(v) && v !== null ? renderValue(v, outcome.resultType) : String(v));
      expect(valuesMatch(r.value, expected, c.tolerance), `row ${row}: got ${show(r.value)}, expected ${c.results![row]}`).toBe(true);
      if ("inlined" in r) expect(valuesMatch(r.inlined!, expected, c.tolerance), `row ${row} inlined: got ${show(r.inlined!)}`).toBe(true);
    });
  });
});
