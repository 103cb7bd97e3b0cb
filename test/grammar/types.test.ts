import { describe, expect, it } from "vitest";
import { parseType, printType } from "../../grammar/index.js";
import { RamenError } from "../../grammar/diagnostics.js";
import { notNull, nullable, T, type NType } from "../../grammar/types.js";

const u8 = notNull(T.u8);
const u8n = nullable(T.u8);

// Expected values transcribe the table of raql.md §2.2.
const CASES: [string, NType][] = [
  ["u8", u8],
  ["U8", u8],
  ["boolean", notNull(T.bool)],
  ["u8?", u8n],
  ["u8[3]", notNull(T.vector(3, u8))],
  ["u8?[3]", notNull(T.vector(3, u8n))],
  ["u8[3]?", nullable(T.vector(3, u8))],
  ["string[]", notNull(T.list(notNull(T.string)))],
  ["u8?[][2]", notNull(T.vector(2, notNull(T.list(u8n))))],
  ["(u16; string?)", notNull(T.tuple([notNull(T.u16), nullable(T.string)]))],
  ["(u16)", notNull(T.u16)],
  ["{ip: ip4; port: u16}", notNull(T.record([{ name: "ip", type: notNull(T.ip4) }, { name: "port", type: notNull(T.u16) }]))],
  ["{a: u8;}", notNull(T.record([{ name: "a", type: u8 }]))],
  ["{'from': u8}", notNull(T.record([{ name: "from", type: u8 }]))],
  ["string[string]", notNull(T.map(notNull(T.string), notNull(T.string)))],
  ["i128 ?", nullable(T.i128)],
  ["cidr6[1]?[]", notNull(T.list(nullable(T.vector(1, notNull(T.cidr6)))))],
];

describe("parseType", () => {
  it.each(CASES)("%s", (text, expected) => {
    expect(parseType(text)).toEqual(expected);
  });

  it("reads back what printType writes", () => {
    for (const [, t] of CASES) expect(parseType(printType(t))).toEqual(t);
  });

  it.each([
    ["foo", "RQ1030"],
    ["[A u8 | B string]", "RQ1030"],
    ["u8[0]", "RQ1038"],
    ["u8[", "RQ1002"],
    ["(u8; )", "RQ1001"],
  ])("rejects %s", (text, code) => {
    try {
      parseType(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RamenError);
      expect((e as RamenError).diagnostics[0]!.code).toBe(code);
    }
  });
});
