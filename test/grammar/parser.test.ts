// The parser, construct by construct (raql.md §3–5 and stdlib/README.md for
// the canonical names). Expressions are compared in a compact prefix notation
// written by hand: `fn(args)`, `_` for an omitted optional argument.

import { describe, expect, it } from "vitest";
import type { Aggregate, Expr, FunctionDef, ListenFor, Program, ReadExternal } from "../../grammar/ast.js";
import { formatDiagnostic } from "../../grammar/diagnostics.js";
import { parseExpression, parseProgram } from "../../grammar/index.js";
import { validateGrammar } from "../../grammar/parser.js";
import { SourceFile } from "../../grammar/source.js";
import { ntypeToString } from "../../grammar/types.js";
import { unitsToString } from "../../grammar/units.js";

function lit(e: Extract<Expr, { kind: "literal" }>): string {
  const v = e.value;
  const q = e.nullable ? "?" : "";
  switch (v.tag) {
    case "null":
      return "NULL" + q;
    case "int":
      return String(v.value) + (v.width ? (v.signed ? "i" : "u") + v.width : "") + q;
    case "string":
      return JSON.stringify(v.value) + q;
    case "duration":
      return v.seconds + "s" + q;
    case "cidr4":
    case "cidr6":
      return `${v.tag}(${v.ip}/${v.len})` + q;
    default:
      return `${v.value}` + q;
  }
}

/** A compact prefix notation of an expression. */
function show(e: Expr | null): string {
  if (e === null) return "_";
  switch (e.kind) {
    case "literal":
      return lit(e);
    case "field":
      return (e.variable ? e.variable + "." : "") + e.name;
    case "variable":
      return "$" + e.variable;
    case "call": {
      const tags = [e.lifespan, e.nulls && e.nulls + "-nulls", ...Object.entries(e.options ?? {}).map(([k, v]) => `${k}=${typeof v === "object" ? ntypeToString(v) : v}`)].filter(Boolean);
      return e.fn + (tags.length ? "{" + tags.join(",") + "}" : "") + "(" + e.args.map(show).join(", ") + ")";
    }
    case "case":
      return "case(" + e.branches.map((b) => show(b.when) + " -> " + show(b.then)).join(", ") + (e.else ? ", else " + show(e.else) : "") + ")";
    case "cast":
      return `cast<${ntypeToString(e.to)}>(${show(e.expr)})`;
    case "units":
      return `${show(e.expr)}${unitsToString(e.units)}`;
    case "vector":
      return "[" + e.items.map(show).join("; ") + "]";
    case "tuple":
      return "(" + e.items.map(show).join("; ") + ")";
    case "record":
      return "{" + e.fields.map((f) => f.name + ": " + show(f.value)).join("; ") + "}";
  }
}

const expr = (text: string) => show(parseExpression(text));
const program = (text: string): Program => parseProgram(new SourceFile("t.ramen", text)).program;
const onlyFunction = (text: string): FunctionDef => program(text).functions[0]!;
const aggregate = (text: string) => onlyFunction(text).operation as Aggregate;

describe("grammar", () => {
  it("has no ambiguity chevrotain can detect", () => {
    expect(() => validateGrammar()).not.toThrow();
  });
});

describe("precedence (raql.md §5.1)", () => {
  it.each([
    ["1 + 2 * 3", "add(1, mul(2, 3))"],
    ["4 & 4 * 2", "mul(band(4, 4), 2)"],
    ["2^3^2", "pow(2, pow(3, 2))"],
    ["1 - 2 - 3", "sub(sub(1, 2), 3)"],
    ["a OR b AND c", "or(a, and(b, c))"],
    ["a AND b = c", "and(a, eq(b, c))"],
    ["NOT a = b", "eq(not(a), b)"],
    ["a + b IS NULL", "add(a, is_null(b))"],
    ["x IS NOT NULL", "is_not_null(x)"],
    ["-x ^ 2", "pow(neg(x), 2)"],
    ["- 3", "neg(3)"],
    ["-3", "-3"],
    ["a -1", "sub(a, 1)"],
    ["ABS x - 1", "sub(abs(x), 1)"],
    ["ABS -1", "sub(ABS, 1)"],
    ["ABS(-1)", "abs(-1)"],
    ["a < b = c", "eq(lt(a, b), c)"],
    ["a || b |? c", "coalesce(concat(a, b), c)"],
    ["a // b % c", "mod(idiv(a, b), c)"],
    ["a << 1 | b >> 2 # c", "bxor(shr(bor(shl(a, 1), b), 2), c)"],
    ["IF a THEN 1 ELSE 2 + 3", "case(a -> 1, else add(2, 3))"],
    ["1 + IF a THEN 1 ELSE 2 OR b", "add(1, case(a -> 1, else or(2, b)))"],
    ["BEGIN OF c = END OF d", "eq(begin_of(c), end_of(d))"],
  ])("%s", (text, expected) => {
    expect(expr(text)).toBe(expected);
  });
});

describe("operators and canonical names", () => {
  it.each([
    ["a <> b", "ne(a, b)"],
    ["a != b", "ne(a, b)"],
    ["a >= b", "ge(a, b)"],
    ["x IN [1; 2]", "in(x, [1; 2])"],
    ["x NOT IN y", "not(in(x, y))"],
    ['s LIKE "a%"', 'like(s, "a%")'],
    ['s NOT LIKE "a%"', 'not(like(s, "a%"))'],
    ['s CASE SENSITIVE LIKE "a"', 'like{caseSensitive=true}(s, "a")'],
    ["a STARTS WITH b", "starts_with(a, b)"],
    ["a ENDS WITH b", "ends_with(a, b)"],
    ["a / b", "div(a, b)"],
    ["COALESCE(a, b, c)", "coalesce(a, b, c)"],
    ["NOW + RANDOM * PI", "add(now(), mul(random(), pi()))"],
    ["#stop - #start", "sub(event_stop(), event_start())"],
    ["MIN(a, b)", "least(a, b)"],
    ["MAX(a, b, c)", "greatest(a, b, c)"],
    ["MIN x", "min(x)"],
    ["AND x", "agg_and(x)"],
    ["OR x", "agg_or(x)"],
    ["ALL x", "group(x)"],
    ["GROUP x", "group(x)"],
    ["SUBSTRING(s, 0, 3)", "substring(s, 0, 3)"],
    ["frobnicate(1, 2)", "frobnicate(1, 2)"],
    ["FROBNICATE x", "frobnicate(x)"],
    ["CHANGED x", "changed(x)"],
  ])("%s", (text, expected) => {
    expect(expr(text)).toBe(expected);
  });

  it("reads stateful modifiers on any function", () => {
    expect(expr("SUM LOCALLY x")).toBe("sum{locally}(x)");
    expect(expr("SUM GLOBALLY SKIP NULLS x")).toBe("sum{globally,skip-nulls}(x)");
    expect(expr("LAG GLOBALLY KEEP NULL (2, x)")).toBe("lag{globally,keep-nulls}(2, x)");
    expect(expr("AND IMMEDIATELY x")).toBe("agg_and{immediately}(x)");
  });
});

describe("keyword syntaxes (stdlib/README.md argument positions)", () => {
  it.each([
    ["90th PERCENTILE x", "percentile(90, x)"],
    ["[25; 50] PERCENTILE x", "percentile([25; 50], x)"],
    ["p PERCENTILE GLOBALLY x", "percentile{globally}(p, x)"],
    ["5-MOVEAVG x", "moveavg(5, x)"],
    ["3-MA x", "moveavg(3, x)"],
    ["MOVEAVG(2, x)", "moveavg(2, x)"],
    ["LARGEST 3 x", "largest(3, _, x, _)"],
    ["LARGEST BUT 1 UP TO 3 x BY a, b", "largest{upTo=true}(3, 1, x, (a; b))"],
    ["SMALLEST 2 x BY y", "smallest(2, _, x, y)"],
    ["LATEST 3 x", "latest(3, _, x)"],
    ["OLDEST BUT 1 2 x", "oldest(2, 1, x)"],
    ["EARLIER UP TO 2 x", "earlier{upTo=true}(2, _, x)"],
    ["PAST 1h x", "past(3600s, x, _, _)"],
    ["PAST MINUTE TUMBLING OF x AT TIME t", "past{tumbling=true}(60s, x, t, _)"],
    ["SAMPLE OF SIZE 10 OF THE PAST 1h x", "past(3600s, x, _, 10)"],
    ["SAMPLE 10 OF THE PAST 1h SLIDING x", "past{tumbling=false}(3600s, x, _, 10)"],
    ["SAMPLE(10, x)", "sample(10, x)"],
    ["EVERY 10s x", "every(10s, x, _)"],
    ["ONCE EVERY 10s TUMBLING x AT TIME t", "every{tumbling=true,once=true}(10s, x, t)"],
    ["EVERY(10s, true, x)", "every{tumbling=true}(10s, x, _)"],
    ["EVERY(10s, false, t, x)", "every{tumbling=false}(10s, x, t)"],
    ["LIST TOP 5 x", "top{topMode=list}(5, _, x, _, _, _, _)"],
    ["LIST TOP 5 OVER 50 x BY w AT TIME t FOR THE LAST 1h ABOVE 2 SIGMAS", "top{topMode=list}(5, 50, x, w, t, 3600s, 2)"],
    ["IS x IN TOP 5 BY w", "top{topMode=membership}(5, _, x, w, _, _, _)"],
    ["RANK OF x IN TOP 5 OVER 20", "top{topMode=rank}(5, 20, x, _, _, _, _)"],
    ["ONE OUT OF 10 x", "one_out_of(10, x)"],
    ["PEEK U16 [3u8; 233u8]", "peek{peekType=u16}([3u8; 233u8])"],
    ["PEEK u32 BIG ENDIAN x", "peek{peekType=u32,bigEndian=true}(x)"],
    ["INDEX(s, c)", "index(s, c)"],
    ["INDEX FROM START(s, c)", "index(s, c)"],
    ["INDEX FROM END(s, c)", "index_from_end(s, c)"],
  ])("%s", (text, expected) => {
    expect(expr(text)).toBe(expected);
  });

  it("keeps soft keywords usable as field names", () => {
    expect(expr("latest + list")).toBe("add(latest, list)");
    expect(expr("duration * 2")).toBe("mul(duration, 2)");
    expect(expr("f(past, sample)")).toBe("f(past, sample)");
  });

  it("reads FACTOR(S) as a name outside of its clause (raql.md §1.2), and as the clause after an expression", () => {
    expect(expr("factor * 2")).toBe("mul(factor, 2)");
    const p = program("PARAMETER factor float DEFAULTS TO 1.0;\nDEFINE f AS FROM p/g SELECT x * factor AS y, h COMMIT AFTER y > factor FACTOR h");
    expect(p.params.map((q) => q.name)).toEqual(["factor"]);
    const op = p.functions[0]!.operation;
    expect(op.kind === "aggregate" && op.factors?.map((f) => f.name)).toEqual(["h"]);
  });
});

describe("names, fields and access", () => {
  it.each([
    ["in.x", "in.x"],
    ["out.'quoted name'", "out.quoted name"],
    ["previous.x", "local_last_out.x"],
    ["local_last.x", "local_last_out.x"],
    ["global_last.x", "global_last_out.x"],
    ["smallest.#count", "sort_smallest.#count"],
    ["greatest.x", "sort_greatest.x"],
    ["in.from", "in.from"],
    ["in", "$in"],
    ['GET("x", in)', 'get("x", $in)'],
    ["e.name", 'get("name", e)'],
    ["in.x.y[2]", 'get(2, get("y", in.x))'],
    ["e[i + 1]", "get(add(i, 1), e)"],
    ["1st e", "get(0, e)"],
    ["3rd (a; b; c)", "get(2, (a; b; c))"],
    ["'select'", "select"],
    ["#count", "#count"],
    ["SUM in.bytes", "sum(in.bytes)"],
    ["COUNT (DISTINCT x)", "count(distinct(x))"],
  ])("%s", (text, expected) => {
    expect(expr(text)).toBe(expected);
  });
});

describe("literals, composites, casts and units", () => {
  it.each([
    ["[1; 2; 3]", "[1; 2; 3]"],
    ["[]", "[]"],
    ["(1; 2)", "(1; 2)"],
    ["(1)", "1"],
    ["()", "()"],
    ["{a: 1; b: a + 1}", "{a: 1; b: add(a, 1)}"],
    ["1u8?", "1u8?"],
    ["NULL", "NULL"],
    ["true?", "true?"],
    ["u16(x)", "cast<u16>(x)"],
    ["CAST(x AS float?)", "cast<float?>(x)"],
    ["float?(s)", "cast<float?>(s)"],
    ["u8[4](v)", "cast<u8[4]>(v)"],
    ["(string; u32?)(1; 2)", "cast<(string; u32?)>((1; 2))"],
    ["{a: u8}(x)", "cast<{a: u8}>(x)"],
    ["string x", "cast<string>(x)"],
    ["IF(c, a)", "case(c -> a)"],
    ["IF(c, a, b)", "case(c -> a, else b)"],
    ["IF (c) THEN a", "case(c -> a)"],
    ["CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END", "case(a -> 1, b -> 2, else 3)"],
    ["3600 {seconds}", "3600{seconds}"],
    ["x {bytes*seconds^-1}", "x{bytes*seconds^-1}"],
    ["x {bytes.bytes}", "x{bytes^2}"],
    ["t {seconds(rel)}", "t{seconds(rel)}"],
    ["(a / b) {}", "div(a, b){}"],
    ["f {a: 1}", "f({a: 1})"],
  ])("%s", (text, expected) => {
    expect(expr(text)).toBe(expected);
  });
});

describe("program structure (raql.md §3)", () => {
  it("reads parameters, globals and the running condition", () => {
    const p = program(`
      PARAMETERS min_bytes u64 {bytes} DEFAULT TO 0 AND avg_window DEFAULT TO 60s, t float? "a threshold";
      PARAMETER v DEFAULTS TO [1; 2];
      DECLARE WITH PROGRAM SCOPE m string[string], n string[string];
      DECLARE g string[string];
      RUN IF env.RUN = "yes"`);
    expect(p.params.map((q) => [q.name, q.type && ntypeToString(q.type), q.units && unitsToString(q.units), q.default && show(q.default), q.doc])).toEqual([
      ["min_bytes", "u64", "{bytes}", "0", undefined],
      ["avg_window", undefined, undefined, "60s", undefined],
      ["t", "float?", undefined, undefined, "a threshold"],
      ["v", undefined, undefined, "[1; 2]", undefined],
    ]);
    expect(p.globals.map((g) => [g.name, ntypeToString(g.type), g.scope])).toEqual([
      ["m", "string[string]", "program"],
      ["n", "string[string]", "program"],
      ["g", "string[string]", "site"],
    ]);
    expect(show(p.runIf!)).toBe('eq(env.RUN, "yes")');
  });

  it("reads DEFINE flags and names in any order", () => {
    const f = onlyFunction('DEFINE LAZY f PERSIST FOR 1h QUERYING EVERY 5min WHILE ignored BEST AFTER p "doc" AS YIELD 1 AS x');
    expect([f.name, f.lazy, show(f.persistFor!), show(f.queryingEvery!), show(f.bestAfter!), f.doc]).toEqual(["f", true, "3600s", "300s", "p", "doc"]);
    const anonymous = program("YIELD 1 AS x; FROM a SELECT x").functions;
    expect(anonymous.map((g) => g.name)).toEqual([undefined, undefined]);
  });
});

describe("operations (raql.md §4)", () => {
  it("reads select items", () => {
    const a = aggregate('DEFINE f AS FROM p SELECT * - a - \'b c\', x AS y "doc", z DOC "zd" AGGREGATE USING sum, w AGGREGATES USING MAX');
    expect(a.select!.map((i) => (i.kind === "star" ? `*-${i.exclude.join("-")}` : [show(i.expr), i.alias, i.doc, i.aggregate].join("|")))).toEqual([
      "*-a-b c",
      "x|y|doc|",
      "z||zd|sum",
      "w|||max",
    ]);
  });

  it("reads every form of FROM", () => {
    const a = aggregate("DEFINE f AS FROM g, p/f AND ../q/f ON THIS SITE, p#s/f ON SITES 'edge *', p#_/f, 'a b/c d', (SELECT 1 AS x) SELECT x");
    expect(
      a.from.map((s) => (s.kind === "subquery" ? "subquery" : [s.program ?? "", s.name, s.site ? (s.site.kind === "this" ? "this" : s.site.pattern) : ""].join("|"))),
    ).toEqual(["|g|", "p|f|", "../q|f|this", "p#s|f|edge *", "p#_|f|", "a b|c d|", "subquery"]);
  });

  it.each([
    ["COMMIT AFTER c", "after c, flush, 0"],
    ["KEEP AFTER c", "after c, keep, 0"],
    ["COMMIT AND KEEP ALL AFTER c", "after c, keep_all, 0"],
    ["AFTER c KEEP", "after c, keep, 0"],
    ["KEEP", "after -, keep, 0"],
    ["NOTIFY", "after -, flush, 1"],
    ['NOTIFY "x" AND NOTIFY, KEEP BEFORE c', "before c, keep, 2"],
    ["COMMIT BEFORE c", "before c, flush, 0"],
  ])("reads the commit clause %s", (clause, expected) => {
    const c = aggregate(`DEFINE f AS FROM p SELECT x ${clause}`).commit!;
    expect(`${c.before ? "before" : "after"} ${c.when ? show(c.when) : "-"}, ${c.flush}, ${c.notifications.length}`).toBe(expected);
  });

  it("reads WHERE, GROUP BY, SORT, EVERY, EVENT and FACTORS in any order", () => {
    const a = aggregate(
      "DEFINE f AS FACTORS a AND b EVENT STARTING AT t * 0.001 WITH DURATION d * 2 SORT LAST 10 OR UNTIL smallest.#count > 5 BY x, y GROUP BY a, b WHEN x > 1 FROM p SELECT x",
    );
    expect(show(a.where!)).toBe("gt(x, 1)");
    expect(a.groupBy!.map(show)).toEqual(["a", "b"]);
    expect([a.sort!.last, show(a.sort!.until!), a.sort!.by.map(show)]).toEqual([10, "gt(sort_smallest.#count, 5)", ["x", "y"]]);
    expect(a.event!.start).toMatchObject({ field: "t", scale: 0.001 });
    expect(a.event!.stop).toMatchObject({ kind: "duration_field", at: { field: "d", scale: 2 } });
    expect(a.factors!.map((f) => f.name)).toEqual(["a", "b"]);
    expect(show(aggregate("YIELD 1 AS x EVERY 100ms").every!)).toBe("0.1s");
  });

  it("ends a NOTIFY without name at a FACTORS clause, and reads a field named factors as its name", () => {
    const clause = aggregate("DEFINE f AS FROM p SELECT x NOTIFY FACTORS x");
    expect([clause.commit!.notifications[0]!.name, clause.factors!.map((f) => f.name)]).toEqual([undefined, ["x"]]);
    expect(show(aggregate("DEFINE f AS FROM p SELECT x NOTIFY factors").commit!.notifications[0]!.name!)).toBe("factors");
  });

  it.each([
    ["EVENT STARTING AT start", undefined],
    ["EVENT STARTS AT start AND DURATION 10s", { kind: "duration", seconds: 10 }],
    ["EVENT STARTING AT start DURATION 2.5", { kind: "duration", seconds: 2.5 }],
    ["EVENT STARTING AT start AND STOPPING AT stop", { kind: "stop", at: { field: "stop", scale: 1 } }],
    ["EVENT STARTING AT start AND ENDS AT stop * 1000", { kind: "stop", at: { field: "stop", scale: 1000 } }],
  ])("reads %s", (clause, stop) => {
    const e = aggregate(`DEFINE f AS FROM p SELECT start ${clause}`).event!;
    if (stop === undefined) expect(e.stop).toBeUndefined();
    else expect(e.stop).toMatchObject(stop);
  });

  it("reads READ with CSV options in their order", () => {
    const f = onlyFunction(`DEFINE f AS READ FROM FILES "/tmp/*.csv" PREPROCESSED WITH "zcat" THEN DELETE IF true
        AS CSV SEPARATOR "\\t" NULL "<NULL>" NO QUOTES ESCAPE WITH "\\\\" VECTORS OF CHARS AS STRING CLICKHOUSE SYNTAX
        ('from' u16 {bytes} "doc" AGGREGATE USING sum, b string?)
        EVENT STARTING AT 'from' FACTORS b`);
    const op = f.operation as ReadExternal;
    expect(op.source).toMatchObject({ kind: "file" });
    if (op.source.kind !== "file") throw new Error("file expected");
    expect([show(op.source.path), show(op.source.preprocess!), show(op.source.deleteIf!)]).toEqual(['"/tmp/*.csv"', '"zcat"', "true"]);
    expect(op.format).toMatchObject({ kind: "csv", separator: "\t", nullString: "<NULL>", escape: "\\", vectorsOfCharsAsString: true, clickhouseSyntax: true });
    expect((op.format as { quote?: string }).quote).toBeUndefined();
    expect(op.format.fields.map((d) => [d.name, ntypeToString(d.type), d.units && unitsToString(d.units), d.doc, d.aggregate])).toEqual([
      ["from", "u16", "{bytes}", "doc", "sum"],
      ["b", "string?", undefined, undefined, undefined],
    ]);
    expect(op.event!.start.field).toBe("from");
    const defaults = onlyFunction('DEFINE f AS READ AS CSV QUOTE WITH #\\\' (a u8) FROM FILE "x"').operation as ReadExternal;
    expect(defaults.format).toMatchObject({ kind: "csv", separator: ",", nullString: "", quote: "'", vectorsOfCharsAsString: false, clickhouseSyntax: false });
    expect(defaults.source).toMatchObject({ kind: "file" });
    expect((defaults.source as { deleteIf?: unknown }).deleteIf).toBeUndefined();
  });

  it("reads ClickHouse column lists", () => {
    const op = onlyFunction(`DEFINE f AS READ FROM FILE "x" AS ROWBINARY (
        columns format version: 1
        4 columns:
        \`name\` String
        \`value\` Nullable(UInt32)
        \`id\` UUID
        \`tags\` Array(FixedString(3))
      )`).operation as ReadExternal;
    expect(op.format.fields.map((d) => [d.name, ntypeToString(d.type), d.clickhouseType])).toEqual([
      ["name", "string", "String"],
      ["value", "u32?", "Nullable(UInt32)"],
      ["id", "u128", "UUID"],
      ["tags", "char[3][]", "Array(FixedString(3))"],
    ]);
  });

  it("reads KAFKA sources", () => {
    const op = onlyFunction('DEFINE f AS READ FROM KAFKA TOPIC "t" PARTITIONS [1; 2] WITH OPTIONS "a" = "1" AND "b" = x AND y AS CSV (a u8)').operation as ReadExternal;
    if (op.source.kind !== "kafka") throw new Error("kafka expected");
    expect([show(op.source.topic), show(op.source.partitions!), op.source.options.map((o) => `${o.name}=${show(o.value)}`)]).toEqual([
      '"t"',
      "[1; 2]",
      ['a="1"', "b=and(x, y)"],
    ]);
  });

  it.each([
    ["LISTEN FOR netflow", { protocol: "netflow", transport: "udp" }],
    ["LISTEN netflowv5 ON *:2055 TCP", { protocol: "netflow", address: "*", port: 2055, transport: "tcp" }],
    ["LISTEN FOR collectd ON 127.0.0.1:25826 PROTO UDP", { protocol: "collectd", address: "127.0.0.1", port: 25826, transport: "udp" }],
    ["LISTEN FOR graphite [*]", { protocol: "graphite", address: "[*]", transport: "udp" }],
    ["LISTEN FOR graphite ON [::1]:2003", { protocol: "graphite", address: "::1", port: 2003, transport: "udp" }],
  ])("reads %s", (clause, expected) => {
    const op = onlyFunction(`DEFINE f AS ${clause} FACTOR x`).operation as ListenFor;
    expect(op).toMatchObject({ kind: "listen", ...expected, factors: [{ name: "x" }] });
  });

  it("warns when a clause is given twice, keeping the last", () => {
    const { program: p, warnings } = parseProgram(new SourceFile("t.ramen", "DEFINE f AS FROM a WHERE x GROUP BY y WHERE z GROUP BY w"));
    const a = p.functions[0]!.operation as Aggregate;
    expect([show(a.where!), a.groupBy!.map(show)]).toEqual(["z", ["w"]]);
    expect(warnings.map((w) => w.message)).toEqual(["WHERE clause given twice, the last one is used", "GROUP BY clause given twice, the last one is used"]);
    expect(formatDiagnostic(warnings[0]!)).toContain("t.ramen:1:");
  });

  it("parses the example programs", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const root = new URL("../../examples/", import.meta.url);
    for (const dir of readdirSync(root)) {
      for (const file of readdirSync(new URL(`${dir}/`, root)).filter((f) => f.endsWith(".ramen"))) {
        const text = readFileSync(new URL(`${dir}/${file}`, root), "latin1");
        expect(program(text).functions.length, file).toBeGreaterThan(0);
      }
    }
  });
});
