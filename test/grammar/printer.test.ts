// The canonical text of ASTs: keywords in upper case, minimal parentheses
// (raql.md §5.1), keyword syntaxes in keyword form, one clause per line.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseExpression, parseProgram, printExpr, printProgram } from "../../grammar/index.js";
import { SourceFile } from "../../grammar/source.js";
import { stripSpans } from "./ast-arbitraries.js";

const canonical = (text: string) => printExpr(parseExpression(text));

describe("printExpr", () => {
  it.each([
    ["(a + b) * c", "(a + b) * c"],
    ["a + (b * c)", "a + b * c"],
    ["(a - b) - c", "a - b - c"],
    ["a - (b - c)", "a - (b - c)"],
    ["2 ^ (3 ^ 2)", "2 ^ 3 ^ 2"],
    ["(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"],
    ["(4 & 4) * 2", "4 & 4 * 2"],
    ["not (a = b)", "NOT (a = b)"],
    ["(not a) = b", "NOT a = b"],
    ["(a + b) is null", "(a + b) IS NULL"],
    ["-(3)", "- 3"],
    ["- -3", "- -3"],
    ["-(-x)", "- -x"],
    ["a and (b or c)", "a AND (b OR c)"],
    ["(if a then 1 else 2) + 1", "(IF a THEN 1 ELSE 2) + 1"],
    ["if a then (if b then 1) else 2", "IF a THEN (IF b THEN 1) ELSE 2"],
    ["abs x", "ABS(x)"],
    ["min(a, b)", "LEAST(a, b)"],
    ["sum globally skip nulls x", "SUM GLOBALLY SKIP NULLS (x)"],
    ["and x", "AND(x)"],
    ["x |? 0", "COALESCE(x, 0)"],
    ["x not in y", "NOT (x IN y)"],
    ['s case sensitive like "a%"', 's CASE SENSITIVE LIKE "a%"'],
    ["1st e", "e[0]"],
    ["in.x.y", "in.x.y"],
    ["previous.x", "previous.x"],
    ["'select' + in.'from'", "'select' + in.from"],
    ["5-ma x", "MOVEAVG(5, x)"],
    ["90th percentile x", "90 PERCENTILE x"],
    ["largest but 1 up to 3 x by a, b", "LARGEST BUT 1 UP TO 3 x BY (a; b)"],
    ["sample of size 10 of the past 1 hour x", "SAMPLE 10 OF THE PAST 1h OF x"],
    ["every(10s, true, x)", "EVERY 10s TUMBLING x"],
    ["is x in top 5 by w", "IS x IN TOP 5 BY w"],
    ["peek u32 big endian x", "PEEK u32 BIG ENDIAN x"],
    ["index from end(s, c)", "INDEX FROM END(s, c)"],
    ["cast(x as float?)", "float?(x)"],
    ["(string; u32?)(1; 2)", "(string; u32?)(1; 2)"],
    ["x {bytes.seconds^-1}", "x {bytes*seconds^-1}"],
    ["2 minutes, 3 seconds and 400 milliseconds", "123.4s"],
    ["90 minutes", "90min"],
    ["frobnicate(1s, (2s))", "FROBNICATE(1s, (2s))"],
    ['"a\\tb\\x01"', '"a\\tb\\x01"'],
    ["#\\space", "#\\space"],
    ["192.168.0.1/16", "192.168.0.1/16"],
  ])("%s → %s", (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });
});

describe("printProgram", () => {
  it("prints one clause per line, definitions first", () => {
    const text = printProgram(
      parseProgram(
        new SourceFile(
          "t.ramen",
          'define lazy heavy as from per_host where bytes >= min_bytes select * notify "heavy talker " || string(host) after true; parameters min_bytes u64 {bytes} default to 0',
        ),
      ).program,
    );
    expect(text).toBe(
      [
        "PARAMETER min_bytes u64 {bytes} DEFAULTS TO 0;",
        "",
        "DEFINE heavy LAZY AS",
        "  FROM per_host",
        "  SELECT *",
        "  WHERE bytes >= min_bytes",
        '  NOTIFY "heavy talker " || string(host) AFTER true;',
        "",
      ].join("\n"),
    );
  });

  it("prints the example programs back to the same ASTs", () => {
    const root = new URL("../../examples/", import.meta.url);
    for (const dir of readdirSync(root)) {
      for (const file of readdirSync(new URL(`${dir}/`, root)).filter((f) => f.endsWith(".ramen"))) {
        const original = parseProgram(new SourceFile(file, readFileSync(new URL(`${dir}/${file}`, root), "latin1"))).program;
        const printed = printProgram(original);
        expect(stripSpans(parseProgram(new SourceFile(file, printed)).program), printed).toEqual(stripSpans(original));
      }
    }
  });
});
