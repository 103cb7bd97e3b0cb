import { describe, expect, it } from "vitest";
import { NType, T, notNull, nullable } from "../../../grammar/types.js";
import { compileOutput, distance, type OutputField } from "../../../runtime/testing/expect.js";
import type { TestOutput } from "../../../runtime/testing/schema.js";
import { Value } from "../../../stdlib/values.js";
import { thrown } from "./helpers.js";

const nn = notNull;

function output(present: Record<string, string>[], absent: Record<string, string>[] = []): TestOutput {
  const spec = (r: Record<string, string>) => Object.entries(r).map(([field, text]) => ({ field, text }));
  return { fq: "p/f", present: present.map(spec), absent: absent.map(spec), timeout: 1 };
}

/** The value an expected text reads as, for a field of type `t`. */
function expected(text: string, t: NType): Value {
  return compileOutput(output([{ x: text }]), [{ name: "x", type: t }]).present[0]![0]!.value;
}

describe("expected values", () => {
  it.each<[string, NType, Value]>([
    ["1", nn(T.float), 1],
    ["1.0", nn(T.float), 1],
    ["1e0", nn(T.float), 1],
    ["1", nn(T.u8), 1],
    ["1", nn(T.i128), 1n],
    ["NULL", nullable(T.u8), null],
    ["null", nullable(T.string), null],
    ["Null", nullable(T.float), null],
    ["0x1F", nn(T.u16), 31],
    ["42u8", nn(T.u32), 42],
    ["1i128", nn(T.i128), 1n],
    ["2k", nn(T.u32), 2000],
    ["1Ki", nn(T.u32), 1024],
    ["5m", nn(T.float), 0.005],
    ['"text"', nn(T.string), "text"],
    ['"a\\nb"', nn(T.string), "a\nb"],
    ['"\\x41\\066"', nn(T.string), "AB"],
    ["#\\a", nn(T.char), 97],
    ["#\\space", nn(T.char), 32],
    ["#\\x41", nn(T.char), 65],
    ["#\\\x00", nn(T.char), 0],
    ["true", nn(T.bool), true],
    ["01:02:03:04:05:06", nn(T.eth), 0x010203040506],
    ["1.2.3.4", nn(T.ip4), 0x01020304],
    ["::1", nn(T.ip), 1n],
    ["10.1.2.3/8", nn(T.cidr4), { ip: 0x0a000000, len: 8 }],
    ["(1; \"a\")", nn(T.tuple([nn(T.u8), nn(T.string)])), [1, "a"]],
    ["[1; 2]", nn(T.list(nn(T.u8))), [1, 2]],
    ["{b: 2; a: 1}", nn(T.record([{ name: "a", type: nn(T.u8) }, { name: "b", type: nn(T.u8) }])), [1, 2]],
  ])("%j", (text, t, value) => {
    expect(expected(text, t)).toEqual(value);
  });

  it("refuses NULL for a non-nullable field", () => {
    const e = thrown(() => expected("NULL", nn(T.u8)));
    expect([e.diagnostics[0]!.code, e.message]).toEqual(["RQ8201", "Cannot convert NULL into non nullable type u8 (field x of p/f)"]);
  });

  it("refuses text that does not parse or convert, with the reader's reason", () => {
    const e = thrown(() => expected("eighty", nullable(T.float)));
    expect(e.diagnostics[0]!.code).toBe("RQ8202");
    expect(e.message).toBe('Cannot parse expected value "eighty" for field x of p/f (float?): expected a number');
    expect(thrown(() => expected("300", nn(T.u8))).message).toBe('Cannot parse expected value "300" for field x of p/f (u8): 300 is out of the range of u8');
  });

  it("checks the spec fields against the function's fields", () => {
    const fields: OutputField[] = [
      { name: "a", type: nn(T.u8) },
      { name: "_hidden", type: nn(T.u8) },
      { name: "b", type: nn(T.u8) },
    ];
    expect(thrown(() => compileOutput(output([{ c: "1" }]), fields)).message).toBe('Unknown field "c" in "p/f" (have a, b)');
    expect(thrown(() => compileOutput(output([], [{ _hidden: "1" }]), fields)).message).toBe('Field _hidden of "p/f" is private');
    const compiled = compileOutput(output([{ b: "2", a: "1" }]), fields);
    expect(compiled.fields.map((f) => f.name)).toEqual(["a", "b"]);
    expect(compiled.present[0]!.map((f) => [f.name, f.index, f.value])).toEqual([
      ["a", 0, 1],
      ["b", 1, 2],
    ]);
  });
});

describe("distance (test-format.md §3.1)", () => {
  const cases: [string, Value, Value, NType, number][] = [
    ["equal floats", 1.5, 1.5, nn(T.float), 0],
    ["NULL and NULL", null, null, nullable(T.u8), 0],
    ["NULL and a value", null, 0, nullable(T.u8), 1],
    ["a value and NULL", "x", null, nullable(T.string), 1],
    ["equal strings", "abc", "abc", nn(T.string), 0],
    ["strings of equal length", "abc", "abd", nn(T.string), 1],
    ["strings 2 bytes apart", "a", "abc", nn(T.string), 3],
    ["equal eth", 5, 5, nn(T.eth), 0],
    ["different ip4", 0x01020304, 0x01020305, nn(T.ip4), 1],
    ["ip4 and ip6", 1, 1n, nn(T.ip), 1],
    ["cidrs equal once masked", { ip: 0x0a010203, len: 8 }, { ip: 0x0a000000, len: 8 }, nn(T.cidr4), 0],
    ["cidrs of different lengths", { ip: 0x0a000000, len: 8 }, { ip: 0x0a000000, len: 16 }, nn(T.cidr), 1],
    ["chars", 97, 100, nn(T.char), 3],
    ["floats", 88.8, 88.7, nn(T.float), 88.8 - 88.7],
    ["both NaN", NaN, NaN, nn(T.float), 0],
    ["same infinity", Infinity, Infinity, nn(T.float), 0],
    ["u8", 3, 10, nn(T.u8), 7],
    ["i32", -5, 5, nn(T.i32), 10],
    ["booleans", true, false, nn(T.bool), 1],
    ["u56 as doubles", 2n ** 55n, 2n ** 55n + 3n, nn(T.int(false, 56)), 3],
    // Converted to doubles first, 2^63 and 2^63+1 would be equal.
    ["u64 exactly", 2n ** 63n + 1n, 2n ** 63n, nn(T.u64), 1],
    ["i128 exactly", -(2n ** 120n), -(2n ** 120n) + 5n, nn(T.i128), 5],
    ["vectors item by item", [1, 2, 3], [1, 4, 0], nn(T.vector(3, nn(T.u8))), 2 + 3],
    ["a missing list item", [1, 2], [1], nn(T.list(nn(T.u8))), 42],
    ["two extra list items", [1], [2, 0, 0], nn(T.list(nn(T.u8))), 1 + 84],
    ["tuples", [1, "a"], [2, "ab"], nn(T.tuple([nn(T.u8), nn(T.string)])), 1 + 2],
    ["records", [1.5, null], [1, 3], nn(T.record([{ name: "a", type: nn(T.float) }, { name: "b", type: nullable(T.u8) }])), 0.5 + 1],
    ["unit", [], [], nn(T.unit), 0],
  ];
  it.each(cases)("%s", (_, a, b, t, d) => {
    expect(distance(a, b, t)).toBe(d);
  });

  it("refuses to compare maps", () => {
    const t = nn(T.map(nn(T.string), nn(T.u8)));
    const e = thrown(() => distance(new Map([["a", 1]]), new Map([["b", 2]]), t));
    expect([e.diagnostics[0]!.code, e.message]).toEqual(["RQ8203", 'Cannot compare {"a" => 1} with {"b" => 2}']);
  });
});
