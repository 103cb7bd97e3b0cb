// The record-batch message written and read by runtime/arrow/batch-message.ts
// (through ipc.ts): readable by apache-arrow's own reader, able to read
// apache-arrow's messages, used for every RaQL type (no silent fallback), and
// projecting columns without a projected batch.

import fc from "fast-check";
import { RecordBatch, RecordBatchStreamWriter, tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../grammar/diagnostics.js";
import type { NType } from "../../grammar/types.js";
import type { Value } from "../../stdlib/values.js";
import { encodeBody } from "../../runtime/arrow/batch-message.js";
import { batchesOfRows } from "../../runtime/arrow/builder.js";
import { batchOfRows, rowsOfBatch } from "../../runtime/arrow/columns.js";
import { decodeBatch, decodeColumns, decodeStream, encodeBatch, encodeSchema, encodeStream, encodedBatch } from "../../runtime/arrow/ipc.js";
import { arrowSchemaOf } from "../../runtime/arrow/schema.js";
import { arbNType, arbValue } from "../stdlib/arbitraries.js";

const arbTable = fc.array(arbNType, { minLength: 1, maxLength: 4 }).chain((types) => {
  const fields = types.map((type: NType, i) => ({ name: `f${i}`, type }));
  const row = fc.tuple(...types.map((t) => arbValue(t, { anyFiniteFloat: true })));
  return fc.tuple(fc.constant(fields), fc.array(row, { minLength: 0, maxLength: 12 }));
});

/** The rows of a batch as apache-arrow decodes the stream of its schema and this one message. */
function rowsReadByArrow(schemaMessage: Uint8Array, batchMessage: Uint8Array): Value[][] {
  const table = tableFromIPC(Buffer.concat([schemaMessage, batchMessage]));
  expect(table.batches).toHaveLength(1);
  return rowsOfBatch(table.batches[0]!);
}

describe("record batch messages", () => {
  it("lay out every RaQL type themselves, from both batch builders", () => {
    fc.assert(
      fc.property(arbTable, ([fields, rows]) => {
        const schema = arrowSchemaOf(fields);
        expect(encodeBody(batchOfRows(fields, rows, schema).data.children)).toBeDefined();
        for (const batch of batchesOfRows(fields, rows)) expect(encodeBody(batch.data.children)).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it("are read by apache-arrow's reader, value for value", () => {
    fc.assert(
      fc.property(arbTable, ([fields, rows]) => {
        const schema = arrowSchemaOf(fields);
        expect(rowsReadByArrow(encodeSchema(schema), encodeBatch(batchOfRows(fields, rows, schema)))).toStrictEqual(rows);
      }),
      { numRuns: 200 },
    );
  });

  it("read what apache-arrow's writer wrote", () => {
    fc.assert(
      fc.property(arbTable, ([fields, rows]) => {
        const schema = arrowSchemaOf(fields);
        const written = RecordBatchStreamWriter.writeAll([batchOfRows(fields, rows, schema)]).toUint8Array(true);
        const decoded = decodeStream(written);
        expect(decoded.complete).toBe(true);
        expect(decoded.batches.map(rowsOfBatch)).toStrictEqual([rows]);
      }),
      { numRuns: 200 },
    );
  });

  it("carry only the columns asked for, in the order asked", () => {
    fc.assert(
      fc.property(
        arbTable.chain(([fields, rows]) =>
          fc.tuple(fc.constant(fields), fc.constant(rows), fc.shuffledSubarray(fields.map((_, i) => i), { minLength: 1 })),
        ),
        ([fields, rows, columns]) => {
          const projectedFields = columns.map((c) => fields[c]!);
          const projectedSchema = arrowSchemaOf(projectedFields);
          const message = encodedBatch(batchOfRows(fields, rows), columns);
          const bytes = new Uint8Array(message.byteLength);
          message.writeInto(bytes, 0);
          const expected = rows.map((r) => columns.map((c) => r[c]!));
          expect(rowsReadByArrow(encodeSchema(projectedSchema), bytes)).toStrictEqual(expected);
          const columnsOnly = decodeColumns(bytes, projectedSchema);
          expect(rowsOfBatch(new RecordBatch(projectedSchema, columnsOnly.data))).toStrictEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("leave sliced batches to apache-arrow's encoder, which rebases them", () => {
    const fields = [
      { name: "n", type: { type: { tag: "int", signed: false, width: 32 }, nullable: true } as NType },
      { name: "s", type: { type: { tag: "string" }, nullable: false } as NType },
    ];
    const rows: Value[][] = [
      [1, "a"],
      [null, "bb"],
      [3, "ccc"],
      [4, "dddd"],
    ];
    const batch = batchOfRows(fields, rows);
    const sliced = batch.slice(1, 3);
    expect(encodeBody(sliced.data.children)).toBeUndefined();
    expect(rowsOfBatch(decodeBatch(encodeBatch(sliced), batch.schema))).toStrictEqual(rows.slice(1, 3));
  });

  it("stop with a clear error on another kind of message or a corrupted one", () => {
    const fields = [{ name: "n", type: { type: { tag: "float" }, nullable: false } as NType }];
    const schema = arrowSchemaOf(fields);
    const error = (bytes: Uint8Array) => {
      try {
        decodeBatch(bytes, schema);
      } catch (e) {
        expect(e).toBeInstanceOf(RamenError);
        return (e as RamenError).message;
      }
      throw new Error("decoded");
    };
    expect(error(encodeSchema(schema))).toContain("expected a record batch, got message type Schema");
    const message = encodeBatch(batchOfRows(fields, [[1.5]], schema));
    const corrupted = message.slice();
    // the root offset of the metadata, pointing far outside it
    new DataView(corrupted.buffer).setUint32(8, 0x7fff0000, true);
    expect(error(corrupted)).toContain("out of bounds");
    expect(decodeStream(encodeStream(schema, [])).batches).toStrictEqual([]);
  });
});
