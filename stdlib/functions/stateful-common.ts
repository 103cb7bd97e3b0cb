// Helpers shared by the stateful families (aggregates.ts, windows.ts, top.ts):
// how a call's lifespan and operand are read at typing time, checks of the
// constant parameters of stateful functions (window sizes, ranks…), exact
// keys for sets of values, compensated summation, and the item-level call of
// immediate aggregation.

import { isSequence, ntypeToString, type NType, T } from "../../grammar/types.js";
import { normalizeUnits, type Units } from "../../grammar/units.js";
import type { ImplCall, InlineRefs, StatefulImpl, TypingCall } from "../entry.js";
import { freshNames } from "../inline-state.js";
import { arg, concretize, expectConstant, expectInteger, expectNotNull, expectNumeric } from "../typing.js";
import { isCidr, type Value } from "../values.js";

/** A state machine as the families write it, before the registry's `kind` tag and the immediate mode are added. */
export type StateMachine<S> = Pick<StatefulImpl<S>, "init" | "update" | "finalize" | "inline">;

// ---- typing -------------------------------------------------------------------------

/** What a stateful function aggregates: one value per tuple, or the items of one list. */
export interface Operand {
  readonly immediate: boolean;
  /** the aggregated values' type; nullable if some may be NULL */
  readonly item: NType;
  /** immediate mode: the list itself may be NULL */
  readonly listNullable: boolean;
  /** immediate mode over a list (vectors have at least one item): an empty one aggregates nothing */
  readonly mayBeEmpty: boolean;
}

/**
 * The lifespan decides whether argument `x` is aggregated over tuples or
 * item by item (§4.10): the checker's effective lifespan when known, else the
 * written one, else IMMEDIATELY when the single operand is a list or vector.
 */
export function operandOf(call: TypingCall, x: number): Operand {
  const a = arg(call, x);
  const written = call.effectiveLifespan ?? call.lifespan;
  const presentArgs = call.args.filter((c) => c !== null).length;
  const immediate = written !== undefined ? written === "immediately" : presentArgs === 1 && isSequence(a.type.type);
  if (!immediate) return { immediate, item: a.type, listNullable: false, mayBeEmpty: false };
  const t = a.type.type;
  if (!isSequence(t)) {
    call.fail(x, "immediateNeedsList", { what: a.text }, [`expected: a list or vector, got: ${ntypeToString(a.type)}`]);
  }
  return { immediate, item: t.item, listNullable: a.type.nullable, mayBeEmpty: t.tag === "list" };
}

/** Sequence functions (§6.8) keep a state over tuples and have no immediate mode. */
export function rejectImmediate(call: TypingCall): void {
  if (call.lifespan === "immediately" || call.effectiveLifespan === "immediately") {
    call.fail("call", "notSupported", { what: `IMMEDIATELY with ${call.fn.toUpperCase()}` });
  }
}

/** The operand's type with inference-only tags made concrete (`SUM 1` sums u32). */
export function concreteOperand(call: TypingCall, x: number, op: Operand): NType {
  const t = concretize(op.item.type);
  if (t !== op.item.type && !op.immediate) call.convert(x, { type: t, nullable: op.item.nullable });
  return { type: t, nullable: op.item.nullable };
}

/** Argument i of a function over a sequence of tuples, made concrete (see concreteOperand). */
export function concreteArg(call: TypingCall, i: number): NType {
  return concreteOperand(call, i, { immediate: false, item: arg(call, i).type, listNullable: false, mayBeEmpty: false });
}

export function failNotAggregatable(call: TypingCall, x: number, expected: string): never {
  const a = arg(call, x);
  return call.fail(x, "notAggregatable", { what: a.text }, [`expected: ${expected}, got: ${ntypeToString(a.type)}`]);
}

/** A constant, non-null parameter; returns its value when it is a literal. */
export function constantParam(call: TypingCall, i: number, kind: "uint" | "num" | "bool"): number | boolean | undefined {
  expectConstant(call, i);
  expectNotNull(call, i);
  if (kind === "uint") expectInteger(call, i, true);
  else if (kind === "num") expectNumeric(call, i);
  else {
    const a = arg(call, i);
    if (a.type.type.tag !== "bool") call.fail(i, "typeMismatch", { what: a.text, expected: "of type bool" }, [`expected: bool, got: ${ntypeToString(a.type)}`]);
  }
  const v = arg(call, i).constValue;
  if (v === undefined || v === null) return undefined;
  return typeof v === "boolean" ? v : Number(v as number | bigint);
}

/** A constant unsigned integer parameter of at least `min` (window sizes, n of LARGEST…). */
export function sizeParam(call: TypingCall, i: number, min: number): number | undefined {
  const v = constantParam(call, i, "uint") as number | undefined;
  if (v !== undefined && v < min) failRange(call, i, `at least ${min}`);
  return v;
}

export function failRange(call: TypingCall, i: number, expected: string): never {
  const a = arg(call, i);
  return call.fail(i, "typeMismatch", { what: a.text, expected }, [`expected: ${expected}, got: ${a.text}`]);
}

/** A non-null numeric argument whose value may change per tuple (α, thresholds…). */
export function numericNotNull(call: TypingCall, i: number): void {
  expectNumeric(call, i);
  expectNotNull(call, i);
}

/** The time argument of DERIVE, REMEMBER, EVERY, PAST, TOP: numeric, `#start` when omitted. */
export function timeArg(call: TypingCall, i: number, mayBeNull: boolean): NType {
  const a = call.args[i];
  if (a === null || a === undefined) return { type: T.float, nullable: false };
  expectNumeric(call, i, "a numeric time");
  if (!mayBeNull) expectNotNull(call, i);
  return a.type;
}

export function listOf(item: NType, nullable: boolean): NType {
  return { type: T.list(item), nullable };
}

/** Units of `x / t` where t is a time (relative or absolute seconds): a rate. */
export function perTimeUnits(x: Units | undefined, t: Units | undefined): Units | undefined {
  if (x === undefined || t === undefined) return undefined;
  return normalizeUnits([...x, ...t.map((d) => ({ name: d.name, exponent: -d.exponent, relative: false }))]).units;
}

/** Unit rule "unit of argument i" (aggregates returning the operand's type, §2.7). */
export function unitsOfArg(i: number | "last"): (units: readonly (Units | undefined)[]) => Units | undefined {
  return (units) => units[i === "last" ? units.length - 1 : i];
}

// ---- run time -------------------------------------------------------------------------

/** The random source of a call: seedable through ImplCall.random. */
export function randomOf(call: ImplCall): () => number {
  return call.random ?? Math.random;
}

/** A constant argument's value as a JS number (constants are numbers or bigints). */
export function constNumber(call: ImplCall, i: number, dflt?: number): number {
  const v = call.constants[i];
  if (v === undefined || v === null) {
    if (dflt !== undefined) return dflt;
    throw new Error(`internal: constant argument ${i} missing`);
  }
  return Number(v as number | bigint);
}

/** A numeric run-time value as a double. */
export function toFloat(v: Value): number {
  return typeof v === "number" ? v : Number(v as bigint);
}

/**
 * An exact key for Maps and Sets of values: primitives stand for themselves
 * (SameValueZero makes -0 = 0 and NaN = NaN), composites get an unambiguous
 * text. Within one call all values have one type, so the two kinds never mix.
 */
export function valueKey(v: Value): Value {
  if (v === null || typeof v !== "object") return v;
  return encodeKey(v);
}

function encodeKey(v: Value): string {
  if (v === null) return "N";
  switch (typeof v) {
    case "boolean":
      return v ? "T" : "F";
    case "number":
      return Object.is(v, -0) ? "0" : String(v);
    case "bigint":
      return v + "n";
    case "string":
      return JSON.stringify(v);
  }
  if (Array.isArray(v)) return "[" + v.map(encodeKey).join(",") + "]";
  if (isCidr(v)) return "c" + encodeKey(v.ip) + "/" + v.len;
  const m = v as Map<Value, Value>;
  return "{" + [...m.entries()].map(([k, x]) => encodeKey(k) + ":" + encodeKey(x)).join(",") + "}";
}

/**
 * Kahan–Babuška–Neumaier compensated sum, mutated in place so that per-tuple
 * updates allocate nothing. `total` is what the addition would have given with
 * infinite precision, rounded once (infinities and NaN propagate as usual).
 */
export class CompensatedSum {
  sum = 0;
  compensation = 0;

  add(x: number): void {
    const s = this.sum;
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) this.compensation += s - t + x;
    else this.compensation += x - t + s;
    this.sum = t;
  }

  reset(): void {
    this.sum = 0;
    this.compensation = 0;
  }

  get total(): number {
    // Once the sum is infinite or NaN the compensation is NaN and meaningless.
    return Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
  }
}

/**
 * CompensatedSum.add as inline statements: adds `x` (a double expression) to
 * the compensated sum held in the f64 state variables `sum` and `comp`.
 * Unlike CompensatedSum, the compensation stops once the sum is infinite or
 * NaN (it never becomes finite again), so that it stays finite and the total
 * is a plain `sum + comp`: one load less per read than the test of `total`.
 */
export function inlineCompensatedAdd(refs: InlineRefs, x: string): string {
  const sum = refs.scalar("sum");
  const comp = refs.scalar("comp");
  const [v, s, t] = freshNames(refs, "x", "s", "t");
  return (
    `{ const ${v} = ${x}; const ${s} = ${sum}; const ${t} = ${s} + ${v}; ` +
    `if (Number.isFinite(${t})) ${comp} += Math.abs(${s}) >= Math.abs(${v}) ? ${s} - ${t} + ${v} : ${v} - ${t} + ${s}; ${sum} = ${t}; }`
  );
}

/**
 * CompensatedSum.total as an inline expression over the variables of
 * inlineCompensatedAdd: the sum itself once it is infinite or NaN, since the
 * compensation is then finite.
 */
export function inlineCompensatedTotal(refs: InlineRefs): string {
  return `(${refs.scalar("sum")} + ${refs.scalar("comp")})`;
}

const itemCalls = new WeakMap<ImplCall, ImplCall>();

/** The call an aggregate's state sees in immediate mode: argument x has the list's item type. */
export function itemCallOf(call: ImplCall, x: number): ImplCall {
  let c = itemCalls.get(call);
  if (!c) {
    const listType = call.argTypes[x];
    if (!listType || !isSequence(listType.type)) throw new Error("internal: immediate aggregation of a non-list");
    const argTypes = call.argTypes.slice();
    argTypes[x] = listType.type.item;
    c = { ...call, argTypes };
    itemCalls.set(call, c);
  }
  return c;
}
