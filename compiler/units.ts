// Units propagation (raql.md §2.7): applies the unit rule of a registry entry
// to the units of the arguments. Conflicts are warnings, never errors.

import { DIMENSIONLESS, Dimension, SECONDS, SECONDS_REL, Units, normalizeUnits, unitsEqual, unitsToString } from "../grammar/units.js";
import type { UnitRule } from "../stdlib/entry.js";

export interface UnitArg {
  /** undefined: unknown */
  readonly units?: Units;
  /** a constant: without annotation it counts as dimensionless in products */
  readonly isConstant: boolean;
  /** its numeric value, when a literal */
  readonly numeric?: number;
}

/** Receives "adding {bytes} and {seconds}" and the argument it is about. */
export type UnitWarning = (detail: string, at: number | "call") => void;
/** Receives a dimensioned operand of a function that needs a pure number. */
export type DimensionWarning = (at: number) => void;

/** Same dimensions with the same exponents, whether relative or not. */
function sameDimensions(a: Units, b: Units): boolean {
  return a.length === b.length && a.every((d, i) => d.name === b[i]!.name && d.exponent === b[i]!.exponent);
}

const isRelative = (u: Units): boolean => u.some((d) => d.relative);
const asAbsolute = (u: Units): Units => u.map((d) => ({ ...d, relative: false }));
const asRelative = (u: Units): Units => u.map((d) => ({ ...d, relative: true }));
const str = unitsToString;

export function addUnits(a: Units | undefined, b: Units | undefined, warn: UnitWarning): Units | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  if (!sameDimensions(a, b)) {
    warn(`adding ${str(a)} and ${str(b)}`, 1);
    return undefined;
  }
  if (isRelative(a) && isRelative(b)) {
    warn("cannot add relative units", 1);
    return a;
  }
  return isRelative(a) || isRelative(b) ? asRelative(a) : a;
}

export function subUnits(a: Units | undefined, b: Units | undefined, warn: UnitWarning): Units | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  if (!sameDimensions(a, b)) {
    warn(`subtracting ${str(b)} from ${str(a)}`, 1);
    return undefined;
  }
  const ra = isRelative(a);
  const rb = isRelative(b);
  if (ra && rb) return asAbsolute(a);
  if (ra) return a;
  if (rb) {
    warn("subtracting a relative from an absolute unit", 1);
    return undefined;
  }
  return a;
}

export function mulUnits(a: Units, b: Units, warn: UnitWarning, sign: 1 | -1 = 1): Units {
  if (isRelative(a) && isRelative(b)) warn(`cannot ${sign === 1 ? "multiply" : "divide"} relative units`, 1);
  const dims: Dimension[] = [...asAbsolute(a), ...asAbsolute(b).map((d) => ({ ...d, exponent: sign * d.exponent }))];
  return normalizeUnits(dims).units;
}

/** Units of a product/quotient operand: an unannotated constant is a pure number. */
function productOperand(a: UnitArg | null): Units | undefined {
  if (!a) return DIMENSIONLESS;
  return a.units ?? (a.isConstant ? DIMENSIONLESS : undefined);
}

/** The operands must share their units (when both are known); the result has them. */
function sameUnits(args: readonly (UnitArg | null)[], what: string, warn: UnitWarning): Units | undefined {
  let result: Units | undefined;
  args.forEach((a, i) => {
    if (!a || a.units === undefined) return;
    if (result === undefined) result = a.units;
    else if (!unitsEqual(result, a.units)) warn(`${what} ${str(result)} and ${str(a.units)}`, i);
  });
  return result;
}

/**
 * The units of a call's result. `fn` is the entry's canonical name (used for
 * the few operators whose rule needs the arguments' values, like `^ k`).
 */
export function applyUnitRule(
  rule: UnitRule,
  fn: string,
  args: readonly (UnitArg | null)[],
  warn: UnitWarning,
  dimensioned: DimensionWarning,
): Units | undefined {
  const u = (i: number) => args[i]?.units;
  // `x ^ k` needs the value of k, which unit rules do not receive.
  if (fn === "pow") return powUnits(args[0] ?? null, args[1] ?? null);
  if (typeof rule === "function") return rule(args.map((a) => a?.units));
  switch (rule) {
    case "none":
      return undefined;
    case "same-as-first":
      return u(0);
    case "same":
      return sameUnits(args, "comparing", warn);
    case "add":
      return addUnits(u(0), u(1), warn);
    case "sub":
      return subUnits(u(0), u(1), warn);
    case "mul": {
      const a = productOperand(args[0] ?? null);
      const b = productOperand(args[1] ?? null);
      return a && b && mulUnits(a, b, warn);
    }
    case "div": {
      const a = productOperand(args[0] ?? null);
      const b = productOperand(args[1] ?? null);
      return a && b && mulUnits(a, b, warn, -1);
    }
    case "dimensionless-arg":
      args.forEach((a, i) => {
        if (a?.units !== undefined && a.units.length > 0) dimensioned(i);
      });
      return DIMENSIONLESS;
    case "seconds":
      return SECONDS;
    case "seconds-rel":
      return SECONDS_REL;
    case "dimensionless":
      return DIMENSIONLESS;
  }
}

/** `x ^ k` with a constant k multiplies the exponents by k. */
function powUnits(base: UnitArg | null, exponent: UnitArg | null): Units | undefined {
  if (!base || base.units === undefined) return undefined;
  if (base.units.length === 0) return DIMENSIONLESS;
  if (exponent?.numeric === undefined) return undefined;
  const k = exponent.numeric;
  return normalizeUnits(base.units.map((d) => ({ ...d, exponent: d.exponent * k }))).units;
}
