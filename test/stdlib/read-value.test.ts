import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../grammar/diagnostics.js";
import { NType, T, notNull, nullable, ntypeToString } from "../../grammar/types.js";
import { renderValue, valueToString } from "../../stdlib/format.js";
import { readValue, readValueOfBytes } from "../../stdlib/read-value.js";
import { bytesOfText } from "../../stdlib/values.js";
import { arbNType, arbValue } from "./arbitraries.js";

const nn = notNull;

function readError(text: string, t: NType): RamenError {
  try {
    readValue(text, t);
  } catch (e) {
    if (e instanceof RamenError) return e;
    throw e;
  }
  throw new Error(`${text} was read as ${ntypeToString(t)}`);
}

describe("readValue: scalars", () => {
  it("reads NULL in any case, only for nullable types", () => {
    expect(readValue("NULL", nullable(T.u8))).toBeNull();
    expect(readValue(" null ", nullable(T.string))).toBeNull();
    expect(readValue("Null", nullable(T.vector(2, nn(T.u8))))).toBeNull();
    const e = readError("NULL", nn(T.u8));
    expect(e.diagnostics[0]!.code).toBe("RQ6001");
    expect(e.message).toBe('Cannot parse "NULL" as u8: NULL is not a value of the non-nullable type u8');
  });
  it("reads booleans", () => {
    expect(readValue("true", nn(T.bool))).toBe(true);
    expect(readValue("FALSE", nn(T.bool))).toBe(false);
    expect(() => readValue("1", nn(T.bool))).toThrow(RamenError);
  });
  it("reads integers in every base, with separators and suffixes, widening", () => {
    expect(readValue("42", nn(T.u8))).toBe(42);
    expect(readValue("0x7F", nn(T.u8))).toBe(127);
    expect(readValue("0o17", nn(T.i16))).toBe(15);
    expect(readValue("0b101", nn(T.u32))).toBe(5);
    expect(readValue("1_000_000", nn(T.u32))).toBe(1_000_000);
    expect(readValue("-3", nn(T.i8))).toBe(-3);
    expect(readValue("42u8", nn(T.u16))).toBe(42);
    expect(readValue("1i128", nn(T.i128))).toBe(1n);
    expect(readValue("18446744073709551615", nn(T.u64))).toBe(18446744073709551615n);
    expect(readValue("-0x10", nn(T.i64))).toBe(-16n);
    expect(readValue("2k", nn(T.u32))).toBe(2000);
    expect(readValue("3 Ki", nn(T.u32))).toBe(3072);
    expect(readValue("12000m", nn(T.u32))).toBe(12);
    expect(readValue("1G", nn(T.u64))).toBe(1_000_000_000n);
  });
  it("rejects integers that do not fit or are not integers", () => {
    expect(readError("300", nn(T.u8)).message).toContain("out of the range of u8");
    expect(readError("-1", nn(T.u32)).message).toContain("out of the range of u32");
    expect(readError("300u8", nn(T.u16)).message).toContain("does not fit u8");
    expect(readError("1u16", nn(T.u8)).message).toContain("is not a u8");
    expect(readError("-1i8", nn(T.u16)).message).toContain("is not a u16");
    expect(readError("1.5", nn(T.i32)).message).toContain("got a float");
    expect(readError("15m", nn(T.u32)).message).toContain("not an integer");
    expect(readError("12 apples", nn(T.u32)).message).toContain("after the value");
  });
  it("reads floats, integers as floats, scales and non-finite values", () => {
    expect(readValue("3.14", nn(T.float))).toBe(3.14);
    expect(readValue("15042.", nn(T.float))).toBe(15042);
    expect(readValue("1e9", nn(T.float))).toBe(1e9);
    expect(readValue("2.5e-3", nn(T.float))).toBe(0.0025);
    expect(readValue("1", nn(T.float))).toBe(1);
    expect(readValue("1e0", nn(T.float))).toBe(1);
    expect(readValue("-0", nn(T.float))).toBe(-0);
    expect(readValue("5m", nn(T.float))).toBe(0.005);
    expect(readValue("15m", nn(T.float))).toBe(0.015);
    expect(readValue("1.5k", nn(T.float))).toBe(1500);
    expect(readValue("1.5 kilo", nn(T.float))).toBe(1500);
    expect(readValue("2µ", nn(T.float))).toBe(2e-6);
    expect(readValue("3pico", nn(T.float))).toBe(3e-12);
    expect(readValue("1Mi", nn(T.float))).toBe(1048576);
    expect(readValue("0x10", nn(T.float))).toBe(16);
    expect(readValue("1e+21", nn(T.float))).toBe(1e21);
    expect(readValue("nan", nn(T.float))).toBeNaN();
    expect(readValue("inf", nn(T.float))).toBe(Infinity);
    expect(readValue("-inf", nn(T.float))).toBe(-Infinity);
    expect(readValue("1.5?", nn(T.float))).toBe(1.5);
    expect(() => readValue("1.2.3", nn(T.float))).toThrow(RamenError);
    expect(() => readValue("infinity", nn(T.float))).toThrow(RamenError);
  });
  it("reads strings with escapes, UTF-8 encoding the text", () => {
    expect(readValue('"glop"', nn(T.string))).toBe("glop");
    expect(readValue('"a\\nb\\t\\r\\b\\\\\\"\\\'"', nn(T.string))).toBe("a\nb\t\r\b\\\"'");
    expect(readValue('"\\065\\x41\\255"', nn(T.string))).toBe("AA\xff");
    expect(readValue('"é"', nn(T.string))).toBe(bytesOfText("é"));
    expect(readValue('"two\nlines"', nn(T.string))).toBe("two\nlines");
    expect(readError('"\\256"', nn(T.string)).message).toContain("invalid escape");
    expect(readError('"\\q"', nn(T.string)).message).toContain("invalid escape");
    expect(readError('"open', nn(T.string)).message).toContain("unterminated string");
    expect(readError("glop", nn(T.string)).message).toContain("double quotes");
  });
  it("reads chars", () => {
    const read = (s: string) => readValue(s, nn(T.char));
    expect(read("#\\a")).toBe(0x61);
    expect(read("#\\space")).toBe(32);
    expect(read("#\\NEWLINE")).toBe(10);
    expect(read("#\\linefeed")).toBe(10);
    expect(read("#\\x41")).toBe(0x41);
    expect(read("#\\x")).toBe(0x78);
    expect(read("#\\101")).toBe(0o101);
    expect(read("#\\1")).toBe(0x31);
    expect(read("#\\;")).toBe(0x3b);
    expect(read("#\\\x00")).toBe(0);
    expect(read("#\\t")).toBe(0x74);
    expect(() => read("#\\ab")).toThrow(RamenError);
    expect(() => read("#\\x100")).toThrow(RamenError);
    expect(() => read("#\\")).toThrow(RamenError);
  });
  it("reads addresses by type", () => {
    expect(readValue("1.2.3.4", nn(T.ip4))).toBe(0x01020304);
    expect(readValue("1.2.3.4", nn(T.ip))).toBe(0x01020304);
    expect(readValue("2001:db8::1", nn(T.ip))).toBe(0x20010db8000000000000000000000001n);
    expect(readValue("10.1.2.3/8", nn(T.cidr))).toEqual({ ip: 0x0a000000, len: 8 });
    expect(readValue("fe80::/10", nn(T.cidr6))).toEqual({ ip: 0xfe80n << 112n, len: 10 });
    expect(readValue("00:1a:2b:3c:4d:5e", nn(T.eth))).toBe(0x001a2b3c4d5e);
    expect(() => readValue("::1", nn(T.ip4))).toThrow(RamenError);
    expect(() => readValue("1.2.3.4/8", nn(T.cidr6))).toThrow(RamenError);
  });
});

describe("readValue: composites", () => {
  it("reads vectors, lists, tuples, records and unit", () => {
    expect(readValue("[1; 2;3]", nn(T.vector(3, nn(T.u16))))).toEqual([1, 2, 3]);
    expect(readValue("[]", nn(T.list(nn(T.u8))))).toEqual([]);
    expect(readValue('[ "a" ; NULL ; ]', nn(T.list(nullable(T.string))))).toEqual(["a", null]);
    expect(readValue("[1.2.3.4; 2001:db8::1]", nn(T.vector(2, nn(T.ip))))).toEqual([0x01020304, 0x20010db8000000000000000000000001n]);
    expect(readValue('(1; "x"; #\\;)', nn(T.tuple([nn(T.u8), nn(T.string), nn(T.char)])))).toEqual([1, "x", 0x3b]);
    const r = nn(T.record([{ name: "a", type: nn(T.u8) }, { name: "the b", type: nn(T.string) }]));
    expect(readValue("{'the b': \"x\"; a: 1}", r)).toEqual([1, "x"]);
    expect(readValue("()", nn(T.unit))).toEqual([]);
    expect(readValue("[[1]; []]", nn(T.vector(2, nn(T.list(nn(T.u8))))))).toEqual([[1], []]);
  });
  it("rejects wrong counts and fields", () => {
    expect(readError("[1; 2]", nn(T.vector(3, nn(T.u8)))).message).toContain("expected 3 items, got 2");
    expect(readError("(1; 2; 3)", nn(T.tuple([nn(T.u8), nn(T.u8)]))).message).toContain("too many items");
    const r = nn(T.record([{ name: "a", type: nn(T.u8) }, { name: "b", type: nn(T.u8) }]));
    expect(readError("{a: 1}", r).message).toContain("missing field b");
    expect(readError("{a: 1; c: 2}", r).message).toContain("unknown field c");
    expect(readError("{a: 1; a: 2}", r).message).toContain("given twice");
    expect(readError("[1, 2]", nn(T.vector(2, nn(T.u8)))).message).toContain("expected ; or ]");
    expect(readError("{k: 1}", nn(T.map(nn(T.string), nn(T.u8)))).message).toContain("maps have no literal");
  });
  it("keeps bytes as they are with readValueOfBytes", () => {
    expect(readValueOfBytes('"\xe9"', nn(T.string))).toBe("\xe9");
    expect(readValue('"\xe9"', nn(T.string))).toBe("\xc3\xa9");
  });
});

describe("round trips", () => {
  it("reads back what renderValue prints", () => {
    fc.assert(
      fc.property(
        arbNType.chain((t) => fc.tuple(fc.constant(t), arbValue(t))),
        ([t, v]) => {
          expect(readValue(renderValue(v, t), t)).toEqual(v);
        },
      ),
      { numRuns: 500 },
    );
  });
  it("reads back what string(x) prints inside composites, floats exactly", () => {
    fc.assert(
      fc.property(
        arbNType.chain((t) => fc.tuple(fc.constant(t), arbValue(t, { anyFiniteFloat: true }))),
        ([t, v]) => {
          const pair = nn(T.tuple([t, t]));
          expect(readValueOfBytes(valueToString([v, v], pair), pair)).toEqual([v, v]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
