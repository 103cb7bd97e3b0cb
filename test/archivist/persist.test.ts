// Retentions from the functions' source (archival.md §4.3.2): PERSIST FOR and
// QUERYING EVERY, constants or parameters of the running instance.

import { describe, expect, it } from "vitest";
import type { DurationIR, ParamIR } from "../../compiler/ir.js";
import { programRetentions } from "../../runtime/archivist/persist.js";
import { T } from "../../grammar/types.js";

const seconds = (s: number): DurationIR => ({ kind: "const", seconds: s });
const param = (name: string): DurationIR => ({ kind: "param", name });
const u32Param = (name: string, value: number | null): ParamIR => ({
  name,
  type: { type: T.u32, nullable: value === null },
  default: value,
  value,
  doc: "",
});

describe("PERSIST FOR retentions", () => {
  const params = [u32Param("keep", 1800), u32Param("every", 60), u32Param("unset", null)];
  const functions = [
    { name: "constant", retention: { duration: seconds(7200) } },
    { name: "with_period", retention: { duration: seconds(60), queryPeriod: seconds(10) } },
    { name: "by_param", retention: { duration: param("keep"), queryPeriod: param("every") } },
    { name: "no_value", retention: { duration: param("unset") } },
    { name: "none" },
  ];

  it("constants, default period 600 s, parameters at the running instance's values", () => {
    const { retentions, diagnostics } = programRetentions({ program: "p/q", params: { keep: 9000 } }, { params, functions });
    expect(Object.fromEntries(retentions)).toEqual({
      "p/q/constant": { duration: 7200, period: 600 },
      "p/q/with_period": { duration: 60, period: 10 },
      // keep overridden to 9000; every at its default
      "p/q/by_param": { duration: 9000, period: 60 },
    });
    expect(diagnostics.map((d) => [d.key, d.severity, d.message])).toEqual([
      ["archivistRetentionParam", "error", "p/q/no_value: the PERSIST FOR parameter unset has no duration value (null): no retention from its source"],
    ]);
  });

  it("a parameter set to NULL for this instance gives no retention", () => {
    const { retentions, diagnostics } = programRetentions({ program: "p", params: { every: null } }, { params, functions: [functions[2]!] });
    expect(retentions.size).toBe(0);
    expect(diagnostics.map((d) => d.message)).toEqual([
      "p/by_param: the QUERYING EVERY parameter every has no duration value (null): no retention from its source",
    ]);
  });
});
