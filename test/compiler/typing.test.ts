import { describe, expect, it } from "vitest";
import type { FieldDecl, FunctionDef, ReadExternal } from "../../grammar/ast.js";
import { NO_SPAN } from "../../grammar/source.js";
import { NType, T, Type, ntypeToString } from "../../grammar/types.js";
import { SECONDS } from "../../grammar/units.js";
import type { AggregateIR, FunctionIR, TCall, TExpr } from "../../compiler/ir.js";
import { walkTExpr } from "../../compiler/ir.js";
import {
  bool,
  call,
  cast,
  check,
  define,
  dur,
  field,
  float,
  from,
  ifThen,
  int,
  item,
  nul,
  program,
  select,
  star,
  str,
  vec,
  withUnits,
} from "./ast-builders.js";

// Expected types are derived by hand from raql.md §2.4–2.6 and §3.2.

const nn = (type: Type): NType => ({ type, nullable: false });
const n = (type: Type): NType => ({ type, nullable: true });

/** A READ function `src` with fields of known types, to select from. */
function source(fields: [string, NType][] = [
  ["x", nn(T.u8)],
  ["y", n(T.u8)],
  ["s", nn(T.string)],
  ["t", nn(T.float)],
  ["b", n(T.bool)],
  ["l", nn(T.list(nn(T.u16)))],
  ["_secret", nn(T.u8)],
]): FunctionDef {
  const decls: FieldDecl[] = fields.map(([name, type]) => ({ name, type, span: NO_SPAN }));
  const read: ReadExternal = {
    kind: "read",
    source: { kind: "file", span: NO_SPAN, path: str("f.csv") },
    format: { kind: "csv", separator: ",", nullString: "", quote: '"', vectorsOfCharsAsString: false, clickhouseSyntax: false, fields: decls },
    span: NO_SPAN,
  };
  return define("src", read);
}

function fnOf(ir: { functions: readonly FunctionIR[] } | undefined, name: string): FunctionIR {
  const f = ir?.functions.find((x) => x.name === name);
  if (!f) throw new Error(`no function ${name}`);
  return f;
}

/** Output field types of function `name`, as RaQL text. */
function outputTypes(ir: { functions: readonly FunctionIR[] } | undefined, name: string): Record<string, string> {
  return Object.fromEntries(fnOf(ir, name).output.map((f) => [f.name, ntypeToString(f.type)]));
}

function selectOf(items: Parameters<typeof select>[0], rest: Parameters<typeof select>[1] = {}) {
  return define("f", select(items, { from: [from("src")], ...rest }));
}

function firstCall(e: TExpr, fn: string): TCall {
  let found: TCall | undefined;
  walkTExpr(e, (x) => {
    if (!found && x.kind === "call" && x.fn === fn) found = x;
  });
  if (!found) throw new Error(`no call to ${fn}`);
  return found;
}

describe("flexible integer constants (§2.4)", () => {
  it("types a constant at least 32 bits wide, unless suffixed", () => {
    const r = check(
      program([
        source(),
        selectOf([
          item(call("add", field("x"), int(1)), "a"),
          item(call("add", field("x"), int(1, 8)), "b"),
          item(call("sub", field("x"), int(1, 8)), "c"),
          item(call("add", int(1), int(2)), "d"),
          item(call("add", field("x"), float(1.5)), "e"),
          item(int(-1), "f"),
          item(int(5_000_000_000), "g"),
        ]),
      ]),
    );
    expect(r.errors).toEqual([]);
    expect(outputTypes(r.ir, "f")).toEqual({ a: "u32", b: "u8", c: "i16", d: "u32", e: "float", f: "i32", g: "u40" });
  });

  it("types the negation of a constant's function as signed, whatever constants it came from", () => {
    // ABS(-1) is 1 though typed from the constant -1; its negation is -1 and needs a signed type
    const r = check(program([source(), selectOf([item(call("neg", call("abs", int(-1))), "a"), item(call("neg", int(3)), "b")])]));
    expect(r.errors).toEqual([]);
    expect(outputTypes(r.ir, "f")).toEqual({ a: "i32", b: "i32" });
  });

  it("folds constants into values of their final type", () => {
    const r = check(program([source(), selectOf([item(call("add", field("x"), int(1)), "a"), item(call("add", field("t"), int(2)), "b")])]));
    const op = fnOf(r.ir, "f").operation as AggregateIR;
    const a = op.select[0]!.expr as TCall;
    expect(a.args[1]).toMatchObject({ kind: "const", value: 1, type: nn(T.u32) });
    // x is converted to the result type before the addition
    expect(a.args[0]).toMatchObject({ kind: "convert", type: nn(T.u32), expr: { kind: "field", name: "x" } });
    const b = op.select[1]!.expr as TCall;
    expect(b.args[1]).toMatchObject({ kind: "const", value: 2, type: nn(T.float) });
  });

  it("keeps the parsed width inside vector literals", () => {
    const r = check(program([source(), selectOf([item(vec(int(1), int(2)), "v"), item(vec(field("x"), int(1)), "w"), item(vec(), "e")])]));
    expect(r.errors).toEqual([]);
    // an unconstrained [] gets u8 items (documented choice)
    expect(outputTypes(r.ir, "f")).toEqual({ v: "u32[2]", w: "u32[2]", e: "u8[]" });
  });
});

describe("NULL and nullability (§2.3)", () => {
  it("gives NULL the type of its context", () => {
    const r = check(
      program([
        source(),
        selectOf([
          item(ifThen(call("is_not_null", field("b")), field("x"), nul()), "a"),
          item(ifThen(bool(true), field("s")), "c"),
          item(call("coalesce", field("y"), int(0)), "d"),
          item(cast(n(T.u16), nul()), "e"),
        ]),
      ]),
    );
    expect(r.errors).toEqual([]);
    // CASE without ELSE is nullable; COALESCE has the nullability of its last argument
    expect(outputTypes(r.ir, "f")).toEqual({ a: "u8?", c: "string?", d: "u32", e: "u16?" });
  });

  it("propagates nullability through operators", () => {
    const r = check(program([source(), selectOf([item(call("add", field("y"), int(1, 8)), "a"), item(call("not", field("b")), "c")])]));
    expect(outputTypes(r.ir, "f")).toEqual({ a: "u8?", c: "bool?" });
  });
});

describe("parameters (§3.2)", () => {
  const p = (name: string, rest: Record<string, unknown>) => ({ name, span: NO_SPAN, ...rest });
  const use = (...names: string[]) => selectOf(names.map((x) => item(field(x), x)));

  it("infers the type from the default: u32, else i32, else the literal's own type", () => {
    const r = check(
      program([source(), use("a", "b", "c", "d", "e", "w")], {
        params: [
          p("a", { default: int(60) }),
          p("b", { default: int(-1) }),
          p("c", { default: int(5_000_000_000) }),
          p("d", { default: float(1.5) }),
          p("e", { default: str("x") }),
          p("w", { default: dur(60) }),
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    const types = Object.fromEntries(r.ir!.params.map((x) => [x.name, ntypeToString(x.type)]));
    expect(types).toEqual({ a: "u32", b: "i32", c: "u40", d: "float", e: "string", w: "u32" });
    expect(r.ir!.params.find((x) => x.name === "w")!.units).toEqual(SECONDS);
    expect(r.ir!.params.find((x) => x.name === "c")!.default).toBe("5000000000");
  });

  it("widens the default to the declared type", () => {
    const r = check(program([source(), use("a", "b")], { params: [p("a", { type: nn(T.u64), default: int(0) }), p("b", { type: n(T.string) })] }));
    expect(r.errors).toEqual([]);
    expect(r.ir!.params.map((x) => [x.name, ntypeToString(x.type), x.default])).toEqual([
      ["a", "u64", "0"],
      ["b", "string?", null],
    ]);
  });

  it("rejects missing or incompatible defaults", () => {
    const r = check(
      program([source(), use("a", "b", "c")], {
        params: [p("a", {}), p("b", { type: nn(T.u8) }), p("c", { type: nn(T.u8), default: int(300) })],
      }),
    );
    expect(r.errors.map((e) => e.key)).toEqual(["paramNeedsTypeOrDefault", "paramNeedsDefault", "paramDefaultIncompatible"]);
  });

  it("drops unused parameters with a warning", () => {
    const r = check(program([source(), use("x")], { params: [p("unused", { default: int(1) })] }));
    expect(r.ir!.params).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toContain("parameter unused is unused");
  });

  it("resolves a bare name to a parameter before an input field", () => {
    const r = check(program([source(), use("x")], { params: [p("x", { default: str("p") })] }));
    expect(outputTypes(r.ir, "f")).toEqual({ x: "string" });
    expect(fnOf(r.ir, "f").input).toEqual([]);
  });
});

describe("clause rules", () => {
  it("requires a non-nullable boolean WHERE", () => {
    const nullableWhere = check(program([source(), selectOf([item(field("x"))], { where: call("gt", field("y"), int(10)) })]));
    expect(nullableWhere.errors.map((e) => e.key)).toEqual(["mustNotBeNullable"]);
    expect(nullableWhere.errors[0]!.notes).toEqual(["expected: bool (non-nullable), got: bool? (y is u8?)"]);
    const notBool = check(program([source(), selectOf([item(field("x"))], { where: field("x") })]));
    expect(notBool.errors.map((e) => e.key)).toEqual(["typeMismatch"]);
  });

  it("never resolves out in WHERE", () => {
    const r = check(program([source(), selectOf([item(field("x"))], { where: call("gt", field("x", "out"), int(1)) })]));
    expect(r.errors.map((e) => e.message)).toEqual([
      "variable out not allowed in WHERE clause (only in, local_last_out, global_last_out, group_state, param, env, global)",
    ]);
  });

  it("rejects stateful functions in GROUP BY and generators outside SELECT", () => {
    const r = check(
      program([
        source(),
        selectOf([item(field("x"))], { groupBy: [call("sum", field("x"))], where: call("eq", call("split", str(" "), field("s")), str("a")) }),
      ]),
    );
    expect(r.errors.map((e) => e.key).sort()).toEqual(["generatorPlacement", "statefulNotAllowed"]);
  });

  it("reports unknown and private input fields with what is available", () => {
    const r = check(program([source(), selectOf([item(field("z")), item(field("_secret"), "s2")])]));
    expect(r.errors.map((e) => e.message)).toEqual(["field z not found in parent src (has: x, y, s, t, b, l)", "field _secret is private"]);
  });

  it("suggests close names", () => {
    const r = check(program([source(), selectOf([item(field("tt"))])]));
    expect(r.errors[0]!.hint).toBe("did you mean t?");
  });

  it("requires an alias for expressions that have no default one", () => {
    const r = check(program([source(), selectOf([item(call("add", field("x"), int(1)))])]));
    expect(r.errors.map((e) => e.key)).toEqual(["missingAlias"]);
  });

  it("rejects duplicate aliases", () => {
    const r = check(program([source(), selectOf([item(field("x")), item(field("t"), "x")])]));
    expect(r.errors.map((e) => e.message)).toEqual(["alias x is not unique"]);
  });
});

describe("default aliases (§4.2)", () => {
  it("names fields after their source field or aggregate", () => {
    const r = check(program([source(), selectOf([item(field("x", "in")), item(call("min", field("t"))), item(call("sum", field("x")))])]));
    expect(r.errors).toEqual([]);
    expect(Object.keys(outputTypes(r.ir, "f"))).toEqual(["x", "min_t", "sum_x"]);
  });
});

describe("stateful functions (§4.10)", () => {
  const lifespanOf = (f: FunctionIR, fn: string) => {
    const op = f.operation as AggregateIR;
    for (const e of [...op.select.map((s) => s.expr), ...op.where.fast, ...op.where.slow, op.commit.when]) {
      try {
        return firstCall(e, fn).state;
      } catch {
        continue;
      }
    }
    throw new Error(`no ${fn}`);
  };

  it("defaults to GLOBALLY without grouping, LOCALLY with, IMMEDIATELY over a list", () => {
    const r = check(
      program([
        source(),
        define("g", select([item(call("sum", field("x")), "s"), item(call("sum", field("l")), "i")], { from: [from("src")] })),
        define("h", select([item(call("sum", field("x")), "s")], { from: [from("src")], groupBy: [field("s")] })),
      ]),
    );
    expect(r.errors).toEqual([]);
    expect(lifespanOf(fnOf(r.ir, "g"), "sum")).toEqual({ lifespan: "globally", slot: 0, nulls: "skip" });
    const g = fnOf(r.ir, "g").operation as AggregateIR;
    expect((g.select[1]!.expr as TCall).state).toEqual({ lifespan: "immediately", nulls: "skip" });
    expect(lifespanOf(fnOf(r.ir, "h"), "sum")).toEqual({ lifespan: "locally", slot: 0, nulls: "skip" });
    expect(g.globalStates).toBe(1);
  });

  it("makes stateful WHERE conditions global when there are no groups", () => {
    const where = call("gt", call("sum", field("x")), int(10));
    const r = check(program([source(), selectOf([item(field("x"))], { where, commit: { span: NO_SPAN, before: false, flush: "flush", notifications: [], when: call("gt", field("x", "out"), int(3)) } })]));
    expect(r.errors).toEqual([]);
    expect(lifespanOf(fnOf(r.ir, "f"), "sum")).toMatchObject({ lifespan: "globally" });
  });

  it("warns about LOCALLY without aggregation", () => {
    const local = { ...call("sum", field("x")), lifespan: "locally" as const };
    const r = check(program([source(), selectOf([item(local, "s")])]));
    expect(r.warnings.map((w) => w.key)).toContain("locallyWithoutAggregation");
  });
});

describe("SELECT *, several parents and field masks (§4.2, §4.3)", () => {
  it("expands * to the public fields not already selected", () => {
    const r = check(program([source(), selectOf([item(call("add", field("x"), int(1)), "x"), star("s")])]));
    expect(r.errors).toEqual([]);
    expect(Object.keys(outputTypes(r.ir, "f"))).toEqual(["x", "y", "t", "b", "l"]);
    // every field but s and _secret is read
    expect(fnOf(r.ir, "f").parents[0]!.fieldMask).toBe("1101110");
  });

  it("selects the intersection of several parents, in the first parent's order", () => {
    const other = source([
      ["t", nn(T.float)],
      ["z", nn(T.u8)],
      ["x", nn(T.u8)],
    ]);
    const r = check(program([source(), { ...other, name: "src2" }, define("f", select([star()], { from: [from("src"), from("src2")] }))]));
    expect(r.errors).toEqual([]);
    expect(Object.keys(outputTypes(r.ir, "f"))).toEqual(["x", "t"]);
    expect(fnOf(r.ir, "f").parents.map((p) => p.fieldMask)).toEqual(["1001000", "101"]);
  });

  it("requires a used field in every parent with the same type", () => {
    const other = source([["x", nn(T.u16)]]);
    const r = check(program([source(), { ...other, name: "src2" }, define("f", select([item(field("x")), item(field("t"))], { from: [from("src"), from("src2")] }))]));
    expect(r.errors.map((e) => e.message)).toEqual([
      "field x must match all parents' output type: u8 in src but u16 in src2",
      "field t missing from parent src2",
    ]);
  });
});

describe("parents and programs (§3.6)", () => {
  it("rejects cycles between functions", () => {
    const r = check(
      program([define("a", select([item(field("x"))], { from: [from("b")] })), define("b", select([item(field("x"))], { from: [from("a")] }))]),
    );
    expect(r.errors.map((e) => e.message)).toEqual(["functions form a cycle: a -> b -> a"]);
  });

  it("looks other programs up through the callback, with relative names", () => {
    const asked: string[] = [];
    const resolve = (name: string) => {
      asked.push(name);
      return name === "test/other"
        ? { functions: [{ name: "g", output: [{ name: "v", type: nn(T.float), doc: "", private: false }], factors: [] }] }
        : undefined;
    };
    const r = check(program([define("f", select([item(field("v"))], { from: [from("g", "../other")] }))]), resolve, "test/prog#s1");
    expect(r.errors).toEqual([]);
    expect(asked).toEqual(["test/other"]);
    expect(fnOf(r.ir, "f").parents[0]).toMatchObject({ program: "test/other", function: "g", fq: "test/other/g", sameProgram: false, fieldMask: "1" });
    const missing = check(program([define("f", select([item(field("v"))], { from: [from("g", "nowhere")] }))]), resolve);
    expect(missing.errors.map((e) => e.key)).toEqual(["missingParentProgram"]);
  });

  it("reports unknown parent functions with the available ones", () => {
    const r = check(program([source(), define("f", select([item(field("x"))], { from: [from("scr")] }))]));
    expect(r.errors.map((e) => [e.message, e.hint])).toEqual([["cannot find parent function scr (have: src, f)", "did you mean src?"]]);
  });
});

describe("event time (§4.9)", () => {
  it("takes start/stop fields implicitly, and inherits copied fields", () => {
    const withTimes = source([
      ["start", nn(T.float)],
      ["stop", nn(T.float)],
      ["v", nn(T.u32)],
    ]);
    const r = check(
      program([
        withTimes,
        define("copy", select([item(field("start"), "begin"), item(field("stop"), "end"), item(field("v"))], { from: [from("src")] })),
        define("computed", select([item(call("add", field("start"), int(1)), "begin")], { from: [from("src")] })),
      ]),
    );
    expect(r.errors).toEqual([]);
    expect(fnOf(r.ir, "src").eventTime).toEqual({
      start: { source: "output", name: "start", scale: 1 },
      stop: { kind: "stop", at: { source: "output", name: "stop", scale: 1 } },
      origin: "implicit",
    });
    expect(fnOf(r.ir, "copy").eventTime).toEqual({
      start: { source: "output", name: "begin", scale: 1 },
      stop: { kind: "stop", at: { source: "output", name: "end", scale: 1 } },
      origin: "inherited",
    });
    expect(fnOf(r.ir, "computed").eventTime).toBeUndefined();
  });
});

describe("previous and CHANGED (§4.12)", () => {
  it("types fields that read their own previous value", () => {
    const n0 = call("add", call("coalesce", field("n", "local_last_out"), int(0)), int(1));
    const r = check(program([source(), selectOf([item(n0, "n"), item(call("changed", field("n")), "c")])]));
    expect(r.errors).toEqual([]);
    expect(outputTypes(r.ir, "f")).toEqual({ n: "u32", c: "bool?" });
    const op = fnOf(r.ir, "f").operation as AggregateIR;
    expect(op.usesLocalLastOut).toBe(true);
    expect((op.select[1]!.expr as TCall).args.map((a) => a && a.kind === "field" && [a.variable, a.name, a.index])).toEqual([
      ["out", "n", 0],
      ["local_last_out", "n", 0],
    ]);
  });

  it("rejects CHANGED of something else than an output field", () => {
    const r = check(program([source(), selectOf([item(call("changed", field("x")), "c")])]));
    expect(r.errors.map((e) => e.key)).toEqual(["changedNotOutputField"]);
  });
});

describe("units (§2.7)", () => {
  it("propagates units and warns on mismatches", () => {
    const bytes = [{ name: "bytes", exponent: 1, relative: false }];
    const r = check(
      program([
        source(),
        selectOf([
          item(call("div", withUnits(field("x"), bytes), dur(10)), "rate"),
          item(call("add", withUnits(field("t"), bytes), dur(1)), "odd"),
        ]),
      ]),
    );
    expect(r.errors).toEqual([]);
    const out = fnOf(r.ir, "f").output;
    expect(out[0]!.units).toEqual([
      { name: "bytes", exponent: 1, relative: false },
      { name: "seconds", exponent: -1, relative: false },
    ]);
    expect(r.warnings.map((w) => w.message)).toEqual(["adding {bytes} and {seconds}"]);
  });
});
