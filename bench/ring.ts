// Links (runtime/ring): messages through an 8 MiB ring from a worker thread
// (blocking writes) to the main thread (blocking waits, each payload's bytes
// read), next to the same bytes copied within one thread into a buffer of
// the same size. The cost of readBatch's copy: decoding a 1,024-row batch
// from a private copy of the ring's bytes vs from the ring in place. And the
// record-batch messages of runtime/arrow/batch-message.ts, encoded and
// decoded, next to apache-arrow's own classes for one message
// (VectorAssembler and Message to encode, Message and VectorLoader to
// decode: what ipc.ts used before). Figures are for reading, never asserted.

import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { T, notNull } from "../grammar/types.js";
import { BATCH_MAX_ROWS, batchesOfRows } from "../runtime/arrow/builder.js";
import { Message, RecordBatch, Struct, makeData } from "apache-arrow";
import { RecordBatch as RecordBatchHeader } from "apache-arrow/ipc/metadata/message";
import { VectorAssembler } from "apache-arrow/visitor/vectorassembler";
import { VectorLoader } from "apache-arrow/visitor/vectorloader";
import { decodeBatch, decodeColumns, encodeBatch, encodedBatch } from "../runtime/arrow/ipc.js";
import { BatchReader } from "../runtime/arrow/reader.js";
import { DEFAULT_RING_CAPACITY, RING_HEADER_BYTES, RingReader, createRing } from "../runtime/ring/ring.js";

export interface RingBenchResult {
  readonly name: string;
  readonly messagesPerSec: number;
  readonly megabytesPerSec: number;
  readonly baselineMessagesPerSec: number;
  readonly baselineMegabytesPerSec: number;
}

export interface ReadBatchBenchResult {
  readonly name: string;
  /** microseconds per batch */
  readonly inPlaceUs: number;
  readonly copiedUs: number;
}

const BYTES_PER_CASE = 128 * 1024 * 1024;
const RUNS = 3;

// The worker writes `count` messages of `size` bytes, then closes the ring.
const WRITER = `
  const { workerData } = require("node:worker_threads");
  import(workerData.ringUrl).then(({ RingWriter }) => {
    const writer = new RingWriter(workerData.sab);
    const parts = [new Uint8Array(workerData.size).fill(7)];
    for (let i = 0; i < workerData.count; i++) writer.write(0, 0, parts);
    writer.close();
  });`;

/** Seconds to receive `count` messages of `size` bytes from a worker, and the sum of their bytes. */
async function throughRing(size: number, count: number): Promise<number> {
  const sab = createRing(DEFAULT_RING_CAPACITY);
  const reader = new RingReader(sab);
  const ringUrl = new URL("../runtime/ring/ring.js", import.meta.url).href;
  const worker = new Worker(WRITER, { eval: true, workerData: { sab, size, count, ringUrl } });
  const exited = new Promise((resolve, reject) => worker.once("exit", resolve).once("error", reject));
  // Wait for the first message so that worker start-up is not timed.
  if (reader.wait(10_000) !== "ready") throw new Error("the writer did not start");
  const start = performance.now();
  let received = 0;
  let sum = 0;
  for (;;) {
    const m = reader.peek();
    if (m === undefined) {
      if (reader.wait(10_000) === "closed") break;
      continue;
    }
    const payload = m.payload;
    for (let i = 0; i < payload.length; i += 64) sum += payload[i]!;
    received++;
    reader.release();
  }
  const seconds = (performance.now() - start) / 1000;
  await exited;
  if (received !== count || sum !== 7 * count * Math.ceil(size / 64)) throw new Error(`received ${received} of ${count} messages`);
  return seconds;
}

/** Seconds to copy `count` messages of `size` bytes into a ring-sized buffer in one thread, reading them as the reader does. */
function copyInThread(size: number, count: number): number {
  const target = new Uint8Array(DEFAULT_RING_CAPACITY);
  const source = new Uint8Array(size).fill(7);
  const start = performance.now();
  let at = 0;
  let sum = 0;
  for (let n = 0; n < count; n++) {
    if (at + size > target.length) at = 0;
    target.set(source, at);
    const payload = target.subarray(at, at + size);
    for (let i = 0; i < payload.length; i += 64) sum += payload[i]!;
    at += (size + 15) & ~7;
  }
  const seconds = (performance.now() - start) / 1000;
  if (sum !== 7 * count * Math.ceil(size / 64)) throw new Error("copy lost bytes");
  return seconds;
}

export async function benchRing(): Promise<RingBenchResult[]> {
  const results: RingBenchResult[] = [];
  for (const size of [64, 1024, 24 * 1024]) {
    const count = Math.min(2_000_000, Math.floor(BYTES_PER_CASE / size));
    let ring = Infinity;
    let copy = Infinity;
    for (let run = 0; run < RUNS; run++) {
      ring = Math.min(ring, await throughRing(size, count));
      copy = Math.min(copy, copyInThread(size, count));
    }
    results.push({
      name: `${size} B messages`,
      messagesPerSec: count / ring,
      megabytesPerSec: (count * size) / ring / 1e6,
      baselineMessagesPerSec: count / copy,
      baselineMegabytesPerSec: (count * size) / copy / 1e6,
    });
  }
  return results;
}

const FIELDS = [
  { name: "id", type: notNull(T.u32) },
  { name: "delta", type: notNull(T.i16) },
  { name: "temperature", type: notNull(T.float) },
  { name: "pressure", type: notNull(T.float) },
  { name: "sensor", type: notNull(T.u8) },
];

/** Microseconds per call of `inPlace` and `copied`: the best of 2·RUNS runs of `batches` calls each, alternated (the machine is shared). */
function microsPerBatch(batches: number, inPlace: () => void, copied: () => void): { inPlaceUs: number; copiedUs: number } {
  const best = [Infinity, Infinity];
  for (let run = 0; run < 2 * RUNS; run++) {
    [inPlace, copied].forEach((f, k) => {
      const start = performance.now();
      for (let i = 0; i < batches; i++) f();
      best[k] = Math.min(best[k]!, performance.now() - start);
    });
  }
  return { inPlaceUs: (best[0]! * 1000) / batches, copiedUs: (best[1]! * 1000) / batches };
}

/** What readBatch's copy costs next to decoding in place, alone and followed by one pass over every column. */
export function benchReadBatch(): ReadBatchBenchResult[] {
  const rows = Array.from({ length: BATCH_MAX_ROWS }, (_, i) => [i, (i % 200) - 100, i / 3, i * 1.5, i % 256]);
  const batch = batchesOfRows(FIELDS, rows)[0]!;
  const encoded = encodeBatch(batch);
  const ring = new Uint8Array(createRing(1 << 20), RING_HEADER_BYTES, encoded.byteLength);
  ring.set(encoded);
  let sink = 0;
  const decodeOnly = (bytes: () => Uint8Array) => () => {
    sink += decodeBatch(bytes(), batch.schema).numRows;
  };
  const decodeAndSum = (bytes: () => Uint8Array) => () => {
    const reader = new BatchReader(decodeBatch(bytes(), batch.schema), FIELDS);
    for (let c = 0; c < FIELDS.length; c++) {
      const column = reader.column(c);
      if (column.kind !== "number") throw new Error(`column ${c} is not a number column`);
      for (let i = 0; i < reader.numRows; i++) sink += column.values[i]!;
    }
  };
  const inPlace = () => ring;
  const copied = () => ring.slice();
  const batches = 5_000;
  const results = [
    { name: `decode (${(encoded.byteLength / 1024).toFixed(1)} KiB)`, ...microsPerBatch(batches, decodeOnly(inPlace), decodeOnly(copied)) },
    { name: "decode + sum every column", ...microsPerBatch(batches, decodeAndSum(inPlace), decodeAndSum(copied)) },
  ];
  if (sink === 0) throw new Error("nothing decoded");
  return results;
}

export interface BatchCodecBenchResult {
  readonly name: string;
  /** microseconds per batch */
  readonly oursUs: number;
  readonly arrowUs: number;
}

/** A message encoded by apache-arrow's classes, into `target` (the baseline of encoding). */
function arrowEncode(batch: RecordBatch, target: Uint8Array): number {
  const assembled = VectorAssembler.assemble(batch);
  const header = new RecordBatchHeader(batch.numRows, assembled.nodes, assembled.bufferRegions, null);
  const metadata = Message.encode(Message.from(header, assembled.byteLength));
  const bodyAt = 8 + ((metadata.byteLength + 7) & ~7);
  target.set(metadata, 8);
  assembled.buffers.forEach((b, j) => target.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), bodyAt + assembled.bufferRegions[j]!.offset));
  return bodyAt + assembled.byteLength;
}

/** A message decoded by apache-arrow's classes (the baseline of decoding). */
function arrowDecode(bytes: Uint8Array, batch: RecordBatch): RecordBatch {
  const metadataLength = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getInt32(0, true);
  const message = Message.decode(bytes.subarray(8, 8 + metadataLength));
  const header = message.header() as RecordBatchHeader;
  const body = bytes.subarray(8 + metadataLength, 8 + metadataLength + message.bodyLength);
  const children = new VectorLoader(body, header.nodes, header.buffers, new Map()).visitMany(batch.schema.fields);
  return new RecordBatch(batch.schema, makeData({ type: new Struct(batch.schema.fields), length: header.length, nullCount: 0, children }));
}

/**
 * One 1,024-row batch of 5 numeric columns: encoding into a ring-sized
 * buffer, decoding to a RecordBatch, and decoding to the columns a function
 * reads (decodeColumns, what workers do), each next to apache-arrow's.
 */
export function benchBatchCodec(): BatchCodecBenchResult[] {
  const rows = Array.from({ length: BATCH_MAX_ROWS }, (_, i) => [i, (i % 200) - 100, i / 3, i * 1.5, i % 256]);
  const batch = batchesOfRows(FIELDS, rows)[0]!;
  const bytes = encodeBatch(batch);
  const target = new Uint8Array(1 << 20);
  let sink = 0;
  const batches = 20_000;
  const encode = microsPerBatch(
    batches,
    () => {
      const message = encodedBatch(batch);
      message.writeInto(target, 0);
      sink += message.byteLength;
    },
    () => (sink += arrowEncode(batch, target)),
  );
  const decode = microsPerBatch(
    batches,
    () => (sink += decodeBatch(bytes, batch.schema).numRows),
    () => (sink += arrowDecode(bytes, batch).numRows),
  );
  const columns = microsPerBatch(
    batches,
    () => (sink += decodeColumns(bytes, batch.schema).numRows),
    () => (sink += arrowDecode(bytes, batch).numRows),
  );
  if (sink === 0) throw new Error("nothing encoded");
  const result = (name: string, r: { inPlaceUs: number; copiedUs: number }) => ({ name, oursUs: r.inPlaceUs, arrowUs: r.copiedUs });
  return [result("encode", encode), result("decode to a RecordBatch", decode), result("decode to columns (workers)", columns)];
}
