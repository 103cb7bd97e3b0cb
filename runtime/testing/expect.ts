// Expected values of `.test` files (test-format.md §3): RaQL literals read as
// values of the checked field's type, and the distance between an expected
// and an actual value that decides whether a tuple matches (§3.1).

import { RamenError, fillTemplate, MESSAGES } from "../../grammar/diagnostics.js";
import { NType, Type, ntypeToString } from "../../grammar/types.js";
import { compareValues } from "../../stdlib/compare.js";
import { renderValue } from "../../stdlib/format.js";
import { maskCidr } from "../../stdlib/net.js";
import { readValueOfBytes } from "../../stdlib/read-value.js";
import { Cidr, Value } from "../../stdlib/values.js";
import type { TestOutput, TupleSpec } from "./schema.js";

/** Below this distance an actual value matches the expected one. */
export const TOLERANCE = 1e-7;

/** What a missing or extra item of a tuple, vector or list adds to the distance. */
export const MISSING_ITEM_DISTANCE = 42;

/** A RaQL literal that does not read as the requested type; the message is the reason. */
export class LiteralFailure extends Error {}

/** Reads a RaQL literal given as bytes (the content of a test file string) as a value of type `t`. */
export function readLiteral(bytes: string, t: NType): Value {
  try {
    return readValueOfBytes(bytes, t);
  } catch (e) {
    if (!(e instanceof RamenError)) throw e;
    // The reader's message is `Cannot parse "<text>" as <type>: <reason>`; keep the reason.
    const prefix = fillTemplate(MESSAGES.cannotParseValue.template, { text: bytes, type: ntypeToString(t), reason: "" });
    throw new LiteralFailure(e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message);
  }
}

/** A field of a function's output, in output order. */
export interface OutputField {
  readonly name: string;
  readonly type: NType;
}

/** A field whose name starts with `_` is private (raql.md §1): never output, never checkable. */
export function isPrivateField(name: string): boolean {
  return name.startsWith("_");
}

export interface ExpectedField {
  /** position of the field in the checked tuple (public fields only) */
  readonly index: number;
  readonly name: string;
  readonly type: NType;
  readonly value: Value;
}

/** A tuple spec ready to be matched: its fields in output order. */
export type ExpectedTuple = readonly ExpectedField[];

/** An `outputs` entry checked against its function's fields (§4.1 step 5), ready for a Checker. */
export interface CompiledOutput {
  readonly fq: string;
  /** the fields of the probed tuples: the function's public fields, in output order */
  readonly fields: readonly OutputField[];
  readonly present: readonly ExpectedTuple[];
  readonly absent: readonly ExpectedTuple[];
  readonly timeout: number;
}

/** Checks the specs of an output against the fields of its function (all of them, private ones included). */
export function compileOutput(output: TestOutput, functionFields: readonly OutputField[]): CompiledOutput {
  const fields = functionFields.filter((f) => !isPrivateField(f.name));
  const compile = (spec: TupleSpec) => compileTupleSpec(spec, functionFields, fields, output.fq);
  return { fq: output.fq, fields, present: output.present.map(compile), absent: output.absent.map(compile), timeout: output.timeout };
}

function compileTupleSpec(spec: TupleSpec, functionFields: readonly OutputField[], fields: readonly OutputField[], fq: string): ExpectedTuple {
  const out: ExpectedField[] = [];
  for (const { field, text } of spec) {
    const index = fields.findIndex((f) => f.name === field);
    if (index < 0) {
      if (functionFields.some((f) => f.name === field)) throw RamenError.of("testPrivateOutputField", { field, fq });
      throw RamenError.of("testUnknownOutputField", { field, fq, available: fields.map((f) => f.name).join(", ") });
    }
    const type = fields[index]!.type;
    if (!type.nullable && /^\s*null\s*$/i.test(text)) throw RamenError.of("testNullNotNullable", { type: ntypeToString(type), field, fq });
    try {
      out.push({ index, name: field, type, value: readLiteral(text, type) });
    } catch (e) {
      if (!(e instanceof LiteralFailure)) throw e;
      throw RamenError.of("testBadExpectedValue", { text, field, fq, type: ntypeToString(type), reason: e.message });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

// ---- distance ---------------------------------------------------------------------------------------

/**
 * How far an actual value is from an expected one of the same type (§3.1):
 * 0 when equal, at least 1 for any difference of strings, addresses or
 * NULLs, the absolute difference of numbers. Maps cannot be compared.
 */
export function distance(expected: Value, actual: Value, t: NType): number {
  return distanceOf(expected, actual, t.type);
}

function distanceOf(a: Value, b: Value, t: Type): number {
  if (a === null || b === null) return a === b ? 0 : 1;
  switch (t.tag) {
    case "bool":
      return a === b ? 0 : 1;
    case "int":
    case "flexint":
      if (typeof a === "bigint" && typeof b === "bigint") {
        // 64 and 128 bits: exact, a double would lose the low digits of both operands.
        const d = a - b;
        return Number(d < 0n ? -d : d);
      }
      return Math.abs(Number(a) - Number(b));
    case "float":
      // Both NaN, or the same infinity, are equal values.
      if (a === b || (a !== a && b !== b)) return 0;
      return Math.abs((a as number) - (b as number));
    case "char":
      return Math.abs((a as number) - (b as number));
    case "string": {
      if (a === b) return 0;
      return 1 + Math.abs((a as string).length - (b as string).length);
    }
    case "eth":
    case "ip4":
    case "ip6":
    case "ip":
      return a === b ? 0 : 1;
    case "cidr4":
    case "cidr6":
    case "cidr":
      return compareValues(maskCidr(a as Cidr), maskCidr(b as Cidr)) === 0 ? 0 : 1;
    case "unit":
      return 0;
    case "vector":
    case "list":
      return itemsDistance(a as readonly Value[], b as readonly Value[], () => t.item.type);
    case "tuple":
      return itemsDistance(a as readonly Value[], b as readonly Value[], (i) => t.items[i]!.type);
    case "record":
      return itemsDistance(a as readonly Value[], b as readonly Value[], (i) => t.fields[i]!.type.type);
    case "map":
    case "unknown":
      throw RamenError.of("testCannotCompare", { x: renderValue(a, { type: t, nullable: false }), y: renderValue(b, { type: t, nullable: false }) });
  }
}

function itemsDistance(a: readonly Value[], b: readonly Value[], itemType: (i: number) => Type): number {
  const common = Math.min(a.length, b.length);
  let sum = MISSING_ITEM_DISTANCE * (Math.max(a.length, b.length) - common);
  for (let i = 0; i < common; i++) sum += distanceOf(a[i]!, b[i]!, itemType(i));
  return sum;
}
