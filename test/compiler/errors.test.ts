// Golden diagnostics: each errors/NAME.ramen is checked as program
// `errors/NAME` with lib path test/compiler; the formatted errors (or, when
// it compiles, the warnings) must equal errors/NAME.err, whose texts were
// written from raql.md §7.

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, isRamenError } from "../../grammar/diagnostics.js";
import { checkFile } from "./lib.js";

const LIB = "test/compiler";
const DIR = path.join(LIB, "errors");
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith(".ramen"))
  .map((f) => f.slice(0, -".ramen".length))
  .sort();

function diagnosticsOf(name: string): string {
  try {
    const { warnings } = checkFile(LIB, `errors/${name}`, `${name}.ramen`);
    return warnings.map(formatDiagnostic).join("\n");
  } catch (err) {
    if (!isRamenError(err)) throw err;
    return err.diagnostics.map(formatDiagnostic).join("\n");
  }
}

describe("golden diagnostics", () => {
  it("covers at least 40 distinct errors", () => {
    const errorCases = cases.filter((c) => readFileSync(path.join(DIR, c + ".err"), "latin1").includes(": error: "));
    expect(errorCases.length).toBeGreaterThanOrEqual(40);
  });

  for (const name of cases) {
    it(name, () => {
      const expected = readFileSync(path.join(DIR, name + ".err"), "latin1");
      expect(diagnosticsOf(name) + "\n").toBe(expected);
    });
  }
});
