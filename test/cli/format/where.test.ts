import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { T, notNull, nullable, type NType } from "../../../grammar/types.js";
import type { OutputField } from "../../../cli/format/fields.js";
import { parseWhere, parseWheres } from "../../../cli/format/where.js";
import { renderValue } from "../../../stdlib/format.js";
import { bytesOfText, type Value } from "../../../stdlib/values.js";
import { messageOf } from "./message-of.js";

// Expected verdicts written by hand from cli-runtime.md §6.5.

const FIELDS: OutputField[] = [
  { name: "n", type: notNull(T.u32) },
  { name: "color", type: notNull(T.string) },
  { name: "x", type: nullable(T.float) },
  { name: "_p", type: notNull(T.u8) },
  { name: "big", type: notNull(T.i64) },
  { name: "ip", type: notNull(T.ip4) },
  { name: "pair", type: nullable(T.tuple([notNull(T.u8), notNull(T.string)])) },
];

/** A tuple of FIELDS from the fields that matter to a test. */
function tuple(v: { n?: number; color?: string; x?: number | null; big?: bigint; ip?: number; pair?: Value }): Value[] {
  return [v.n ?? 0, bytesOfText(v.color ?? ""), v.x ?? null, 0, v.big ?? 0n, v.ip ?? 0, v.pair ?? null];
}

function accepts(filter: string, values: Value[]): boolean {
  return parseWhere(filter, FIELDS).test(values);
}


describe("operators", () => {
  const three = tuple({ n: 3 });
  it("compares numbers", () => {
    expect([">", ">=", "<", "<=", "=", "!=", "<>"].map((op) => accepts(`n ${op} 3`, three))).toEqual([false, true, false, true, true, false, false]);
    expect([">", ">=", "<", "<=", "=", "!=", "<>"].map((op) => accepts(`n ${op} 2`, three))).toEqual([true, true, false, false, false, true, true]);
  });
  it("needs no blanks around the operator, and ignores surrounding ones", () => {
    expect(accepts("n>=3", three)).toBe(true);
    expect(accepts("  n<>4  ", three)).toBe(true);
    expect(accepts("n<3", three)).toBe(false);
  });
  it("reads the value as the field's type", () => {
    expect(accepts("x > 1", tuple({ x: 1.5 }))).toBe(true);
    expect(accepts("x = 1.5", tuple({ x: 1.5 }))).toBe(true);
    expect(accepts("big > 9223372036854775806", tuple({ big: 9223372036854775807n }))).toBe(true);
    expect(accepts("big < -1", tuple({ big: -2n }))).toBe(true);
    expect(accepts("ip = 10.0.0.1", tuple({ ip: 0x0a000001 }))).toBe(true);
    expect(accepts("ip < 10.0.0.2", tuple({ ip: 0x0a000001 }))).toBe(true);
    expect(accepts("ip > 9.255.255.255", tuple({ ip: 0x0a000001 }))).toBe(true);
  });
  it("orders strings by bytes", () => {
    expect(accepts('color < "a"', tuple({ color: "Zebra" }))).toBe(true);
    expect(accepts('color > "blue"', tuple({ color: "blues" }))).toBe(true);
    expect(accepts('color >= "é"', tuple({ color: "z" }))).toBe(false);
  });
  it("compares composites structurally", () => {
    const pair = tuple({ pair: [1, "b"] });
    expect(accepts('pair = (1; "b")', pair)).toBe(true);
    expect(accepts('pair < (1; "c")', pair)).toBe(true);
    expect(accepts('pair > (0; "z")', pair)).toBe(true);
  });
});

describe("NULL", () => {
  const none = tuple({ x: null });
  it("equals NULL and differs from anything else", () => {
    expect(accepts("x = NULL", none)).toBe(true);
    expect(accepts("x != null", none)).toBe(false);
    expect(accepts("x = 1", none)).toBe(false);
    expect(accepts("x <> 1", none)).toBe(true);
    expect(accepts("x = NULL", tuple({ x: 2 }))).toBe(false);
  });
  it("makes every ordering false", () => {
    for (const op of ["<", "<=", ">", ">="]) {
      expect(accepts(`x ${op} 1`, none)).toBe(false);
      expect(accepts(`x ${op} NULL`, tuple({ x: 1 }))).toBe(false);
      expect(accepts(`x ${op} NULL`, none)).toBe(false);
    }
  });
});

describe("in, not in", () => {
  it("tests membership in a vector of literals", () => {
    expect(accepts('color in ["blue";"red"]', tuple({ color: "red" }))).toBe(true);
    expect(accepts('color in ["blue";"red"]', tuple({ color: "green" }))).toBe(false);
    expect(accepts('color not in ["blue"; "red"]', tuple({ color: "green" }))).toBe(true);
    expect(accepts('color not in ["blue"; "red"]', tuple({ color: "blue" }))).toBe(false);
    expect(accepts("n in [1; 2; 3]", tuple({ n: 3 }))).toBe(true);
    expect(accepts("n in []", tuple({ n: 3 }))).toBe(false);
    expect(accepts("x in [1; NULL]", tuple({ x: null }))).toBe(true);
  });
  it("reports its parts", () => {
    const f = parseWhere('color not in ["a"]', FIELDS);
    expect([f.field, f.index, f.operator, f.value]).toEqual(["color", 1, "not in", ["a"]]);
  });
});

describe("splitting", () => {
  it("takes the first operator of the list found in the text", () => {
    const f = parseWhere("n <= 3", FIELDS);
    expect([f.field, f.operator, f.value]).toEqual(["n", "<=", 3]);
    expect(parseWhere("n<>3", FIELDS).operator).toBe("<>");
    expect(parseWhere('color = "a<b"', FIELDS).operator).toBe("=");
  });
  it("passes over operators inside the value", () => {
    expect(accepts('color = "sign in"', tuple({ color: "sign in" }))).toBe(true);
    expect(accepts('color = "x >= y"', tuple({ color: "x >= y" }))).toBe(true);
  });
});

describe("errors", () => {
  it("reports unknown and private fields", () => {
    expect(messageOf(() => parseWhere("nope = 1", FIELDS))).toBe("Unknown field nope, should be one of n, color, x, big, ip, pair");
    expect(messageOf(() => parseWhere("_p = 1", FIELDS))).toBe("Field _p is private");
  });
  it("reports values that do not read as the field's type", () => {
    expect(messageOf(() => parseWhere("n > abc", FIELDS))).toMatch(/^Cannot parse "abc" as u32\b/);
    expect(messageOf(() => parseWhere("n = -1", FIELDS))).toMatch(/^Cannot parse "-1" as u32\b/);
    expect(messageOf(() => parseWhere("color = blue", FIELDS))).toMatch(/^Cannot parse "blue" as string\b/);
    expect(messageOf(() => parseWhere("n in 3", FIELDS))).toMatch(/^Cannot parse "3" as u32\[\]/);
    expect(messageOf(() => parseWhere("n = NULL", FIELDS))).toMatch(/^Cannot parse "NULL" as u32\b/);
  });
  it("reports filters without a field or an operator", () => {
    const expected = (text: string) => `Cannot parse the filter "${text}": expected FIELD OP VALUE with OP one of not in, in, >=, <=, !=, <>, =, <, >`;
    expect(messageOf(() => parseWhere("n", FIELDS))).toBe(expected("n"));
    expect(messageOf(() => parseWhere("= 3", FIELDS))).toBe(expected("= 3"));
  });
});

describe("parseWheres", () => {
  it("ANDs the filters, and accepts everything without any", () => {
    const both = parseWheres(["n > 1", 'color = "a"'], FIELDS);
    expect(both(tuple({ n: 2, color: "a" }))).toBe(true);
    expect(both(tuple({ n: 1, color: "a" }))).toBe(false);
    expect(both(tuple({ n: 2, color: "b" }))).toBe(false);
    expect(parseWheres([], FIELDS)(tuple({}))).toBe(true);
  });
});

describe("properties", () => {
  it("orders u32 values like numbers", () => {
    const reference: Record<string, (a: number, b: number) => boolean> = {
      "<": (a, b) => a < b,
      "<=": (a, b) => a <= b,
      ">": (a, b) => a > b,
      ">=": (a, b) => a >= b,
      "=": (a, b) => a === b,
      "!=": (a, b) => a !== b,
    };
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.constantFrom(...Object.keys(reference)), (a, b, op) => {
        expect(accepts(`n ${op} ${b}`, tuple({ n: a }))).toBe(reference[op]!(a, b));
      }),
    );
  });

  // A value printed by tail (§3.1) pasted into a filter selects that value (strings are bytes, valid UTF-8 or not).
  const roundTrips = (type: NType, values: fc.Arbitrary<Value>) =>
    fc.assert(
      fc.property(values, (v) => {
        const fields: OutputField[] = [{ name: "f", type }];
        expect(parseWhere(`f = ${renderValue(v, type)}`, fields).test([v])).toBe(true);
        expect(parseWhere(`f in [${renderValue(v, type)}]`, fields).test([v])).toBe(true);
      }),
    );
  const bytes = fc.array(fc.nat({ max: 255 }), { maxLength: 12 }).map((codes) => String.fromCharCode(...codes));

  it("reads back rendered strings", () => roundTrips(notNull(T.string), bytes));
  it("reads back rendered i64", () => roundTrips(notNull(T.i64), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })));
  it("reads back rendered tuples with NULLs", () =>
    roundTrips(nullable(T.tuple([nullable(T.i16), notNull(T.bool)])), fc.option(fc.tuple(fc.option(fc.integer({ min: -32768, max: 32767 })), fc.boolean()).map((items): Value => items))));
});
