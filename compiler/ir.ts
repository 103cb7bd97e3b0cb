// The typed intermediate representation of a checked program: what the code
// generator consumes and what `ramen compile` stores in the compiled file.
// Every expression node carries its final concrete type and units; names are
// resolved; stateful calls know their lifespan and state slot. Everything is
// plain JSON (values use the type-directed encoding of `ValueJson`).

import type { CallOptions, CsvFormat, FlushMode, NullHandling, RowBinaryFormat } from "../grammar/ast.js";
import type { Span } from "../grammar/source.js";
import type { NType, Type } from "../grammar/types.js";
import type { Units } from "../grammar/units.js";
import type { Cidr, Value } from "../stdlib/values.js";

// ---- constant values ---------------------------------------------------------------

/**
 * A Value in JSON. The encoding depends on the type, which is always known
 * where a ValueJson appears: integers wider than 32 bits and ip6 addresses are
 * decimal strings; non-finite floats are "nan", "inf", "-inf"; composites are
 * arrays; CIDRs are {ip, len} with the same rule for `ip`.
 */
export type ValueJson = null | boolean | number | string | readonly ValueJson[] | { readonly ip: number | string; readonly len: number };

export function valueToJson(v: Value): ValueJson {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (Number.isFinite(v)) return v;
    return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  }
  if (Array.isArray(v)) return (v as readonly Value[]).map(valueToJson);
  if (v instanceof Map) throw new Error("internal: maps are never constants");
  const c = v as Cidr;
  return { ip: typeof c.ip === "bigint" ? c.ip.toString() : c.ip, len: c.len };
}

/** Decodes a ValueJson of type `t` (the inverse of valueToJson). */
export function valueFromJson(j: ValueJson, t: Type): Value {
  if (j === null) return null;
  switch (t.tag) {
    case "int":
      return t.width > 32 ? BigInt(j as string | number) : Number(j);
    case "flexint":
      return BigInt(j as string | number);
    case "float":
      if (typeof j === "string") return j === "nan" ? NaN : j === "inf" ? Infinity : -Infinity;
      return j as number;
    case "ip6":
      return BigInt(j as string);
    case "ip":
      return typeof j === "string" ? BigInt(j) : (j as number);
    case "cidr4":
    case "cidr6":
    case "cidr": {
      const c = j as { ip: number | string; len: number };
      return { ip: typeof c.ip === "string" ? BigInt(c.ip) : c.ip, len: c.len };
    }
    case "vector":
    case "list":
      return (j as readonly ValueJson[]).map((x) => valueFromJson(x, t.item.type));
    case "tuple":
      return (j as readonly ValueJson[]).map((x, i) => valueFromJson(x, t.items[i]!.type));
    case "record":
      return (j as readonly ValueJson[]).map((x, i) => valueFromJson(x, t.fields[i]!.type.type));
    default:
      return j as Value;
  }
}

// ---- typed expressions ----------------------------------------------------------------

/** Tuple variables that hold fields at run time (raql.md §4.12). */
export type TupleVariable =
  | "in"
  | "out"
  | "local_last_out"
  | "global_last_out"
  | "group_state"
  | "sort_first"
  | "sort_smallest"
  | "sort_greatest";

interface TNode {
  readonly type: NType;
  /** undefined: unknown units */
  readonly units?: Units;
  readonly span: Span;
}

/** A literal, folded into its value. */
export interface TConst extends TNode {
  readonly kind: "const";
  readonly value: ValueJson;
}

/** A vector literal (type vector) or the empty list `[]` (type list). */
export interface TVector extends TNode {
  readonly kind: "vector";
  readonly items: readonly TExpr[];
}

export interface TTuple extends TNode {
  readonly kind: "tuple";
  readonly items: readonly TExpr[];
}

/** A record literal; `id` is unique in the program, for `TRecordField`. */
export interface TRecord extends TNode {
  readonly kind: "record";
  readonly id: number;
  readonly fields: readonly { readonly name: string; readonly value: TExpr }[];
}

/** A bare name referring to an earlier field of an enclosing record literal. */
export interface TRecordField extends TNode {
  readonly kind: "record_field";
  readonly record: number;
  readonly name: string;
  readonly index: number;
}

/**
 * A field of a tuple variable. `index` is the position of the field in the
 * function's `input` (for `in` and the sort variables) or `output` (for
 * `out`, `local_last_out`, `global_last_out`); -1 for virtual fields (`#count`).
 */
export interface TField extends TNode {
  readonly kind: "field";
  readonly variable: TupleVariable;
  readonly name: string;
  readonly index: number;
}

/** A whole tuple variable used as a record value (`GET("x", in)`). */
export interface TWhole extends TNode {
  readonly kind: "whole";
  readonly variable: TupleVariable;
}

export interface TParam extends TNode {
  readonly kind: "param";
  readonly name: string;
}

/** An environment variable of the worker: always `string?`. */
export interface TEnv extends TNode {
  readonly kind: "env";
  readonly name: string;
}

/** A DECLAREd global variable. */
export interface TGlobal extends TNode {
  readonly kind: "global";
  readonly name: string;
}

/** Where the state of a stateful call lives (raql.md §4.10). */
export type StateRef =
  /** one state per group (`local`) or one per function (`global`); `slot` numbers them per function and kind */
  | { readonly lifespan: "locally" | "globally"; readonly slot: number; readonly nulls: NullHandling }
  /** aggregates the items of a list operand within one evaluation */
  | { readonly lifespan: "immediately"; readonly nulls: NullHandling };

/**
 * A call of the registry entry `fn`. Arguments already have the types the
 * entry's typing rule asked for (implicit conversions are `convert` nodes);
 * omitted optional arguments are null; implicit time arguments are filled in.
 */
export interface TCall extends TNode {
  readonly kind: "call";
  readonly fn: string;
  readonly args: readonly (TExpr | null)[];
  readonly options?: CallOptions;
  /** set for stateful entries (aggregates, windows) */
  readonly state?: StateRef;
  /** set for generators (SPLIT) */
  readonly generator?: true;
}

export interface TCase extends TNode {
  readonly kind: "case";
  readonly branches: readonly { readonly when: TExpr; readonly then: TExpr }[];
  readonly else?: TExpr;
}

/** An explicit cast written by the user; the target is `type`. May fail at run time (§5.3). */
export interface TCast extends TNode {
  readonly kind: "cast";
  readonly expr: TExpr;
}

/** An implicit, lossless conversion (numeric promotion, ip4 → ip…) to `type`. */
export interface TConvert extends TNode {
  readonly kind: "convert";
  readonly expr: TExpr;
}

export type TExpr =
  | TConst
  | TVector
  | TTuple
  | TRecord
  | TRecordField
  | TField
  | TWhole
  | TParam
  | TEnv
  | TGlobal
  | TCall
  | TCase
  | TCast
  | TConvert;

/** The direct sub-expressions of a typed expression, in evaluation order. */
export function childTExprs(e: TExpr): TExpr[] {
  switch (e.kind) {
    case "vector":
    case "tuple":
      return [...e.items];
    case "record":
      return e.fields.map((f) => f.value);
    case "call":
      return e.args.filter((a): a is TExpr => a !== null);
    case "case": {
      const out: TExpr[] = [];
      for (const b of e.branches) out.push(b.when, b.then);
      if (e.else) out.push(e.else);
      return out;
    }
    case "cast":
    case "convert":
      return [e.expr];
    default:
      return [];
  }
}

/** Calls `visit` on `e` and every sub-expression, parents first. */
export function walkTExpr(e: TExpr, visit: (e: TExpr) => void): void {
  visit(e);
  for (const c of childTExprs(e)) walkTExpr(c, visit);
}

// ---- programs ----------------------------------------------------------------------------

export interface ParamIR {
  readonly name: string;
  readonly type: NType;
  readonly units?: Units;
  /** the declared default (NULL for a nullable parameter without one) */
  readonly default: ValueJson;
  /** the value of this instance: the default unless overridden (`-p`) */
  readonly value: ValueJson;
  readonly doc: string;
}

export interface GlobalIR {
  readonly name: string;
  readonly type: NType;
  readonly scope: "program" | "site";
}

export interface ProgramIR {
  readonly name: string;
  /** used parameters, in declaration order */
  readonly params: readonly ParamIR[];
  /** used global variables */
  readonly globals: readonly GlobalIR[];
  /** RUN IF: the condition and its source text */
  readonly runIf?: { readonly expr: TExpr; readonly text: string };
  /** parents before children */
  readonly functions: readonly FunctionIR[];
}

/** A duration given as a constant or a parameter (PERSIST FOR, QUERYING EVERY, BEST AFTER). */
export type DurationIR = { readonly kind: "const"; readonly seconds: number } | { readonly kind: "param"; readonly name: string };

/** The parameter values of a program instance: each override given (`-p`, a NULL one included), else the default. */
export function instanceParams(params: readonly ParamIR[], overrides: Readonly<Record<string, ValueJson>>): Record<string, Value> {
  const values: Record<string, Value> = {};
  for (const param of params) {
    const json = overrides[param.name];
    values[param.name] = valueFromJson(json === undefined ? param.default : json, param.type.type);
  }
  return values;
}

/** A duration's seconds with these parameter values; undefined when its parameter's value is not a duration (NULL, negative). */
export function durationSeconds(d: DurationIR, params: Readonly<Record<string, Value>>): number | undefined {
  if (d.kind === "const") return d.seconds;
  const v = params[d.name];
  const seconds = typeof v === "number" || typeof v === "bigint" ? Number(v) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

export interface RetentionIR {
  readonly duration: DurationIR;
  /** QUERYING EVERY; undefined: the archivist's default */
  readonly queryPeriod?: DurationIR;
}

export interface ParentIR {
  /** the parent program, fully resolved (`a/b`, `a/b#suffix`, `a/b#_` for every instance) */
  readonly program: string;
  readonly function: string;
  /** `program/function` */
  readonly fq: string;
  /** true when the parent is a function of this program (then `program` is this program's name) */
  readonly sameProgram: boolean;
  readonly site?: { readonly kind: "this" } | { readonly kind: "glob"; readonly pattern: string };
  /**
   * Which of the parent's output fields (in the parent's order, private ones
   * included) this function reads: one '0'/'1' character per field.
   */
  readonly fieldMask: string;
}

/** A field this function reads from its parents (same name and type in all). */
export interface InputField {
  readonly name: string;
  readonly type: NType;
  readonly units?: Units;
}

export interface OutputField {
  readonly name: string;
  readonly type: NType;
  readonly units?: Units;
  readonly doc: string;
  /** AGGREGATE USING: avg, sum, min, max, bitand, bitor, bitxor, same */
  readonly aggregate?: string;
  /** starts with `_`: computed but not sent to children */
  readonly private: boolean;
  /** the field is (or contains) a generator: not readable through previous/global_last_out */
  readonly generated?: true;
}

export interface EventTimeFieldIR {
  /** an output field, or a parameter (raql.md §4.9) */
  readonly source: "output" | "param";
  readonly name: string;
  /** multiplies the field to get seconds */
  readonly scale: number;
}

export interface EventTimeIR {
  readonly start: EventTimeFieldIR;
  readonly stop:
    | { readonly kind: "none" }
    | { readonly kind: "stop"; readonly at: EventTimeFieldIR }
    | { readonly kind: "duration_field"; readonly at: EventTimeFieldIR }
    | { readonly kind: "duration"; readonly seconds: number };
  /** EVENT clause, `start`/`stop`/`duration` fields, copied from the parents, or built in (LISTEN) */
  readonly origin: "explicit" | "implicit" | "inherited" | "builtin";
}

/** What a child needs to know of a function of another program. */
export interface FunctionSchema {
  readonly name: string;
  readonly output: readonly OutputField[];
  readonly eventTime?: EventTimeIR;
  readonly factors: readonly string[];
}

export interface ProgramSchema {
  readonly functions: readonly FunctionSchema[];
}

export interface FunctionIR extends FunctionSchema {
  readonly doc: string;
  readonly lazy: boolean;
  readonly retention?: RetentionIR;
  readonly bestAfter?: DurationIR;
  readonly parents: readonly ParentIR[];
  /** the fields read from the parents, in the first parent's order */
  readonly input: readonly InputField[];
  readonly operation: AggregateIR | ReadIR | ListenIR;
  /** the operation in canonical RaQL (grammar's printer) */
  readonly text: string;
}

export interface SelectFieldIR {
  readonly name: string;
  readonly expr: TExpr;
}

export interface CommitIR {
  /** the condition (`true` when none was written) */
  readonly when: TExpr;
  readonly before: boolean;
  readonly flush: FlushMode;
  /** notification names, one per NOTIFY action */
  readonly notifications: readonly TExpr[];
  /** the condition reads `in`: it is re-evaluated for every group on each input (§4.6 step 8) */
  readonly whenReadsInput: boolean;
}

export interface AggregateIR {
  readonly kind: "aggregate";
  /** one per output field, same order */
  readonly select: readonly SelectFieldIR[];
  /**
   * WHERE, split on its top-level ANDs: `fast` conjuncts use only `in`,
   * params, env and globals and are checked before the group lookup; `slow`
   * ones after (§4.4). Both empty when there is no WHERE.
   */
  readonly where: { readonly fast: readonly TExpr[]; readonly slow: readonly TExpr[] };
  readonly groupBy: readonly TExpr[];
  readonly commit: CommitIR;
  readonly sort?: { readonly last: number; readonly until?: TExpr; readonly by: readonly TExpr[] };
  readonly every?: TExpr;
  /** number of LOCALLY / GLOBALLY state slots used by stateful calls */
  readonly localStates: number;
  readonly globalStates: number;
  /** `local_last_out` (previous) is read somewhere: groups survive their flush */
  readonly usesLocalLastOut: boolean;
  readonly usesGlobalLastOut: boolean;
  /** some output field is a generator (SPLIT) */
  readonly hasGenerator: boolean;
}

export type ExternalSourceIR =
  | { readonly kind: "file"; readonly path: TExpr; readonly preprocess?: TExpr; readonly deleteIf?: TExpr }
  | {
      readonly kind: "kafka";
      readonly topic: TExpr;
      readonly partitions?: TExpr;
      readonly options: readonly { readonly name: string; readonly value: TExpr }[];
    };

export interface ReadIR {
  readonly kind: "read";
  readonly source: ExternalSourceIR;
  readonly format: CsvFormat | RowBinaryFormat;
}

export interface ListenIR {
  readonly kind: "listen";
  readonly protocol: "collectd" | "netflow" | "graphite";
  readonly address?: string;
  readonly port: number;
  readonly transport: "udp" | "tcp";
}
