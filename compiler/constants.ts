// Literals: their types in expressions (flexible integers, §2.4) and in value
// contexts (parameter defaults, §3.2), and conversions of constant values.

import type { Expr, LiteralValue } from "../grammar/ast.js";
import { INT_WIDTHS, IntWidth, NType, T, Type, intFits, isInt } from "../grammar/types.js";
import { SECONDS, Units } from "../grammar/units.js";
import { flexInt, largest } from "../stdlib/typing.js";
import type { Value } from "../stdlib/values.js";

export interface TypedConstant {
  readonly type: NType;
  readonly value: Value;
  readonly units?: Units;
}

/** A JS value for an integer of the given width (number up to 32 bits, bigint above). */
export function intValue(v: bigint, width: IntWidth): Value {
  return width > 32 ? v : Number(v);
}

/**
 * The type and value of a literal in an expression: unsuffixed integers are
 * flexible (`flexint`, at least 32 bits), NULL has the unknown type.
 */
export function literalInExpr(lit: LiteralValue, nullableMark: boolean): TypedConstant {
  const nt = (type: Type, nullable = nullableMark): NType => ({ type, nullable });
  switch (lit.tag) {
    case "null":
      return { type: nt({ tag: "unknown" }, true), value: null };
    case "int":
      if (lit.width !== undefined) {
        return { type: nt(T.int(lit.signed ?? false, lit.width)), value: intValue(lit.value, lit.width) };
      }
      return { type: nt(flexInt(lit.value)), value: lit.value };
    case "duration":
      return { type: nt(durationType(lit.seconds)), value: lit.seconds, units: SECONDS };
    default:
      return { type: nt(scalarLiteralType(lit)), value: scalarLiteralValue(lit) };
  }
}

/** Durations are u32 when integral and < 2^32, else float (§1.4). */
export function durationType(seconds: number): Type {
  return Number.isInteger(seconds) && seconds >= 0 && seconds < 2 ** 32 ? T.u32 : T.float;
}

function scalarLiteralType(lit: Exclude<LiteralValue, { tag: "null" | "int" | "duration" }>): Type {
  return { tag: lit.tag } as Type;
}

function scalarLiteralValue(lit: Exclude<LiteralValue, { tag: "null" | "int" | "duration" }>): Value {
  switch (lit.tag) {
    case "cidr4":
    case "cidr6":
      return { ip: lit.ip, len: lit.len };
    default:
      return lit.value;
  }
}

/** The narrowest integer type of any width holding `v`, unsigned preferred (value contexts, §1.4). */
export function narrowestIntType(v: bigint, minWidth: IntWidth = 8): Type {
  for (const width of INT_WIDTHS) {
    if (width < minWidth) continue;
    if (intFits(v, false, width)) return T.int(false, width);
    if (intFits(v, true, width)) return T.int(true, width);
  }
  return T.float;
}

/**
 * Evaluates a constant written in a value context (parameter default): a
 * literal, or a vector/tuple/record of constants. Unsuffixed integers take the
 * narrowest type of any width. Returns undefined if `e` is not a constant.
 */
export function constantOfExpr(e: Expr): TypedConstant | undefined {
  switch (e.kind) {
    case "literal": {
      const c = literalInExpr(e.value, e.nullable);
      if (c.type.type.tag !== "flexint") return c;
      const v = c.value as bigint;
      const type = narrowestIntType(v);
      return { type: { type, nullable: c.type.nullable }, value: type.tag === "int" ? intValue(v, type.width) : Number(v) };
    }
    case "units": {
      const c = constantOfExpr(e.expr);
      return c && { ...c, units: e.units };
    }
    case "vector": {
      const items = e.items.map(constantOfExpr);
      if (items.some((i) => i === undefined)) return undefined;
      const cs = items as TypedConstant[];
      if (cs.length === 0) return { type: { type: T.list({ type: { tag: "unknown" }, nullable: false }), nullable: false }, value: [] };
      let itemType: Type | undefined = cs[0]!.type.type;
      for (const c of cs) itemType = itemType && largest(itemType, c.type.type);
      if (itemType === undefined) return undefined;
      const item: NType = { type: itemType, nullable: cs.some((c) => c.type.nullable) };
      const values = cs.map((c) => widenConstant(c.value, c.type.type, item));
      if (values.some((v) => v === undefined)) return undefined;
      return { type: { type: T.vector(cs.length, item), nullable: false }, value: values as Value[] };
    }
    case "tuple": {
      const items = e.items.map(constantOfExpr);
      if (items.some((i) => i === undefined)) return undefined;
      const cs = items as TypedConstant[];
      return { type: { type: T.tuple(cs.map((c) => c.type)), nullable: false }, value: cs.map((c) => c.value) };
    }
    case "record": {
      const fields = e.fields.map((f) => ({ name: f.name, c: constantOfExpr(f.value) }));
      if (fields.some((f) => f.c === undefined)) return undefined;
      return {
        type: { type: T.record(fields.map((f) => ({ name: f.name, type: f.c!.type }))), nullable: false },
        value: fields.map((f) => f.c!.value),
      };
    }
    default:
      return undefined;
  }
}

/**
 * Converts a constant of type `from` to `to` without loss of category (§2.5:
 * integers to wider integers or float, ip4/ip6 to ip…), checking integer
 * ranges on the value itself. Undefined when impossible.
 */
export function widenConstant(v: Value, from: Type, to: NType): Value | undefined {
  if (v === null) return to.nullable ? null : undefined;
  const t = to.type;
  switch (from.tag) {
    case "int":
    case "flexint": {
      const big = BigInt(v as number | bigint);
      if (t.tag === "float") return Number(big);
      if (isInt(t)) return intFits(big, t.signed, t.width) ? intValue(big, t.width) : undefined;
      return undefined;
    }
    case "ip4":
    case "ip6":
      return t.tag === from.tag || t.tag === "ip" ? v : undefined;
    case "cidr4":
    case "cidr6":
      return t.tag === from.tag || t.tag === "cidr" ? v : undefined;
    case "vector":
    case "list": {
      if (!((t.tag === "vector" && from.tag === "vector" && t.dim === from.dim) || t.tag === "list")) return undefined;
      return convertItems(v as readonly Value[], () => from.item.type, () => t.item);
    }
    case "tuple":
      if (t.tag !== "tuple" || t.items.length !== from.items.length) return undefined;
      return convertItems(v as readonly Value[], (i) => from.items[i]!.type, (i) => t.items[i]!);
    case "record": {
      if (t.tag !== "record" || t.fields.length !== from.fields.length) return undefined;
      const values = v as readonly Value[];
      const out: Value[] = [];
      for (const f of t.fields) {
        const i = from.fields.findIndex((g) => g.name === f.name);
        if (i < 0) return undefined;
        const x = widenConstant(values[i]!, from.fields[i]!.type.type, f.type);
        if (x === undefined) return undefined;
        out.push(x);
      }
      return out;
    }
    case "unknown":
      return undefined;
    default:
      return from.tag === t.tag ? v : undefined;
  }
}

function convertItems(values: readonly Value[], fromAt: (i: number) => Type, toAt: (i: number) => NType): Value[] | undefined {
  const out: Value[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = widenConstant(values[i]!, fromAt(i), toAt(i));
    if (x === undefined) return undefined;
    out.push(x);
  }
  return out;
}

/**
 * Checks a parameter value given from outside (`-p name=value`, test files)
 * against the parameter's type, and puts it in the representation of that
 * type (a wide integer given as a number becomes a bigint…).
 */
export function coerceValue(v: Value, to: NType): Value | undefined {
  if (v === null) return to.nullable ? null : undefined;
  const t = to.type;
  switch (t.tag) {
    case "int": {
      if (typeof v !== "bigint" && !(typeof v === "number" && Number.isInteger(v))) return undefined;
      const big = BigInt(v);
      return intFits(big, t.signed, t.width) ? intValue(big, t.width) : undefined;
    }
    case "float":
      return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
    case "bool":
      return typeof v === "boolean" ? v : undefined;
    case "string":
      return typeof v === "string" ? v : undefined;
    case "char":
    case "eth":
    case "ip4":
      return typeof v === "number" ? v : undefined;
    case "ip6":
      return typeof v === "bigint" ? v : undefined;
    case "ip":
      return typeof v === "number" || typeof v === "bigint" ? v : undefined;
    case "cidr4":
    case "cidr6":
    case "cidr":
      return typeof v === "object" && !Array.isArray(v) && !(v instanceof Map) ? v : undefined;
    case "vector":
    case "list": {
      if (!Array.isArray(v) || (t.tag === "vector" && v.length !== t.dim)) return undefined;
      return coerceItems(v, () => t.item);
    }
    case "tuple":
      if (!Array.isArray(v) || v.length !== t.items.length) return undefined;
      return coerceItems(v, (i) => t.items[i]!);
    case "record":
      if (!Array.isArray(v) || v.length !== t.fields.length) return undefined;
      return coerceItems(v, (i) => t.fields[i]!.type);
    default:
      return undefined;
  }
}

function coerceItems(values: readonly Value[], typeAt: (i: number) => NType): Value[] | undefined {
  const out: Value[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = coerceValue(values[i]!, typeAt(i));
    if (x === undefined) return undefined;
    out.push(x);
  }
  return out;
}
