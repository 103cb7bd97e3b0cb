import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";
import { type NType, T, notNull, nullable } from "../../../grammar/types.js";
import { type CsvError, type CsvSpec, compileCsvReader, describeCsvError, isCsvError } from "../../../runtime/sources/csv.js";
import type { Value } from "../../../stdlib/values.js";

const nn = notNull;
const DEFAULTS = { separator: ",", nullString: "", quote: '"' } as const;

function reader(types: readonly NType[], options: Partial<Omit<CsvSpec, "fields">> = {}): (line: string) => Value[] | CsvError {
  return compileCsvReader({ ...DEFAULTS, ...options, fields: types.map((type, i) => ({ name: `f${i + 1}`, type })) });
}

function read(types: readonly NType[], line: string, options: Partial<Omit<CsvSpec, "fields">> = {}): Value[] {
  const r = reader(types, options)(line);
  if (isCsvError(r)) throw new Error(describeCsvError(r));
  return r;
}

function error(types: readonly NType[], line: string, options: Partial<Omit<CsvSpec, "fields">> = {}): CsvError {
  const r = reader(types, options)(line);
  if (!isCsvError(r)) throw new Error(`expected a bad line, read ${String(r)}`);
  return r;
}

describe("numbers", () => {
  it("reads floats in any decimal or exponent notation, with an optional sign", () => {
    const floats = ["1", "+500", "-10", "0.5", "-.5", "15042.", "1e9", "2.5E-3", "+1.5e+2", "0.03758", "123456789012345678901234567890"];
    expect(read(floats.map(() => nn(T.float)), floats.join(","))).toEqual([1, 500, -10, 0.5, -0.5, 15042, 1e9, 0.0025, 150, 0.03758, 1.2345678901234568e29]);
  });
  it("rounds decimals correctly (same double as the literal)", () => {
    const texts = ["0.1", "511.93", "0.3", "1.7976931348623157e308", "5e-324", "9007199254740993", "0.000001"];
    expect(read(texts.map(() => nn(T.float)), texts.join(","))).toEqual([0.1, 511.93, 0.3, 1.7976931348623157e308, 5e-324, 9007199254740992, 0.000001]);
  });
  it("reads nan and infinities", () => {
    const r = read([nn(T.float), nn(T.float), nn(T.float)], "nan,inf,-inf");
    expect(r[0]).toBeNaN();
    expect(r.slice(1)).toEqual([Infinity, -Infinity]);
  });
  it("rejects what is not a number", () => {
    for (const bad of ["", "abc", "1.2.3", "1e", "0x10", " 1", "1,5"]) {
      expect(isCsvError(reader([nn(T.float)])(bad)), bad).toBe(true);
    }
  });
  it("reads integers of every width, checking their range", () => {
    const types = [T.u8, T.i8, T.u16, T.i32, T.u32, T.u64, T.i64, T.u128, T.i128].map(nn);
    const line = "255,-128,+65535,-2147483648,4294967295,18446744073709551615,-9223372036854775808,340282366920938463463374607431768211455,-1";
    expect(read(types, line)).toEqual([255, -128, 65535, -2147483648, 4294967295, 2n ** 64n - 1n, -(2n ** 63n), 2n ** 128n - 1n, -1n]);
    expect(error([nn(T.u8)], "256").reason).toContain("out of the range of u8");
    expect(error([nn(T.u8)], "-1").reason).toContain("out of the range of u8");
    expect(error([nn(T.i64)], "9223372036854775808").reason).toContain("out of the range of i64");
    expect(error([nn(T.u32)], "1.5").reason).toContain("not an integer");
    expect(error([nn(T.u64)], "1e3").reason).toContain("not an integer");
    expect(error([nn(T.u16)], "").reason).toContain("not an integer");
    expect(error([nn(T.u32)], "99999999999999999999").reason).toContain("out of the range of u32");
  });
});

describe("other scalars", () => {
  it("reads booleans as true/false or #t/#f", () => {
    expect(read([nn(T.bool), nn(T.bool), nn(T.bool), nn(T.bool), nn(T.bool)], "true,false,#t,#f,TRUE")).toEqual([true, false, true, false, true]);
    expect(error([nn(T.bool)], "yes").reason).toContain("not a boolean");
  });
  it("reads strings verbatim and chars as one byte", () => {
    expect(read([nn(T.string), nn(T.string), nn(T.char)], "hello world,,x")).toEqual(["hello world", "", 120]);
    expect(error([nn(T.char)], "xy").reason).toContain("single char");
  });
  it("reads addresses as integers (and in their text forms)", () => {
    // 192.168.1.1 = 192·2^24 + 168·2^16 + 1·2^8 + 1
    expect(read([nn(T.ip4), nn(T.ip4)], "3232235777,192.168.1.1")).toEqual([3232235777, 3232235777]);
    // 2001:db8::1 = 0x20010db8 << 96 | 1
    const ip6 = (0x20010db8n << 96n) | 1n;
    expect(read([nn(T.ip6), nn(T.ip6)], `${ip6},2001:db8::1`)).toEqual([ip6, ip6]);
    // 00:1a:2b:3c:4d:5e
    expect(read([nn(T.eth), nn(T.eth)], "112394521950,00:1a:2b:3c:4d:5e")).toEqual([0x001a2b3c4d5e, 0x001a2b3c4d5e]);
    expect(error([nn(T.ip4)], "4294967296").reason).toContain("out of the range of u32");
  });
  it("reads cidrs as two columns, masked", () => {
    // 10.1.2.3/8 → 10.0.0.0/8
    expect(read([nn(T.cidr4), nn(T.u8)], "167838211,8,7")).toEqual([{ ip: 167772160, len: 8 }, 7]);
    expect(read([nn(T.cidr6)], "1,128")).toEqual([{ ip: 1n, len: 128 }]);
    expect(error([nn(T.cidr4)], "167838211,33").reason).toContain("prefix length 33");
  });
  it("reads generic ips and cidrs as a tag column then the variant's columns (mixture.csv)", () => {
    const types = [nn(T.u8), nn(T.ip), nn(T.cidr)];
    expect(read(types, "1,0,3232235777,0,3232235520,16")).toEqual([1, 3232235777, { ip: 3232235520, len: 16 }]);
    const line2 = "2,1,42541822998068653272977799996615163905,1,42541806518600080119127912996633837568,24";
    // 2001:41d0:8:e8ad::1 and 2001:4100::/24
    const v6 = (0x200141d0n << 96n) | (0x0008e8adn << 64n) | 1n;
    expect(v6).toBe(42541822998068653272977799996615163905n);
    expect(read(types, line2)).toEqual([2, v6, { ip: 0x200141n << 104n, len: 24 }]);
    expect(error([nn(T.ip)], "2,5").reason).toContain("family tag");
  });
});

describe("NULLs", () => {
  it("an empty column of a nullable field is NULL, of a non-null string field an empty string", () => {
    expect(read([nullable(T.u8), nn(T.string), nullable(T.string), nullable(T.float)], ",,,")).toEqual([null, "", null, null]);
    expect(error([nn(T.u8)], "").field).toBe("f1");
  });
  it("the NULL string is configurable, and a quoted column is never NULL", () => {
    const opts = { nullString: "<NULL>" };
    expect(read([nullable(T.u8), nullable(T.string), nullable(T.string), nn(T.string)], '<NULL>,<NULL>,"<NULL>",', opts)).toEqual([null, null, "<NULL>", ""]);
    expect(read([nullable(T.string), nullable(T.string)], '"",', {})).toEqual(["", null]);
  });
});

describe("quotes, separators and escapes", () => {
  it("removes quotes, keeps separators inside them and reads doubled quotes", () => {
    expect(read([nn(T.string), nn(T.u8), nn(T.string)], '"a, b",3,"say ""hi"""')).toEqual(["a, b", 3, 'say "hi"']);
    expect(read([nn(T.u32)], '"42"')).toEqual([42]);
  });
  it("reads a column that only starts with a quote verbatim", () => {
    expect(read([nn(T.string), nn(T.u8)], '"Bob" <bob@example.com>,1')).toEqual(['"Bob" <bob@example.com>', 1]);
  });
  it("reports an unterminated quoted value", () => {
    expect(error([nn(T.string)], '"abc').reason).toBe("unterminated quoted value");
  });
  it("NO QUOTES keeps quote chars as data", () => {
    expect(read([nn(T.string), nn(T.string)], '"a,b"', { quote: undefined })).toEqual(['"a', 'b"']);
  });
  it("QUOTE WITH another char", () => {
    expect(read([nn(T.string), nn(T.string)], "'a,b','it''s'", { quote: "'" })).toEqual(["a,b", "it's"]);
  });
  it("ESCAPE WITH makes the next char literal inside quotes", () => {
    expect(read([nn(T.string), nn(T.string)], '"a\\"b\\\\c","x"', { escape: "\\" })).toEqual(['a"b\\c', "x"]);
    expect(read([nn(T.string)], '"a%"b"', { escape: "%" })).toEqual(['a"b']);
  });
  it("ESCAPE WITH also works in unquoted columns, where an escaped separator is data", () => {
    expect(read([nn(T.string), nn(T.u8)], "a\\,b\\\\,3", { escape: "\\" })).toEqual(["a,b\\", 3]);
    expect(read([nn(T.string), nn(T.u8)], "a\\tb,3", { escape: "\\", quote: undefined })).toEqual(["atb", 3]);
    expect(error([nn(T.string)], "ab\\", { escape: "\\" }).reason).toBe("escape at the end of the line");
  });
  it("SEPARATOR: a tab or any char", () => {
    expect(read([nn(T.u16), nn(T.u8)], "1916\t2", { separator: "\t" })).toEqual([1916, 2]);
    expect(read([nn(T.string), nn(T.string)], "a,b_c", { separator: "_" })).toEqual(["a,b", "c"]);
  });
  it("rejects a separator that is not one char", () => {
    expect(() => reader([nn(T.u8)], { separator: "ab" })).toThrow(RamenError);
  });
});

describe("column counts", () => {
  it("a missing or extra column makes a bad line, with the field and column", () => {
    expect(error([nn(T.u8), nn(T.u8), nn(T.u8)], "1,2")).toEqual({ tag: "CsvError", field: "f3", column: 3, reason: "missing column" });
    expect(error([nn(T.u8), nn(T.string)], "1,a,b")).toEqual({ tag: "CsvError", column: 3, reason: "more than the 2 columns of the fields" });
    expect(error([nn(T.u8), nn(T.u8)], "1,x")).toMatchObject({ field: "f2", column: 2 });
  });
  it("a blank line is one empty column", () => {
    expect(read([nn(T.string)], "")).toEqual([""]);
    expect(read([nullable(T.u8)], "")).toEqual([null]);
    expect(error([nn(T.u8)], "").column).toBe(1);
    expect(error([nn(T.string), nn(T.string)], "").reason).toBe("missing column");
  });
});

describe("compound values flattened into columns", () => {
  it("tuples and records item by item, vectors as their items", () => {
    const tuple = nn(T.tuple([nn(T.u8), nn(T.string)]));
    const record = nn(T.record([{ name: "a", type: nn(T.float) }, { name: "b", type: nullable(T.bool) }]));
    const vector = nn(T.vector(3, nn(T.i16)));
    expect(read([tuple, record, vector], "1,x,2.5,,-1,0,1")).toEqual([[1, "x"], [2.5, null], [-1, 0, 1]]);
  });
  it("lists as their length then their items", () => {
    const list = nn(T.list(nn(T.u8)));
    expect(read([list, nn(T.string)], "3,7,8,9,end")).toEqual([[7, 8, 9], "end"]);
    expect(read([list, nn(T.string)], "0,end")).toEqual([[], "end"]);
    expect(error([list], "2,1").reason).toBe("missing column");
  });
  it("a NULL compound occupies one column", () => {
    const tuple = nullable(T.tuple([nn(T.u8), nn(T.u8)]));
    expect(read([tuple, nn(T.u8)], ",9")).toEqual([null, 9]);
    expect(read([tuple, nn(T.u8)], "1,2,9")).toEqual([[1, 2], 9]);
    const list = nullable(T.list(nullable(T.u8)));
    expect(read([list, nn(T.u8)], "2,,4,9")).toEqual([[null, 4], 9]);
    expect(read([list, nn(T.u8)], ",9")).toEqual([null, 9]);
  });
  it("VECTORS OF CHARS AS STRING reads a char vector from one column", () => {
    const chars = nn(T.vector(3, nn(T.char)));
    expect(read([chars], "abc", { vectorsOfCharsAsString: true })).toEqual([[97, 98, 99]]);
    expect(read([chars], "a,b,c")).toEqual([[97, 98, 99]]);
    expect(error([chars], "ab", { vectorsOfCharsAsString: true }).reason).toContain("expected 3 chars");
  });
  it("rejects types that cannot be read from a CSV", () => {
    expect(() => reader([nn(T.map(nn(T.string), nn(T.u8)))])).toThrow(RamenError);
  });
});

describe("CLICKHOUSE SYNTAX", () => {
  const ch = { clickhouseSyntax: true, separator: "\t" };
  it("reads arrays of single-quoted strings with backslash escapes, and \\N as NULL", () => {
    const types = [nullable(T.string), nn(T.list(nn(T.string))), nn(T.list(nn(T.u32)))];
    expect(read(types, "\\N\t['a b', 'it\\'s', 'tab\\there']\t[1, 2,3]", ch)).toEqual([null, ["a b", "it's", "tab\there"], [1, 2, 3]]);
    expect(read(types, "x\t[]\t[]", ch)).toEqual(["x", [], []]);
  });
  it("reads tuples, nested arrays, NULL items and vectors", () => {
    const types = [nn(T.tuple([nn(T.u8), nn(T.string)])), nn(T.list(nn(T.list(nullable(T.i8))))), nn(T.vector(2, nn(T.float)))];
    expect(read(types, "(1, 'x')\t[[1, NULL], [], [-3]]\t[0.5, 1e3]", ch)).toEqual([[1, "x"], [[1, null], [], [-3]], [0.5, 1000]]);
    expect(error(types, "(1, 'x')\t[]\t[1]", ch).reason).toContain("expected 2 items");
  });
  it("reads an unquoted array containing the separator, and a quoted one", () => {
    const types = [nn(T.list(nn(T.string))), nn(T.u8)];
    expect(read(types, "['a', 'b'],7", { clickhouseSyntax: true })).toEqual([["a", "b"], 7]);
    expect(read(types, "\"['a','b']\",7", { clickhouseSyntax: true })).toEqual([["a", "b"], 7]);
  });
  it("reports malformed values", () => {
    expect(error([nn(T.list(nn(T.u8)))], "[1, 2", ch).reason).toContain("expected , or ]");
    expect(error([nn(T.list(nn(T.string)))], "['a", ch).reason).toBe("unterminated string");
    expect(error([nn(T.list(nn(T.u8))), nn(T.u8)], "[1] x\t2", ch).reason).toContain("after the value");
  });
  it("reads addresses in their text forms", () => {
    expect(read([nn(T.ip), nn(T.cidr4)], "::1\t10.1.0.0/16", ch)).toEqual([1n, { ip: 167837696, len: 16 }]);
  });
});

// Rendering per the spec's encoding, independently of the reader.
function render(v: Value, t: NType): string {
  if (v === null) return "";
  switch (t.type.tag) {
    case "bool":
      return v ? "true" : "false";
    case "float": {
      const x = v as number;
      return Number.isNaN(x) ? "nan" : x === Infinity ? "inf" : x === -Infinity ? "-inf" : Object.is(x, -0) ? "-0" : String(x);
    }
    case "char":
      return String.fromCharCode(v as number);
    case "string":
      return `"${(v as string).replace(/"/g, '""')}"`;
    case "ip":
      return typeof v === "number" ? `0,${v}` : `1,${String(v)}`;
    case "cidr4": {
      const c = v as { ip: number; len: number };
      return `${c.ip},${c.len}`;
    }
    default:
      return String(v);
  }
}

const SCALARS: readonly [NType, fc.Arbitrary<Value>][] = [
  [nn(T.bool), fc.boolean()],
  [nn(T.u8), fc.integer({ min: 0, max: 255 })],
  [nn(T.i16), fc.integer({ min: -32768, max: 32767 })],
  [nn(T.u32), fc.integer({ min: 0, max: 2 ** 32 - 1 })],
  [nn(T.i32), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })],
  [nn(T.u64), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })],
  [nn(T.i128), fc.bigInt({ min: -(2n ** 127n), max: 2n ** 127n - 1n })],
  [nn(T.float), fc.double()],
  [nn(T.string), fc.string({ unit: fc.integer({ min: 0, max: 255 }).filter((c) => c !== 10 && c !== 13).map((c) => String.fromCharCode(c)) })],
  [nn(T.char), fc.integer({ min: 0, max: 255 }).filter((c) => c !== 44 && c !== 34 && c !== 10)],
  [nn(T.ip4), fc.integer({ min: 0, max: 2 ** 32 - 1 })],
  [nn(T.ip6), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n })],
  [nn(T.eth), fc.integer({ min: 0, max: 2 ** 48 - 1 })],
  [nullable(T.u16), fc.option(fc.integer({ min: 0, max: 65535 }), { nil: null })],
  [nullable(T.float), fc.option(fc.double(), { nil: null })],
  [nn(T.ip), fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }))],
  // masked by construction: the address is a prefix followed by zeros
  [nn(T.cidr4), fc.integer({ min: 0, max: 32 }).chain((len) => fc.integer({ min: 0, max: 2 ** len - 1 }).map((prefix) => ({ ip: len === 0 ? 0 : prefix * 2 ** (32 - len), len })))],
];

describe("round trip", () => {
  it("values of flat scalar types rendered as CSV (one or more columns) read back the same", () => {
    const row = fc.array(fc.constantFrom(...SCALARS.keys()), { minLength: 1, maxLength: 8 }).chain((indexes) =>
      fc.tuple(fc.constant(indexes), fc.tuple(...indexes.map((i) => SCALARS[i]![1]))),
    );
    fc.assert(
      fc.property(row, ([indexes, values]) => {
        const types = indexes.map((i) => SCALARS[i]![0]);
        const line = values.map((v, i) => render(v, types[i]!)).join(",");
        expect(read(types, line)).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });
});
