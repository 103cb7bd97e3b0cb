// Building blocks of the inlinable forms of stateful functions (InlineStateful
// in entry.ts): which storage holds a value of some type, and the JS
// expressions converting between a value and its stored form. Shared by the
// templates of functions/aggregates.ts and functions/windows.ts.

import type { NType } from "../grammar/types.js";
import type { ImplCall, InlineRefs, InlineStorage } from "./entry.js";

/**
 * The storage of a value of type `t` when one holds every value of the type
 * exactly, undefined otherwise (strings, composites, ip6, 128-bit integers).
 */
export function storageOf(t: NType | null | undefined): InlineStorage | undefined {
  if (!t) return undefined;
  const type = t.type;
  switch (type.tag) {
    case "bool":
      return "bool";
    case "float":
      return "f64";
    case "int":
      if (type.width <= 32) return type.signed ? "i32" : "u32";
      if (type.width <= 64) return type.signed ? "i64" : "u64";
      return undefined;
    case "char":
    case "ip4":
      return "u32";
    case "eth":
      // 48 bits: exact in a double
      return "f64";
    default:
      return undefined;
  }
}

/** The typed array holding variables of a storage (one element per slot and group), as entry.ts's table says. */
export function typedArrayOf(storage: InlineStorage): string {
  return TYPED_ARRAYS[storage];
}

const TYPED_ARRAYS: Record<InlineStorage, string> = {
  f64: "Float64Array",
  i32: "Int32Array",
  u32: "Uint32Array",
  bool: "Uint8Array",
  i64: "BigInt64Array",
  u64: "BigUint64Array",
};

/** The stored form of a value expression (booleans are stored as 0 and 1). */
export function toStored(storage: InlineStorage, value: string): string {
  return storage === "bool" ? `((${value}) ? 1 : 0)` : value;
}

/** The value of a stored expression. */
export function fromStored(storage: InlineStorage, stored: string): string {
  return storage === "bool" ? `(${stored} !== 0)` : stored;
}

/** The initial value of a variable of some storage ("zero"). */
export function zeroOf(storage: InlineStorage): string {
  return storage === "i64" || storage === "u64" ? "0n" : "0";
}

/** The greatest stored value of a storage, in the order of stdlib/compare.ts. */
export function greatestStored(storage: InlineStorage): string {
  return GREATEST[storage];
}

/** The least stored value of a storage, in the order of stdlib/compare.ts (NaN before every number). */
export function leastStored(storage: InlineStorage): string {
  return LEAST[storage];
}

const GREATEST: Record<InlineStorage, string> = {
  f64: "Infinity",
  i32: "2147483647",
  u32: "4294967295",
  bool: "1",
  i64: "9223372036854775807n",
  u64: "18446744073709551615n",
};

const LEAST: Record<InlineStorage, string> = {
  f64: "NaN",
  i32: "-2147483648",
  u32: "0",
  bool: "0",
  i64: "-9223372036854775808n",
  u64: "0n",
};

/** A numeric value expression of type `t` as a double (wide integers are bigints). */
export function asDouble(t: NType | null | undefined, value: string): string {
  return t?.type.tag === "int" && t.type.width > 32 ? `Number(${value})` : value;
}

/** Whether a numeric argument can be read as a double inline: a float or an integer type. */
export function isNumberArg(t: NType | null | undefined): boolean {
  return t?.type.tag === "float" || t?.type.tag === "int";
}

/** Inline forms keep NULLs out of the state: KEEP NULLS uses the generic implementation. */
export function skipsNulls(call: ImplCall): boolean {
  return call.nulls === "skip";
}

/** Statements advancing the index variable `lvalue` by one in [0, size). */
export function advanceIndex(lvalue: string, size: number): string {
  return size === 1 ? `${lvalue} = 0;` : `${lvalue} = ${lvalue} === ${size - 1} ? 0 : ${lvalue} + 1;`;
}

/** One fresh identifier per hint, in order. */
export function freshNames<const H extends readonly string[]>(refs: InlineRefs, ...hints: H): { readonly [K in keyof H]: string } {
  return hints.map((h) => refs.fresh(h)) as { readonly [K in keyof H]: string };
}
