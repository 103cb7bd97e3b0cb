// What `ramen functions` and the checker rely on for every registry entry.

import { describe, expect, it } from "vitest";
import { ALL_ENTRIES, entryOf, resolveWrittenCall } from "../../stdlib/registry.js";

describe("every registry entry", () => {
  it.each(ALL_ENTRIES.map((e) => [e.name, e] as const))("%s is documented, with an example", (_name, e) => {
    expect(e.name).toMatch(/^[a-z_][a-z0-9_]*$/);
    expect(e.doc.trim().length).toBeGreaterThan(1);
    expect(e.signature.trim()).not.toBe("");
    expect(e.examples.length).toBeGreaterThan(0);
    expect(entryOf(e.name)).toBe(e);
  });

  it.each(ALL_ENTRIES.filter((e) => e.syntax.kind === "function").map((e) => [e.name, e] as const))(
    "%s is found by its written names and arities",
    (_name, e) => {
      if (e.syntax.kind !== "function") return;
      for (const written of e.names) {
        // some names take only some arities (MAX x is the aggregate, MAX(a, b) is GREATEST)
        const counts = [...e.syntax.arities, ...(e.syntax.variadic ? [Math.max(...e.syntax.arities) + 1] : [])];
        const found = counts.map((n) => resolveWrittenCall(written.toUpperCase(), n));
        expect(found, written).toContain(e);
      }
    },
  );
});
