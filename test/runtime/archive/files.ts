// Archive files built for the tests with runtime/arrow, independently of the
// code under test: rows are (n: u32, #start, #stop).

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordBatch, Schema } from "apache-arrow";
import { T, notNull } from "../../../grammar/types.js";
import { batchOfRows } from "../../../runtime/arrow/columns.js";
import { FILE_HEADER, encodeBatch, encodeFile, encodeSchema } from "../../../runtime/arrow/ipc.js";
import { arrowSchemaOf } from "../../../runtime/arrow/schema.js";

export type Row = readonly [n: number, start: number, stop: number];

const FIELDS = [
  { name: "n", type: notNull(T.u32) },
  { name: "#start", type: notNull(T.float) },
  { name: "#stop", type: notNull(T.float) },
];

export function fileSchema(firstSeq: bigint): Schema {
  return arrowSchemaOf(FIELDS, new Map([["ramen.format", "1"], ["ramen.first_seq", String(firstSeq)], ["ramen.time", "event"]]));
}

export function batchOf(schema: Schema, rows: readonly Row[]): RecordBatch {
  return batchOfRows(FIELDS, rows, schema);
}

/** A current.arrow as a writer leaves it: file header, schema, batch messages, no footer. */
export function unsealedFile(firstSeq: bigint, batches: readonly (readonly Row[])[]): Uint8Array {
  const schema = fileSchema(firstSeq);
  return Buffer.concat([FILE_HEADER, encodeSchema(schema), ...batches.map((rows) => encodeBatch(batchOf(schema, rows)))]);
}

export function sealedFile(firstSeq: bigint, batches: readonly (readonly Row[])[]): Uint8Array {
  const schema = fileSchema(firstSeq);
  return encodeFile(schema, batches.map((rows) => batchOf(schema, rows)));
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "ramen-archive-"));
}

export function writeFile(path: string, bytes: Uint8Array | string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, bytes);
}

/** Rows n = from … from+count-1 at times t0, t0+1, … (point events). */
export function rowsFrom(from: number, count: number, t0: number): Row[] {
  return Array.from({ length: count }, (_, i) => [from + i, t0 + i, t0 + i] as const);
}
