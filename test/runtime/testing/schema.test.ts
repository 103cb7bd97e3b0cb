import { describe, expect, it } from "vitest";
import { NType, T, notNull, nullable } from "../../../grammar/types.js";
import { paramValue, testDescription, type TestDescription } from "../../../runtime/testing/schema.js";
import { Value } from "../../../stdlib/values.js";
import { positioned, source, specExample, thrown } from "./helpers.js";

const nn = notNull;

function describeTest(text: string, path = "/tests/weather/t.test"): TestDescription {
  return testDescription(source(text, path));
}

function schemaError(text: string): string {
  return positioned(thrown(() => describeTest(text)));
}

describe("the examples of test-format.md §5", () => {
  it("§5.1: one program, one output with present and absent specs and a timeout", () => {
    const t = describeTest(specExample("weather/temps.test"), "/x/weather/temps.test");
    expect(t.programs).toEqual([
      { src: "temps.ramen", sourcePath: "/x/weather/temps.ramen", name: "temps", suffix: "", instanceName: "temps", params: [] },
    ]);
    expect(t.outputs).toEqual([
      {
        fq: "temps/converted",
        timeout: 10,
        present: [
          [{ field: "city", text: '"paris"' }, { field: "fahrenheit", text: "88.7" }],
          [{ field: "city", text: '"berlin"' }, { field: "fahrenheit", text: "27.5" }],
          [{ field: "city", text: '"lima"' }, { field: "fahrenheit", text: "null" }],
        ],
        absent: [[{ field: "city", text: '"paris"' }, { field: "fahrenheit", text: "NULL" }]],
      },
    ]);
  });

  it("§5.2: one source twice with suffixes and parameters, default timeout 20", () => {
    const file = source(specExample("weather/scale.test"), "/x/weather/scale.test");
    const t = testDescription(file);
    expect(t.programs.map((p) => [p.name, p.suffix, p.instanceName, p.sourcePath])).toEqual([
      ["temps", "", "temps", "/x/weather/temps.ramen"],
      ["scale", "double", "scale#double", "/x/weather/scale.ramen"],
      ["scale", "half", "scale#half", "/x/weather/scale.ramen"],
    ]);
    const factor = (i: number) => paramValue(t.programs[i]!.params[0]!, nn(T.float), file);
    expect([t.programs[1]!.params[0]!.name, factor(1), factor(2)]).toEqual(["factor", 2, 0.5]);
    expect(t.outputs.map((o) => [o.fq, o.timeout, o.present.length, o.absent.length])).toEqual([
      ["scale#double/scaled", 20, 1, 0],
      ["scale#half/scaled", 5, 2, 0],
    ]);
  });
});

describe("program names", () => {
  it("are src relative to the test directory, simplified, without extension", () => {
    const t = describeTest('{ programs = [ { src = "./fixtures//n123.ramen" }; { src = "/elsewhere/lib/other.ramen" }; { src = "../up.ramen" } ] }');
    expect(t.programs.map((p) => [p.name, p.sourcePath])).toEqual([
      ["fixtures/n123", "/tests/weather/fixtures/n123.ramen"],
      ["other", "/elsewhere/lib/other.ramen"],
      ["up", "/tests/up.ramen"],
    ]);
  });
});

describe("schema errors", () => {
  it.each([
    ["{ outputs = {} }", "/tests/weather/t.test:1:1: missing field programs in the test"],
    ["{ programs = []; output = {} }", "/tests/weather/t.test:1:18: unknown field output in the test (allowed: programs, outputs)"],
    ["{ programs = [ { src = \"a.ramen\"; param = {} } ] }", "/tests/weather/t.test:1:35: unknown field param in program (allowed: src, ext, params)"],
    ["{ programs = [ { ext = \"x\" } ] }", "/tests/weather/t.test:1:16: missing field src in program"],
    ["{ programs = []; programs = [] }", "/tests/weather/t.test:1:18: field programs given twice in the test"],
    ["{ programs = {} }", "/tests/weather/t.test:1:14: programs must be a list [ …; … ], got {}"],
    ["[ 1 ]", "/tests/weather/t.test:1:1: the test must be a record, got a list"],
    ["{ programs = [ { src = 1 } ] }", "/tests/weather/t.test:1:24: src must be a string, got an integer"],
    ["{ programs = [ { src = \"a\" } ] }", "/tests/weather/t.test:1:24: a: Need an extension to build a source file."],
    [
      "{ programs = [ { src = \"a.ramen\"; ext = \"v\" }; { src = \"./a.ramen\"; ext = \"v\" } ] }",
      "/tests/weather/t.test:1:48: Program a#v is listed twice",
    ],
    ["{ programs = [ { src = \"a.ramen\" }; { src = \"a.ramen\" } ] }", "/tests/weather/t.test:1:37: Program a is listed twice"],
    ["{ programs = []; outputs = { \"a/f\" => { timeout = -1 } } }", "/tests/weather/t.test:1:51: timeout must be positive"],
    ["{ programs = []; outputs = { \"a/f\" => { timeout = -inf } } }", "/tests/weather/t.test:1:51: timeout must be positive"],
    ["{ programs = []; outputs = { \"a/f\" => { timeout = \"1\" } } }", "/tests/weather/t.test:1:51: timeout must be a number of seconds, got a string"],
    ["{ programs = []; outputs = { \"a/f\" => { presents = [] } } }", "/tests/weather/t.test:1:41: unknown field presents in output \"a/f\" (allowed: present, absent, timeout)"],
    ["{ programs = []; outputs = [] }", "/tests/weather/t.test:1:28: outputs must be a table { \"key\" => …; … }, got a list"],
    ["{ programs = []; outputs = { \"a/f\" => { present = [ { \"x\" => 1 } ] } } }", "/tests/weather/t.test:1:62: the expected value of x must be a string, got an integer"],
  ])("%s", (text, message) => {
    expect(schemaError(text)).toBe(message);
  });

  it("accepts a zero timeout, a float timeout, and an output with nothing", () => {
    const t = describeTest('{ programs = []; outputs = { "a/f" => { timeout = 0 }; "a/g" => { timeout = 2.5 }; "a/h" => {} } }');
    expect(t.outputs.map((o) => [o.fq, o.timeout, o.present, o.absent])).toEqual([
      ["a/f", 0, [], []],
      ["a/g", 2.5, [], []],
      ["a/h", 20, [], []],
    ]);
  });
});

// ---- parameter values ------------------------------------------------------------------------

function param(text: string, t: NType): Value {
  const file = source(`{ programs = [ { src = "p.ramen"; params = { "x" => ${text} } } ] }`);
  return paramValue(testDescription(file).programs[0]!.params[0]!, t, file);
}

function paramError(text: string, t: NType): string {
  return thrown(() => param(text, t)).message;
}

describe("parameter value constructors", () => {
  it.each<[string, NType, Value]>([
    ["VNull", nullable(T.u8), null],
    ["VUnit", nn(T.unit), []],
    ["VBool true", nn(T.bool), true],
    ["VFloat 2.5", nn(T.float), 2.5],
    ["VFloat 3", nn(T.float), 3],
    ["VFloat -inf", nn(T.float), -Infinity],
    ['VString "a\\010b"', nn(T.string), "a\nb"],
    ["VChar 'a'", nn(T.char), 97],
    ["VChar '\\065'", nn(T.char), 65],
    ["VU8 255", nn(T.u8), 255],
    ["VU8 1", nn(T.u16), 1],
    ["VU16 3", nullable(T.u16), 3],
    ["VU32 7", nn(T.u64), 7n],
    ["VI8 -128", nn(T.i8), -128],
    ["VU8 200", nn(T.i16), 200],
    ["VU24 5", nn(T.int(false, 24)), 5],
    ["VI40 -5", nn(T.int(true, 48)), -5n],
    ["VI56 -1", nn(T.i64), -1n],
    ["VU64 18446744073709551615", nn(T.u64), 18446744073709551615n],
    ["VU128 340282366920938463463374607431768211455", nn(T.u128), 340282366920938463463374607431768211455n],
    ["VI128 -1", nn(T.i128), -1n],
    ["VI32 -2", nn(T.float), -2],
    ["VEth 1", nn(T.eth), 1],
    ["VIpv4 16909060", nn(T.ip4), 16909060],
    ["VIpv4 16909060", nn(T.ip), 16909060],
    ["VIpv6 1", nn(T.ip6), 1n],
    ["VIp (V4 16909060)", nn(T.ip), 16909060],
    ["VIp (V6 2)", nn(T.ip), 2n],
    ["VCidrv4 (167837955, 8)", nn(T.cidr4), { ip: 167772160, len: 8 }],
    ["VCidrv6 (1, 0)", nn(T.cidr6), { ip: 0n, len: 0 }],
    ["VCidr (V4 (167772160, 8))", nn(T.cidr), { ip: 167772160, len: 8 }],
    ["VCidr (V6 (255, 120))", nn(T.cidr), { ip: 0n, len: 120 }],
    ["VTup [| VU8 1; VString \"a\" |]", nn(T.tuple([nn(T.u8), nn(T.string)])), [1, "a"]],
    ["VVec [| VU16 1976 |]", nn(T.list(nn(T.u16))), [1976]],
    ["VArr [| VU8 1; VU8 2 |]", nn(T.vector(2, nn(T.u32))), [1, 2]],
    ["VArr [| VNull; VU8 2 |]", nn(T.list(nullable(T.u8))), [null, 2]],
    ["VVec [||]", nn(T.list(nn(T.u8))), []],
    ['VRec [| ("b", VBool false); ("a", VU8 1) |]', nn(T.record([{ name: "a", type: nn(T.u8) }, { name: "b", type: nn(T.bool) }])), [1, false]],
    ['VMap [| (VString "k", VU8 1) |]', nn(T.map(nn(T.string), nn(T.u8))), new Map<Value, Value>([["k", 1]])],
    ['"42u32"', nn(T.u32), 42],
    ['"[1; 2]"', nn(T.vector(2, nn(T.u8))), [1, 2]],
    ['"NULL"', nullable(T.float), null],
    ['"10.1.2.3/8"', nn(T.cidr4), { ip: 167772160, len: 8 }],
  ])("%s", (text, t, value) => {
    expect(param(text, t)).toEqual(value);
  });

  it.each<[string, NType, string]>([
    ["VNull", nn(T.u8), 'Parameter x: cannot parse "VNull": NULL is not a value of the non-nullable type u8'],
    ["VU8 256", nn(T.u8), 'Parameter x: cannot parse "VU8 256": 256 does not fit u8'],
    ["VU16 1", nn(T.u8), 'Parameter x: cannot parse "VU16 1": expected u8, got VU16'],
    ["VI8 1", nn(T.u16), 'Parameter x: cannot parse "VI8 1": expected u16, got VI8'],
    ["VU128 1", nn(T.float), 'Parameter x: cannot parse "VU128 1": expected float, got VU128'],
    ['VString "a"', nn(T.float), 'Parameter x: cannot parse "VString "a"": expected float, got VString'],
    ["VFloat true", nn(T.float), 'Parameter x: cannot parse "VFloat true": expected float, got VFloat'],
    ["VU8 1.5", nn(T.u8), 'Parameter x: cannot parse "VU8 1.5": VU8 needs an integer'],
    ["1", nn(T.u8), 'Parameter x: cannot parse "1": expected u8, got an integer'],
    ["VVec [| VU8 1 |]", nn(T.vector(2, nn(T.u8))), 'Parameter x: cannot parse "VVec [| VU8 1 |]": expected 2 items, got 1'],
    ["VVec [ VU8 1 ]", nn(T.list(nn(T.u8))), 'Parameter x: cannot parse "VVec [ VU8 1 ]": VVec needs an array [| …; … |]'],
    ["VCidrv4 (1, 33)", nn(T.cidr4), 'Parameter x: cannot parse "VCidrv4 (1, 33)": prefix length 33 is not between 0 and 32'],
    ["VIpv4 4294967296", nn(T.ip4), 'Parameter x: cannot parse "VIpv4 4294967296": 4294967296 does not fit 32 bits'],
    ["VIp (V6 1)", nn(T.ip4), 'Parameter x: cannot parse "VIp (V6 1)": expected ip4, got VIp'],
    ['VRec [| ("c", VU8 1) |]', nn(T.record([{ name: "a", type: nn(T.u8) }])), 'Parameter x: cannot parse "VRec [| ("c", VU8 1) |]": unknown field c (fields: a)'],
    ["VRec [||]", nn(T.record([{ name: "a", type: nn(T.u8) }])), 'Parameter x: cannot parse "VRec [||]": missing field a'],
    ['"300u32"', nn(T.u8), 'Parameter x: cannot parse ""300u32"": an integer of type u32 is not a u8'],
  ])("%s is refused", (text, t, message) => {
    expect(paramError(text, t)).toBe(message);
  });

  it("positions the refused value in the test file", () => {
    const e = thrown(() => param("VU8 256", nn(T.u8)));
    expect(e.diagnostics[0]!.code).toBe("RQ8108");
    expect(positioned(e)).toBe('/tests/t.test:1:53: Parameter x: cannot parse "VU8 256": 256 does not fit u8');
  });
});
