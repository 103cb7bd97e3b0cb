// Type algebra shared by the checker and the typing rules of registry entries:
// promotion (raql.md §2.5), largest type, flexible integer constants (§2.4),
// and small helpers that make typing rules one-liners.

import {
  INT_WIDTHS,
  IntWidth,
  NType,
  T,
  Type,
  intFits,
  isNumeric,
  notNull,
  ntypeToString,
  typeEquals,
} from "../grammar/types.js";
import type { ArgInfo, TypingCall } from "./entry.js";

// ---- flexible integer constants ----------------------------------------------------

/** The type of an unsuffixed integer literal (§1.4, §2.4): at least 32 bits. */
export function flexInt(value: bigint, minWidth: IntWidth = 32): Type {
  return { tag: "flexint", min: value, max: value, minWidth };
}

/** Integer types a flexible constant may take, narrowest first, unsigned first at each width. */
export function flexCandidates(t: Extract<Type, { tag: "flexint" }>): Type[] {
  const out: Type[] = [];
  for (const width of INT_WIDTHS) {
    if (width < t.minWidth) continue;
    for (const signed of [false, true]) {
      if (intFits(t.min, signed, width) && intFits(t.max, signed, width)) out.push(T.int(signed, width));
    }
  }
  return out;
}

/** The narrowest concrete type of a flexible constant (unsigned preferred). */
export function defaultOfFlex(t: Extract<Type, { tag: "flexint" }>): Type {
  return flexCandidates(t)[0] ?? T.float;
}

/**
 * Replaces the inference-only tags by concrete types: a flexible integer takes
 * its narrowest type, and a type nothing constrained (NULL alone, the items of
 * `[]`) becomes `u8`.
 */
export function concretize(t: Type): Type {
  if (isConcrete(t)) return t;
  switch (t.tag) {
    case "flexint":
      return defaultOfFlex(t);
    case "unknown":
      return T.u8;
    case "vector":
      return T.vector(t.dim, concretizeN(t.item));
    case "list":
      return T.list(concretizeN(t.item));
    case "tuple":
      return T.tuple(t.items.map(concretizeN));
    case "record":
      return T.record(t.fields.map((f) => ({ name: f.name, type: concretizeN(f.type) })));
    case "map":
      return T.map(concretizeN(t.key), concretizeN(t.value));
    default:
      return t;
  }
}

export function concretizeN(t: NType): NType {
  const c = concretize(t.type);
  return c === t.type ? t : { type: c, nullable: t.nullable };
}

/** True when no inference-only tag (flexint, unknown) is left anywhere in the type. */
export function isConcrete(t: Type): boolean {
  switch (t.tag) {
    case "flexint":
    case "unknown":
      return false;
    case "vector":
    case "list":
      return isConcrete(t.item.type);
    case "tuple":
      return t.items.every((i) => isConcrete(i.type));
    case "record":
      return t.fields.every((f) => isConcrete(f.type.type));
    case "map":
      return isConcrete(t.key.type) && isConcrete(t.value.type);
    default:
      return true;
  }
}

// ---- promotion (§2.5) -------------------------------------------------------------------

const WIDTH_INDEX = new Map<number, number>(INT_WIDTHS.map((w, i) => [w, i]));

/** `from ≤ to`: a value of `from` can be used where `to` is expected. */
export function canPromote(from: Type, to: Type): boolean {
  if (from.tag === "unknown") return true;
  if (from.tag === "flexint") {
    if (to.tag === "float") return true;
    if (to.tag === "flexint") return true;
    if (to.tag !== "int") return false;
    return to.width >= from.minWidth && intFits(from.min, to.signed, to.width) && intFits(from.max, to.signed, to.width);
  }
  if (to.tag === "unknown") return true;
  if (typeEquals(from, to)) return true;
  switch (from.tag) {
    case "int":
      if (to.tag === "float") return from.width < 128;
      if (to.tag === "int") return from.width < to.width && (to.signed || !from.signed);
      return false;
    case "ip4":
    case "ip6":
      return to.tag === "ip";
    case "cidr4":
    case "cidr6":
      return to.tag === "cidr";
    case "vector":
      return to.tag === "vector" && to.dim === from.dim && canPromoteN(from.item, to.item);
    case "list":
      return to.tag === "list" && canPromoteN(from.item, to.item);
    case "tuple":
      return (
        to.tag === "tuple" && to.items.length === from.items.length && from.items.every((t, i) => canPromoteN(t, to.items[i]!))
      );
    case "record":
      return (
        to.tag === "record" &&
        to.fields.length === from.fields.length &&
        from.fields.every((f) => {
          const g = to.fields.find((x) => x.name === f.name);
          return g !== undefined && canPromoteN(f.type, g.type);
        })
      );
    default:
      return false;
  }
}

/** Non-nullable promotes to nullable, never the converse. */
export function canPromoteN(from: NType, to: NType): boolean {
  return (!from.nullable || to.nullable) && canPromote(from.type, to.type);
}

/** Smallest signed integer strictly wider than `width`, or float past 128 bits. */
function signedWiderThan(width: IntWidth): Type {
  const i = WIDTH_INDEX.get(width)!;
  const next = INT_WIDTHS[i + 1];
  return next === undefined ? T.float : T.int(true, next);
}

function largestInts(a: Extract<Type, { tag: "int" }>, b: Extract<Type, { tag: "int" }>): Type {
  if (canPromote(a, b)) return b;
  if (canPromote(b, a)) return a;
  return signedWiderThan(Math.max(a.width, b.width) as IntWidth);
}

function typeWidth(t: Type): number {
  if (t.tag === "int") return t.width;
  if (t.tag === "float") return 1000;
  return 0;
}

/**
 * The largest type of two (§2.5), or undefined when they have none. A flexible
 * constant takes whichever of its possible types makes the result narrowest.
 */
export function largest(a: Type, b: Type): Type | undefined {
  if (a.tag === "unknown") return b;
  if (b.tag === "unknown") return a;
  if (a.tag === "flexint" && b.tag === "flexint") {
    return {
      tag: "flexint",
      min: a.min < b.min ? a.min : b.min,
      max: a.max > b.max ? a.max : b.max,
      minWidth: Math.max(a.minWidth, b.minWidth) as IntWidth,
    };
  }
  if (a.tag === "flexint") return largestWithFlex(a, b);
  if (b.tag === "flexint") return largestWithFlex(b, a);
  if (canPromote(a, b)) return b;
  if (canPromote(b, a)) return a;
  if (a.tag === "int" && b.tag === "int") return largestInts(a, b);
  if ((a.tag === "ip4" || a.tag === "ip6") && (b.tag === "ip4" || b.tag === "ip6")) return T.ip;
  if ((a.tag === "cidr4" || a.tag === "cidr6") && (b.tag === "cidr4" || b.tag === "cidr6")) return T.cidr;
  if (a.tag === "vector" && b.tag === "vector" && a.dim === b.dim) {
    const item = largestN(a.item, b.item);
    return item && T.vector(a.dim, item);
  }
  if (a.tag === "list" && b.tag === "list") {
    const item = largestN(a.item, b.item);
    return item && T.list(item);
  }
  if (a.tag === "tuple" && b.tag === "tuple" && a.items.length === b.items.length) {
    const items: NType[] = [];
    for (let i = 0; i < a.items.length; i++) {
      const t = largestN(a.items[i]!, b.items[i]!);
      if (!t) return undefined;
      items.push(t);
    }
    return T.tuple(items);
  }
  if (a.tag === "record" && b.tag === "record" && a.fields.length === b.fields.length) {
    const fields = [];
    for (const f of a.fields) {
      const g = b.fields.find((x) => x.name === f.name);
      const t = g && largestN(f.type, g.type);
      if (!t) return undefined;
      fields.push({ name: f.name, type: t });
    }
    return T.record(fields);
  }
  return undefined;
}

function largestWithFlex(f: Extract<Type, { tag: "flexint" }>, other: Type): Type | undefined {
  if (other.tag === "float") return T.float;
  if (other.tag !== "int") return undefined;
  let best: Type | undefined;
  for (const c of flexCandidates(f)) {
    const m = largestInts(c as Extract<Type, { tag: "int" }>, other);
    if (!best || typeWidth(m) < typeWidth(best)) best = m;
  }
  return best;
}

export function largestN(a: NType, b: NType): NType | undefined {
  const t = largest(a.type, b.type);
  return t && { type: t, nullable: a.nullable || b.nullable };
}

/** Largest of several types; undefined if some pair has none. */
export function largestOf(types: readonly Type[]): Type | undefined {
  let acc: Type | undefined = types[0];
  for (let i = 1; i < types.length && acc; i++) acc = largest(acc, types[i]!);
  return acc;
}

/** The smallest signed type ≥ t (`a - b`, `-a`): `u8` → `i16`, floats and signed unchanged. */
export function signedAtLeast(t: Type): Type {
  if (t.tag === "int" && !t.signed) return signedWiderThan(t.width);
  if (t.tag === "flexint") {
    const signed = flexCandidates(t).find((c) => c.tag === "int" && c.signed);
    return signed ? { tag: "flexint", min: t.min, max: t.max, minWidth: (signed as { width: IntWidth }).width } : T.float;
  }
  return t;
}

/** `-x` on `uN` gives `iN` (§2.6); other numerics keep their type. */
export function negatedType(t: Type): Type {
  if (t.tag === "int" && !t.signed) return T.int(true, t.width);
  if (t.tag === "flexint") {
    // The range is that of the constants that flowed here, not of the value
    // (ABS(-1) is typed like -1 but is 1): keep both signs, so the result is signed.
    const m = [t.min, t.max, -t.min, -t.max].reduce((a, b) => (a > b ? a : b));
    return { tag: "flexint", min: -m, max: m, minWidth: t.minWidth };
  }
  return t;
}

export function isIntLike(t: Type): boolean {
  return t.tag === "int" || t.tag === "flexint";
}

export function isNumericLike(t: Type): boolean {
  return isNumeric(t) || t.tag === "flexint" || t.tag === "unknown";
}

// ---- helpers for typing rules ----------------------------------------------------------------

/** The argument, which the rule's syntax guarantees is present. */
export function arg(call: TypingCall, i: number): ArgInfo {
  const a = call.args[i];
  if (!a) throw new Error(`internal: argument ${i} of ${call.fn} missing`);
  return a;
}

export function describe(t: NType): string {
  return ntypeToString(t);
}

/** Fails unless argument i is numeric (int, float or a flexible constant). */
export function expectNumeric(call: TypingCall, i: number, what = "numeric"): ArgInfo {
  const a = arg(call, i);
  if (!isNumericLike(a.type.type)) call.fail(i, "typeMismatch", { what: a.text, expected: what }, [`expected: ${what}, got: ${describe(a.type)}`]);
  return a;
}

export function expectInteger(call: TypingCall, i: number, unsigned = false): ArgInfo {
  const a = arg(call, i);
  const t = a.type.type;
  const ok = t.tag === "unknown" || t.tag === "flexint" ? !unsigned || t.tag === "unknown" || t.min >= 0n : t.tag === "int" && (!unsigned || !t.signed);
  if (!ok) {
    const expected = unsigned ? "an unsigned integer" : "an integer";
    call.fail(i, "typeMismatch", { what: a.text, expected }, [`expected: ${expected}, got: ${describe(a.type)}`]);
  }
  return a;
}

export function expectType(call: TypingCall, i: number, t: Type): ArgInfo {
  const a = arg(call, i);
  if (!canPromote(a.type.type, t)) {
    call.fail(i, "typeMismatch", { what: a.text, expected: "of type " + describe(notNull(t)) }, [
      `expected: ${describe(notNull(t))}, got: ${describe(a.type)}`,
    ]);
  }
  if (!typeEquals(a.type.type, t)) call.convert(i, { type: t, nullable: a.type.nullable });
  return a;
}

export function expectNotNull(call: TypingCall, i: number): ArgInfo {
  const a = arg(call, i);
  if (a.type.nullable) call.fail(i, "mustNotBeNullable", { what: a.text }, [`expected: ${describe({ ...a.type, nullable: false })}, got: ${describe(a.type)}`]);
  return a;
}

export function expectNullable(call: TypingCall, i: number): ArgInfo {
  const a = arg(call, i);
  if (!a.type.nullable) call.fail(i, "mustBeNullable", { what: a.text });
  return a;
}

export function expectConstant(call: TypingCall, i: number): ArgInfo {
  const a = arg(call, i);
  if (!a.isConstant) call.fail(i, "mustBeConstant", { what: a.text });
  return a;
}

/** Default null propagation (§2.3): nullable iff some present argument is. */
export function anyNullable(call: TypingCall, indexes?: readonly number[]): boolean {
  const idx = indexes ?? call.args.map((_, i) => i);
  return idx.some((i) => call.args[i]?.type.nullable === true);
}

/**
 * Types arguments `indexes` to their largest type and asks for conversions;
 * fails with "both arguments must have the same type" when there is none.
 */
export function unifyArgs(call: TypingCall, indexes: readonly number[]): Type {
  let acc: Type | undefined;
  for (const i of indexes) {
    const a = arg(call, i);
    const next: Type | undefined = acc === undefined ? a.type.type : largest(acc, a.type.type);
    if (next === undefined) {
      call.fail(i, "sameType", {}, [`got: ${describe(notNull(acc!))} and ${describe(a.type)}`]);
    }
    acc = next;
  }
  const result = acc!;
  for (const i of indexes) {
    const a = arg(call, i);
    if (!typeEquals(a.type.type, result)) call.convert(i, { type: result, nullable: a.type.nullable });
  }
  return result;
}
