// Rows for the archive writer/reader tests, each a function of its sequence
// number alone, so that the rows expected from any read are computed here
// independently of what the writer and reader do.

import { RecordBatch } from "apache-arrow";
import { T, notNull, nullable } from "../../../grammar/types.js";
import { BatchBuilder } from "../../../runtime/arrow/builder.js";
import { arrowSchemaOf } from "../../../runtime/arrow/schema.js";
import type { Value } from "../../../stdlib/values.js";

/** The output fields of the archived function (without `#start`/`#stop`). */
export const FIELDS = [
  { name: "n", type: notNull(T.u32) },
  { name: "x", type: notNull(T.float) },
  { name: "label", type: nullable(T.string) },
];

export const OUTPUT_SCHEMA = arrowSchemaOf(FIELDS);

/** Values of row `seq`: n, x, label, #start, #stop. Times are not monotonic: rows come back in write order anyway. */
export function rowOf(seq: number): Value[] {
  const start = 1000 + seq * 0.25 + ((seq * 7) % 5) * 0.1;
  const stop = start + (seq % 3);
  return [seq, seq / 8, seq % 4 === 0 ? null : `r${seq}`, start, stop];
}

/** A producer of batches as a function's runner builds them. */
export class Producer {
  readonly builder = new BatchBuilder(FIELDS, { withTimeColumns: true });

  get schema() {
    return this.builder.schema;
  }

  /** Rows first … first+count-1. */
  batch(first: number, count: number): RecordBatch {
    for (let seq = first; seq < first + count; seq++) this.builder.appendRow(rowOf(seq));
    return this.builder.flush();
  }
}

/** §6.1: [start, stop] belongs to [since, until) when stop ≥ since and start < until. */
export function inRange(seq: number, since: number, until: number): boolean {
  const row = rowOf(seq);
  return (row[4] as number) >= since && (row[3] as number) < until;
}
