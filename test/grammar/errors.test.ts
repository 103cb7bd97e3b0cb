// Golden tests of parse diagnostics: each errors/NAME.ramen must produce
// exactly the diagnostic written (by hand, from raql.md §7) in errors/NAME.err.
// A file that parses must produce the warnings of its .err file instead.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatDiagnostic, isRamenError } from "../../grammar/diagnostics.js";
import { parseProgram } from "../../grammar/index.js";
import { SourceFile } from "../../grammar/source.js";

const DIR = new URL("./errors/", import.meta.url);
const cases = readdirSync(DIR)
  .filter((f) => f.endsWith(".ramen"))
  .map((f) => f.slice(0, -".ramen".length))
  .sort();

function diagnosticsOf(name: string): string {
  const source = new SourceFile(`${name}.ramen`, readFileSync(new URL(`${name}.ramen`, DIR), "latin1"));
  try {
    return parseProgram(source).warnings.map(formatDiagnostic).join("\n");
  } catch (e) {
    if (!isRamenError(e)) throw e;
    // Parse errors stop at the first one (raql.md §7.2).
    expect(e.diagnostics).toHaveLength(1);
    return formatDiagnostic(e.diagnostics[0]!);
  }
}

describe("parse diagnostics", () => {
  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)("%s", (name) => {
    const expected = readFileSync(new URL(`${name}.err`, DIR), "utf8").replace(/\n$/, "");
    expect(diagnosticsOf(name)).toBe(expected);
  });
});
