import { describe, expect, it } from "vitest";
import { parseTestFile, type TestValue } from "../../../runtime/testing/file.js";
import { positioned, source, specExample, thrown } from "./helpers.js";

function parse(text: string): TestValue {
  return parseTestFile(source(text)).value;
}

/** The value without spans, to compare with a hand-written expectation. */
function plain(v: TestValue): unknown {
  switch (v.kind) {
    case "record":
      return { record: v.fields.map((f) => [f.name, plain(f.value)]) };
    case "table":
      return { table: v.entries.map((e) => [e.key, plain(e.value)]) };
    case "list":
    case "array":
    case "pair":
      return { [v.kind]: v.items.map(plain) };
    case "constructor":
      return v.arg ? { [v.name]: plain(v.arg) } : v.name;
    default:
      return { [v.kind]: v.value };
  }
}

function syntaxError(text: string): string {
  return positioned(thrown(() => parseTestFile(source(text))));
}

describe("test file notation", () => {
  it("reads scalars", () => {
    expect(plain(parse('"a b"'))).toEqual({ string: "a b" });
    expect(plain(parse("-12"))).toEqual({ int: -12n });
    expect(plain(parse("42"))).toEqual({ int: 42n });
    expect(plain(parse("0.5"))).toEqual({ float: 0.5 });
    expect(plain(parse("-1e3"))).toEqual({ float: -1000 });
    expect(plain(parse("3."))).toEqual({ float: 3 });
    expect(plain(parse("inf"))).toEqual({ float: Infinity });
    expect(plain(parse("-inf"))).toEqual({ float: -Infinity });
    expect(Number.isNaN((parse("nan") as { value: number }).value)).toBe(true);
    expect(plain(parse("true"))).toEqual({ bool: true });
    expect(plain(parse(" false "))).toEqual({ bool: false });
    expect(plain(parse("'a'"))).toEqual({ char: 97 });
    expect(plain(parse("'\\n'"))).toEqual({ char: 10 });
    expect(plain(parse("'\\065'"))).toEqual({ char: 65 });
  });

  it("reads string escapes, decimal \\DDD, and raw newlines as themselves", () => {
    expect(plain(parse('"\\\\ \\" \\\' \\n \\r \\t \\b"'))).toEqual({ string: "\\ \" ' \n \r \t \b" });
    expect(plain(parse('"\\000\\065\\255"'))).toEqual({ string: "\x00A\xff" });
    expect(plain(parse('"a\nb"'))).toEqual({ string: "a\nb" });
  });

  it("reads records, tables, lists and arrays with optional trailing ;", () => {
    expect(plain(parse("{ a = 1; b = [ 2; 3; ] ; }"))).toEqual({ record: [["a", { int: 1n }], ["b", { list: [{ int: 2n }, { int: 3n }] }]] });
    expect(plain(parse('{ "k" => "v"; "l" => [||] }'))).toEqual({ table: [["k", { string: "v" }], ["l", { array: [] }]] });
    expect(plain(parse("{}"))).toEqual({ table: [] });
    expect(plain(parse("[]"))).toEqual({ list: [] });
    expect(plain(parse("[| 1; 2 |]"))).toEqual({ array: [{ int: 1n }, { int: 2n }] });
  });

  it("keeps the first value of a duplicated table key, with a warning", () => {
    const parsed = parseTestFile(source('{ "k" => 1; "k" => 2 }'));
    expect(plain(parsed.value)).toEqual({ table: [["k", { int: 1n }]] });
    expect(parsed.warnings.map((w) => [w.code, w.message])).toEqual([["RQ8109", 'key "k" given twice; its first value is kept']]);
  });

  it("reads constructors, their arguments, parentheses and pairs", () => {
    expect(plain(parse("VNull"))).toEqual("VNull");
    expect(plain(parse("VU8 1"))).toEqual({ VU8: { int: 1n } });
    expect(plain(parse("VVec [| VU16 1976 |]"))).toEqual({ VVec: { array: [{ VU16: { int: 1976n } }] } });
    expect(plain(parse("VIp (V4 16909060)"))).toEqual({ VIp: { V4: { int: 16909060n } } });
    expect(plain(parse("VCidr (V4 (10, 8))"))).toEqual({ VCidr: { V4: { pair: [{ int: 10n }, { int: 8n }] } } });
    expect(plain(parse('VRec [| ("a", VU8 1); ("b", VNull) |]'))).toEqual({
      VRec: { array: [{ pair: [{ string: "a" }, { VU8: { int: 1n } }] }, { pair: [{ string: "b" }, "VNull"] }] },
    });
    expect(plain(parse("((VBool true))"))).toEqual({ VBool: { bool: true } });
  });

  it("skips nested OCaml comments between tokens", () => {
    expect(plain(parse("(* a (* nested *) comment *) [ 1; (* two *) 2 ] (* end *)"))).toEqual({ list: [{ int: 1n }, { int: 2n }] });
  });

  it("reads the examples of the spec", () => {
    const temps = parse(specExample("weather/temps.test"));
    expect(temps.kind).toBe("record");
    const scale = parse(specExample("weather/scale.test"));
    expect(scale.kind).toBe("record");
  });
});

describe("test file syntax errors are positioned", () => {
  it.each([
    ["{ a = 1;\n  b 2 }", "/tests/t.test:2:5: expected '=', got an integer"],
    ["[ 1 2 ]", "/tests/t.test:1:5: expected ';' or ']', got an integer"],
    ["[| 1; 2 ]", "/tests/t.test:1:9: expected ';' or '|]', got ']'"],
    ['{ "a" => 1; b = 2 }', "/tests/t.test:1:13: expected a string key, got 'b'"],
    ['{ a = 1; "b" => 2 }', "/tests/t.test:1:10: expected a field name, got a string"],
    ["{ 1 }", "/tests/t.test:1:3: expected a field name or a string key, got an integer"],
    ["{ a = ", "/tests/t.test:1:7: expected a value, got the end of the file"],
    ["[ foo ]", "/tests/t.test:1:3: expected a value, got 'foo'"],
    ["[ 1 ] [ 2 ]", "/tests/t.test:1:7: unexpected '[' after the value"],
    ["(1, 2", "/tests/t.test:1:6: expected ')', got the end of the file"],
    ["\n\n  @", "/tests/t.test:3:3: expected a value, got '@'"],
    ['"abc', "/tests/t.test:1:1: unterminated string"],
    ["'ab'", "/tests/t.test:1:1: unterminated char"],
    ["(* never (* closed *)", "/tests/t.test:1:1: unterminated comment"],
    ['[ "a\\x41" ]', "/tests/t.test:1:5: invalid escape \\x in string"],
    ['"\\256"', "/tests/t.test:1:2: invalid escape \\256 in string"],
    ['"\\12"', "/tests/t.test:1:2: invalid escape \\12 in string"],
    ["'\\q'", "/tests/t.test:1:2: invalid escape \\q in char"],
  ])("%j", (text, message) => {
    expect(syntaxError(text)).toBe(message);
  });

  it("are RamenErrors of the RQ80xx codes", () => {
    expect(thrown(() => parse("[ 1 2 ]")).diagnostics[0]!.code).toBe("RQ8001");
    expect(thrown(() => parse('"abc')).diagnostics[0]!.code).toBe("RQ8002");
    expect(thrown(() => parse('"\\x41"')).diagnostics[0]!.code).toBe("RQ8003");
    expect(thrown(() => parse("1 2")).diagnostics[0]!.code).toBe("RQ8004");
  });
});
