import { describe, expect, it } from "vitest";
import type { ListenFor } from "../../grammar/ast.js";
import { NO_SPAN } from "../../grammar/source.js";
import { T, ntypeToString } from "../../grammar/types.js";
import { describeProgram } from "../../compiler/describe.js";
import type { AggregateIR } from "../../compiler/ir.js";
import { schemaOfProgram } from "../../compiler/program.js";
import { checkProgramAst, type ProgramCheckOptions } from "../../compiler/program.js";
import { Reporter } from "../../compiler/report.js";
import { SourceFile } from "../../grammar/source.js";
import { isRamenError, type Diagnostic } from "../../grammar/diagnostics.js";
import type { Program } from "../../grammar/ast.js";
import { bool, call, check, define, dur, field, from, int, item, program, select, str } from "./ast-builders.js";

const listen = (protocol: ListenFor["protocol"]): ListenFor => ({ kind: "listen", protocol, transport: "udp", span: NO_SPAN });

describe("programs", () => {
  it("gives LISTEN functions their built-in schema, event time and factors (§4.14)", () => {
    const r = check(program([define("nf", listen("netflow"))]));
    const nf = r.ir!.functions[0]!;
    expect(nf.output.map((o) => o.name).slice(0, 4)).toEqual(["source", "start", "stop", "seqnum"]);
    expect(nf.factors).toEqual(["source"]);
    expect(nf.operation).toEqual({ kind: "listen", protocol: "netflow", port: 2055, transport: "udp" });
    expect(describeProgram(r.ir!).functions[0]!.eventTime).toBe("EVENT STARTING AT start AND STOPPING AT stop");
  });

  it("names anonymous functions and sub-queries, parents first", () => {
    const sub = { kind: "subquery" as const, span: NO_SPAN, operation: select([item(int(1), "x")]) };
    const r = check(program([{ lazy: false, span: NO_SPAN, operation: select([item(field("x"))], { from: [sub] }) }]));
    expect(r.errors).toEqual([]);
    expect(r.ir!.functions.map((f) => f.name)).toEqual(["anonymous_1_subquery", "anonymous_1"]);
    expect(r.ir!.functions[1]!.parents[0]).toMatchObject({ fq: "test/prog/anonymous_1_subquery", sameProgram: true, fieldMask: "1" });
  });

  it("records retention from constants and parameters", () => {
    const r = check(
      program([define("f", select([item(int(1), "x")]), { persistFor: dur(3600), queryingEvery: field("period") })], {
        params: [{ name: "period", default: dur(60), span: NO_SPAN }],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.ir!.functions[0]!.retention).toEqual({ duration: { kind: "const", seconds: 3600 }, queryPeriod: { kind: "param", name: "period" } });
    expect(describeProgram(r.ir!).functions[0]!.retention).toBe("PERSIST FOR 3600s QUERYING EVERY period");
    // the parameter is used by the retention, so it is kept
    expect(r.ir!.params.map((p) => p.name)).toEqual(["period"]);
  });

  it("types the running condition with parameters and environment variables only", () => {
    const ok = check(
      program([define("f", select([item(int(1), "x")]))], {
        runIf: call("and", call("eq", field("mode"), str("on")), call("is_not_null", field("HOME"))),
        params: [{ name: "mode", default: str("on"), span: NO_SPAN }],
      }),
    );
    expect(ok.errors).toEqual([]);
    // bare HOME is the environment variable
    expect(JSON.stringify(ok.ir!.runIf!.expr)).toContain('"kind":"env","name":"HOME"');
    const bad = check(program([define("f", select([item(int(1), "x")]))], { runIf: call("sum", field("x", "param")) }));
    expect(bad.errors.map((e) => e.key)).toEqual(["unknownField"]);
  });

  it("accepts string maps as global variables and drops unused ones", () => {
    const r = check(
      program([define("f", select([item(call("get", str("k"), field("m")), "v")]))], {
        globals: [
          { name: "m", type: { type: T.map({ type: T.string, nullable: false }, { type: T.string, nullable: false }), nullable: false }, scope: "program", span: NO_SPAN },
          { name: "unused", type: { type: T.map({ type: T.string, nullable: false }, { type: T.string, nullable: false }), nullable: false }, scope: "site", span: NO_SPAN },
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.ir!.globals.map((g) => g.name)).toEqual(["m"]);
    expect(r.warnings.map((w) => w.key)).toEqual(["unusedGlobal"]);
  });

  it("applies parameter overrides, checking them against the type", () => {
    const p = program([define("f", select([item(field("n"), "x")]))], { params: [{ name: "n", type: { type: T.u64, nullable: false }, default: int(1), span: NO_SPAN }] });
    const base = { programName: "p", resolveProgram: () => undefined };
    const ok = checkWith(p, { ...base, params: { n: 5 } });
    expect(ok.ir!.params[0]).toMatchObject({ default: "1", value: "5" });
    const bad = checkWith(p, { ...base, params: { n: "five", m: 1 } });
    expect(bad.errors.map((e) => e.key).sort()).toEqual(["noSuchParameter", "paramValueIncompatible"]);
  });

  it("gives functions without SELECT a dummy field, and a default commit", () => {
    const r = check(program([define("f", select(undefined, { where: bool(true) }))]));
    const f = r.ir!.functions[0]!;
    expect(f.output.map((o) => `${o.name} ${ntypeToString(o.type)}`)).toEqual(["dummy bool"]);
    const op = f.operation as AggregateIR;
    expect(op.commit).toMatchObject({ before: false, flush: "flush", notifications: [], whenReadsInput: false });
    expect(op.where.fast).toHaveLength(1);
  });

  it("exports the schema other programs see", () => {
    const r = check(program([define("f", select([item(int(1), "x"), item(int(2), "_y")]))]));
    expect(schemaOfProgram(r.ir!)).toEqual({
      functions: [
        {
          name: "f",
          output: [
            { name: "x", type: { type: T.u32, nullable: false }, doc: "", private: false },
            { name: "_y", type: { type: T.u32, nullable: false }, doc: "", private: true },
          ],
          factors: [],
        },
      ],
    });
  });

  it("rejects EVERY with FROM and checks FACTORS", () => {
    const r = check(
      program([
        define("a", select([item(int(1), "x")])),
        define("b", select([item(field("x"))], { from: [from("a")], every: dur(1), factors: [{ name: "nope", span: NO_SPAN }] })),
      ]),
    );
    expect(r.errors.map((e) => e.key)).toEqual(["everyWithFrom", "fieldNotInOutput"]);
  });
});

function checkWith(p: Program, opts: ProgramCheckOptions) {
  const report = new Reporter(new SourceFile("t.ramen", ""));
  try {
    return { ir: checkProgramAst(p, report, opts), errors: [] as readonly Diagnostic[] };
  } catch (err) {
    if (!isRamenError(err)) throw err;
    return { ir: undefined, errors: err.diagnostics };
  }
}

describe("the IR", () => {
  it("is plain JSON (it is stored in compiled files)", () => {
    const r = check(
      program([
        define("nf", listen("netflow")),
        define(
          "f",
          select([item(field("start")), item(call("sum", field("bytes")), "b"), item(call("add", int(5_000_000_000), int(1)), "big")], {
            from: [from("nf")],
            groupBy: [field("src")],
          }),
        ),
      ]),
    );
    expect(r.errors).toEqual([]);
    expect(JSON.parse(JSON.stringify(r.ir))).toEqual(r.ir);
    const f = r.ir!.functions[1]!.operation as AggregateIR;
    // wide integers are decimal strings
    expect(JSON.stringify(f.select[2]!.expr)).toContain('"value":"5000000000"');
  });
});
