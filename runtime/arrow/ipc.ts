// Record batches as Arrow IPC messages, one at a time, for the two carriers
// of tuples: ring buffers (a writer thread copies message bytes into a
// SharedArrayBuffer, a reader thread decodes them in place) and archive
// files (a plain Arrow IPC stream after the file magic, sealed with the
// file footer: archival.md §2.2).
//
// apache-arrow's public writers (RecordBatchStreamWriter/FileWriter) only
// write whole streams into their own byte queue: the schema message is
// emitted with the first batch, and the bytes of one batch are not exposed
// on their own. The classes they are built on are public modules of the
// package, though: Message encodes/decodes schema messages, Footer the file
// footer, VectorAssembler lays out batches batch-message.ts leaves. Batches
// are laid out and read by batch-message.ts (faster, see there). This file
// frames messages as the IPC format specifies: 0xFFFFFFFF, int32 metadata
// length (padded so that the body starts 8-aligned), metadata, body.
//
// Every message is a multiple of 8 bytes long. decodeBatch does not copy:
// the Data it returns are views of the bytes given (keep them 8-aligned, and
// do not overwrite them while the batch is in use).

import { Data, Message, MessageHeader, MetadataVersion, RecordBatch, Schema, Struct } from "apache-arrow";
import { RecordBatch as RecordBatchHeader } from "apache-arrow/ipc/metadata/message";
import { FileBlock, Footer } from "apache-arrow/ipc/metadata/file";
import { VectorAssembler } from "apache-arrow/visitor/vectorassembler";
import { encodeBody, loadColumns, messageBodyLength, messageCustomMetadata, metadataLength, readBatchMetadata, writeBody, writeMetadata } from "./batch-message.js";
import { RamenError } from "../../grammar/diagnostics.js";

const CONTINUATION = -1;
const PREFIX_SIZE = 8;

/** The end-of-stream marker: a continuation and a zero metadata length. */
export const END_OF_STREAM: Uint8Array = new Uint8Array(Int32Array.of(CONTINUATION, 0).buffer);

/** "ARROW1" and 2 bytes of padding: the first 8 bytes of an Arrow IPC file. */
export const FILE_HEADER: Uint8Array = new Uint8Array([0x41, 0x52, 0x52, 0x4f, 0x57, 0x31, 0, 0]);
const MAGIC = FILE_HEADER.subarray(0, 6);

function unreadable(reason: string): RamenError {
  return RamenError.of("arrowUnreadable", { where: "IPC message", reason });
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** A record batch as generated code reads it: its row count and columns (a RecordBatch is one). */
export interface ColumnBatch {
  readonly numRows: number;
  readonly data: Data<Struct>;
}

/** An encoded message, measured before it is written (a ring buffer checks for room first). */
export interface EncodedMessage {
  /** Total bytes: prefix, metadata, padding and body (a multiple of 8). */
  readonly byteLength: number;
  /** Bytes of prefix + metadata + padding: what a file footer calls the metadata length. */
  readonly metadataLength: number;
  readonly bodyLength: number;
  writeInto(target: Uint8Array, offset: number): void;
}

type WriteAt = (target: Uint8Array, offset: number) => void;

/** A message of `metadataSize` bytes of metadata (written by `writeMetadata`) and a body of `bodyLength` (`writeBody`). */
function framed(metadataSize: number, writeMetadata: WriteAt, bodyLength: number, writeBody: WriteAt): EncodedMessage {
  const metadataLength = pad8(PREFIX_SIZE + metadataSize);
  return {
    byteLength: metadataLength + bodyLength,
    metadataLength,
    bodyLength,
    writeInto(target, offset) {
      // Padding and gaps between body buffers must be zeros, whatever the target held before.
      target.fill(0, offset, offset + metadataLength + bodyLength);
      const prefix = new DataView(target.buffer, target.byteOffset + offset, PREFIX_SIZE);
      prefix.setInt32(0, CONTINUATION, true);
      prefix.setInt32(4, metadataLength - PREFIX_SIZE, true);
      writeMetadata(target, offset + PREFIX_SIZE);
      writeBody(target, offset + metadataLength);
    },
  };
}

/** framed() of a metadata flatbuffer already encoded. */
function framedBytes(metadata: Uint8Array, bodyLength: number, writeBody: WriteAt): EncodedMessage {
  return framed(metadata.byteLength, (target, at) => target.set(metadata, at), bodyLength, writeBody);
}

function toBytes(message: EncodedMessage): Uint8Array {
  const bytes = new Uint8Array(message.byteLength);
  message.writeInto(bytes, 0);
  return bytes;
}

export function encodedSchema(schema: Schema): EncodedMessage {
  return framedBytes(Message.encode(Message.from(schema)), 0, () => {});
}

/**
 * One record batch message of `batch`'s columns at `columns` (all when
 * absent), laid out by batch-message.ts; apache-arrow's encoder takes the
 * batches it leaves (custom metadata, sliced data).
 */
export function encodedBatch(batch: ColumnBatch, columns?: readonly number[]): EncodedMessage {
  const children = batch.data.children;
  const layout = batch instanceof RecordBatch && batch.metadata.size > 0 ? undefined : encodeBody(children, columns);
  if (layout === undefined) return assembledBatch(batch, columns);
  return framed(
    metadataLength(layout),
    (target, at) => writeMetadata(layout, batch.numRows, target, at),
    layout.byteLength,
    (target, at) => writeBody(layout, target, at),
  );
}

function assembledBatch(batch: ColumnBatch, columns?: readonly number[]): EncodedMessage {
  const whole = batch instanceof RecordBatch ? batch : new RecordBatch(new Schema((batch.data.type as Struct).children), batch.data);
  const selected = columns ? whole.selectAt(columns as number[]) : whole;
  const assembled = VectorAssembler.assemble(selected);
  const header = new RecordBatchHeader(selected.numRows, assembled.nodes, assembled.bufferRegions, null, assembled.variadicBufferCounts, selected.metadata);
  const metadata = Message.encode(Message.from(header, assembled.byteLength));
  return framedBytes(metadata, assembled.byteLength, (target, bodyOffset) => {
    const { buffers, bufferRegions } = assembled;
    for (let j = 0; j < buffers.length; j++) {
      const buffer = buffers[j]!;
      target.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), bodyOffset + bufferRegions[j]!.offset);
    }
  });
}

export const encodeSchema = (schema: Schema): Uint8Array => toBytes(encodedSchema(schema));
export const encodeBatch = (batch: RecordBatch): Uint8Array => toBytes(encodedBatch(batch));

// ---- reading --------------------------------------------------------------------------

interface MessageAt {
  /** the metadata flatbuffer */
  readonly metadata: Uint8Array;
  readonly body: Uint8Array;
  readonly byteLength: number;
}

/**
 * The message starting at `offset`, or "end" at an end-of-stream marker, or
 * undefined when the bytes stop before the message does (a file being
 * written, a message still arriving).
 */
function messageAt(bytes: Uint8Array, offset: number): MessageAt | "end" | undefined {
  if (bytes.byteLength - offset < PREFIX_SIZE) return undefined;
  const prefix = new DataView(bytes.buffer, bytes.byteOffset + offset, PREFIX_SIZE);
  if (prefix.getInt32(0, true) !== CONTINUATION) throw unreadable(`no message at byte ${offset}`);
  const metadataSize = prefix.getInt32(4, true);
  if (metadataSize === 0) return "end";
  const bodyOffset = offset + PREFIX_SIZE + metadataSize;
  if (bodyOffset > bytes.byteLength) return undefined;
  const metadata = bytes.subarray(offset + PREFIX_SIZE, bodyOffset);
  const end = bodyOffset + messageBodyLength(new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength));
  if (end > bytes.byteLength) return undefined;
  return { metadata, body: bytes.subarray(bodyOffset, end), byteLength: end - offset };
}

/** Byte length of the complete message at `offset` (8 for the end-of-stream marker), or undefined if incomplete. */
export function messageLengthAt(bytes: Uint8Array, offset = 0): number | undefined {
  const at = messageAt(bytes, offset);
  return at === "end" ? PREFIX_SIZE : at?.byteLength;
}

function columnsOfMessage({ metadata, body }: MessageAt, schema: Schema): ColumnBatch {
  const meta = readBatchMetadata(metadata);
  return { numRows: meta.numRows, data: loadColumns(meta, body, schema) };
}

function completeMessageAt(bytes: Uint8Array, offset: number): MessageAt {
  const at = messageAt(bytes, offset);
  if (at === undefined || at === "end") throw unreadable(at === "end" ? "end of stream instead of a record batch" : "truncated message");
  return at;
}

/**
 * The columns of the record batch message at `offset` of `bytes`, whose
 * schema is known (sent once, beforehand): what a function reads from its
 * input ring, without the cost of a RecordBatch (its constructor clones the
 * schema).
 */
export function decodeColumns(bytes: Uint8Array, schema: Schema, offset = 0): ColumnBatch {
  return columnsOfMessage(completeMessageAt(bytes, offset), schema);
}

/** The record batch of the message at `offset` of `bytes`, whose schema is known (sent once, beforehand). */
export function decodeBatch(bytes: Uint8Array, schema: Schema, offset = 0): RecordBatch {
  return recordBatchOf(completeMessageAt(bytes, offset), schema);
}

/** A RecordBatch, with the message's custom metadata. */
function recordBatchOf(at: MessageAt, schema: Schema): RecordBatch {
  const { metadata } = at;
  const custom = messageCustomMetadata(new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength));
  return new RecordBatch(schema, columnsOfMessage(at, schema).data, custom);
}

export function decodeSchema(bytes: Uint8Array, offset = 0): Schema {
  const at = messageAt(bytes, offset);
  if (at === undefined || at === "end") throw unreadable("expected a schema message");
  const message = Message.decode(at.metadata);
  if (!message.isSchema()) throw unreadable(`expected a schema message, got message type ${MessageHeader[message.headerType]}`);
  return message.header();
}

// ---- streams and files ------------------------------------------------------------------

/** A whole IPC stream: schema, batches, end-of-stream marker. */
export function encodeStream(schema: Schema, batches: Iterable<RecordBatch>): Uint8Array {
  const messages = [encodedSchema(schema), ...[...batches].map((b) => encodedBatch(b))];
  const bytes = new Uint8Array(messages.reduce((n, m) => n + m.byteLength, END_OF_STREAM.byteLength));
  let offset = 0;
  for (const m of messages) {
    m.writeInto(bytes, offset);
    offset += m.byteLength;
  }
  bytes.set(END_OF_STREAM, offset);
  return bytes;
}

export interface DecodedStream {
  readonly schema: Schema;
  readonly batches: RecordBatch[];
  /** Whether the stream ended with its end-of-stream marker (else it stopped at its last complete message). */
  readonly complete: boolean;
}

/**
 * Reads an IPC stream from `offset`: 0 for a stream, 8 for an unsealed
 * archive file (`current.arrow`: file header then stream messages). A
 * truncated last message is ignored, as archival.md §2.2 asks.
 */
export function decodeStream(bytes: Uint8Array, offset = 0): DecodedStream {
  const schema = decodeSchema(bytes, offset);
  offset += messageLengthAt(bytes, offset)!;
  const batches: RecordBatch[] = [];
  for (;;) {
    const at = messageAt(bytes, offset);
    if (at === undefined) return { schema, batches, complete: false };
    if (at === "end") return { schema, batches, complete: true };
    batches.push(recordBatchOf(at, schema));
    offset += at.byteLength;
  }
}

/** Where a record batch message sits in a file, for its footer. */
export interface BatchBlock {
  readonly offset: number;
  readonly metadataLength: number;
  readonly bodyLength: number;
}

/**
 * What seals an archive file written as FILE_HEADER + schema + batch
 * messages: end-of-stream marker, footer (schema and batch blocks), footer
 * length, magic.
 */
export function fileTrailer(schema: Schema, blocks: readonly BatchBlock[]): Uint8Array {
  const footer = Footer.encode(
    new Footer(
      schema,
      MetadataVersion.V5,
      blocks.map((b) => new FileBlock(b.metadataLength, b.bodyLength, b.offset)),
      [],
    ),
  );
  const trailer = new Uint8Array(END_OF_STREAM.byteLength + footer.byteLength + 4 + MAGIC.byteLength);
  trailer.set(END_OF_STREAM, 0);
  trailer.set(footer, END_OF_STREAM.byteLength);
  new DataView(trailer.buffer).setInt32(END_OF_STREAM.byteLength + footer.byteLength, footer.byteLength, true);
  trailer.set(MAGIC, trailer.byteLength - MAGIC.byteLength);
  return trailer;
}

/** A whole sealed Arrow IPC file of these batches. */
export function encodeFile(schema: Schema, batches: Iterable<RecordBatch>): Uint8Array {
  const parts: Uint8Array[] = [FILE_HEADER, encodeSchema(schema)];
  const blocks: BatchBlock[] = [];
  let offset = FILE_HEADER.byteLength + parts[1]!.byteLength;
  for (const batch of batches) {
    const message = encodedBatch(batch);
    blocks.push({ offset, metadataLength: message.metadataLength, bodyLength: message.bodyLength });
    parts.push(toBytes(message));
    offset += message.byteLength;
  }
  parts.push(fileTrailer(schema, blocks));
  return Buffer.concat(parts);
}
