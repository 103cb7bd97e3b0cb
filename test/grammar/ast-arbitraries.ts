// fast-check generators of RaQL ASTs as the parser can produce them: every
// kind of expression, every clause, whole programs. Spans are left empty;
// comparisons ignore them (stripSpans).

import fc from "fast-check";
import type {
  Aggregate,
  Call,
  CallOptions,
  CommitClause,
  CsvFormat,
  EventClause,
  EventTimeField,
  Expr,
  ExternalSource,
  FieldDecl,
  FunctionDef,
  GlobalDecl,
  ListenFor,
  LiteralValue,
  Operation,
  ParamDecl,
  Program,
  ReadExternal,
  RowBinaryFormat,
  SelectItem,
  Source,
  Variable,
} from "../../grammar/ast.js";
import { canonicalCallName } from "../../grammar/callnames.js";
import { NO_SPAN } from "../../grammar/source.js";
import { INT_WIDTHS, T, intRange, notNull, type NType, type Type } from "../../grammar/types.js";
import { normalizeUnits, type Units } from "../../grammar/units.js";
import { ALL_ENTRIES } from "../../stdlib/registry.js";

const S = NO_SPAN;

/** Removes spans (and undefined properties) so that ASTs compare by content. */
export function stripSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSpans);
  if (x !== null && typeof x === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      if (k === "span" || k === "nameSpan" || k === "aliasSpan" || k === "clauseSpans" || v === undefined) continue;
      out[k] = stripSpans(v);
    }
    return out;
  }
  return x;
}

// ---- names ------------------------------------------------------------------------

// Plain names, keywords, soft keywords, a type name, a function name, unit and
// scale words, names that need quotes.
const FIELD_NAMES = ["x", "start", "bytes", "_priv", "from", "in", "duration", "list", "u8", "count", "kilo", "seconds", "second", "lazy", "with space", "it's", "#count"];
const RECORD_LABELS = ["a", "b", "from", "top", "with space", "x1"];
const UNIT_NAMES = ["bytes", "seconds", "packets", "from"];
const UNKNOWN_FUNCTIONS = ["frobnicate", "my_udf"];

const arbFieldName = fc.constantFrom(...FIELD_NAMES);
const arbAlias = fc.constantFrom("x", "total", "from", "start", "with space", "kilo");

// ---- literals ------------------------------------------------------------------------

const arbU48 = fc.tuple(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 0xffffff })).map(([h, l]) => h * 2 ** 24 + l);
const arbU32 = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })).map(([h, l]) => h * 65536 + l);
const arbU128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const arbBytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }).map((codes) => String.fromCharCode(...codes));

const arbSuffixedInt: fc.Arbitrary<LiteralValue> = fc
  .tuple(fc.constantFrom(...INT_WIDTHS), fc.boolean())
  .chain(([width, signed]) => {
    const { min, max } = intRange(signed, width);
    return fc.bigInt({ min, max }).map((value): LiteralValue => ({ tag: "int", value, signed, width }));
  });

export const arbLiteralValue: fc.Arbitrary<LiteralValue> = fc.oneof(
  fc.constant<LiteralValue>({ tag: "null" }),
  fc.boolean().map((value): LiteralValue => ({ tag: "bool", value })),
  fc.bigInt({ min: -(1n << 127n), max: (1n << 128n) - 1n }).map((value): LiteralValue => ({ tag: "int", value })),
  arbSuffixedInt,
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value): LiteralValue => ({ tag: "float", value })),
  fc.oneof(fc.nat({ max: 1_000_000 }), fc.double({ min: 0, max: 1e15, noNaN: true })).map((seconds): LiteralValue => ({ tag: "duration", seconds })),
  arbBytes.map((value): LiteralValue => ({ tag: "string", value })),
  fc.integer({ min: 0, max: 255 }).map((value): LiteralValue => ({ tag: "char", value })),
  arbU48.map((value): LiteralValue => ({ tag: "eth", value })),
  arbU32.map((value): LiteralValue => ({ tag: "ip4", value })),
  arbU128.map((value): LiteralValue => ({ tag: "ip6", value })),
  fc.tuple(arbU32, fc.integer({ min: 0, max: 32 })).map(([ip, len]): LiteralValue => ({ tag: "cidr4", ip, len })),
  fc.tuple(arbU128, fc.integer({ min: 0, max: 128 })).map(([ip, len]): LiteralValue => ({ tag: "cidr6", ip, len })),
);

const arbLiteral: fc.Arbitrary<Expr> = fc.record({ value: arbLiteralValue, nullable: fc.boolean() }).map(({ value, nullable }) => ({ kind: "literal", value, nullable, span: S }));

const intLit = (n: number | bigint): Expr => ({ kind: "literal", value: { tag: "int", value: BigInt(n) }, nullable: false, span: S });
const strLit = (value: string): Expr => ({ kind: "literal", value: { tag: "string", value }, nullable: false, span: S });
const arbSmallInt = fc.integer({ min: 0, max: 1000 }).map(intLit);

// ---- types and units --------------------------------------------------------------------

const SCALARS: Type[] = [T.bool, ...INT_WIDTHS.flatMap((w) => [T.int(false, w), T.int(true, w)]), T.float, T.string, T.char, T.eth, T.ip4, T.ip6, T.ip, T.cidr4, T.cidr6, T.cidr];

export const arbNType: fc.Arbitrary<NType> = fc.letrec<{ ntype: NType; type: Type }>((tie) => ({
  ntype: fc.record({ type: tie("type"), nullable: fc.boolean() }),
  type: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.constantFrom(...SCALARS),
    fc.tuple(fc.integer({ min: 1, max: 4 }), tie("ntype")).map(([dim, item]) => T.vector(dim, item)),
    tie("ntype").map((item) => T.list(item)),
    fc.array(tie("ntype"), { minLength: 2, maxLength: 3 }).map((items) => T.tuple(items)),
    fc
      .uniqueArray(fc.constantFrom(...RECORD_LABELS), { minLength: 1, maxLength: 3 })
      .chain((names) => fc.array(tie("ntype"), { minLength: names.length, maxLength: names.length }).map((ts) => T.record(names.map((name, i) => ({ name, type: ts[i]! }))))),
    fc.tuple(tie("ntype"), tie("ntype")).map(([key, value]) => T.map(key, value)),
  ),
})).ntype;

const arbUnits: fc.Arbitrary<Units> = fc
  .uniqueArray(fc.constantFrom(...UNIT_NAMES), { maxLength: 3 })
  .chain((names) =>
    fc
      .tuple(
        fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }).filter((n) => n !== 0), fc.constantFrom(0.5, -1.5)), { minLength: names.length, maxLength: names.length }),
        fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
      )
      .map(([exps, rels]) => normalizeUnits(names.map((name, i) => ({ name, exponent: exps[i]!, relative: rels[i]! }))).units),
  );

// ---- calls ---------------------------------------------------------------------------------

// Registry functions written NAME(args), with an arity that prints back to them.
// Entries whose constant arguments are checked while parsing are generated apart.
const CHECKED_WHILE_PARSING = new Set(["chr", "histogram", "coalesce"]);
const FUNCTIONS: { name: string; arity: number }[] = ALL_ENTRIES.flatMap((e) => {
  if (e.syntax.kind !== "function" || CHECKED_WHILE_PARSING.has(e.name)) return [];
  const { arities, variadic } = e.syntax;
  const counts = variadic ? [...arities, Math.max(...arities) + 1] : [...arities];
  return counts.filter((n) => n <= 4 && [...e.names, e.name].some((w) => canonicalCallName(w, n) === e.name)).map((arity) => ({ name: e.name, arity }));
});

const arbMods = fc.record(
  { lifespan: fc.constantFrom("locally" as const, "globally" as const, "immediately" as const), nulls: fc.constantFrom("skip" as const, "keep" as const) },
  { requiredKeys: [] },
);

function call(fn: string, args: (Expr | null)[], extra: { lifespan?: Call["lifespan"]; nulls?: Call["nulls"]; options?: CallOptions } = {}): Expr {
  const c: { -readonly [K in keyof Call]: Call[K] } = { kind: "call", fn, args, span: S };
  if (extra.lifespan) c.lifespan = extra.lifespan;
  if (extra.nulls) c.nulls = extra.nulls;
  if (extra.options && Object.keys(extra.options).length > 0) c.options = extra.options;
  return c;
}

const BINARY = ["or", "and", "eq", "ne", "lt", "le", "gt", "ge", "in", "starts_with", "ends_with", "add", "sub", "concat", "mul", "div", "idiv", "mod", "band", "bor", "bxor", "shl", "shr", "pow"];
const UNARY = ["not", "neg", "is_null", "is_not_null", "begin_of", "end_of", "changed"];
const VARIABLES: Variable[] = ["in", "out", "local_last_out", "global_last_out", "group_state", "global_state", "param", "env", "global", "sort_first", "sort_smallest", "sort_greatest", "record"];

const arbPattern = fc.record({ value: arbBytes, nullable: fc.boolean() }).map(({ value, nullable }): Expr => ({ kind: "literal", value: { tag: "string", value }, nullable, span: S }));

/** Expressions of every kind, at most `maxDepth` levels deep. */
export function arbExprOfDepth(maxDepth: number): fc.Arbitrary<Expr> {
  return fc.letrec<{ expr: Expr }>((tie) => {
  const e = tie("expr");
  const opt = fc.option(e, { nil: null });
  const someArgs = (n: number) => fc.array(e, { minLength: n, maxLength: n });
  return {
    expr: fc.oneof(
      { depthSize: "small", maxDepth, withCrossShrink: true },
      arbLiteral,
      arbFieldName.map((name): Expr => ({ kind: "field", name, span: S })),
      fc.tuple(fc.constantFrom(...VARIABLES), fc.constantFrom("x", "from", "#count", "with space")).map(([variable, name]): Expr => ({ kind: "field", variable, name, span: S })),
      fc.constantFrom(...VARIABLES).map((variable): Expr => ({ kind: "variable", variable, span: S })),
      fc.array(e, { maxLength: 3 }).map((items): Expr => ({ kind: "vector", items, span: S })),
      fc.oneof(fc.constant([] as Expr[]), fc.array(e, { minLength: 2, maxLength: 3 })).map((items): Expr => ({ kind: "tuple", items, span: S })),
      fc
        .uniqueArray(fc.constantFrom(...RECORD_LABELS), { minLength: 1, maxLength: 3 })
        .chain((names) => someArgs(names.length).map((vs): Expr => ({ kind: "record", fields: names.map((name, i) => ({ name, value: vs[i]!, span: S })), span: S }))),
      fc.tuple(fc.array(fc.record({ when: e, then: e }), { minLength: 1, maxLength: 3 }), fc.option(e, { nil: undefined })).map(([branches, otherwise]): Expr =>
        otherwise ? { kind: "case", branches, else: otherwise, span: S } : { kind: "case", branches, span: S },
      ),
      fc.tuple(arbNType, e).map(([to, x]): Expr => ({ kind: "cast", to, expr: x, span: S })),
      fc.tuple(e, arbUnits).map(([x, units]): Expr => ({ kind: "units", expr: x.kind === "tuple" || x.kind === "record" ? call("abs", [x]) : x, units, span: S })),
      fc.tuple(fc.constantFrom(...BINARY), e, e).map(([fn, a, b]) => call(fn, [a, b])),
      fc.tuple(fc.constantFrom(...UNARY), e).map(([fn, a]) => call(fn, [a])),
      fc.constantFrom("now", "random", "pi", "event_start", "event_stop").map((fn) => call(fn, [])),
      fc.tuple(e, arbPattern, fc.boolean()).map(([s, p, caseSensitive]) => call("like", [s, p], { options: caseSensitive ? { caseSensitive } : {} })),
      // (No filter on `e`: at the maximum depth it only yields literals.)
      fc.tuple(fc.oneof(arbSmallInt, arbBytes.map(strLit), e.map((i) => call("add", [i, intLit(1)]))), e).map(([i, x]) => call("get", [i, x])),
      fc.array(e, { minLength: 2, maxLength: 3 }).map((args) => call("coalesce", args)),
      fc.tuple(fc.constantFrom(...FUNCTIONS), arbMods).chain(([f, mods]) => someArgs(f.arity).map((args) => call(f.name, args, mods))),
      fc.tuple(fc.constantFrom(...UNKNOWN_FUNCTIONS), fc.array(e, { maxLength: 3 })).map(([fn, args]) => call(fn, args)),
      fc.tuple(e, e, arbMods).map(([p, x, mods]) => call("percentile", [p, x], mods)),
      fc.tuple(fc.constantFrom("largest", "smallest"), e, opt, e, opt, fc.boolean(), arbMods).map(([fn, n, b, x, by, upTo, mods]) =>
        call(fn, [n, b, x, by], { ...mods, options: upTo ? { upTo } : {} }),
      ),
      fc.tuple(fc.constantFrom("latest", "oldest"), e, opt, e, fc.boolean()).map(([fn, n, b, x, upTo]) => call(fn, [n, b, x], { options: upTo ? { upTo } : {} })),
      fc.tuple(e, e, fc.boolean()).map(([n, x, upTo]) => call("earlier", [n, null, x], { options: upTo ? { upTo } : {} })),
      fc.tuple(e, e, opt, opt, fc.option(fc.boolean(), { nil: undefined }), arbMods).map(([d, x, at, sample, tumbling, mods]) =>
        call("past", [d, x, at, sample], { ...mods, options: tumbling === undefined ? {} : { tumbling } }),
      ),
      fc.tuple(e, e, opt, fc.option(fc.boolean(), { nil: undefined }), fc.boolean()).map(([d, x, at, tumbling, once]) => {
        const options: { -readonly [K in keyof CallOptions]: CallOptions[K] } = {};
        if (tumbling !== undefined) options.tumbling = tumbling;
        if (once) options.once = true;
        return call("every", [d, x, at], { options });
      }),
      fc.tuple(fc.constantFrom("list" as const, "membership" as const, "rank" as const), e, opt, e, opt, opt, opt, opt).map(([topMode, n, over, x, by, at, forD, above]) =>
        call("top", [n, over, x, by, at, forD, above], { options: { topMode } }),
      ),
      fc.tuple(e, e).map(([n, x]) => call("one_out_of", [n, x])),
      fc.tuple(fc.constantFrom(...INT_WIDTHS), fc.boolean(), fc.option(fc.boolean(), { nil: undefined }), e).map(([w, signed, bigEndian, x]) =>
        call("peek", [x], { options: bigEndian === undefined ? { peekType: notNull(T.int(signed, w)) } : { peekType: notNull(T.int(signed, w)), bigEndian } }),
      ),
      fc.tuple(fc.constantFrom("index", "index_from_end"), e, e).map(([fn, s, c]) => call(fn, [s, c])),
      fc.tuple(fc.constantFrom("agg_and", "agg_or", "group"), e, arbMods).map(([fn, x, mods]) => call(fn, [x], mods)),
    ),
  };
  }).expr;
}

export const arbExpr = arbExprOfDepth(3);
/** Shallower, for the many expressions of whole programs. */
const arbSmallExpr = arbExprOfDepth(2);

// ---- operations and programs --------------------------------------------------------------

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const arbDoc = opt(arbBytes);
const arbAggregation = opt(fc.constantFrom("avg", "sum", "min", "max", "bitand", "bitor", "bitxor", "same"));

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const arbSelectItem: fc.Arbitrary<SelectItem> = fc.oneof(
  fc.array(arbFieldName, { maxLength: 2 }).map((exclude): SelectItem => ({ kind: "star", span: S, exclude })),
  fc.record({ expr: arbSmallExpr, alias: opt(arbAlias), doc: arbDoc, aggregate: arbAggregation }).map((f): SelectItem => defined({ kind: "field" as const, span: S, ...f })),
);

const arbFunctionSource: fc.Arbitrary<Source> = fc
  .record({
    program: opt(fc.constantFrom("p", "../q", "a/b", "p#s", "p#_", "with space", "files")),
    name: fc.constantFrom("f", "per_host", "with space", "kafka"),
    site: opt(fc.oneof(fc.constant({ kind: "this" as const }), fc.constantFrom("site1", "edge-*", "with space").map((pattern) => ({ kind: "glob" as const, pattern })))),
  })
  .map((s): Source => defined({ kind: "function" as const, span: S, ...s }));

/** Parents: functions, or an anonymous sub-query (one level). */
const arbSource: fc.Arbitrary<Source> = fc.oneof(
  { weight: 4, arbitrary: arbFunctionSource },
  {
    weight: 1,
    arbitrary: fc
      .record({ select: fc.array(arbSelectItem, { minLength: 1, maxLength: 2 }).filter((items) => items.filter((i) => i.kind === "star").length <= 1), from: fc.array(arbFunctionSource, { maxLength: 1 }), where: opt(arbSmallExpr) })
      .map((a): Source => ({ kind: "subquery", span: S, operation: defined({ kind: "aggregate" as const, span: S, ...a }) })),
  },
);

const arbCommit: fc.Arbitrary<CommitClause> = fc
  .record({
    when: opt(arbSmallExpr),
    before: fc.boolean(),
    flush: fc.constantFrom("flush" as const, "keep" as const, "keep_all" as const),
    notifications: fc.array(opt(arbSmallExpr).map((name) => defined({ span: S, name })), { maxLength: 2 }),
  })
  .map((c): CommitClause => defined({ span: S, ...c, before: c.when === undefined ? false : c.before }));

const arbEventField: fc.Arbitrary<EventTimeField> = fc
  .record({ field: arbFieldName, scale: fc.constantFrom(1, 0.001, 1000, 2.5) })
  .map((f) => ({ span: S, ...f }));

const arbEvent: fc.Arbitrary<EventClause> = fc
  .record({
    start: arbEventField,
    stop: opt(
      fc.oneof(
        arbEventField.map((at) => ({ kind: "stop" as const, at })),
        arbEventField.map((at) => ({ kind: "duration_field" as const, at })),
        fc.constantFrom(0, 0.1, 10, 3600, 90).map((seconds) => ({ kind: "duration" as const, seconds, span: S })),
      ),
    ),
  })
  .map((e): EventClause => defined({ span: S, ...e }));

const arbFactors = opt(fc.array(arbFieldName.map((name) => ({ name, span: S })), { minLength: 1, maxLength: 2 }));

const arbAggregate: fc.Arbitrary<Aggregate> = fc
  .record({
    select: opt(fc.array(arbSelectItem, { minLength: 1, maxLength: 3 }).filter((items) => items.filter((i) => i.kind === "star").length <= 1)),
    from: fc.array(arbSource, { maxLength: 2 }),
    where: opt(arbSmallExpr),
    groupBy: opt(fc.array(arbSmallExpr, { minLength: 1, maxLength: 2 })),
    commit: opt(arbCommit),
    sort: opt(
      fc.record({ last: fc.integer({ min: 1, max: 1000 }), until: opt(arbSmallExpr), by: fc.array(arbSmallExpr, { maxLength: 2 }) }).map((s) => defined({ span: S, ...s })),
    ),
    every: opt(arbSmallExpr),
    event: opt(arbEvent),
    factors: arbFactors,
  })
  .filter((a) => a.select !== undefined || a.from.length > 0)
  .map((a): Aggregate => defined({ kind: "aggregate" as const, span: S, ...a }));

// Columns of the ClickHouse lists, with the RaQL type each one reads as.
const CLICKHOUSE: [string, NType][] = [
  ["UInt8", notNull(T.u8)],
  ["Int64", notNull(T.i64)],
  ["Float64", notNull(T.float)],
  ["String", notNull(T.string)],
  ["Nullable(UInt32)", { type: T.u32, nullable: true }],
  ["Array(String)", notNull(T.list(notNull(T.string)))],
  ["FixedString(16)", notNull(T.u128)],
  ["FixedString(4)", notNull(T.vector(4, notNull(T.char)))],
];

const arbColumns: fc.Arbitrary<FieldDecl[]> = fc
  .uniqueArray(fc.constantFrom("a", "from", "with space", "b"), { minLength: 1, maxLength: 3 })
  .chain((names) => fc.array(fc.constantFrom(...CLICKHOUSE), { minLength: names.length, maxLength: names.length }).map((ts) => names.map((name, i) => ({ span: S, name, type: ts[i]![1], clickhouseType: ts[i]![0] }))));

const arbFieldDecl: fc.Arbitrary<FieldDecl> = fc
  .record({ name: arbFieldName, type: arbNType, units: opt(arbUnits), doc: arbDoc, aggregate: arbAggregation })
  .map((f) => defined({ span: S, ...f }));

const arbChar = fc.constantFrom(",", "\t", ";", "|", "'");

const arbCsv: fc.Arbitrary<CsvFormat> = fc
  .record({
    separator: arbChar,
    nullString: fc.constantFrom("", "NULL", "\\N"),
    quote: opt(fc.constantFrom('"', "'")),
    escape: opt(fc.constantFrom("\\", '""')),
    vectorsOfCharsAsString: fc.boolean(),
    clickhouseSyntax: fc.boolean(),
    fields: fc.oneof(fc.array(arbFieldDecl, { minLength: 1, maxLength: 3 }), arbColumns),
  })
  .map((f): CsvFormat => defined({ kind: "csv" as const, ...f }));

const arbExternalSource: fc.Arbitrary<ExternalSource> = fc.oneof(
  fc.record({ path: arbSmallExpr, preprocess: opt(arbSmallExpr), deleteIf: opt(arbSmallExpr) }).map((s): ExternalSource => defined({ kind: "file" as const, span: S, ...s })),
  fc
    .record({
      topic: arbSmallExpr,
      partitions: opt(arbSmallExpr),
      options: fc.array(fc.record({ name: fc.constantFrom("bootstrap.servers", "group.id"), value: arbSmallExpr }), { maxLength: 2 }),
    })
    .map((s): ExternalSource => defined({ kind: "kafka" as const, span: S, ...s })),
);

const arbRead: fc.Arbitrary<ReadExternal> = fc
  .record({
    source: arbExternalSource,
    format: fc.oneof(arbCsv, arbColumns.map((fields): RowBinaryFormat => ({ kind: "rowbinary", fields }))),
    event: opt(arbEvent),
    factors: arbFactors,
  })
  .map((r): ReadExternal => defined({ kind: "read" as const, span: S, ...r }));

const arbListen: fc.Arbitrary<ListenFor> = fc
  .record({
    protocol: fc.constantFrom("collectd" as const, "netflow" as const, "graphite" as const),
    endpoint: opt(fc.record({ address: fc.constantFrom("*", "[*]", "127.0.0.1", "::1", "fe80::1"), port: opt(fc.integer({ min: 0, max: 65535 })) })),
    transport: fc.constantFrom("udp" as const, "tcp" as const),
    factors: arbFactors,
  })
  .map(({ endpoint, ...l }): ListenFor => defined({ kind: "listen" as const, span: S, ...l, ...(endpoint ? defined(endpoint) : {}) }));

export const arbOperation: fc.Arbitrary<Operation> = fc.oneof({ weight: 4, arbitrary: arbAggregate }, { weight: 1, arbitrary: arbRead }, { weight: 1, arbitrary: arbListen });

const arbImmediate = fc.oneof(
  fc.constantFrom(10, 3600).map((seconds): Expr => ({ kind: "literal", value: { tag: "duration", seconds }, nullable: false, span: S })),
  arbSmallInt,
  arbFieldName.map((name): Expr => ({ kind: "field", name, span: S })),
);

const arbFunction: fc.Arbitrary<FunctionDef> = fc.oneof(
  arbOperation.map((operation): FunctionDef => ({ span: S, lazy: false, operation })),
  fc
    .record({
      name: fc.constantFrom("f", "per_host", "lazy", "from", "with space"),
      doc: arbDoc,
      lazy: fc.boolean(),
      retention: opt(fc.record({ persistFor: arbImmediate, queryingEvery: opt(arbImmediate) })),
      bestAfter: opt(arbImmediate),
      operation: arbOperation,
    })
    .map(({ retention, ...f }): FunctionDef => defined({ span: S, ...f, ...(retention ? defined(retention) : {}) })),
);

/** Constants: what parameter defaults may be. */
const arbConstant: fc.Arbitrary<Expr> = fc.oneof(
  arbLiteral,
  fc.array(arbLiteral, { minLength: 1, maxLength: 3 }).map((items): Expr => ({ kind: "vector", items, span: S })),
  fc.array(arbLiteral, { minLength: 2, maxLength: 3 }).map((items): Expr => ({ kind: "tuple", items, span: S })),
);

const arbParam: fc.Arbitrary<ParamDecl> = fc
  .record({ name: arbFieldName, type: opt(arbNType), units: opt(arbUnits), default: opt(arbConstant), doc: arbDoc })
  .map((p) => defined({ span: S, ...p }));

const arbGlobal: fc.Arbitrary<GlobalDecl> = fc
  .record({ name: arbFieldName, type: arbNType, scope: fc.constantFrom("program" as const, "site" as const, "global" as const) })
  .map((g) => ({ span: S, ...g }));

export const arbProgram: fc.Arbitrary<Program> = fc
  .record({
    params: fc.array(arbParam, { maxLength: 2 }),
    globals: fc.array(arbGlobal, { maxLength: 2 }),
    runIf: opt(arbSmallExpr),
    functions: fc.array(arbFunction, { maxLength: 3 }),
  })
  .map((p): Program => defined({ span: S, ...p }));
