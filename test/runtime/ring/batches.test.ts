// Arrow record batches through a ring: every RaQL type comes back exactly,
// zero-column batches keep their row count, and a batch read from the ring
// stays valid after its record is released and overwritten.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NType, T, notNull, nullable } from "../../../grammar/types.js";
import type { Value } from "../../../stdlib/values.js";
import { batchesOfRows } from "../../../runtime/arrow/builder.js";
import { BatchReader } from "../../../runtime/arrow/reader.js";
import { arrowSchemaOf, type RaqlField } from "../../../runtime/arrow/schema.js";
import { readBatch, writeBatch, writeBatchAsync } from "../../../runtime/ring/batches.js";
import { MessageKind, RingReader, RingWriter, createRing } from "../../../runtime/ring/ring.js";
import { arbNType, arbValue } from "../../stdlib/arbitraries.js";

const field = (name: string, type: NType): RaqlField => ({ name, type });

function rowsOf(reader: BatchReader): Value[][] {
  return Array.from({ length: reader.numRows }, (_, i) => reader.row(i));
}

const FIELDS: RaqlField[] = [
  field("n", notNull(T.u8)),
  field("big", nullable(T.i64)),
  field("x", notNull(T.float)),
  field("name", nullable(T.string)),
  field("ok", notNull(T.bool)),
  field("host", notNull(T.ip)),
  field("sizes", notNull(T.list(notNull(T.u32)))),
  field("pair", nullable(T.tuple([notNull(T.u16), nullable(T.string)]))),
];

function row(i: number): Value[] {
  return [
    i % 256,
    i % 3 === 0 ? null : BigInt(i) * -1234567890123n,
    i / 7,
    i % 5 === 0 ? null : `host-${i}`,
    i % 2 === 0,
    i % 4 === 0 ? 0x0a000000 + i : BigInt(i) << 64n,
    Array.from({ length: i % 4 }, (_, k) => i * 10 + k),
    i % 6 === 0 ? null : [i % 65536, i % 3 === 1 ? null : "p"],
  ];
}

describe("record batches through a ring", () => {
  it("come back with the same rows and channel, batch after batch, across wrap-arounds", () => {
    const rows = Array.from({ length: 2500 }, (_, i) => row(i));
    const batches = batchesOfRows(FIELDS, rows, { maxRows: 100 });
    const schema = arrowSchemaOf(FIELDS);
    const sab = createRing(16 * 1024);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    const back: Value[][] = [];
    let written = 0;
    let bytes = 0;
    // Write until full, then read everything, so that the ring fills and wraps several times.
    while (back.length < rows.length) {
      while (written < batches.length && writeBatch(writer, written % 3, batches[written]!, { timeoutMs: 0 })) written++;
      for (let m = reader.peek(); m !== undefined; m = reader.peek()) {
        expect(m.channel).toBe((back.length / 100) % 3);
        bytes += m.payload.byteLength;
        back.push(...rowsOf(new BatchReader(readBatch(m, schema), FIELDS)));
        reader.release();
      }
    }
    expect(bytes).toBeGreaterThan(3 * 16 * 1024);
    expect(back).toStrictEqual(rows);
  });

  it("keep the row count of batches without columns", async () => {
    const batches = batchesOfRows([], [[], [], []], {});
    expect(batches[0]!.numRows).toBe(3);
    const sab = createRing(1024);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    expect(await writeBatchAsync(writer, 9, batches[0]!)).toBe(true);
    const m = reader.peek()!;
    expect(m.channel).toBe(9);
    const batch = readBatch(m, arrowSchemaOf([]));
    reader.release();
    expect(batch.numRows).toBe(3);
    expect(batch.numCols).toBe(0);
  });

  it("stay valid once their record is released and overwritten", () => {
    const fields = [field("v", notNull(T.u32)), field("s", notNull(T.string))];
    const schema = arrowSchemaOf(fields);
    const sab = createRing(4096);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    writeBatch(writer, 0, batchesOfRows(fields, [[1, "one"], [2, "two"]])[0]!);
    const kept = new BatchReader(readBatch(reader.peek()!, schema), fields);
    reader.release();
    // The same bytes of the ring now hold other batches.
    for (let i = 0; i < 40; i++) {
      writeBatch(writer, 0, batchesOfRows(fields, [[1000 + i, "xxxxxxxxxxxxxxx"]])[0]!);
      reader.peek();
      reader.release();
    }
    expect(rowsOf(kept)).toStrictEqual([[1, "one"], [2, "two"]]);
  });

  it("refuse a message of another kind", () => {
    const sab = createRing(1024);
    new RingWriter(sab).tryWrite(1, MessageKind.endOfReplay, [new Uint8Array(8)]);
    expect(() => readBatch(new RingReader(sab).peek()!, arrowSchemaOf([]))).toThrow(/readBatch of a message of kind 1/);
  });

  it("carry any RaQL type exactly", () => {
    const arbTable = fc.array(arbNType, { minLength: 1, maxLength: 4 }).chain((types) => {
      const fields = types.map((t, i) => field(`f${i}`, t));
      return fc.tuple(fc.constant(fields), fc.array(fc.tuple(...types.map((t) => arbValue(t))), { minLength: 1, maxLength: 12 }));
    });
    const sab = createRing(1 << 20);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    fc.assert(
      fc.property(arbTable, fc.integer({ min: 0, max: 65535 }), ([fields, rows], channel) => {
        const [batch] = batchesOfRows(fields, rows);
        expect(writeBatch(writer, channel, batch!, { timeoutMs: 0 })).toBe(true);
        const m = reader.peek()!;
        expect(m.channel).toBe(channel);
        const back = rowsOf(new BatchReader(readBatch(m, batch!.schema), fields));
        reader.release();
        expect(back).toStrictEqual(rows);
      }),
      { numRuns: 200 },
    );
  });
});
