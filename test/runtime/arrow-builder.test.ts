import fc from "fast-check";
import { RecordBatch, tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { NType, T, notNull, nullable } from "../../grammar/types.js";
import type { Value } from "../../stdlib/values.js";
import { BATCH_MAX_ROWS, BatchBuilder, START_FIELD, STOP_FIELD, batchesOfRows } from "../../runtime/arrow/builder.js";
import { BatchReader } from "../../runtime/arrow/reader.js";
import { decodeBatch, encodeBatch, encodeStream } from "../../runtime/arrow/ipc.js";
import { RaqlField } from "../../runtime/arrow/schema.js";
import { arbNType, arbValue } from "../stdlib/arbitraries.js";

const field = (name: string, type: NType): RaqlField => ({ name, type });

/** Rows of every batch, read column by column through BatchReader. */
function readRows(batches: readonly RecordBatch[]): Value[][] {
  return batches.flatMap((b) => {
    const reader = new BatchReader(b);
    return Array.from({ length: reader.numRows }, (_, i) => reader.row(i));
  });
}

const throughIpc = (batch: RecordBatch): RecordBatch => decodeBatch(encodeBatch(batch), batch.schema);

/** Checks every accessor of every column of `batch` against the rows it must hold. */
function expectColumnsHold(batch: RecordBatch, rows: readonly (readonly Value[])[]): void {
  const reader = new BatchReader(batch);
  expect(reader.numRows).toBe(rows.length);
  reader.fields.forEach((_f, c) => {
    const column = reader.column(c);
    rows.forEach((row, i) => {
      const expected = row[c]!;
      expect(column.isNull(i)).toBe(expected === null);
      expect(column.get(i)).toEqual(expected);
      if (column.kind !== "other" && expected !== null) expect(column.values[i]).toBe(expected);
    });
  });
}

const arbFieldsAndRows = fc
  .array(arbNType, { minLength: 1, maxLength: 4 })
  .chain((types) =>
    fc.tuple(
      fc.constant(types.map((t, c) => field(`f${c}`, t))),
      fc.array(fc.tuple(...types.map((t) => arbValue(t))), { maxLength: 30 }),
    ),
  );

describe("BatchBuilder → flush → BatchReader", () => {
  it("gives back the rows of every type, batch by batch, directly and through IPC", () => {
    fc.assert(
      fc.property(arbFieldsAndRows, fc.integer({ min: 1, max: 8 }), ([fields, rows], maxRows) => {
        const batches = batchesOfRows(fields, rows, { maxRows });
        expect(batches.map((b) => b.numRows)).toStrictEqual(
          Array.from({ length: Math.ceil(rows.length / maxRows) }, (_, k) => Math.min(maxRows, rows.length - k * maxRows)),
        );
        expect(readRows(batches)).toEqual(rows);
        const decoded = batches.map(throughIpc);
        expect(readRows(decoded)).toEqual(rows);
        decoded.forEach((b, k) => expectColumnsHold(b, rows.slice(k * maxRows, (k + 1) * maxRows)));
      }),
      { numRuns: 300 },
    );
  });

  it("reads sliced batches (Arrow offset ≠ 0) at the rows of the slice", () => {
    fc.assert(
      fc.property(arbFieldsAndRows, fc.nat(), fc.nat(), ([fields, rows], a, b) => {
        const [begin, end] = [a % (rows.length + 1), b % (rows.length + 1)].sort((x, y) => x - y) as [number, number];
        const [batch] = batchesOfRows(fields, rows, { maxRows: Math.max(1, rows.length) });
        if (batch === undefined) return;
        expectColumnsHold(batch.slice(begin, end), rows.slice(begin, end));
        expectColumnsHold(throughIpc(batch).slice(begin, end), rows.slice(begin, end));
      }),
      { numRuns: 300 },
    );
  });

  it("reads a slice starting inside a byte of the validity and bool bitmaps", () => {
    const fields = [field("n", nullable(T.u16)), field("b", nullable(T.bool)), field("s", nullable(T.string)), field("e", nullable(T.eth))];
    const rows: Value[][] = Array.from({ length: 21 }, (_, i) =>
      i % 3 === 0 ? [null, null, null, null] : [i * 1000, i % 2 === 0, "x".repeat(i), 2 ** 47 + i],
    );
    const [batch] = batchesOfRows(fields, rows);
    expectColumnsHold(batch!.slice(5, 19), rows.slice(5, 19));
  });
});

describe("cutting batches", () => {
  it(`endRow says the batch is full at ${BATCH_MAX_ROWS} rows`, () => {
    const builder = new BatchBuilder([field("x", notNull(T.u32))]);
    const [appendX] = builder.appenders;
    const fullAt: number[] = [];
    for (let i = 1; i <= 2 * BATCH_MAX_ROWS; i++) {
      appendX!(i);
      if (builder.endRow()) {
        fullAt.push(i);
        const batch = builder.flush();
        expect(batch.numRows).toBe(BATCH_MAX_ROWS);
        expect(builder.rowCount).toBe(0);
        expect(new BatchReader(batch).column(0).get(0)).toBe(i - BATCH_MAX_ROWS + 1);
      }
    }
    expect(fullAt).toStrictEqual([BATCH_MAX_ROWS, 2 * BATCH_MAX_ROWS]);
  });

  it("cuts 2500 rows into 1024 + 1024 + 452", () => {
    const rows = Array.from({ length: 2500 }, (_, i) => [i, `r${i}`]);
    const batches = batchesOfRows([field("i", notNull(T.u16)), field("s", notNull(T.string))], rows);
    expect(batches.map((b) => b.numRows)).toStrictEqual([1024, 1024, 452]);
    expect(readRows(batches)).toEqual(rows);
  });

  it("grows its buffers when more rows than maxRows are appended before a flush, and strings longer than the guess", () => {
    const fields = [
      field("f", nullable(T.float)),
      field("b", notNull(T.bool)),
      field("s", nullable(T.string)),
      field("e", notNull(T.eth)),
      field("w", nullable(T.i64)),
      field("v", notNull(T.vector(2, notNull(T.u8)))),
    ];
    const rows: Value[][] = Array.from({ length: 50 }, (_, i) => [
      i % 4 === 0 ? null : i / 8,
      i % 3 === 0,
      i % 5 === 0 ? null : String.fromCharCode(200 + (i % 50)).repeat(40 + i),
      2 ** 48 - 1 - i,
      i % 7 === 0 ? null : -(2n ** 62n) + BigInt(i),
      [i, 255 - i],
    ]);
    const builder = new BatchBuilder(fields, { maxRows: 4 });
    for (const row of rows) builder.appendRow(row);
    expect(builder.rowCount).toBe(50);
    expectColumnsHold(throughIpc(builder.flush()), rows);
  });

  it("starts fresh buffers at each flush: a flushed batch keeps its values", () => {
    const builder = new BatchBuilder([field("x", nullable(T.float)), field("s", notNull(T.string))]);
    builder.appendRow([1.5, "first"]);
    const first = builder.flush();
    builder.appendRow([null, "second"]);
    const second = builder.flush();
    expect(readRows([first])).toEqual([[1.5, "first"]]);
    expect(readRows([second])).toEqual([[null, "second"]]);
    expect(builder.flush().numRows).toBe(0);
  });
});

describe("columns as other Arrow readers see them", () => {
  it("adds the non-null float64 columns #start and #stop after the fields", () => {
    const builder = new BatchBuilder([field("x", nullable(T.u8))], { withTimeColumns: true, metadata: new Map([["ramen.format", "1"]]) });
    expect(builder.fields).toStrictEqual([field("x", nullable(T.u8)), START_FIELD, STOP_FIELD]);
    builder.appendRow([7, 10.25, 11.5]);
    builder.appendRow([null, 12, 12]);
    const batch = builder.flush();
    expect(batch.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toStrictEqual([
      ["x", "Uint8", true],
      ["#start", "Float64", false],
      ["#stop", "Float64", false],
    ]);
    expect(batch.schema.metadata.get("ramen.format")).toBe("1");
    const table = tableFromIPC(encodeStream(batch.schema, [batch]));
    expect(table.getChild("x")!.toArray()).toStrictEqual(new Uint8Array([7, 0]));
    expect(table.getChild("x")!.get(1)).toBeNull();
    expect(Array.from(table.getChild("#start")!)).toStrictEqual([10.25, 12]);
    expect(Array.from(table.getChild("#stop")!)).toStrictEqual([11.5, 12]);
  });

  it("writes strings as their bytes, bools as bits and validity as bits, as apache-arrow reads them", () => {
    const rows: Value[][] = [
      ["\xe9t\xe9", true, 3],
      [null, false, null],
      ["", null, 70000],
    ];
    const [batch] = batchesOfRows([field("s", nullable(T.string)), field("b", nullable(T.bool)), field("u", nullable(T.u32))], rows);
    const table = tableFromIPC(encodeStream(batch!.schema, [batch!]));
    expect(table.getChild("s")!.get(0)).toStrictEqual(new Uint8Array([0xe9, 0x74, 0xe9]));
    expect(table.getChild("s")!.get(1)).toBeNull();
    expect(table.getChild("s")!.get(2)).toStrictEqual(new Uint8Array([]));
    expect([0, 1, 2].map((i) => table.getChild("b")!.get(i))).toStrictEqual([true, false, null]);
    expect([0, 1, 2].map((i) => table.getChild("u")!.get(i))).toStrictEqual([3, null, 70000]);
  });

  it("refuses a NULL in a non-nullable column of any layout", () => {
    for (const t of [T.u32, T.i64, T.eth, T.bool, T.string, T.ip6, T.list(notNull(T.u8))]) {
      const builder = new BatchBuilder([field("x", notNull(t))]);
      expect(() => builder.appendRow([null])).toThrow(/NULL appended/);
    }
  });
});
