// The lexer and the literal conversions, against raql.md §1.
import { describe, expect, it } from "vitest";
import type { LiteralValue } from "../../grammar/ast.js";
import { RamenError } from "../../grammar/diagnostics.js";
import { K, lex, literalPayload, type RaqlToken } from "../../grammar/lexer.js";
import { ethToString as formatEth, ip4ToString as formatIp4, ip6ToString as formatIp6, parseEth, parseIp4, parseIp6 } from "../../stdlib/net.js";
import { SourceFile } from "../../grammar/source.js";

function tokens(text: string): RaqlToken[] {
  return lex(new SourceFile("t", text));
}
/** "Type:image" of each token. */
function kinds(text: string): string[] {
  return tokens(text).map((t) => `${t.tokenType.name}:${t.image}`);
}
/** The value of the only token of `text`, a literal. */
function value(text: string): LiteralValue {
  const ts = tokens(text);
  expect(ts).toHaveLength(1);
  return literalPayload(ts[0]!).value;
}
function errorCode(text: string): string {
  try {
    tokens(text);
  } catch (e) {
    expect(e).toBeInstanceOf(RamenError);
    return (e as RamenError).diagnostics[0]!.code;
  }
  throw new Error(`no error for ${text}`);
}

describe("words", () => {
  it("matches keywords case-insensitively, as whole words only", () => {
    expect(tokens("select SELECT SeLeCt").map((t) => t.tokenType)).toEqual([K.SELECT, K.SELECT, K.SELECT]);
    expect(kinds("selection")).toEqual(["Identifier:selection"]);
    expect(kinds("in.out")).toEqual(["IN:in", "Dot:.", "VARIABLE:out"]);
  });
  it("reads quoted names with '' for a quote", () => {
    expect(tokens("'it''s'")[0]!.payload).toBe("it's");
    expect(tokens("'select'")[0]!.tokenType.name).toBe("QuotedIdent");
  });
  it("skips comments", () => {
    expect(kinds("a -- b\nc")).toEqual(["Identifier:a", "Identifier:c"]);
  });
  it("reads #start, #stop, #count and the xor operator", () => {
    expect(kinds("#start #stop #count x#y")).toEqual(["VirtualField:#start", "VirtualField:#stop", "VirtualField:#count", "Identifier:x", "Hash:#", "Identifier:y"]);
    expect(kinds("group_state.#size")).toEqual(["VARIABLE:group_state", "Dot:.", "VirtualField:#size"]);
  });
});

describe("integers", () => {
  it.each([
    ["123", 123n],
    ["0x7F", 127n],
    ["0o17", 15n],
    ["0b101", 5n],
    ["1_000_000", 1000000n],
    ["-3", -3n],
  ])("%s", (text, n) => {
    expect(value(text)).toEqual({ tag: "int", value: n });
  });
  it("takes width suffixes, case-insensitively, and checks ranges", () => {
    expect(value("12u8")).toEqual({ tag: "int", value: 12n, signed: false, width: 8 });
    expect(value("-128I8")).toEqual({ tag: "int", value: -128n, signed: true, width: 8 });
    expect(value("0xffu8")).toEqual({ tag: "int", value: 255n, signed: false, width: 8 });
    expect(errorCode("300u8")).toBe("RQ1004");
    expect(errorCode("-1u8")).toBe("RQ1004");
    expect(errorCode("128i8")).toBe("RQ1004");
  });
  it("treats a minus as part of a literal only where no operand ends", () => {
    expect(kinds("- 3")).toEqual(["Minus:-", "IntLit:3"]);
    expect(kinds("x-1")).toEqual(["Identifier:x", "Minus:-", "IntLit:1"]);
    expect(kinds("(-1)")).toEqual(["LParen:(", "IntLit:-1", "RParen:)"]);
    expect(kinds("x ^ -1")).toEqual(["Identifier:x", "Caret:^", "IntLit:-1"]);
  });
  it("applies scale suffixes, staying integer only when integral", () => {
    expect(value("12000m")).toEqual({ tag: "int", value: 12n });
    expect(value("1.5k")).toEqual({ tag: "float", value: 1500 });
    expect(value("15m")).toEqual({ tag: "float", value: 0.015 });
    expect(value("2Ki")).toEqual({ tag: "int", value: 2048n });
    expect(value("3 kilo")).toEqual({ tag: "int", value: 3000n });
    expect(value("1pico")).toEqual({ tag: "float", value: 1e-12 });
    expect(value("4M")).toEqual({ tag: "int", value: 4000000n });
  });
});

describe("floats", () => {
  it.each([
    ["3.14", 3.14],
    ["15042.", 15042],
    ["1e9", 1e9],
    ["2.5e-3", 0.0025],
    ["-0.0", -0],
  ])("%s", (text, x) => {
    expect(value(text)).toEqual({ tag: "float", value: x });
  });
});

describe("durations", () => {
  it.each([
    ["60s", 60],
    ["100ms", 0.1],
    ["1h2m", 3720],
    ["1m2s", 62],
    ["2m1.5s", 121.5],
    ["1h 30min", 5400],
    ["2 minutes, 3 seconds and 400 milliseconds", 123.4],
    ["3 days", 259200],
    ["minute", 60],
    ["1.5 hours", 5400],
  ])("%s = %d s", (text, seconds) => {
    expect(value(text)).toEqual({ tag: "duration", seconds });
  });
  it("reads a lone m as the milli scale, flagged for duration contexts", () => {
    const t = tokens("5m")[0]!;
    expect(literalPayload(t)).toEqual({ value: { tag: "float", value: 0.005 }, nullable: false, milliOnly: true });
  });
  it("rejects ambiguous m and negative durations", () => {
    expect(errorCode("1d 2m")).toBe("RQ1006");
    expect(errorCode("-5s")).toBe("RQ1007");
  });
  it("does not take a comma-separated number without unit", () => {
    expect(kinds("1s, 2")).toEqual(["DurationLit:1s", "Comma:,", "IntLit:2"]);
  });
});

describe("strings and characters", () => {
  it("reads every escape as bytes", () => {
    expect(value('"\\\\\\"\\\'\\n\\t\\r\\b\\065\\x41"')).toEqual({ tag: "string", value: "\\\"'\n\t\r\bAA" });
    expect(value('"a\nb"')).toEqual({ tag: "string", value: "a\nb" });
    expect(value('"\u00e9"')).toEqual({ tag: "string", value: "\u00e9" });
    expect(errorCode('"\\q"')).toBe("RQ1009");
    expect(errorCode('"abc')).toBe("RQ1010");
  });
  it.each([
    ["#\\c", 99],
    ["#\\space", 32],
    ["#\\NEWLINE", 10],
    ["#\\tab", 9],
    ["#\\007", 7],
    ["#\\x41", 65],
    ["#\\1", 49],
    ["#\\\u0000", 0],
    ["#\\(", 40],
  ])("%s", (text, code) => {
    expect(value(text)).toEqual({ tag: "char", value: code });
  });
  it("rejects codes above 255", () => {
    expect(errorCode("#\\400")).toBe("RQ1008");
    expect(errorCode("#\\x100")).toBe("RQ1008");
  });
});

describe("addresses", () => {
  it("reads IPv4, IPv6, CIDRs and Ethernet addresses", () => {
    expect(value("192.168.1.10")).toEqual({ tag: "ip4", value: 3232235786 });
    expect(value("10.0.0.0/8")).toEqual({ tag: "cidr4", ip: 167772160, len: 8 });
    expect(value("2001:db8::1")).toEqual({ tag: "ip6", value: 0x20010db8000000000000000000000001n });
    expect(value("fe80::/10")).toEqual({ tag: "cidr6", ip: 0xfe800000000000000000000000000000n, len: 10 });
    expect(value("::ffff:1.2.3.4")).toEqual({ tag: "ip6", value: 0xffff01020304n });
    expect(value("00:1a:2b:3c:4d:5e")).toEqual({ tag: "eth", value: 0x001a2b3c4d5e });
  });
  it("rejects an address divided by an integer", () => {
    expect(errorCode("1.2.3.4/33")).toBe("RQ1036");
    expect(errorCode("1.2.3.4 / 8")).toBe("RQ1036");
  });
  it("converts the text forms of RFC 4291 and prints RFC 5952", () => {
    expect(parseIp4("1.2.3.256")).toBeUndefined();
    expect(parseIp6("1:2:3:4:5:6:7:8")).toBe(0x00010002000300040005000600070008n);
    expect(parseIp6("::")).toBe(0n);
    expect(parseIp6("1::2::3")).toBeUndefined();
    expect(parseIp6("1:2:3:4:5:6:7")).toBeUndefined();
    expect(parseEth("00:1a:2b:3c:4d")).toBeUndefined();
    expect(formatIp6(0x20010db8000000000000000000000001n)).toBe("2001:db8::1");
    expect(formatIp6(0x20010db8000000010000000000000001n)).toBe("2001:db8:0:1::1");
    expect(formatIp6(0n)).toBe("::");
    expect(formatIp4(3232235786)).toBe("192.168.1.10");
    expect(formatEth(0x001a2b3c4d5e)).toBe("00:1a:2b:3c:4d:5e");
  });
});

describe("other tokens", () => {
  it("folds the nullable marker into the literal", () => {
    expect(literalPayload(tokens("1u8?")[0]!).nullable).toBe(true);
    expect(literalPayload(tokens('"x"?')[0]!).nullable).toBe(true);
    expect(kinds("a |? b")).toEqual(["Identifier:a", "CoalesceOp:|?", "Identifier:b"]);
  });
  it("reads ordinals and checks their suffix", () => {
    expect(tokens("1st 2nd 3rd 11th 21st 22nd 90th").map((t) => t.payload)).toEqual([1n, 2n, 3n, 11n, 21n, 22n, 90n]);
    expect(errorCode("2th")).toBe("RQ1016");
    expect(errorCode("12nd")).toBe("RQ1016");
    expect(errorCode("0th")).toBe("RQ1015");
  });
  it("reads k-MOVEAVG and k-MA as one token", () => {
    expect(kinds("5-MOVEAVG x 3-ma y")).toEqual(["KMoveavg:5-MOVEAVG", "Identifier:x", "KMoveavg:3-ma", "Identifier:y"]);
  });
  it("reads program paths and site globs in FROM", () => {
    expect(kinds("FROM ../q/f, p#_/f AND 'a b/c' ON SITE edge-* WHERE")).toEqual([
      "FROM:FROM",
      "SourceName:../q/f",
      "Comma:,",
      "SourceName:p#_/f",
      "AND:AND",
      "QuotedIdent:'a b/c'",
      "ON:ON",
      "Identifier:SITE",
      "SitePattern:edge-*",
      "WHERE:WHERE",
    ]);
    expect(kinds("READ FROM FILE")).toEqual(["READ:READ", "FROM:FROM", "FILES:FILE"]);
  });
  it("reads operators by longest match", () => {
    expect(kinds("<= <> != << >> // || < >").map((k) => k.split(":")[0])).toEqual(["Le", "Ne", "Ne", "Shl", "Shr", "DoubleSlash", "Concat", "Lt", "Gt"]);
    expect(errorCode("a $ b")).toBe("RQ1003");
  });
});
