// Value conversions of casts, `t(x)` and `CAST(x AS t)` (raql.md §5.3):
// * numeric → integer truncates toward zero then wraps modulo 2^width;
//   integer → integer wraps; NaN and ±inf have no integer value (a failure);
// * bool → numeric 0/1, numeric → bool `≠ 0`;
// * anything → string prints the value (format.ts `valueToString`); string →
//   anything reads the text as a literal of the target type, surrounding
//   blanks ignored (read-value.ts), except string → char, the first byte;
// * integers ↔ addresses numerically: u32 ↔ ip4, u128 ↔ ip6, u48 ↔ eth,
//   u8 ↔ char (other widths wrap to those first); `ip(n)` is an ip4 when n
//   has at most 32 bits, else an ip6; ip → ip4/ip6 and cidr → cidr4/cidr6
//   fail when the value is of the other family;
// * tuple → tuple (same arity), record → record (same fields, matched by
//   name), vector/list/tuple → vector/list, item by item; a list → vector of
//   another length fails; any scalar → 1-vector;
// * a failure makes NULL at the innermost nullable level containing it (the
//   item if items are nullable, else the whole value when the result is
//   nullable); when no level is nullable, castValue throws a CastFailure,
//   which the worker logs before skipping the input tuple.
// The result of a cast is nullable iff the target or the operand is (§2.3),
// so a failure at top level gives NULL whenever either is nullable.

import { RamenError, diag } from "../grammar/diagnostics.js";
import { NType, Type, isScalar, notNull, ntypeToString, typeEquals } from "../grammar/types.js";
import { renderValue, valueToString } from "./format.js";
import { IntShape, wrapInt } from "./ints.js";
import { maskCidr } from "./net.js";
import { readValueOfBytes } from "./read-value.js";
import { Cidr, Value } from "./values.js";

/**
 * A cast failed where no level of the result can be NULL: the worker logs
 * this error and skips the input tuple (raql.md §5.3).
 */
export class CastFailure extends RamenError {
  readonly tag = "CastFailure";

  constructor(value: Value, from: NType, to: NType, reason: string) {
    super(diag("castFailed", { value: renderValue(value, from), from: ntypeToString(from), to: ntypeToString(to), reason }));
  }
}

/** Internal: a conversion failed; caught at the innermost nullable level. */
class Failed extends Error {}

/**
 * Converts `v` of type `from` to the cast target `to` (as written; the result
 * is nullable iff `to` or `from` is). Throws CastFailure when the conversion
 * fails and no level of the result may be NULL.
 */
export function castValue(v: Value, from: NType, to: NType): Value {
  const nullableResult = to.nullable || from.nullable;
  try {
    return castItem(v, from, to, nullableResult);
  } catch (e) {
    if (e instanceof Failed) throw new CastFailure(v, from, to, e.message);
    throw e;
  }
}

function castItem(v: Value, from: NType, to: NType, nullableResult: boolean): Value {
  if (v === null) {
    if (nullableResult) return null;
    throw new Failed("NULL item in a non-nullable position");
  }
  if (!nullableResult) return convert(v, from.type, to.type);
  try {
    return convert(v, from.type, to.type);
  } catch (e) {
    if (e instanceof Failed) return null;
    throw e;
  }
}

const U8: IntShape = { signed: false, width: 8 };
const U32: IntShape = { signed: false, width: 32 };
const U48: IntShape = { signed: false, width: 48 };
const U128: IntShape = { signed: false, width: 128 };

function parse(bytes: string, to: Type): Value {
  try {
    return readValueOfBytes(bytes, notNull(to));
  } catch (e) {
    if (e instanceof RamenError) throw new Failed(e.diagnostics[0]!.message);
    throw e;
  }
}

/** The integer value of a numeric, bool, char, eth or ip value, before wrapping. */
function integerOf(v: Value, from: Type): number | bigint {
  switch (from.tag) {
    case "bool":
      return v ? 1 : 0;
    case "float": {
      const x = v as number;
      if (!Number.isFinite(x)) throw new Failed(`${x} has no integer value`);
      const t = Math.trunc(x);
      return Number.isSafeInteger(t) ? t : BigInt(t);
    }
    default:
      return v as number | bigint;
  }
}

function convert(v: Value, from: Type, to: Type): Value {
  if (from.tag === "string" && to.tag !== "string") return to.tag === "char" ? firstByte(v as string) : parse(v as string, to);
  switch (to.tag) {
    case "string":
      return valueToString(v, notNull(from));
    case "bool":
      if (from.tag === "bool") return v;
      return typeof v === "bigint" ? v !== 0n : v !== 0;
    case "int":
      return wrapInt(integerOf(v, from), to);
    case "float":
      return from.tag === "bool" ? (v ? 1 : 0) : Number(v);
    case "char":
      return wrapInt(integerOf(v, from), U8);
    case "eth":
      return from.tag === "eth" ? v : Number(wrapInt(integerOf(v, from), U48));
    case "ip4":
      if (from.tag === "ip4" || from.tag === "ip") return ofFamily(v, "number", "an IPv6 is not an IPv4");
      return wrapInt(integerOf(v, from), U32);
    case "ip6":
      if (from.tag === "ip6" || from.tag === "ip") return ofFamily(v, "bigint", "an IPv4 is not an IPv6");
      return wrapInt(integerOf(v, from), U128);
    case "ip":
      if (from.tag === "ip4" || from.tag === "ip6" || from.tag === "ip") return v;
      return wrapInt(integerOf(v, from), from.tag === "int" && from.width > 32 ? U128 : U32);
    case "cidr4":
      return cidrOfFamily(v as Cidr, "number", "an IPv6 network is not an IPv4 network");
    case "cidr6":
      return cidrOfFamily(v as Cidr, "bigint", "an IPv4 network is not an IPv6 network");
    case "cidr":
      return v;
    case "unit":
      return v;
    case "vector":
    case "list":
      return convertToSequence(v, from, to);
    case "tuple": {
      const items = v as readonly Value[];
      const fromItems = (from as Extract<Type, { tag: "tuple" }>).items;
      return items.map((x, i) => castItem(x, fromItems[i]!, to.items[i]!, to.items[i]!.nullable));
    }
    case "record": {
      const values = v as readonly Value[];
      const fromFields = (from as Extract<Type, { tag: "record" }>).fields;
      return to.fields.map((f) => {
        const i = fromFields.findIndex((g) => g.name === f.name);
        return castItem(values[i]!, fromFields[i]!.type, f.type, f.type.nullable);
      });
    }
    case "map":
      return v;
    case "unknown":
    case "flexint":
      throw new Error(`internal: cast to the inference-only type ${to.tag}`);
  }
}

function firstByte(s: string): number {
  if (s.length === 0) throw new Failed("an empty string has no first char");
  return s.charCodeAt(0);
}

function ofFamily(v: Value, repr: "number" | "bigint", reason: string): Value {
  if (typeof v !== repr) throw new Failed(reason);
  return v;
}

function cidrOfFamily(c: Cidr, repr: "number" | "bigint", reason: string): Cidr {
  if (typeof c.ip !== repr) throw new Failed(reason);
  return maskCidr(c);
}

function convertToSequence(v: Value, from: Type, to: Extract<Type, { tag: "vector" | "list" }>): Value[] {
  const item = to.item;
  switch (from.tag) {
    case "vector":
    case "list": {
      const items = v as readonly Value[];
      if (to.tag === "vector" && items.length !== to.dim) throw new Failed(`${items.length} items do not make a vector of ${to.dim}`);
      return items.map((x) => castItem(x, from.item, item, item.nullable));
    }
    case "tuple":
      return (v as readonly Value[]).map((x, i) => castItem(x, from.items[i]!, item, item.nullable));
    default:
      // scalar → 1-vector
      return [castItem(v, notNull(from), item, item.nullable)];
  }
}

// ---- what the checker accepts ----------------------------------------------------------

/**
 * Whether a cast from `from` to `to` is accepted (the checker reports the
 * others); nullability never prevents a cast, it only decides where a NULL
 * goes at run time.
 */
export function canCast(from: NType, to: NType): boolean {
  return canCastType(from.type, to.type);
}

function isIntegerLike(t: Type): boolean {
  return t.tag === "int" || t.tag === "flexint";
}

function isNumberLike(t: Type): boolean {
  return isIntegerLike(t) || t.tag === "float" || t.tag === "bool";
}

function canCastType(from: Type, to: Type): boolean {
  if (from.tag === "unknown" || typeEquals(from, to)) return true;
  if (from.tag === "map" || to.tag === "map") return false;
  if (to.tag === "string" || from.tag === "string") return true;
  switch (to.tag) {
    case "bool":
    case "float":
      return isNumberLike(from);
    case "int":
      return isNumberLike(from) || from.tag === "char" || from.tag === "eth" || from.tag === "ip4" || from.tag === "ip6" || from.tag === "ip";
    case "char":
      return isIntegerLike(from) || from.tag === "char";
    case "eth":
      return isIntegerLike(from);
    case "ip4":
    case "ip6":
    case "ip":
      return isIntegerLike(from) || from.tag === "ip4" || from.tag === "ip6" || from.tag === "ip";
    case "cidr4":
    case "cidr6":
    case "cidr":
      return from.tag === "cidr4" || from.tag === "cidr6" || from.tag === "cidr";
    case "vector":
    case "list":
      switch (from.tag) {
        case "vector":
          return (to.tag === "list" || to.dim === from.dim) && canCastType(from.item.type, to.item.type);
        case "list":
          return canCastType(from.item.type, to.item.type);
        case "tuple":
          return (to.tag === "list" || to.dim === from.items.length) && from.items.every((t) => canCastType(t.type, to.item.type));
        default:
          return to.tag === "vector" && to.dim === 1 && isScalar(from) && canCastType(from, to.item.type);
      }
    case "tuple":
      return from.tag === "tuple" && from.items.length === to.items.length && from.items.every((t, i) => canCastType(t.type, to.items[i]!.type));
    case "record":
      return (
        from.tag === "record" &&
        from.fields.length === to.fields.length &&
        to.fields.every((f) => {
          const g = from.fields.find((x) => x.name === f.name);
          return g !== undefined && canCastType(g.type.type, f.type.type);
        })
      );
    default:
      return false;
  }
}

