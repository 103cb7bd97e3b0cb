import { describe, expect, it } from "vitest";
import { RamenError } from "../../grammar/diagnostics.js";
import { NType, T, notNull, nullable } from "../../grammar/types.js";
import { CastFailure, canCast, castValue } from "../../stdlib/cast.js";
import type { Value } from "../../stdlib/values.js";

const nn = notNull;

function failure(v: Value, from: NType, to: NType): CastFailure {
  try {
    castValue(v, from, to);
  } catch (e) {
    if (e instanceof CastFailure) return e;
    throw e;
  }
  throw new Error("the cast did not fail");
}

describe("numeric casts", () => {
  it("truncates floats toward zero then wraps", () => {
    expect(castValue(3.9, nn(T.float), nn(T.u8))).toBe(3);
    expect(castValue(-3.9, nn(T.float), nn(T.i8))).toBe(-3);
    expect(castValue(300.5, nn(T.float), nn(T.u8))).toBe(44);
    expect(castValue(-1.5, nn(T.float), nn(T.u8))).toBe(255);
    expect(castValue(-1, nn(T.float), nn(T.u64))).toBe(2n ** 64n - 1n);
    expect(castValue(2 ** 70 + 2 ** 20, nn(T.float), nn(T.u64))).toBe(2n ** 20n);
    expect(castValue(2 ** 40 + 5.5, nn(T.float), nn(T.u32))).toBe(5);
    expect(castValue(128, nn(T.float), nn(T.i8))).toBe(-128);
  });
  it("wraps integers", () => {
    expect(castValue(256, nn(T.u16), nn(T.u8))).toBe(0);
    expect(castValue(255, nn(T.u8), nn(T.i8))).toBe(-1);
    expect(castValue(-1, nn(T.i8), nn(T.u32))).toBe(4294967295);
    expect(castValue(-1, nn(T.i32), nn(T.u128))).toBe(2n ** 128n - 1n);
    expect(castValue(2n ** 40n + 7n, nn(T.u64), nn(T.u16))).toBe(7);
    expect(castValue(2n ** 64n - 1n, nn(T.u64), nn(T.float))).toBe(2 ** 64);
  });
  it("converts bools both ways", () => {
    expect(castValue(true, nn(T.bool), nn(T.u8))).toBe(1);
    expect(castValue(false, nn(T.bool), nn(T.i64))).toBe(0n);
    expect(castValue(true, nn(T.bool), nn(T.float))).toBe(1);
    expect(castValue(0.5, nn(T.float), nn(T.bool))).toBe(true);
    expect(castValue(0n, nn(T.u64), nn(T.bool))).toBe(false);
  });
  it("fails on NaN and infinities, NULL where nullable", () => {
    expect(castValue(NaN, nn(T.float), nullable(T.u8))).toBeNull();
    expect(failure(Infinity, nn(T.float), nn(T.u8)).message).toBe("Cannot convert inf from float to u8: Infinity has no integer value");
  });
});

describe("string casts", () => {
  it("prints values", () => {
    expect(castValue(42, nn(T.u8), nn(T.string))).toBe("42");
    expect(castValue(0.1, nn(T.float), nn(T.string))).toBe("0.1");
    expect(castValue(["1", 2], nn(T.tuple([nn(T.string), nullable(T.u32)])), nn(T.string))).toBe('("1"; 2)');
    expect(castValue([0x66, 0x6f], nn(T.vector(2, nn(T.char))), nn(T.string))).toBe("fo");
    expect(castValue([0x66, null], nn(T.vector(2, nullable(T.char))), nn(T.string))).toBe("f?");
    expect(castValue([1, null], nn(T.list(nullable(T.u8))), nn(T.string))).toBe("[1; NULL]");
  });
  it("parses text as a literal, blanks ignored", () => {
    expect(castValue(" 42 ", nn(T.string), nn(T.u16))).toBe(42);
    expect(castValue("1.5", nn(T.string), nn(T.float))).toBe(1.5);
    expect(castValue("true", nn(T.string), nn(T.bool))).toBe(true);
    expect(castValue("1.2.3.4", nn(T.string), nn(T.ip))).toBe(0x01020304);
    expect(castValue("10.1.2.3/8", nn(T.string), nn(T.cidr4))).toEqual({ ip: 0x0a000000, len: 8 });
    expect(castValue("00:01:02:03:04:05", nn(T.string), nn(T.eth))).toBe(0x000102030405);
    expect(castValue("[1; 2]", nn(T.string), nn(T.vector(2, nn(T.u8))))).toEqual([1, 2]);
    expect(castValue("glop", nn(T.string), nn(T.char))).toBe(0x67);
  });
  it("gives NULL for unparsable text when nullable, else fails", () => {
    expect(castValue("forty", nn(T.string), nullable(T.u16))).toBeNull();
    expect(castValue("forty", nullable(T.string), nn(T.u16))).toBeNull();
    expect(castValue("300", nn(T.string), nullable(T.u8))).toBeNull();
    expect(castValue("", nn(T.string), nullable(T.char))).toBeNull();
    const e = failure("forty", nn(T.string), nn(T.u16));
    expect(e).toBeInstanceOf(RamenError);
    expect(e.diagnostics[0]!.code).toBe("RQ6002");
    expect(e.message).toContain('Cannot convert "forty" from string to u16');
  });
});

describe("addresses", () => {
  it("converts u32/ip4, u128/ip6 numerically", () => {
    expect(castValue(0x01020304, nn(T.u32), nn(T.ip4))).toBe(0x01020304);
    expect(castValue(0x01020304, nn(T.u32), nn(T.ip))).toBe(0x01020304);
    expect(castValue(1n, nn(T.u128), nn(T.ip))).toBe(1n);
    expect(castValue(1n, nn(T.ip6), nn(T.u128))).toBe(1n);
    expect(castValue(0xffffffff, nn(T.ip4), nn(T.i32))).toBe(-1);
    expect(castValue(0x0102, nn(T.ip), nn(T.u64))).toBe(0x0102n);
  });
  it("fails across families", () => {
    expect(castValue(1n, nn(T.ip), nullable(T.ip4))).toBeNull();
    expect(castValue(5, nn(T.ip), nn(T.ip4))).toBe(5);
    expect(castValue({ ip: 0n, len: 0 }, nn(T.cidr), nullable(T.cidr4))).toBeNull();
    expect(castValue({ ip: 0, len: 0 }, nn(T.cidr), nn(T.cidr4))).toEqual({ ip: 0, len: 0 });
  });
});

describe("composite casts (raql.md §5.3 examples)", () => {
  const strings2 = nn(T.tuple([nn(T.string), nn(T.string)]));
  it("puts a failure at the innermost nullable level", () => {
    expect(castValue(["1.2.3.4", "x"], strings2, nn(T.vector(2, nullable(T.ip))))).toEqual([0x01020304, null]);
    expect(castValue(["1.2.3.4", "x"], strings2, nullable(T.vector(2, nn(T.ip))))).toBeNull();
    expect(() => castValue(["1.2.3.4", "x"], strings2, nn(T.vector(2, nn(T.ip))))).toThrow(CastFailure);
  });
  it("converts tuples item-wise", () => {
    expect(castValue([1, 2], nn(T.tuple([nn(T.u8), nn(T.u8)])), nn(T.tuple([nn(T.string), nullable(T.u32)])))).toEqual(["1", 2]);
  });
  it("converts between vectors and lists, checking lengths", () => {
    expect(castValue([1, 2], nn(T.list(nn(T.u8))), nn(T.vector(2, nn(T.float))))).toEqual([1, 2]);
    expect(castValue([1, 2, 3], nn(T.list(nn(T.u8))), nullable(T.vector(2, nn(T.u8))))).toBeNull();
    expect(castValue([1, 2], nn(T.vector(2, nn(T.u8))), nn(T.list(nn(T.i8))))).toEqual([1, 2]);
    expect(castValue([null, 1], nn(T.list(nullable(T.u8))), nullable(T.list(nn(T.u8))))).toBeNull();
  });
  it("makes a 1-vector of a scalar", () => {
    expect(castValue(7, nn(T.u8), nn(T.vector(1, nn(T.u16))))).toEqual([7]);
  });
  it("matches record fields by name", () => {
    const from = nn(T.record([{ name: "a", type: nn(T.u8) }, { name: "b", type: nn(T.string) }]));
    const to = nn(T.record([{ name: "b", type: nullable(T.u8) }, { name: "a", type: nn(T.string) }]));
    expect(castValue([1, "x"], from, to)).toEqual([null, "1"]);
  });
  it("keeps NULL operands NULL", () => {
    expect(castValue(null, nullable(T.u8), nn(T.string))).toBeNull();
  });
});

describe("canCast", () => {
  it("accepts the conversions of §5.3", () => {
    const ok: [NType, NType][] = [
      [nn(T.float), nn(T.u8)],
      [nn(T.bool), nn(T.i64)],
      [nn(T.u8), nn(T.bool)],
      [nn(T.list(nn(T.u8))), nn(T.string)],
      [nn(T.string), nn(T.cidr)],
      [nn(T.u32), nn(T.ip4)],
      [nn(T.ip6), nn(T.u128)],
      [nn(T.tuple([nn(T.u8), nn(T.string)])), nn(T.vector(2, nn(T.string)))],
      [nn(T.u8), nn(T.vector(1, nn(T.float)))],
      [nullable(T.u8), nn(T.u16)],
      [nn({ tag: "unknown" }), nullable(T.ip)],
    ];
    for (const [from, to] of ok) expect(canCast(from, to)).toBe(true);
  });
  it("rejects conversions without meaning", () => {
    const bad: [NType, NType][] = [
      [nn(T.ip4), nn(T.float)],
      [nn(T.cidr4), nn(T.ip4)],
      [nn(T.tuple([nn(T.u8), nn(T.u8)])), nn(T.tuple([nn(T.u8), nn(T.u8), nn(T.u8)]))],
      [nn(T.vector(2, nn(T.u8))), nn(T.vector(3, nn(T.u8)))],
      [nn(T.u8), nn(T.vector(2, nn(T.u8)))],
      [nn(T.float), nn(T.char)],
      [nn(T.record([{ name: "a", type: nn(T.u8) }])), nn(T.record([{ name: "b", type: nn(T.u8) }]))],
      [nn(T.map(nn(T.string), nn(T.u8))), nn(T.string)],
    ];
    for (const [from, to] of bad) expect(canCast(from, to)).toBe(false);
  });
});
