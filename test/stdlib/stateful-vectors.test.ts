// Runs the vector files of every stateful entry (stdlib/vectors/NAME.json)
// through the registry, as the checker and generated code would.

import { describe, expect, it } from "vitest";
import { ALL_ENTRIES } from "../../stdlib/registry.js";
import { entryNamed, loadVectors, runCase, valuesMatch } from "./stateful-harness.js";

const STATEFUL = ALL_ENTRIES.filter((e) => e.state === "agg" || e.state === "seq").map((e) => e.name);

describe("stateful entries' test vectors", () => {
  it("covers every aggregate and window function of the spec", () => {
    expect(STATEFUL.length).toBeGreaterThanOrEqual(37);
  });
  for (const name of STATEFUL) {
    describe(name, () => {
      const file = loadVectors(name);
      it("has at least 3 cases", () => {
        expect(file.function).toBe(name);
        expect(file.cases.length).toBeGreaterThanOrEqual(3);
      });
      file.cases.forEach((c, i) => {
        it(`case ${i + 1}: ${c.error ? "rejects " + c.types.join(", ") : c.types.join(", ")}`, () => {
          const entry = entryNamed(name);
          const { code, actual, expected } = runCase(entry, c);
          if (c.error) {
            expect(code).toBe(c.error);
            return;
          }
          expect(actual.length).toBe(expected.length);
          actual.forEach((v, j) => {
            if (!valuesMatch(v, expected[j]!, c.tolerance)) expect(v, `result after row ${j + 1}`).toEqual(expected[j]);
          });
        });
      });
    });
  }
});
