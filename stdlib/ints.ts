// Integer arithmetic at a declared width (raql.md §2.1: every integer result
// wraps around modulo 2^width). The one place that knows that integers of at
// most 32 bits are JS numbers and wider ones bigints (stdlib/values.ts), so
// function implementations and inlined code share the same wrapping rules.

import { INT_WIDTHS, type IntWidth, type NType, type Type } from "../grammar/types.js";

export interface IntShape {
  readonly signed: boolean;
  readonly width: IntWidth;
}

/** How a numeric value of some type is held at run time. */
export type NumKind =
  | { readonly kind: "float" }
  /** an integer of at most 32 bits, held in a number */
  | { readonly kind: "small"; readonly signed: boolean; readonly width: IntWidth }
  /** an integer wider than 32 bits, held in a bigint */
  | { readonly kind: "big"; readonly signed: boolean; readonly width: IntWidth };

const FLOAT_KIND: NumKind = { kind: "float" };
// Indexed by width * 2 + signed, so that looking a kind up per call allocates nothing.
const INT_KINDS: NumKind[] = [];
for (const width of INT_WIDTHS) {
  for (const signed of [false, true]) {
    INT_KINDS[width * 2 + (signed ? 1 : 0)] = { kind: width > 32 ? "big" : "small", signed, width };
  }
}

/** The run-time representation of a numeric type (anything that is not an integer counts as float). */
export function numKind(t: Type | NType | null | undefined): NumKind {
  const type = t === null || t === undefined ? undefined : "tag" in t ? t : t.type;
  if (type === undefined || type.tag !== "int") return FLOAT_KIND;
  return INT_KINDS[type.width * 2 + (type.signed ? 1 : 0)]!;
}

/**
 * Wraps an integer held exactly in a double (|v| < 2^53) to a type of at most
 * 32 bits. The bit operators of JS first reduce modulo 2^32, which is exact for
 * such doubles, so sign extension by shifts gives the two's complement value.
 */
export function wrapSmall(v: number, signed: boolean, width: number): number {
  if (width === 32) return signed ? v | 0 : v >>> 0;
  const shift = 32 - width;
  return signed ? (v << shift) >> shift : (v << shift) >>> shift;
}

export function wrapBig(v: bigint, signed: boolean, width: number): bigint {
  return signed ? BigInt.asIntN(width, v) : BigInt.asUintN(width, v);
}

/** Wraps any integer value to the representation and range of `shape`. */
export function wrapInt(v: number | bigint, shape: IntShape): number | bigint {
  if (shape.width > 32) return wrapBig(typeof v === "bigint" ? v : BigInt(v), shape.signed, shape.width);
  if (typeof v === "bigint") return Number(wrapBig(v, shape.signed, shape.width));
  return wrapSmall(v, shape.signed, shape.width);
}

/** The JS expression wrapping `expr` (an exact integer of the same representation) to `shape`. */
export function inlineWrap(expr: string, shape: IntShape): string {
  if (shape.width > 32) return `BigInt.${shape.signed ? "asIntN" : "asUintN"}(${shape.width}, ${expr})`;
  if (shape.width === 32) return shape.signed ? `((${expr}) | 0)` : `((${expr}) >>> 0)`;
  const shift = 32 - shape.width;
  return shape.signed ? `((${expr}) << ${shift} >> ${shift})` : `((${expr}) & ${2 ** shape.width - 1})`;
}

/** Any integer value as a bigint. */
export function toBigInt(v: number | bigint): bigint {
  return typeof v === "bigint" ? v : BigInt(v);
}

/** Any numeric value as a double (wide integers may lose precision). */
export function toFloat(v: number | bigint): number {
  return typeof v === "bigint" ? Number(v) : v;
}
