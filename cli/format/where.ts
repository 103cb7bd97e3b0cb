// `--where "FIELD OP VALUE"` filters of `tail`, `replay` and `timeseries`
// (cli-runtime.md §6.5): VALUE is a RaQL literal of the field's type (a
// vector of them for `in` / `not in`); equality is structural with NULL equal
// to NULL, orderings compare numbers numerically and strings bytewise and are
// false when either side is NULL.

import { RamenError } from "../../grammar/diagnostics.js";
import { T, notNull } from "../../grammar/types.js";
import { compareValues } from "../../stdlib/compare.js";
import { readValue } from "../../stdlib/read-value.js";
import type { Value } from "../../stdlib/values.js";
import { OutputField, fieldIndex } from "./fields.js";

export type WhereOperator = "not in" | "in" | ">=" | "<=" | "!=" | "<>" | "=" | "<" | ">";

/** Operators as looked for, in this order: the first one found splits the filter. */
const OPERATOR_TEXTS: readonly (readonly [string, WhereOperator])[] = [
  [" not in", "not in"],
  [" in", "in"],
  [">=", ">="],
  ["<=", "<="],
  ["!=", "!="],
  ["<>", "<>"],
  ["=", "="],
  ["<", "<"],
  [">", ">"],
];

/** A predicate over a tuple given as every output field (private ones included) in output order. */
export type TuplePredicate = (values: readonly Value[]) => boolean;

export interface WhereFilter {
  readonly field: string;
  /** position of the field in the function's output */
  readonly index: number;
  readonly operator: WhereOperator;
  /** the VALUE read as the field's type (a list of them for `in` / `not in`) */
  readonly value: Value;
  readonly test: TuplePredicate;
}

/**
 * Where `text` splits into field, operator and value: the first operator of
 * OPERATOR_TEXTS found in it, at its first occurrence. Operators whose left
 * side is not a field name are passed over, so that `title = "sign in"` is
 * split at `=`: this only changes filters the plain rule would reject with
 * an unknown field.
 */
function splitFilter(text: string, fields: readonly OutputField[]): { field: string; operator: WhereOperator; valueText: string } {
  let first: { field: string; operator: WhereOperator; valueText: string } | undefined;
  for (const [op, operator] of OPERATOR_TEXTS) {
    const at = text.indexOf(op);
    if (at < 0) continue;
    const split = { field: text.slice(0, at).trim(), operator, valueText: text.slice(at + op.length).trim() };
    if (fields.some((f) => f.name === split.field)) return split;
    first ??= split;
  }
  if (first === undefined || first.field === "") {
    throw RamenError.of("badWhereFilter", { text, operators: OPERATOR_TEXTS.map(([, o]) => o).join(", ") });
  }
  return first;
}

/** Parses one `--where` filter against the output fields of a function (all of them, in output order). */
export function parseWhere(text: string, fields: readonly OutputField[]): WhereFilter {
  const { field, operator, valueText } = splitFilter(text, fields);
  const index = fieldIndex(fields, field);
  const type = fields[index]!.type;
  if (operator === "in" || operator === "not in") {
    const items = readValue(valueText, notNull(T.list(type))) as readonly Value[];
    const member = (v: Value) => items.some((item) => compareValues(item, v) === 0);
    const test: TuplePredicate = operator === "in" ? (values) => member(values[index] as Value) : (values) => !member(values[index] as Value);
    return { field, index, operator, value: items, test };
  }
  const value = readValue(valueText, type);
  return { field, index, operator, value, test: comparison(operator, index, value) };
}

/** The conjunction of several filters (`-w` is repeatable); no filter accepts everything. */
export function parseWheres(texts: readonly string[], fields: readonly OutputField[]): TuplePredicate {
  const tests = texts.map((t) => parseWhere(t, fields).test);
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0]!;
  return (values) => {
    for (const test of tests) if (!test(values)) return false;
    return true;
  };
}

/** a < b etc. natively for numbers, bigints, booleans and byte strings (NaN is unordered); composites by compareValues. */
function isNative(v: Value): v is number | bigint | boolean | string {
  return typeof v !== "object";
}

function comparison(operator: Exclude<WhereOperator, "in" | "not in">, index: number, value: Value): TuplePredicate {
  switch (operator) {
    case "=":
      return (values) => compareValues(values[index] as Value, value) === 0;
    case "!=":
    case "<>":
      return (values) => compareValues(values[index] as Value, value) !== 0;
  }
  if (value === null) return () => false;
  if (isNative(value)) {
    switch (operator) {
      case "<":
        return (values) => {
          const v = values[index] as Value;
          return v !== null && (v as typeof value) < value;
        };
      case "<=":
        return (values) => {
          const v = values[index] as Value;
          return v !== null && (v as typeof value) <= value;
        };
      case ">":
        return (values) => {
          const v = values[index] as Value;
          return v !== null && (v as typeof value) > value;
        };
      case ">=":
        return (values) => {
          const v = values[index] as Value;
          return v !== null && (v as typeof value) >= value;
        };
    }
  }
  const accepts = { "<": (c: number) => c < 0, "<=": (c: number) => c <= 0, ">": (c: number) => c > 0, ">=": (c: number) => c >= 0 }[operator];
  return (values) => {
    const v = values[index] as Value;
    return v !== null && accepts(compareValues(v, value));
  };
}
