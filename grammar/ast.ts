// The abstract syntax tree of RaQL programs (raql.md §1–5). Every node keeps
// the span of the source it came from. Operators and built-in functions are
// all `Call` nodes naming an entry of the stdlib registry, so the checker,
// the code generator and the printer each have one place to look them up.

import type { Span } from "./source.js";
import type { IntWidth, NType } from "./types.js";
import type { Units } from "./units.js";

// ---- literals ------------------------------------------------------------------

/** The value of a literal as written (after scale suffixes are applied). */
export type LiteralValue =
  | { readonly tag: "null" }
  | { readonly tag: "bool"; readonly value: boolean }
  /** `width` is set when a suffix (`12u8`) fixed the type; otherwise the literal is flexible (§2.4). */
  | { readonly tag: "int"; readonly value: bigint; readonly signed?: boolean; readonly width?: IntWidth }
  | { readonly tag: "float"; readonly value: number }
  /** a duration, in seconds (§1.4): typed u32 if integral and < 2^32, else float; unit {seconds} */
  | { readonly tag: "duration"; readonly seconds: number }
  /** bytes, one JS char per byte */
  | { readonly tag: "string"; readonly value: string }
  | { readonly tag: "char"; readonly value: number }
  | { readonly tag: "eth"; readonly value: number }
  | { readonly tag: "ip4"; readonly value: number }
  | { readonly tag: "ip6"; readonly value: bigint }
  | { readonly tag: "cidr4"; readonly ip: number; readonly len: number }
  | { readonly tag: "cidr6"; readonly ip: bigint; readonly len: number };

interface NodeBase {
  readonly span: Span;
}

// ---- expressions ----------------------------------------------------------------

/** Tuple variables of §4.12. `previous`/`local_last` are spelled `local_last_out`, etc. */
export type Variable =
  | "in"
  | "out"
  | "local_last_out"
  | "global_last_out"
  | "group_state"
  | "global_state"
  | "param"
  | "env"
  | "global"
  | "sort_first"
  | "sort_smallest"
  | "sort_greatest"
  | "record";

export type Expr =
  | Literal
  | VectorLit
  | TupleLit
  | RecordLit
  | FieldRef
  | VariableRef
  | Call
  | Case
  | Cast
  | WithUnits;

export interface Literal extends NodeBase {
  readonly kind: "literal";
  readonly value: LiteralValue;
  /** a `?` followed the literal: its type is nullable (§1.4) */
  readonly nullable: boolean;
}

/** `[e1; e2]`; `[]` is the empty list (zero items). */
export interface VectorLit extends NodeBase {
  readonly kind: "vector";
  readonly items: readonly Expr[];
}

/** `(e1; e2; …)`, at least 2 items. */
export interface TupleLit extends NodeBase {
  readonly kind: "tuple";
  readonly items: readonly Expr[];
}

/** `{a: e1; b: e2}`; later fields may use earlier ones by bare name. */
export interface RecordLit extends NodeBase {
  readonly kind: "record";
  readonly fields: readonly { readonly name: string; readonly value: Expr; readonly span: Span }[];
}

/**
 * A field: `x` (bare, `variable` undefined: resolved per §4.12), `in.x`,
 * `out.'quoted'`, `#count` on sort variables, `group_state.#count`.
 * Fields of fields (`in.x.y`) are `get` calls on this node.
 */
export interface FieldRef extends NodeBase {
  readonly kind: "field";
  readonly variable?: Variable;
  readonly name: string;
}

/** A whole tuple variable used as a record value: `GET("x", in)`. */
export interface VariableRef extends NodeBase {
  readonly kind: "variable";
  readonly variable: Variable;
}

export type Lifespan = "locally" | "globally" | "immediately";
export type NullHandling = "skip" | "keep";

/**
 * Every operator and built-in function (§5, §6): `fn` is the canonical name of
 * a registry entry (`add`, `and`, `substring`, `percentile`, `largest`…).
 * Optional arguments of keyword syntaxes that were not written are `null`
 * (their position is given by the entry's signature).
 */
export interface Call extends NodeBase {
  readonly kind: "call";
  readonly fn: string;
  readonly args: readonly (Expr | null)[];
  /** LOCALLY / GLOBALLY / IMMEDIATELY, if written */
  readonly lifespan?: Lifespan;
  /** SKIP NULLS / KEEP NULLS, if written */
  readonly nulls?: NullHandling;
  /** keyword-syntax options of a few entries (see CallOptions) */
  readonly options?: CallOptions;
  /** span of the function name or operator, for messages about the function itself */
  readonly nameSpan?: Span;
}

/** Words of keyword syntaxes that are not expressions. */
export interface CallOptions {
  /** LARGEST/SMALLEST/LATEST/OLDEST/EARLIER … UP TO n */
  readonly upTo?: boolean;
  /** PAST / EVERY: TUMBLING (true) or SLIDING (false, the default) */
  readonly tumbling?: boolean;
  /** ONCE EVERY */
  readonly once?: boolean;
  /** PEEK t [LITTLE|BIG ENDIAN] */
  readonly peekType?: NType;
  readonly bigEndian?: boolean;
  /** LIKE: CASE SENSITIVE */
  readonly caseSensitive?: boolean;
  /** TOP: what the expression returns */
  readonly topMode?: "list" | "membership" | "rank";
}

/** `CASE WHEN c THEN v … [ELSE e] END`, also `IF c THEN a [ELSE b]` and `IF(c, a[, b])`. */
export interface Case extends NodeBase {
  readonly kind: "case";
  readonly branches: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
}

/** `t(e)`, `CAST(e AS t)` */
export interface Cast extends NodeBase {
  readonly kind: "cast";
  readonly to: NType;
  readonly expr: Expr;
}

/** `e {units}` */
export interface WithUnits extends NodeBase {
  readonly kind: "units";
  readonly expr: Expr;
  readonly units: Units;
}

// ---- operations (§4) -------------------------------------------------------------

export type Operation = Aggregate | ReadExternal | ListenFor;

/** One name in FROM (§3.6). */
export type Source =
  | {
      readonly kind: "function";
      readonly span: Span;
      /** `undefined` for a function of the same program; else as written (`../q`, `p#s`, `p#_`) */
      readonly program?: string;
      readonly name: string;
      /** ON THIS SITE / ON SITE[S] glob */
      readonly site?: { readonly kind: "this" } | { readonly kind: "glob"; readonly pattern: string };
    }
  | { readonly kind: "subquery"; readonly span: Span; readonly operation: Operation; readonly site?: undefined };

export type SelectItem =
  | { readonly kind: "star"; readonly span: Span; readonly exclude: readonly string[] }
  | {
      readonly kind: "field";
      readonly span: Span;
      readonly expr: Expr;
      readonly alias?: string;
      readonly aliasSpan?: Span;
      readonly doc?: string;
      /** AGGREGATE USING: avg, sum, min, max, bitand, bitor, bitxor, same */
      readonly aggregate?: string;
    };

export type FlushMode = "flush" | "keep" | "keep_all";

export interface CommitClause {
  readonly span: Span;
  /** the condition; undefined means `AFTER true` */
  readonly when?: Expr;
  readonly before: boolean;
  readonly flush: FlushMode;
  /** NOTIFY actions, in order; a NOTIFY without a name has `name` undefined */
  readonly notifications: readonly { readonly span: Span; readonly name?: Expr }[];
}

export interface SortClause {
  readonly span: Span;
  readonly last: number;
  readonly until?: Expr;
  readonly by: readonly Expr[];
}

export interface EventTimeField {
  readonly span: Span;
  readonly field: string;
  readonly scale: number;
}

export interface EventClause {
  readonly span: Span;
  readonly start: EventTimeField;
  readonly stop?:
    | { readonly kind: "stop"; readonly at: EventTimeField }
    | { readonly kind: "duration_field"; readonly at: EventTimeField }
    | { readonly kind: "duration"; readonly seconds: number; readonly span: Span };
}

export interface Aggregate extends NodeBase {
  readonly kind: "aggregate";
  /** undefined: no SELECT clause (a single `dummy` field, §4.2) */
  readonly select?: readonly SelectItem[];
  readonly from: readonly Source[];
  readonly where?: Expr;
  readonly groupBy?: readonly Expr[];
  readonly commit?: CommitClause;
  readonly sort?: SortClause;
  readonly every?: Expr;
  readonly event?: EventClause;
  readonly factors?: readonly { readonly name: string; readonly span: Span }[];
  /** spans of the clause keywords, for messages about a whole clause */
  readonly clauseSpans?: Partial<Record<ClauseName, Span>>;
}

export type ClauseName = "select" | "from" | "where" | "groupBy" | "commit" | "sort" | "every" | "event" | "factors" | "read" | "listen";

export interface FieldDecl {
  readonly span: Span;
  readonly name: string;
  readonly type: NType;
  readonly units?: Units;
  readonly doc?: string;
  readonly aggregate?: string;
  /** the column's type as written in a ClickHouse column list (`Nullable(UInt32)`, `UUID`), if it came from one */
  readonly clickhouseType?: string;
}

export interface CsvFormat {
  readonly kind: "csv";
  /** default "," */
  readonly separator: string;
  /** default "" */
  readonly nullString: string;
  /** default `"`; undefined with NO QUOTES */
  readonly quote?: string;
  readonly escape?: string;
  readonly vectorsOfCharsAsString: boolean;
  readonly clickhouseSyntax: boolean;
  readonly fields: readonly FieldDecl[];
}

export interface RowBinaryFormat {
  readonly kind: "rowbinary";
  readonly fields: readonly FieldDecl[];
}

export type ExternalSource =
  | {
      readonly kind: "file";
      readonly span: Span;
      readonly path: Expr;
      readonly preprocess?: Expr;
      /** THEN DELETE [IF c]: the condition (a `true` literal when IF is absent); undefined: never delete */
      readonly deleteIf?: Expr;
    }
  | {
      readonly kind: "kafka";
      readonly span: Span;
      readonly topic: Expr;
      readonly partitions?: Expr;
      readonly options: readonly { readonly name: string; readonly value: Expr }[];
    };

export interface ReadExternal extends NodeBase {
  readonly kind: "read";
  readonly source: ExternalSource;
  readonly format: CsvFormat | RowBinaryFormat;
  readonly event?: EventClause;
  readonly factors?: readonly { readonly name: string; readonly span: Span }[];
}

export interface ListenFor extends NodeBase {
  readonly kind: "listen";
  readonly protocol: "collectd" | "netflow" | "graphite";
  /** `*` (any IPv4), `[*]` (any IPv6) or an address literal's text */
  readonly address?: string;
  readonly port?: number;
  readonly transport: "udp" | "tcp";
  readonly factors?: readonly { readonly name: string; readonly span: Span }[];
}

// ---- program structure (§3) -----------------------------------------------------

export interface ParamDecl extends NodeBase {
  readonly name: string;
  readonly type?: NType;
  readonly units?: Units;
  /** a literal expression: scalar, vector, tuple, record, NULL or duration */
  readonly default?: Expr;
  readonly doc?: string;
}

export interface GlobalDecl extends NodeBase {
  readonly name: string;
  readonly type: NType;
  readonly scope: "program" | "site" | "global";
}

export interface FunctionDef extends NodeBase {
  /** undefined for an anonymous top-level operation; the checker names it */
  readonly name?: string;
  readonly nameSpan?: Span;
  readonly doc?: string;
  readonly lazy: boolean;
  /** PERSIST FOR d: a duration/number literal or a parameter reference */
  readonly persistFor?: Expr;
  readonly queryingEvery?: Expr;
  readonly bestAfter?: Expr;
  readonly operation: Operation;
}

export interface Program extends NodeBase {
  readonly params: readonly ParamDecl[];
  readonly globals: readonly GlobalDecl[];
  readonly runIf?: Expr;
  readonly functions: readonly FunctionDef[];
}

// ---- traversal ----------------------------------------------------------------------

/** The direct sub-expressions of an expression, in source order. */
export function childExprs(e: Expr): Expr[] {
  switch (e.kind) {
    case "literal":
    case "field":
    case "variable":
      return [];
    case "vector":
    case "tuple":
      return [...e.items];
    case "record":
      return e.fields.map((f) => f.value);
    case "call":
      return e.args.filter((a): a is Expr => a !== null);
    case "case": {
      const out: Expr[] = [];
      for (const b of e.branches) out.push(b.when, b.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case "cast":
    case "units":
      return [e.expr];
  }
}

/** Calls `visit` on `e` and every sub-expression, parents first. */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  for (const c of childExprs(e)) walkExpr(c, visit);
}
