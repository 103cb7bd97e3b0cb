// Nullary values (raql.md §6.1) and the stateless functions on types, NULLs
// and structure (§6.6): FORCE, GET, CHANGED, MAPADD, PRINT, VARIANT, PEEK,
// PERCENTILE (over a list) and FIT.

import { RamenError } from "../../grammar/diagnostics.js";
import { NType, T, Type, isNumeric, isSequence, notNull, nullable, typeToString } from "../../grammar/types.js";
import { compareValues, equalValues } from "../compare.js";
import type { FunctionEntry, ImplCall, StatelessImpl, TypingCall } from "../entry.js";
import { numKind, toFloat, wrapInt } from "../ints.js";
import { arg, canPromote, describe, expectNullable, expectType, isIntLike, unifyArgs } from "../typing.js";
import type { Value } from "../values.js";
import { constNumber, convertTo, expectedNote, mismatch, result } from "./common.js";
import { roundHalfAway } from "./math.js";

// ---- nullary values (§6.1) ----------------------------------------------------------------------

function nullary(
  name: string,
  word: string,
  deterministic: boolean,
  units: FunctionEntry["units"],
  apply: (call: ImplCall) => number,
  doc: string,
  example: string,
): FunctionEntry {
  return {
    name,
    names: [],
    syntax: { kind: "nullary", word },
    state: "stateless",
    deterministic,
    nullRule: "never",
    signature: "-> float",
    doc,
    examples: [example],
    typing: () => notNull(T.float),
    units,
    impl: { kind: "stateless", apply: (_args, call) => apply(call) },
  };
}

function eventTime(which: "eventStart" | "eventStop") {
  return (call: ImplCall): number => {
    const read = call[which];
    if (!read) throw new Error(`internal: ${which === "eventStart" ? "#start" : "#stop"} evaluated without event time`);
    return read();
  };
}

const nullaries: FunctionEntry[] = [
  nullary(
    "now",
    "NOW",
    false,
    "seconds-rel",
    (call) => (call.now ? call.now() : Date.now() / 1000),
    "The current wall-clock UNIX time in seconds, with a fractional part.",
    "NOW > 1.5e9 = true",
  ),
  nullary("random", "RANDOM", false, "none", (call) => (call.random ? call.random() : Math.random()), "A uniformly distributed float in [0, 1).", "RANDOM < 1 = true"),
  nullary("pi", "PI", true, "none", () => Math.PI, "π.", "PI = 3.141592653589793"),
  nullary("event_start", "#start", true, "seconds-rel", eventTime("eventStart"), "The event start time of the output being computed.", "#start"),
  nullary("event_stop", "#stop", true, "seconds-rel", eventTime("eventStop"), "The event stop time of the output being computed.", "#stop"),
];

// ---- GET (§5.2, §6.6) -------------------------------------------------------------------------

function typeGet(call: TypingCall): NType {
  const index = arg(call, 0);
  const x = arg(call, 1);
  const xt = x.type.type;
  const it = index.type.type;
  const k = index.constValue;
  if (xt.tag === "map") {
    if (!canPromote(it, xt.key.type)) call.fail(1, "notIndexable", { what: x.text }, [expectedNote(`a map keyed by ${describe(index.type)}`, x.type)]);
    convertTo(call, 0, xt.key.type);
    return nullable(xt.value.type);
  }
  if (it.tag === "string") {
    if (xt.tag !== "record") call.fail(1, "notRecord", { what: x.text }, [expectedNote("a record or a map", x.type)]);
    if (typeof k !== "string") call.fail(0, "mustBeConstant", { what: index.text });
    const field = xt.fields.find((f) => f.name === k);
    if (!field) call.fail(0, "unknownField", { field: k, detail: ` in ${typeToString(xt)}` });
    return result(field.type.type, field.type.nullable || x.type.nullable);
  }
  if (!isIntLike(it) && it.tag !== "unknown") call.fail(0, "getIndexKind", {}, [`got: ${describe(index.type)}`]);
  const n = constNumber(index);
  if (n !== undefined && n < 0) call.fail(0, "getNegative", {}, [`got: ${n}`]);
  switch (xt.tag) {
    case "vector":
      if (n === undefined) return nullable(xt.item.type);
      if (n >= xt.dim) call.fail(0, "indexOutOfBounds", { index: n, type: typeToString(xt) });
      return result(xt.item.type, xt.item.nullable || x.type.nullable);
    case "list":
      return nullable(xt.item.type);
    case "tuple": {
      if (n === undefined) call.fail(0, "mustBeConstant", { what: index.text });
      const item = xt.items[n];
      if (!item) call.fail(0, "indexOutOfBounds", { index: n, type: typeToString(xt) });
      return result(item.type, item.nullable || x.type.nullable);
    }
    default:
      return call.fail(1, "notIndexable", { what: x.text }, [expectedNote("a vector, a list, a tuple or a map", x.type)]);
  }
}

function applyGet([index, x]: readonly Value[], call: ImplCall): Value {
  const xt = call.argTypes[1]!.type;
  switch (xt.tag) {
    case "map":
      return (x as Map<Value, Value>).get(index as Value) ?? null;
    case "record":
      return (x as readonly Value[])[xt.fields.findIndex((f) => f.name === index)] ?? null;
    default:
      return (x as readonly Value[])[Number(index)] ?? null;
  }
}

function inlineGet([index, x]: readonly string[], call: ImplCall): string | undefined {
  const xt = call.argTypes[1]!.type;
  switch (xt.tag) {
    case "map":
      return `(${x}.get(${index}) ?? null)`;
    case "record": {
      const name = call.constants[0];
      const i = xt.fields.findIndex((f) => f.name === name);
      return i < 0 ? undefined : `${x}[${i}]`;
    }
    default:
      // Out-of-range (or negative) indexes read undefined, which is NULL.
      return numKind(call.argTypes[0]).kind === "big" ? `(${x}[Number(${index})] ?? null)` : `(${x}[${index}] ?? null)`;
  }
}

// ---- PEEK (§6.6) -----------------------------------------------------------------------------------

function peekType(call: { readonly options?: { readonly peekType?: NType } }): Extract<Type, { tag: "int" }> | undefined {
  const t = call.options?.peekType?.type;
  return t?.tag === "int" ? t : undefined;
}

function typePeek(call: TypingCall): NType {
  const t = peekType(call);
  if (!t) call.fail("call", "peekNotInteger", {}, [`got: ${call.options?.peekType ? describe(call.options.peekType) : "no type"}`]);
  const x = arg(call, 0);
  const xt = x.type.type;
  if (xt.tag === "string") return nullable(t);
  if (isSequence(xt) && xt.item.type.tag === "int" && !xt.item.type.signed) return result(t, x.type.nullable || xt.item.nullable);
  return call.fail(0, "peekArg", {}, [expectedNote("string or vector of unsigned integers", x.type)]);
}

/**
 * Reinterprets bytes (a string) or unsigned words (a vector) as an integer of
 * the peeked type, little endian unless `bigEndian` (raql.md §6.6).
 */
export function peek(x: string | readonly Value[], target: Extract<Type, { tag: "int" }>, itemWidth: number, bigEndian: boolean): Value {
  const bytes = typeof x === "string";
  const wordBits = bytes ? 8 : itemWidth;
  const count = bytes ? target.width / 8 : Math.max(1, Math.floor(target.width / itemWidth));
  if (bytes && x.length < count) return null;
  const used = Math.min(count, x.length);
  let acc = 0n;
  for (let j = 0; j < used; j++) {
    // Big endian: the first word used is the most significant; little endian: the last one.
    const i = bigEndian ? j : used - 1 - j;
    const word = bytes ? x.charCodeAt(i) : (x as readonly Value[])[i];
    if (word === null || word === undefined) return null;
    acc = (acc << BigInt(wordBits)) | BigInt(word as number | bigint);
  }
  return wrapInt(acc, target);
}

// ---- PERCENTILE (§6.6) ---------------------------------------------------------------------------

function typePercentile(call: TypingCall): NType {
  const p = arg(call, 0);
  const x = arg(call, 1);
  const xt = x.type.type;
  if (!isSequence(xt)) return mismatch(call, 1, "a vector or list");
  const pt = p.type.type;
  let ranks: number | undefined;
  if (pt.tag === "vector") {
    if (!isNumeric(pt.item.type) && pt.item.type.tag !== "flexint") call.fail(0, "percentileArg", {}, [expectedNote("vector of numeric constants", p.type)]);
    if (pt.item.nullable || p.type.nullable || !p.isConstant) call.fail(0, "percentileArg", {}, [`got: ${describe(p.type)}${p.isConstant ? "" : ", not constant"}`]);
    ranks = pt.dim;
  } else {
    if (!isNumeric(pt) && pt.tag !== "flexint") call.fail(0, "typeMismatch", { what: p.text, expected: "numeric" }, [expectedNote("numeric", p.type)]);
    if (p.type.nullable) call.fail(0, "mustNotBeNullable", { what: p.text });
    if (!p.isConstant) call.fail(0, "mustBeConstant", { what: p.text });
  }
  // NULL for a NULL or empty x, or when only NULL items are left.
  const isNullable = x.type.nullable || xt.tag === "list" || xt.item.nullable;
  const item = xt.item.type;
  return result(ranks === undefined ? item : T.vector(ranks, notNull(item)), isNullable);
}

/**
 * Nearest-rank percentiles: with the n non-NULL items sorted ascending, the
 * item at index round(p/100 × (n − 1)), halves away from zero; NULL if empty.
 */
export function percentiles(ps: readonly number[], items: readonly Value[]): Value[] | null {
  const first = items.find((v) => v !== null);
  const sorted: ArrayLike<Value> = typeof first === "number" ? sortedNumbers(items) : items.filter((v) => v !== null).sort(compareValues);
  const n = sorted.length;
  if (n === 0) return null;
  return ps.map((p) => sorted[Math.min(n - 1, Math.max(0, roundHalfAway((p / 100) * (n - 1))))]!);
}

/**
 * The non-null items of a list of numbers in the order of compareValues (NaN
 * first), sorted as doubles: several times faster than a generic sort.
 */
function sortedNumbers(items: readonly Value[]): Float64Array {
  let count = 0;
  let nans = 0;
  for (const v of items) {
    if (v === null) continue;
    count++;
    if (Number.isNaN(v)) nans++;
  }
  const out = new Float64Array(count).fill(NaN);
  let i = nans;
  for (const v of items) if (v !== null && !Number.isNaN(v)) out[i++] = v as number;
  out.subarray(nans).sort();
  return out;
}

function applyPercentile([p, x]: readonly Value[]): Value {
  if (Array.isArray(p)) return percentiles((p as readonly Value[]).map((v) => toFloat(v as number)), x as readonly Value[]);
  const r = percentiles([toFloat(p as number)], x as readonly Value[]);
  return r === null ? null : r[0]!;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return String(n) + suffix;
}

// ---- FIT (§6.10) ------------------------------------------------------------------------------------

function isNumericItem(t: NType): boolean {
  return isNumeric(t.type) || (t.type.tag === "tuple" && t.type.items.every((i) => isNumeric(i.type)));
}

function typeFit(call: TypingCall): NType {
  const x = arg(call, 0);
  const xt = x.type.type;
  if (!isSequence(xt) || !isNumericItem(xt.item)) mismatch(call, 0, "a list/vector of numerics or tuples of numerics");
  return nullable(T.float);
}

/** A row of a FIT over tuples, as floats; undefined when the row or one of its fields is NULL. */
function row(v: Value): number[] | undefined {
  if (v === null) return undefined;
  const out: number[] = [];
  for (const f of v as readonly Value[]) {
    if (f === null) return undefined;
    out.push(toFloat(f as number | bigint));
  }
  return out;
}

/** FIT over plain numbers: the last item is predicted from the previous ones against their positions. */
export function fitNumbers(items: readonly Value[]): number | null {
  const k = items.length - 1;
  if (k < 1) return null;
  const mean = (k - 1) / 2;
  let count = 0;
  let last = 0;
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++) {
    const v = items[i];
    if (v === null || v === undefined) continue;
    const y = toFloat(v as number | bigint);
    count++;
    last = y;
    num += y * (i - mean);
    den += (i - mean) * (i - mean);
  }
  if (count === 0) return null;
  if (count === 1) return last;
  return last + num / den;
}

/** FIT over tuples `(y; x1; …)`: least squares without intercept relative to the first non-NULL row. */
export function fitTuples(items: readonly Value[]): number | null {
  const n = items.length;
  if (n === 0) return null;
  const target = row(items[n - 1]!);
  if (!target) return null;
  let originIndex = 0;
  while (!row(items[originIndex]!)) originIndex++;
  const origin = row(items[originIndex]!)!;
  if (originIndex === n - 1) return origin[0]!;
  const p = origin.length - 1;
  // Normal equations (XᵀX) β = Xᵀy over the rows strictly between the origin and the target.
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  for (let i = originIndex + 1; i < n - 1; i++) {
    const r = row(items[i]!);
    if (!r) continue;
    const dy = r[0]! - origin[0]!;
    for (let a = 0; a < p; a++) {
      const da = r[a + 1]! - origin[a + 1]!;
      xty[a]! += da * dy;
      for (let b = 0; b < p; b++) xtx[a]![b]! += da * (r[b + 1]! - origin[b + 1]!);
    }
  }
  const beta = solve(xtx, xty);
  if (!beta) return null;
  let prediction = origin[0]!;
  for (let j = 0; j < p; j++) prediction += beta[j]! * (target[j + 1]! - origin[j + 1]!);
  return prediction;
}

/** Solves a·x = b by Gaussian elimination with partial pivoting; undefined when a is singular. */
export function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]!]);
  const scale = Math.max(1e-300, ...m.flatMap((r) => r.slice(0, n).map(Math.abs)));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) <= scale * 1e-12) return undefined;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = m.map((r, i) => r[n]! / r[i]!);
  return x.every(Number.isFinite) ? x : undefined;
}

function applyFit([x]: readonly Value[], call: ImplCall): Value {
  const seq = call.argTypes[0]!.type;
  const items = x as readonly Value[];
  return isSequence(seq) && seq.item.type.tag === "tuple" ? fitTuples(items) : fitNumbers(items);
}

// ---- the entries ----------------------------------------------------------------------------------

function stateless(
  name: string,
  syntax: FunctionEntry["syntax"],
  nullRule: FunctionEntry["nullRule"],
  typing: FunctionEntry["typing"],
  impl: StatelessImpl,
  signature: string,
  doc: string,
  examples: string[],
  units: FunctionEntry["units"] = "none",
): FunctionEntry {
  return { name, names: syntax.kind === "function" ? [name] : [], syntax, state: "stateless", deterministic: true, nullRule, signature, doc, examples, typing, units, impl };
}

const structure: FunctionEntry[] = [
  stateless(
    "force",
    { kind: "function", arities: [1] },
    "never",
    (call) => notNull(expectNullable(call, 0).type.type),
    {
      kind: "stateless",
      passNulls: true,
      apply: ([x]) => {
        if (x === null) throw RamenError.of("forcedNull");
        return x as Value;
      },
    },
    "t? -> t",
    "The value of a nullable x as non-nullable; a NULL aborts the worker.",
    ["FORCE 1? = 1"],
    "same-as-first",
  ),
  stateless(
    "get",
    { kind: "keyword", template: "GET(i, e) | e[i] | Nth e | r.f", params: ["index", "e"] },
    "custom",
    typeGet,
    { kind: "stateless", apply: applyGet, inline: inlineGet },
    "int, list(t) | int, tuple | string, record | k, map -> item",
    "Item i (0-based) of a vector, list or tuple (constant index for tuples), field of a record by constant name, or value of a map " +
      "by key; NULL when out of range or absent. Nullable for lists, maps and vectors with a variable index; otherwise as the item.",
    ["GET(1, [10; 20; 30]) = 20", "[1; 2][5] = NULL", "2nd (1; \"b\") = \"b\"", 'GET("a", {a: 1}) = 1'],
    "none",
  ),
  stateless(
    "changed",
    { kind: "keyword", template: "CHANGED x", params: ["x", "previous"] },
    "always",
    (call) => {
      if (call.args.length > 1 && call.args[1] !== null) unifyArgs(call, [0, 1]);
      return nullable(T.bool);
    },
    {
      kind: "stateless",
      passNulls: true,
      apply: ([x, previous]) => (x === null || previous === null || previous === undefined ? null : !equalValues(x as Value, previous as Value)),
    },
    "t -> bool",
    "CHANGED x = x <> previous.x, for a field x of the output. The checker passes previous.x (NULL before the first output) as the " +
      "second argument; NULL when either is NULL.",
    ["CHANGED x"],
  ),
  stateless(
    "mapadd",
    { kind: "function", arities: [3] },
    "custom",
    (call) => {
      const m = arg(call, 0);
      const mt = m.type.type;
      if (mt.tag !== "map") return mismatch(call, 0, "a map");
      for (const [i, slot, what] of [
        [1, mt.key, "key"],
        [2, mt.value, "value"],
      ] as const) {
        const a = arg(call, i);
        if (!canPromote(a.type.type, slot.type)) mismatch(call, i, `of type ${describe(notNull(slot.type))}`);
        if (a.type.nullable && !slot.nullable) call.fail(i, "mapNullability", { what }, [expectedNote(describe(slot), a.type)]);
        convertTo(call, i, slot.type);
      }
      const v = arg(call, 2);
      return result(mt.value.type, m.type.nullable || v.type.nullable);
    },
    {
      kind: "stateless",
      passNulls: true,
      apply: ([m, k, v]) => {
        if (m === null) return null;
        (m as Map<Value, Value>).set(k as Value, v as Value);
        return v as Value;
      },
    },
    "t2[t1], t1, t2 -> t2",
    "Stores v under k in the global map m and returns v.",
    ['MAPADD(seen, "k", "v") = "v"'],
    "none",
  ),
  {
    ...stateless(
      "print",
      { kind: "function", arities: [1], variadic: true },
      "custom",
      (call) => arg(call, call.args.length - 1).type,
      {
        kind: "stateless",
        passNulls: true,
        apply: (args, call) => {
          call.print?.(args);
          return args[args.length - 1] as Value;
        },
      },
      "t1, …, tn -> tn",
      "Prints all the values on the worker's log and returns the last one (debugging).",
      ['PRINT("x is", x)'],
      "none",
    ),
    defaultAlias: (x: string) => x,
  },
  stateless(
    "variant",
    { kind: "function", arities: [1] },
    "always",
    (call) => {
      expectType(call, 0, T.string);
      return nullable(T.string);
    },
    { kind: "stateless", passNulls: true, apply: () => null },
    "string -> string",
    "The variant of A/B experiment `name` this worker runs; this implementation has no experiments, so always NULL.",
    ['VARIANT("exp") = NULL'],
  ),
  stateless(
    "peek",
    { kind: "keyword", template: "PEEK t [LITTLE | BIG ENDIAN] x", params: ["x"] },
    "custom",
    typePeek,
    {
      kind: "stateless",
      apply: ([x], call) => {
        const xt = call.argTypes[0]!.type;
        const itemWidth = isSequence(xt) && xt.item.type.tag === "int" ? xt.item.type.width : 8;
        return peek(x as string | readonly Value[], peekType(call)!, itemWidth, call.options.bigEndian === true);
      },
    },
    "string | uint[n] -> t",
    "Reinterprets the first width(t)/8 bytes of a string (NULL if fewer), or the first width(t)/w items of a vector of w-bit " +
      "unsigned integers (at least one; fewer is fine), as an integer of type t; little endian unless BIG ENDIAN.",
    ["PEEK U16 [3u8; 233u8] = 59651", "PEEK U32 BIG ENDIAN [1u8; 2u8; 3u8] = 66051"],
  ),
  {
    ...stateless(
      "percentile",
      { kind: "keyword", template: "p PERCENTILE x | [p1; p2…] PERCENTILE x | pth PERCENTILE x", params: ["p", "x"] },
      "custom",
      typePercentile,
      { kind: "stateless", apply: applyPercentile },
      "num, list(t) -> t | num[k], list(t) -> t[k]",
      "The p-th percentile (0–100) of the items of x, nearest rank: with the n non-NULL items sorted, the one at index " +
        "round(p/100 × (n − 1)), halves away from zero. A vector of ranks gives a vector of percentiles. NULL for an empty list.",
      ["50 PERCENTILE [3; 1; 2] = 2", "[0; 100] PERCENTILE [3; 1; 2] = [1; 3]"],
      (units) => units[1],
    ),
    // `90th PERCENTILE x` is `x_90th`; only integral constant ranks name a column.
    defaultAlias: (x: string, call: { readonly constants: readonly (Value | undefined)[] }) => {
      const p = call.constants[0];
      const n = typeof p === "bigint" ? Number(p) : p;
      return typeof n === "number" && Number.isInteger(n) && n >= 0 ? `${x}_${ordinal(n)}` : undefined;
    },
  },
  stateless(
    "fit",
    { kind: "function", arities: [1] },
    "always",
    typeFit,
    { kind: "stateless", apply: applyFit },
    "list(num) | list((num; num…)) -> float",
    "Linear regression predicting the last item. Numbers: from the previous items against their positions. Tuples (y; x1; …): " +
      "regresses y on the x's without intercept relative to the first non-NULL row, and predicts the last y from its x's. " +
      "NULL items are ignored; NULL if impossible.",
    ["FIT [19; 12; 19] = 5.0", "FIT [(1; 1); (2; 2); (0; 3)] = 3.0"],
  ),
];

export const entries: readonly FunctionEntry[] = [...nullaries, ...structure];
