// Small building blocks shared by the stateless families (operators, math,
// strings, misc): reading constant arguments, the NaN → NULL rule, and the
// implementation skeletons of numeric functions that dispatch once on the
// run-time representation of the result type (stdlib/ints.ts).

import { NType, Type, notNull, typeEquals } from "../../grammar/types.js";
import type { ArgInfo, ImplCall, StatelessImpl, TypingCall } from "../entry.js";
import { NumKind, numKind, toBigInt, toFloat } from "../ints.js";
import { unitsEqual, unitsToString } from "../../grammar/units.js";
import { describe } from "../typing.js";
import type { Value } from "../values.js";

/** The numeric value of a constant argument, if it is a literal number. */
export function constNumber(a: ArgInfo | null | undefined): number | undefined {
  const v = a?.constValue;
  return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
}

/** "expected: X, got: Y" — the note every type error carries (raql.md §7.4). */
export function expectedNote(expected: string, got: NType): string {
  return `expected: ${expected}, got: ${describe(got)}`;
}

/** Fails on argument i with "<arg> must be <expected>". */
export function mismatch(call: TypingCall, i: number, expected: string): never {
  const a = call.args[i]!;
  return call.fail(i, "typeMismatch", { what: a.text, expected }, [expectedNote(expected, a.type)]);
}

/** Asks for argument i to be converted to `t` (keeping its nullability) unless it already has that type. */
export function convertTo(call: TypingCall, i: number, t: Type): void {
  const a = call.args[i]!;
  if (!typeEquals(a.type.type, t)) call.convert(i, { type: t, nullable: a.type.nullable });
}

/** The type of a result with the given nullability. */
export function result(t: Type, isNullable: boolean): NType {
  return isNullable ? { type: t, nullable: true } : notNull(t);
}

/**
 * The NaN → NULL rule (raql.md §5.3): a float operator typed nullable returns
 * NULL for NaN; typed non-nullable (one operand a suitable constant) it keeps
 * the NaN, which is then a legitimate float value.
 */
export function nanToNull(x: number, call: ImplCall): number | null {
  return x !== x && call.resultType.nullable ? null : x;
}

// ---- numeric implementation skeletons ----------------------------------------------------

type IntKind = Exclude<NumKind, { kind: "float" }>;

export interface NumericOps {
  float(a: number, b: number, call: ImplCall): Value;
  small(a: number, b: number, k: IntKind, call: ImplCall): Value;
  big(a: bigint, b: bigint, k: IntKind, call: ImplCall): Value;
  /** inline templates, when the operation is a single allocation-free expression */
  inlineFloat?(a: string, b: string, call: ImplCall): string | undefined;
  inlineSmall?(a: string, b: string, k: IntKind, call: ImplCall): string | undefined;
  inlineBig?(a: string, b: string, k: IntKind, call: ImplCall): string | undefined;
}

/**
 * A binary numeric operation whose operands have been converted to the result
 * type by the typing rule: dispatches on the result's representation.
 */
export function numericBinary(ops: NumericOps, kindOf: (call: ImplCall) => NumKind = (c) => numKind(c.resultType)): StatelessImpl {
  return {
    kind: "stateless",
    apply(args, call) {
      const k = kindOf(call);
      const a = args[0] as number | bigint;
      const b = args[1] as number | bigint;
      switch (k.kind) {
        case "float":
          return ops.float(toFloat(a), toFloat(b), call);
        case "small":
          return ops.small(a as number, b as number, k, call);
        case "big":
          return ops.big(toBigInt(a), toBigInt(b), k, call);
      }
    },
    inline(args, call) {
      const k = kindOf(call);
      const [a, b] = args as [string, string];
      switch (k.kind) {
        case "float":
          return ops.inlineFloat?.(a, b, call);
        case "small":
          return ops.inlineSmall?.(a, b, k, call);
        case "big":
          return ops.inlineBig?.(a, b, k, call);
      }
    },
  };
}

export interface UnaryOps {
  float(a: number, call: ImplCall): Value;
  small(a: number, k: IntKind, call: ImplCall): Value;
  big(a: bigint, k: IntKind, call: ImplCall): Value;
  inlineFloat?(a: string, call: ImplCall): string | undefined;
  inlineSmall?(a: string, k: IntKind, call: ImplCall): string | undefined;
  inlineBig?(a: string, k: IntKind, call: ImplCall): string | undefined;
}

/** A unary numeric function, dispatching on the type of its argument (or of its result, with `kindOf`). */
export function numericUnary(ops: UnaryOps, kindOf: (call: ImplCall) => NumKind = (c) => numKind(c.argTypes[0])): StatelessImpl {
  return {
    kind: "stateless",
    apply(args, call) {
      const k = kindOf(call);
      const a = args[0] as number | bigint;
      switch (k.kind) {
        case "float":
          return ops.float(toFloat(a), call);
        case "small":
          return ops.small(a as number, k, call);
        case "big":
          return ops.big(toBigInt(a), k, call);
      }
    },
    inline(args, call) {
      const k = kindOf(call);
      const a = args[0]!;
      switch (k.kind) {
        case "float":
          return ops.inlineFloat?.(a, call);
        case "small":
          return ops.inlineSmall?.(a, k, call);
        case "big":
          return ops.inlineBig?.(a, k, call);
      }
    },
  };
}

/** A float function of one float argument (arguments are converted to float by the typing rule). */
export function floatUnary(fn: (x: number) => number, jsName: string, nanIsNull: boolean): StatelessImpl {
  return {
    kind: "stateless",
    apply: nanIsNull ? (args, call) => nanToNull(fn(toFloat(args[0] as number | bigint)), call) : (args) => fn(toFloat(args[0] as number | bigint)),
    inline: nanIsNull ? undefined : (args) => `${jsName}(${args[0]})`,
  };
}

/**
 * Warns when two arguments carry different known units (comparisons, where
 * the result itself has no unit; raql.md §2.7, §7.5).
 */
export function warnUnlikeUnits(call: TypingCall, i: number, j: number): void {
  const a = call.args[i]?.units;
  const b = call.args[j]?.units;
  if (a && b && !unitsEqual(a, b)) call.warn(j, "unitMismatch", { detail: `comparing ${unitsToString(a)} and ${unitsToString(b)}` });
}
