// What generated code reaches through `rt.lib`: the few run-time helpers it
// calls by name. Generated modules import nothing, so that they load the same
// way from any place (a data: URL, a worker thread, a copy in the state dir).

import { CastFailure, castValue } from "../../stdlib/cast.js";
import { compareValues } from "../../stdlib/compare.js";
import { entryOf } from "../../stdlib/registry.js";
import type { Value } from "../../stdlib/values.js";
import { valueToJson } from "../../compiler/ir.js";
import { columnReaderOf } from "../arrow/reader.js";
import { GroupHeap } from "./group-heap.js";
import { GroupTable } from "./group-table.js";

/**
 * The text of one part of a group key made of several values or of a
 * composite value: distinct values give distinct texts and the parts of a key
 * never run into each other (strings carry their length).
 */
function keyPart(v: Value): string {
  if (v === null) return "N";
  switch (typeof v) {
    case "string":
      return `${v.length}:${v}`;
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof v}${String(v)}`;
  }
  if (v instanceof Map) return JSON.stringify([...v].map(([k, x]) => [keyPart(k), keyPart(x)]));
  return JSON.stringify(valueToJson(v));
}

/** An event time field's value in seconds (integers of any width); NaN for NULL. */
function toSeconds(v: Value): number {
  return v === null ? NaN : Number(v);
}

/** Deletes the maps left empty in a tree of nested group maps (the leaves are group numbers). */
function sweepEmptyMaps(map: Map<unknown, unknown>): void {
  for (const [key, inner] of map) {
    if (!(inner instanceof Map)) return;
    sweepEmptyMaps(inner);
    if (inner.size === 0) map.delete(key);
  }
}

export const RUNTIME_LIB = {
  sweepEmptyMaps,
  toSeconds,
  entryOf,
  castValue,
  CastFailure,
  columnReaderOf,
  keyPart,
  compareValues,
  GroupHeap,
  GroupTable,
} as const;

export type RuntimeLib = typeof RUNTIME_LIB;
