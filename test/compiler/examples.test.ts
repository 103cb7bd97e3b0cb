// Every complete program of the specification and of examples/ type-checks.

import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { checkProgram, describeProgram, schemaOfProgram } from "../../compiler/index.js";
import { formatDiagnostic, isRamenError } from "../../grammar/diagnostics.js";
import { SourceFile } from "../../grammar/source.js";
import { checkFile } from "./lib.js";

/** The program of raql.md §3.7, read from the spec itself. */
function specExample(): string {
  const spec = readFileSync("/work/shared/spec/raql.md", "latin1");
  const section = spec.slice(spec.indexOf("### 3.7 Example"));
  const start = section.indexOf("```\n") + 4;
  return section.slice(start, section.indexOf("```", start));
}

function explain(err: unknown): never {
  if (isRamenError(err)) throw new Error(err.diagnostics.map(formatDiagnostic).join("\n"));
  throw err;
}

describe("raql.md examples", () => {
  it("§3.7 type-checks, with its LAZY notifier warned about", () => {
    // `../collect/netflow` from program demo/example is function netflow of program demo/collect.
    const collect = checkProgram({
      source: new SourceFile("collect.ramen", "DEFINE netflow AS LISTEN FOR NETFLOW;"),
      programName: "demo/collect",
      resolveProgram: () => undefined,
    });
    let result;
    try {
      result = checkProgram({
        source: new SourceFile("example.ramen", specExample()),
        programName: "demo/example",
        resolveProgram: (name) => (name === "demo/collect" ? schemaOfProgram(collect.ir) : undefined),
      });
    } catch (err) {
      explain(err);
    }
    expect(result.warnings.map((w) => w.message)).toEqual(["function heavy defined as LAZY but emits notifications"]);
    const description = describeProgram(result.ir);
    expect(description.parameters.map((p) => `${p.name} ${p.type} ${p.units ?? ""}`)).toEqual(["min_bytes u64 {bytes}", "avg_window u32 {seconds}"]);
    const perHost = description.functions.find((f) => f.name === "per_host")!;
    expect(perHost.parents.map((p) => p.fq)).toEqual(["demo/collect/netflow"]);
    // per_host reads start, src and bytes of the netflow output (§4.14 field order)
    expect(perHost.parents[0]!.fields).toEqual(["start", "src", "bytes"]);
    expect(perHost.output.map((o) => `${o.name} ${o.type}${o.units ? " " + o.units : ""}`)).toEqual([
      "start float {seconds(rel)}",
      "host ip4",
      "bytes u32 {bytes}",
      "bps float? {bytes*seconds^-1}",
    ]);
    expect(perHost.factors).toEqual(["host"]);
    const heavy = description.functions.find((f) => f.name === "heavy")!;
    expect(heavy.lazy).toBe(true);
    expect(heavy.output.map((o) => o.name)).toEqual(["start", "host", "bytes", "bps"]);
    expect(heavy.eventTime).toBe("EVENT STARTING AT start");
  });
});

describe("examples/", () => {
  const programs: string[] = [];
  for (const dir of readdirSync("examples")) {
    if (!statSync(path.join("examples", dir)).isDirectory()) continue;
    for (const f of readdirSync(path.join("examples", dir))) if (f.endsWith(".ramen")) programs.push(`${dir}/${f.slice(0, -6)}`);
  }

  for (const name of programs) {
    it(`${name} type-checks`, () => {
      try {
        checkFile("examples", name);
      } catch (err) {
        explain(err);
      }
    });
  }
});
