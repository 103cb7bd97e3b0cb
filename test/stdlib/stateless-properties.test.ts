// Properties of the stateless entries against independent references:
// integer wrap-around of + - * at every width (BigInt modular arithmetic),
// consistency of the comparison operators, PERCENTILE against sorting; and
// the behaviours vector files cannot express (FORCE aborting, PRINT's hook,
// MAX/MIN arity resolution, LIKE escapes, inline templates of shifts).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../grammar/diagnostics.js";
import { INT_WIDTHS, T, notNull, type IntWidth, type NType } from "../../grammar/types.js";
import type { ImplCall, StatelessImpl } from "../../stdlib/entry.js";
import { likeRegExp } from "../../stdlib/functions/operators.js";
import { resolveWrittenCall } from "../../stdlib/registry.js";
import type { Value } from "../../stdlib/values.js";
import { entryNamed, evalInline } from "./harness.js";

function stateless(name: string): StatelessImpl {
  const impl = entryNamed(name).impl;
  if (impl.kind !== "stateless") throw new Error(`${name} is not stateless`);
  return impl;
}

function implCall(argTypes: readonly NType[], resultType: NType, extra: Partial<ImplCall> = {}): ImplCall {
  return { argTypes, resultType, nulls: "skip", options: {}, constants: argTypes.map(() => undefined), ...extra };
}

// ---- integer wrap-around ---------------------------------------------------------------------------

/** The reference: the exact result reduced modulo 2^width into the type's range. */
function wrapReference(x: bigint, signed: boolean, width: number): bigint {
  const m = 1n << BigInt(width);
  let r = ((x % m) + m) % m;
  if (signed && r >= m >> 1n) r -= m;
  return r;
}

function intArb(signed: boolean, width: IntWidth): fc.Arbitrary<bigint> {
  const w = BigInt(width);
  return signed ? fc.bigInt(-(1n << (w - 1n)), (1n << (w - 1n)) - 1n) : fc.bigInt(0n, (1n << w) - 1n);
}

const asRuntime = (x: bigint, width: number): Value => (width > 32 ? x : Number(x));

const OPS: [string, (a: bigint, b: bigint) => bigint][] = [
  ["add", (a, b) => a + b],
  ["sub", (a, b) => a - b],
  ["mul", (a, b) => a * b],
];

describe("integer arithmetic wraps at the result width", () => {
  for (const width of INT_WIDTHS) {
    for (const signed of [false, true]) {
      for (const [name, exact] of OPS) {
        it(`${name} on ${signed ? "i" : "u"}${width} (apply and inline)`, () => {
          // Operands already converted to the result type, as the typing rule asks.
          const t = notNull(T.int(signed, width));
          const call = implCall([t, t], t);
          const impl = stateless(name);
          const template = impl.inline!(["a0", "a1"], call)!;
          fc.assert(
            fc.property(intArb(signed, width), intArb(signed, width), (a, b) => {
              const expected = asRuntime(wrapReference(exact(a, b), signed, width), width);
              const args = [asRuntime(a, width), asRuntime(b, width)];
              expect(impl.apply(args, call)).toStrictEqual(expected);
              expect(evalInline(template, args)).toStrictEqual(expected);
            }),
            { numRuns: 200 },
          );
        });
      }
    }
  }
});

// ---- comparisons --------------------------------------------------------------------------------------

describe("comparisons are consistent", () => {
  const cmp = (name: string, t: NType, a: Value, b: Value) => stateless(name).apply([a, b], implCall([t, t], notNull(T.bool)));
  const check = (t: NType, arb: fc.Arbitrary<Value>) =>
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        const lt = cmp("lt", t, a, b);
        const eq = cmp("eq", t, a, b);
        const gt = cmp("gt", t, a, b);
        // Exactly one of <, =, > holds, and the others are their combinations and converses.
        expect([lt, eq, gt].filter((x) => x === true).length).toBe(1);
        expect(cmp("le", t, a, b)).toBe(lt || eq);
        expect(cmp("ge", t, a, b)).toBe(gt || eq);
        expect(cmp("ne", t, a, b)).toBe(!eq);
        expect(cmp("gt", t, b, a)).toBe(lt);
      }),
    );

  it("on i64", () => check(notNull(T.i64), fc.bigInt(-(1n << 63n), (1n << 63n) - 1n)));
  it("on floats without NaN", () => check(notNull(T.float), fc.double({ noNaN: true })));
  it("on strings (bytewise)", () => check(notNull(T.string), fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) })));
  it("on tuples", () => check(notNull(T.tuple([notNull(T.u8), notNull(T.string)])), fc.tuple(fc.integer({ min: 0, max: 255 }), fc.string({ maxLength: 3 }))));
  it("on ips of both families", () =>
    check(notNull(T.ip), fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.bigInt(0n, (1n << 128n) - 1n)) as fc.Arbitrary<Value>));

  it("NaN is neither less, equal nor greater", () => {
    const t = notNull(T.float);
    for (const name of ["lt", "le", "eq", "ge", "gt"]) expect(cmp(name, t, NaN, 1)).toBe(false);
    expect(cmp("ne", t, NaN, NaN)).toBe(true);
  });
});

// ---- PERCENTILE -------------------------------------------------------------------------------------------

describe("percentile", () => {
  it("is the item at the nearest rank of the sorted items", () => {
    const list = notNull(T.list(notNull(T.i32)));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 100 }), (items, p) => {
        const call = implCall([notNull(T.u32), list], { type: T.i32, nullable: true }, { constants: [p, undefined] });
        const sorted = [...items].sort((a, b) => a - b);
        // Index p/100 × (n − 1) rounded half away from zero, computed exactly: p(n−1) / 100 with the remainder.
        const scaled = p * (sorted.length - 1);
        const index = Math.floor(scaled / 100) + (scaled % 100 >= 50 ? 1 : 0);
        expect(stateless("percentile").apply([p, items], call)).toBe(sorted[index]);
      }),
    );
  });

  it("names `90th PERCENTILE x` x_90th, and 1st, 2nd, 3rd, 11th, 21st likewise", () => {
    const alias = entryNamed("percentile").defaultAlias!;
    expect([90, 1, 2, 3, 11, 12, 13, 21, 22, 101].map((p) => alias("x", { constants: [p, undefined] }))).toEqual([
      "x_90th",
      "x_1st",
      "x_2nd",
      "x_3rd",
      "x_11th",
      "x_12th",
      "x_13th",
      "x_21st",
      "x_22nd",
      "x_101st",
    ]);
    expect(alias("x", { constants: [[50, 90], undefined] })).toBeUndefined();
    expect(alias("x", { constants: [99.5, undefined] })).toBeUndefined();
  });
});

// ---- behaviours outside the vector format -------------------------------------------------------------------

describe("stateless behaviours", () => {
  it("FORCE of NULL aborts with RQ6101", () => {
    const call = implCall([{ type: T.u8, nullable: true }], notNull(T.u8));
    expect(() => stateless("force").apply([null], call)).toThrow(RamenError);
    try {
      stateless("force").apply([null], call);
    } catch (e) {
      expect((e as RamenError).diagnostics[0]!.code).toBe("RQ6101");
    }
  });

  it("PRINT hands all its values to the worker and returns the last", () => {
    const printed: Value[][] = [];
    const call = implCall([notNull(T.u8), notNull(T.string)], notNull(T.string), { print: (vs) => printed.push([...vs]) });
    expect(stateless("print").apply([1, "x"], call)).toBe("x");
    expect(printed).toEqual([[1, "x"]]);
  });

  it("MAX and MIN with one argument are not GREATEST/LEAST; GREATEST and LEAST accept one", () => {
    expect(resolveWrittenCall("max", 2)?.name).toBe("greatest");
    expect(resolveWrittenCall("MIN", 3)?.name).toBe("least");
    expect(resolveWrittenCall("max", 1)?.name).not.toBe("greatest");
    expect(resolveWrittenCall("min", 1)?.name).not.toBe("least");
    expect(resolveWrittenCall("greatest", 1)?.name).toBe("greatest");
    expect(resolveWrittenCall("least", 1)?.name).toBe("least");
  });

  it("LIKE patterns: escapes, regex metacharacters and ASCII-only case folding", () => {
    expect(likeRegExp("a\\_b", false).test("a_b")).toBe(true);
    expect(likeRegExp("a\\_b", false).test("axb")).toBe(false);
    expect(likeRegExp("a\\\\b", true).test("a\\b")).toBe(true);
    expect(likeRegExp("(x)+[y]$", true).test("(x)+[y]$")).toBe(true);
    expect(likeRegExp("%", true).test("line\nbreak")).toBe(true);
    // é is two bytes, 0xC3 0xA9; É is 0xC3 0x89: not folded.
    expect(likeRegExp("\xc3\xa9", false).test("\xc3\x89")).toBe(false);
  });

  it("shifts by a constant inline only within the width", () => {
    const t = notNull(T.u8);
    const impl = stateless("shl");
    expect(impl.inline!(["a0", "a1"], implCall([t, t], t, { constants: [undefined, 3] }))).toBeDefined();
    expect(impl.inline!(["a0", "a1"], implCall([t, t], t, { constants: [undefined, 8] }))).toBeUndefined();
    expect(impl.inline!(["a0", "a1"], implCall([t, t], t))).toBeUndefined();
    const i64 = notNull(T.i64);
    const template = stateless("shr").inline!(["a0", "a1"], implCall([i64, i64], i64, { constants: [undefined, 4n] }))!;
    expect(evalInline(template, [-256n, 4n])).toBe(-16n);
  });
});
