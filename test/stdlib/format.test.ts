import { describe, expect, it } from "vitest";
import { NType, T, notNull, nullable } from "../../grammar/types.js";
import { floatToShortest, formatDate, formatDuration, formatFloat, renderValue, valueToString } from "../../stdlib/format.js";
import { bytesOfText } from "../../stdlib/values.js";
import { inTimeZone } from "../time-zone.js";

const nn = notNull;

describe("formatFloat (%.12g, trailing zeros removed)", () => {
  // Expected texts computed with Python's "%.12g" (correctly rounded, ties to even), zeros trimmed.
  const table: [number, string][] = [
    [42, "42"],
    [0.1, "0.1"],
    [1 / 3, "0.333333333333"],
    [1e100, "1e+100"],
    [1e-5, "1e-05"],
    [123456789012345, "1.23456789012e+14"],
    [123456789012.5, "123456789012"],
    [123456789013.5, "123456789014"],
    [0.5, "0.5"],
    [2.5e-5, "2.5e-05"],
    [0.0001, "0.0001"],
    [0.00012345678901234, "0.000123456789012"],
    [999999999999.5, "1e+12"],
    [999999999999.4, "999999999999"],
    [-1.5, "-1.5"],
    [1e21, "1e+21"],
    [12345678901.25, "12345678901.2"],
    [5e-324, "4.94065645841e-324"],
    [1.7976931348623157e308, "1.79769313486e+308"],
    [100, "100"],
    [1e12, "1e+12"],
    [1e11, "100000000000"],
    [-0.000123, "-0.000123"],
  ];
  it.each(table)("%s → %s", (x, text) => expect(formatFloat(x)).toBe(text));
  it("prints non-finite values and zeros", () => {
    expect([NaN, Infinity, -Infinity, 0, -0].map(formatFloat)).toEqual(["nan", "inf", "-inf", "0", "-0"]);
  });
});

describe("floatToShortest", () => {
  it("gives the shortest text that reads back", () => {
    expect([0.1, 1 / 3, 1e21, 1e-7, 2, -0, NaN, -Infinity].map(floatToShortest)).toEqual([
      "0.1",
      "0.3333333333333333",
      "1e+21",
      "1e-7",
      "2",
      "-0",
      "nan",
      "-inf",
    ]);
  });
});

describe("valueToString (string(x), raql.md §6.11)", () => {
  it("prints scalars", () => {
    expect(valueToString(42, nn(T.u8))).toBe("42");
    expect(valueToString(-(2n ** 127n), nn(T.i128))).toBe("-170141183460469231731687303715884105728");
    expect(valueToString(0.1, nn(T.float))).toBe("0.1");
    expect(valueToString(true, nn(T.bool))).toBe("true");
    expect(valueToString("a\"b", nn(T.string))).toBe('a"b');
    expect(valueToString(0x66, nn(T.char))).toBe("f");
    expect(valueToString(0x001a2b3c4d5e, nn(T.eth))).toBe("00:1a:2b:3c:4d:5e");
    expect(valueToString(0x01020304, nn(T.ip))).toBe("1.2.3.4");
    expect(valueToString(1n, nn(T.ip6))).toBe("::1");
    expect(valueToString({ ip: 0x0a000000, len: 8 }, nn(T.cidr4))).toBe("10.0.0.0/8");
    expect(valueToString(null, nullable(T.u8))).toBe("NULL");
  });
  it("quotes strings and chars inside composites only", () => {
    const t = nn(T.tuple([nn(T.string), nullable(T.u32), nn(T.char)]));
    expect(valueToString(["1", null, 0x61], t)).toBe('("1"; NULL; #\\a)');
    expect(valueToString([1.5, 2], nn(T.vector(2, nn(T.float))))).toBe("[1.5; 2]");
    const r = nn(T.record([{ name: "f", type: nn(T.string) }, { name: "g", type: nn(T.list(nn(T.u8))) }]));
    expect(valueToString(["x\n", [1, 2]], r)).toBe('{f: "x\\n"; g: [1; 2]}');
  });
  it("concatenates vectors and lists of chars, NULL items as ?", () => {
    expect(valueToString([0x66, 0x6f], nn(T.vector(2, nn(T.char))))).toBe("fo");
    expect(valueToString([0x66, null, 0x6f], nn(T.list(nullable(T.char))))).toBe("f?o");
  });
});

describe("renderValue (cli-runtime.md §3.1)", () => {
  const render = (v: Parameters<typeof renderValue>[0], t: NType, nullText = "<NULL>", raw = false) => renderValue(v, t, { nullText, raw });
  it("prints NULL as the --null text, nested too", () => {
    expect(render(null, nullable(T.u8))).toBe("<NULL>");
    expect(render([1, null], nn(T.vector(2, nullable(T.u8))))).toBe("[1;<NULL>]");
    expect(renderValue(null, nullable(T.u8))).toBe("NULL");
  });
  it("quotes and escapes strings", () => {
    expect(render('a"b\\c\n\t\r\b', nn(T.string))).toBe('"a\\"b\\\\c\\n\\t\\r\\b"');
    expect(render("\x07\x00\x7f", nn(T.string))).toBe('"\\007\\000\\127"');
    // valid printable UTF-8 as is; invalid bytes and C1 controls as \ddd
    expect(render(bytesOfText("é€😀"), nn(T.string))).toBe('"é€😀"');
    expect(render("\xff\xc3(\xc2\x85", nn(T.string))).toBe('"\\255\\195(\\194\\133"');
    expect(render("\xe0\x80\x80", nn(T.string))).toBe('"\\224\\128\\128"');
    expect(render(bytesOfText('x"é'), nn(T.string), "<NULL>", true)).toBe('x"é');
  });
  it("prints chars", () => {
    const chars = [0x61, 0x5a, 0x20, 0x0a, 0x09, 0x0d, 0x0c, 0x1b, 0x7f, 0x08, 0x07, 0x0b, 0x33, 0x00, 0xe9];
    expect(chars.map((c) => render(c, nn(T.char)))).toEqual([
      "#\\a",
      "#\\Z",
      "#\\space",
      "#\\newline",
      "#\\tab",
      "#\\return",
      "#\\page",
      "#\\esc",
      "#\\delete",
      "#\\backspace",
      "#\\alarm",
      "#\\vtab",
      "#\\x33",
      "#\\x00",
      "#\\xe9",
    ]);
  });
  it("prints composites without spaces and records as literals", () => {
    expect(render([1, "a"], nn(T.tuple([nn(T.u8), nn(T.string)])))).toBe('(1;"a")');
    expect(render([0.1, 1 / 3], nn(T.list(nn(T.float))))).toBe("[0.1;0.333333333333]");
    const r = nn(T.record([{ name: "a", type: nn(T.u8) }, { name: "the b", type: nn(T.bool) }]));
    expect(render([1, false], r)).toBe("{a: 1;'the b': false}");
    expect(render([], nn(T.unit))).toBe("()");
    expect(render({ ip: 0xc0a80a14, len: 16 }, nn(T.cidr))).toBe("192.168.0.0/16");
  });
});

describe("dates and durations (cli-runtime.md §3.2)", () => {
  inTimeZone("UTC");
  it("prints dates in the local time zone, to the second", () => {
    process.env.TZ = "UTC";
    expect(formatDate(1e9 + 0.9)).toBe("2001-09-09T01:46:40");
    process.env.TZ = "Asia/Kolkata";
    expect(formatDate(0)).toBe("1970-01-01T05:30:00");
  });
  it("prints durations compactly", () => {
    expect(formatDuration(86400 + 600)).toBe("1d10m");
    expect(formatDuration(3600.5)).toBe("1h0.5s");
    expect(formatDuration(10)).toBe("10s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(90061)).toBe("1d1h1m1s");
    expect(formatDuration(-90)).toBe("-1m30s");
  });
});
