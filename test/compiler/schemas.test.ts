// Golden inferred schemas: the output types of a few example programs, written
// by hand from the typing rules of raql.md §2 and §6 (schemas/NAME.schema).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventTimeText, type ProgramIR } from "../../compiler/index.js";
import { ntypeToString } from "../../grammar/types.js";
import { unitsToString } from "../../grammar/units.js";
import { checkFile } from "./lib.js";

function schemaText(ir: ProgramIR): string {
  const lines: string[] = [];
  for (const f of ir.functions) {
    lines.push(f.name);
    for (const o of f.output) {
      lines.push(`  ${o.name} ${ntypeToString(o.type)}` + (o.units ? " " + unitsToString(o.units) : "") + (o.doc ? ` "${o.doc}"` : ""));
    }
    if (f.eventTime) lines.push(`  event time: ${eventTimeText(f.eventTime)}`);
    if (f.factors.length > 0) lines.push(`  factors: ${f.factors.join(", ")}`);
  }
  return lines.join("\n") + "\n";
}

describe("inferred schemas", () => {
  for (const [program, golden] of [
    ["netflow/traffic", "traffic"],
    ["earthquakes/quakes", "quakes"],
  ] as const) {
    it(program, () => {
      const { ir } = checkFile("examples", program);
      expect(schemaText(ir)).toBe(readFileSync(`test/compiler/schemas/${golden}.schema`, "utf8"));
    });
  }
});
