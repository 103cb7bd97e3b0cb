// The output fields of a function as `tail`, `replay` and `--where` name them
// on the command line (cli-runtime.md §3.3, §6.5): public fields can be
// named, private ones (`_x`) exist but are refused with their own message.

import { RamenError } from "../../grammar/diagnostics.js";
import type { NType } from "../../grammar/types.js";
import type { Units } from "../../grammar/units.js";

/** A field of a function's output, in output order. */
export interface OutputField {
  readonly name: string;
  readonly type: NType;
  readonly units?: Units;
}

export function isPrivateName(name: string): boolean {
  return name.startsWith("_");
}

/**
 * The position in `fields` (all the output fields, private ones included) of
 * the field named `name`; `Unknown field` listing the public fields, or
 * `Field _x is private`.
 */
export function fieldIndex(fields: readonly OutputField[], name: string): number {
  const index = fields.findIndex((f) => f.name === name);
  if (index >= 0 && isPrivateName(name)) throw RamenError.of("privateOutputField", { field: name });
  if (index < 0) {
    const available = fields.filter((f) => !isPrivateName(f.name)).map((f) => f.name);
    throw RamenError.of("unknownOutputField", { field: name, available: available.join(", ") });
  }
  return index;
}

/** Positions of the printed columns: the listed fields in the order given, else every public field in output order. */
export function selectFields(fields: readonly OutputField[], selected?: readonly string[]): number[] {
  if (selected !== undefined && selected.length > 0) return selected.map((name) => fieldIndex(fields, name));
  const all: number[] = [];
  fields.forEach((f, i) => {
    if (!isPrivateName(f.name)) all.push(i);
  });
  return all;
}
