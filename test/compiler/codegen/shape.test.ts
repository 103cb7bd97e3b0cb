// The shape of generated code: the monomorphic fast path tests no NULL,
// operations without a template go through hoisted constants, composite
// constants are built once, and the leaves the loop code owns (states,
// generators) are left to it.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkProgram, type AggregateIR, type TCall, type TExpr } from "../../../compiler/index.js";
import { generateExpr } from "../../../compiler/codegen/expr.js";
import { NO_SPAN } from "../../../grammar/source.js";
import { T, notNull, nullable, type NType } from "../../../grammar/types.js";
import { SourceFile } from "../../../grammar/source.js";
import { CastFailure } from "../../../stdlib/cast.js";
import { compile, rowEnv } from "./run.js";

const FIELDS = "a u8, c i32, e i64, f float, s string, bo bool, nc i32?";

/** The IR of `text`, SELECTed over FIELDS; `in` field indexes follow the order of first use. */
function typed(text: string): { expr: TExpr; input: readonly string[] } {
  const program = `DEFINE src AS READ FROM FILE "f" AS CSV (${FIELDS}); DEFINE f AS FROM src SELECT (${text}) AS v`;
  const { ir } = checkProgram({ source: new SourceFile("t.ramen", program), programName: "t", resolveProgram: () => undefined });
  const fn = ir.functions[1]!;
  return { expr: (fn.operation as AggregateIR).select[0]!.expr, input: fn.input.map((i) => i.name) };
}

function allCode(e: TExpr): string {
  return allCodeOf(generateExpr(e, rowEnv({})));
}

function allCodeOf(g: { hoisted: readonly string[]; statements: readonly string[]; value: string }): string {
  return [...g.hoisted, ...g.statements, g.value].join("\n");
}

describe("non-nullable arithmetic and comparisons", () => {
  it("is one expression with the wrapping of the result width", () => {
    const { expr, input } = typed("a + c");
    expect(input).toEqual(["a", "c"]);
    const g = generateExpr(expr, rowEnv({}));
    // u8 widens to i32 unchanged; the i32 sum wraps with `| 0`.
    expect(g).toEqual({ statements: [], value: "((row[0] + row[1]) | 0)", hoisted: [] });
  });

  const nonNullable = fc.letrec<{ num: string; bool: string }>((tie) => ({
    num: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom("a", "c", "e", "f", "1", "2.5"),
      fc.tuple(tie("num"), fc.constantFrom("+", "-", "*"), tie("num")).map(([x, op, y]) => `(${x} ${op} ${y})`),
      tie("num").map((x) => `-(${x})`),
    ),
    bool: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom("bo", "true"),
      fc.tuple(tie("num"), fc.constantFrom("<", "<=", "=", "<>", ">", ">="), tie("num")).map(([x, op, y]) => `(${x} ${op} ${y})`),
      fc.tuple(tie("bool"), fc.constantFrom("AND", "OR"), tie("bool")).map(([x, op, y]) => `(${x} ${op} ${y})`),
      tie("bool").map((x) => `NOT (${x})`),
    ),
  }));

  it("tests no NULL and calls no function implementation", () => {
    fc.assert(
      fc.property(fc.oneof(nonNullable.num, nonNullable.bool), (text) => {
        const code = allCode(typed(text).expr);
        expect(code, text).not.toMatch(/null/);
        expect(code, text).not.toMatch(/entryOf|castValue/);
      }),
      { numRuns: 200 },
    );
  });
});

describe("NULL propagation", () => {
  it("tests a nullable argument once and skips the operation on NULL", () => {
    const { expr } = typed("nc + 1");
    const compiled = compile(expr);
    expect(compiled.generated.statements.join("\n").match(/!== null/g)).toHaveLength(1);
    expect(compiled.evaluate([null])).toBe(null);
    expect(compiled.evaluate([2147483647])).toBe(-2147483648);
  });
});

describe("operations that see NULLs", () => {
  // Expected values: RaQL three-valued logic (raql.md §5.3), IS NULL and COALESCE definitions.
  it("three-valued AND/OR over nullable operands are inline", () => {
    const and = compile(typed("(nc > 0) AND bo").expr);
    const or = compile(typed("(nc > 0) OR bo").expr);
    for (const { generated } of [and, or]) expect(allCodeOf(generated)).not.toMatch(/entryOf/);
    expect(and.evaluate([null, false])).toBe(false);
    expect(and.evaluate([null, true])).toBe(null);
    expect(and.evaluate([1, true])).toBe(true);
    expect(or.evaluate([null, true])).toBe(true);
    expect(or.evaluate([null, false])).toBe(null);
    expect(or.evaluate([-1, false])).toBe(false);
  });

  it("IS NULL, IS NOT NULL and COALESCE are inline", () => {
    const isNull = compile(typed("nc IS NULL").expr);
    const isNotNull = compile(typed("nc IS NOT NULL").expr);
    const coalesce = compile(typed("COALESCE(nc, 0)").expr);
    for (const { generated } of [isNull, isNotNull, coalesce]) expect(allCodeOf(generated)).not.toMatch(/entryOf/);
    expect(isNull.evaluate([null])).toBe(true);
    expect(isNull.evaluate([3])).toBe(false);
    expect(isNotNull.evaluate([null])).toBe(false);
    expect(coalesce.evaluate([null])).toBe(0);
    expect(coalesce.evaluate([0])).toBe(0);
    expect(coalesce.evaluate([-7])).toBe(-7);
  });
});

describe("hoisted declarations", () => {
  it("call an entry without template through its apply and one ImplCall per call site", () => {
    // A divisor that may be zero: no template (the result may be NULL).
    const { expr } = typed("c // (c - 1)");
    const compiled = compile(expr);
    const hoisted = compiled.generated.hoisted.join("\n");
    expect(hoisted).toContain('entryOf("idiv").impl.apply');
    expect(compiled.generated.hoisted.filter((h) => /^const call_/.test(h))).toHaveLength(1);
    // Integer division truncates toward zero; by zero it is NULL (raql.md §5.3).
    expect(compiled.evaluate([-7])).toBe(0);
    expect(compiled.evaluate([9])).toBe(1);
    expect(compiled.evaluate([1])).toBe(null);
  });

  it("inline integer division and remainder by a constant other than zero", () => {
    for (const [text, values] of [
      ["c // 3", [[-7, -2], [9, 3], [-2147483648, -715827882]]],
      ["c % 3", [[-7, -1], [9, 0], [8, 2]]],
    ] as const) {
      const compiled = compile(typed(text).expr);
      expect(compiled.generated.hoisted.join("\n")).not.toContain("impl.apply");
      for (const [c, expected] of values) expect(compiled.evaluate([c])).toBe(expected);
    }
  });

  it("build composite constants once", () => {
    const compiled = compile(typed("[1; 2; 3]").expr);
    expect(compiled.generated.statements).toEqual([]);
    const first = compiled.evaluate([]);
    expect(first).toEqual([1, 2, 3]);
    expect(compiled.evaluate([])).toBe(first);
  });
});

describe("casts", () => {
  it("propagate a CastFailure where the result cannot be NULL", () => {
    const compiled = compile(typed("CAST(f AS u8)").expr);
    expect(compiled.evaluate([300.7])).toBe(44);
    expect(() => compiled.evaluate([NaN])).toThrow(CastFailure);
  });

  it("between integers wrap inline, as castValue does", () => {
    const compiled = compile(typed("CAST(c AS u8)").expr);
    expect(allCode(typed("CAST(c AS u8)").expr)).not.toContain("castValue");
    expect(compiled.evaluate([300])).toBe(44);
    expect(compiled.evaluate([-1])).toBe(255);
    expect(compile(typed("CAST(nc AS i16)").expr).evaluate([null])).toBe(null);
  });

  it("give NULL where the result is nullable", () => {
    expect(compile(typed('CAST(s AS u8?)').expr).evaluate(["x"])).toBe(null);
  });
});

describe("convert nodes", () => {
  const convert = (from: NType, to: NType): TExpr => ({
    kind: "convert",
    expr: { kind: "field", variable: "in", name: "x", index: 0, type: from, span: NO_SPAN },
    type: to,
    span: NO_SPAN,
  });

  it("widen without changing the value", () => {
    expect(compile(convert(notNull(T.u8), notNull(T.i32))).generated.value).toBe("row[0]");
    expect(compile(convert(notNull(T.i32), notNull(T.i64))).evaluate([-5])).toBe(-5n);
    expect(compile(convert(notNull(T.i64), notNull(T.float))).evaluate([-5n])).toBe(-5);
    expect(compile(convert(nullable(T.u16), nullable(T.u64))).evaluate([null])).toBe(null);
  });

  it("narrow by wrapping, as casts do (checked integer constants are typed as narrow as they fit)", () => {
    expect(compile(convert(notNull(T.i32), notNull(T.u8))).evaluate([300])).toBe(44);
    expect(compile(convert(notNull(T.i32), notNull(T.u64))).evaluate([-1])).toBe(2n ** 64n - 1n);
    expect(compile(convert(notNull(T.i64), notNull(T.i16))).evaluate([70000n])).toBe(70000 - 65536);
  });
});

describe("leaves owned by the loop code", () => {
  const sumCall: TCall = {
    kind: "call",
    fn: "sum",
    args: [{ kind: "field", variable: "in", name: "c", index: 0, type: notNull(T.i32), span: NO_SPAN }],
    type: notNull(T.i32),
    state: { lifespan: "locally", slot: 3, nulls: "skip" },
    span: NO_SPAN,
  };

  it("stateful calls read the state given by the environment", () => {
    const env = { ...rowEnv({}), state: (call: TCall) => `local_${call.state && "slot" in call.state ? call.state.slot : "?"}` };
    const plusOne: TCall = { kind: "call", fn: "add", args: [sumCall, { kind: "const", value: 1, type: notNull(T.i32), span: NO_SPAN }], type: notNull(T.i32), span: NO_SPAN };
    expect(generateExpr(plusOne, env).value).toBe("((local_3 + 1) | 0)");
  });

  it("parameters, environment variables, globals and whole tuples are read as the environment says", () => {
    const env = {
      ...rowEnv({}),
      param: (name: string) => `params.${name}`,
      envVar: (name: string) => `envVars[${JSON.stringify(name)}]`,
      global: (name: string) => `globals.${name}`,
      whole: (variable: string) => `tuple_${variable}`,
    };
    const leaves: TExpr[] = [
      { kind: "param", name: "p", type: notNull(T.i32), span: NO_SPAN },
      { kind: "env", name: "HOME", type: nullable(T.string), span: NO_SPAN },
      { kind: "global", name: "g", type: notNull(T.float), span: NO_SPAN },
      { kind: "whole", variable: "in", type: notNull(T.tuple([])), span: NO_SPAN },
    ];
    expect(leaves.map((l) => generateExpr(l, env).value)).toEqual(["params.p", '(envVars["HOME"])', "globals.g", "tuple_in"]);
  });

  it("IMMEDIATELY aggregates fold their list here", () => {
    const { expr } = typed("SUM [a; c]");
    expect(compile(expr).evaluate([3, 4])).toBe(7);
  });

  it("generators are refused", () => {
    const split: TCall = {
      kind: "call",
      fn: "split",
      args: [
        { kind: "const", value: " ", type: notNull(T.string), span: NO_SPAN },
        { kind: "const", value: "a b", type: notNull(T.string), span: NO_SPAN },
      ],
      type: notNull(T.string),
      generator: true,
      span: NO_SPAN,
    };
    expect(() => generateExpr(split, rowEnv({}))).toThrow(/generator split/);
  });
});
