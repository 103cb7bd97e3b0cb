// The record-batch message of the Arrow IPC format, written and read without
// apache-arrow's general machinery, for the hot paths: every batch crossing a
// ring buffer is encoded by its parent and decoded by its child, and every
// archived batch is encoded once.
//
// apache-arrow encodes a batch through a visitor (VectorAssembler), objects
// per node and buffer, and a flatbuffers Builder; it decodes through another
// visitor (VectorLoader), makeData, and a RecordBatch whose constructor
// clones the schema. Measured on a 1,024-row batch of 4 numeric columns
// (bench/ring.ts): ~10 us to encode, ~12 us to decode, about as much as a
// simple generated filter spends on the same rows. Here, both walk the
// layouts of the few Arrow types ramen's schemas use (runtime/arrow/schema.ts)
// with a switch, write the metadata flatbuffer with a fixed layout, and read
// any valid one through its vtables; decoding builds Data directly.
//
// What is written is a plain IPC message (apache-arrow and every other reader
// read it; tested). Batches with a custom metadata, data sliced at a non-zero
// offset, or types outside those layouts are left to apache-arrow's encoder
// (the caller falls back when encodeBody returns undefined).

import { Data, DataType, Field, FixedSizeList, MetadataVersion, MessageHeader, Schema, Struct, Type } from "apache-arrow";
import { RamenError } from "../../grammar/diagnostics.js";

function unreadable(reason: string): RamenError {
  return RamenError.of("arrowUnreadable", { where: "IPC message", reason });
}

const pad8 = (n: number): number => (n + 7) & ~7;
const EMPTY = new Uint8Array(0);

// ---- the body -------------------------------------------------------------------------

/**
 * A batch's field nodes and body buffers in IPC order (depth first, each
 * node's validity, then offsets, then values). A null buffer is a region of
 * zeros (a Bool column without values); every region starts 8-aligned.
 */
export interface BodyLayout {
  /** length and null count of each node, flattened */
  readonly nodes: number[];
  readonly buffers: (ArrayBufferView | null)[];
  /** byte length of each buffer (before padding) */
  readonly lengths: number[];
  byteLength: number;
}

function addBuffer(layout: BodyLayout, buffer: ArrayBufferView | null, byteLength: number): void {
  layout.buffers.push(buffer);
  layout.lengths.push(byteLength);
  layout.byteLength += pad8(byteLength);
}

/** Adds `data`'s node and buffers; false when it needs apache-arrow's general encoder. */
function addData(layout: BodyLayout, data: Data): boolean {
  if (data.offset !== 0) return false;
  const { length, type } = data;
  if (type.typeId === Type.Null) {
    layout.nodes.push(length, length);
    return true;
  }
  const nullCount = data.nullCount;
  layout.nodes.push(length, nullCount);
  if (nullCount > 0) addBuffer(layout, data.nullBitmap!, (length + 7) >> 3);
  else addBuffer(layout, null, 0);
  switch (type.typeId) {
    case Type.Bool:
      addBuffer(layout, data.values ?? null, (length + 7) >> 3);
      return true;
    case Type.Int:
    case Type.Float:
    case Type.FixedSizeBinary: {
      const values = data.values as ArrayBufferView & { BYTES_PER_ELEMENT: number };
      addBuffer(layout, values, length * data.stride * values.BYTES_PER_ELEMENT);
      return true;
    }
    case Type.Binary:
    case Type.Utf8: {
      const offsets = data.valueOffsets as Int32Array;
      if (length > 0 && offsets[0] !== 0) return false;
      addBuffer(layout, offsets, length > 0 ? (length + 1) * 4 : 0);
      addBuffer(layout, data.values, length > 0 ? offsets[length]! : 0);
      return true;
    }
    case Type.List:
    case Type.Map: {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0]!;
      if (length > 0 ? offsets[0] !== 0 || offsets[length] !== child.length : child.length !== 0) return false;
      addBuffer(layout, offsets, length > 0 ? (length + 1) * 4 : 0);
      return addData(layout, child);
    }
    case Type.FixedSizeList: {
      const child = data.children[0]!;
      if (child.length !== length * (type as FixedSizeList).listSize) return false;
      return addData(layout, child);
    }
    case Type.Struct:
      for (const child of data.children) if (child.length !== length || !addData(layout, child)) return false;
      return true;
    default:
      return false;
  }
}

/** The body of a batch of these columns (`columns`: the children to send, in order; all when absent), or undefined (see top). */
export function encodeBody(children: readonly Data[], columns?: readonly number[]): BodyLayout | undefined {
  const layout: BodyLayout = { nodes: [], buffers: [], lengths: [], byteLength: 0 };
  const count = columns ? columns.length : children.length;
  for (let c = 0; c < count; c++) {
    if (!addData(layout, children[columns ? columns[c]! : c]!)) return undefined;
  }
  return layout;
}

/** Copies the body's buffers to `target` at `offset`, which already holds zeros (padding, empty buffers). */
export function writeBody(layout: BodyLayout, target: Uint8Array, offset: number): void {
  const { buffers, lengths } = layout;
  for (let j = 0; j < buffers.length; j++) {
    const buffer = buffers[j]!;
    const length = lengths[j]!;
    // A buffer shorter than its region (a bitmap not padded to whole bytes of the length) leaves zeros.
    if (buffer !== null && length > 0) target.set(new Uint8Array(buffer.buffer, buffer.byteOffset, Math.min(length, buffer.byteLength)), offset);
    offset += pad8(length);
  }
}

// ---- the metadata -----------------------------------------------------------------------
//
// A flatbuffer (Message.fbs, Schema.fbs) laid out front to back, offsets in bytes:
//   0  root: uoffset of the Message table (16)
//   4  Message vtable: size 12, table size 24, fields version @4, header_type @6, header @8, bodyLength @16
//  16  Message table: soffset to its vtable, version (V5), header_type (RecordBatch), pad,
//      header (uoffset → 56), pad, bodyLength (int64)
//  40  RecordBatch vtable: size 10, table size 24, fields length @8, nodes @4, buffers @16; pad to 56
//  56  RecordBatch table: soffset, nodes (uoffset), length (int64), buffers (uoffset), pad
//  80  nodes vector: pad, count at 84, FieldNode structs {length, null_count: int64} from 88
//   …  buffers vector: pad, count, Buffer structs {offset, length: int64}, 8-aligned
// Structs of int64 need 8-aligned vector elements: the 4-byte pads before the counts give that.

const MESSAGE_VTABLE = 4;
const MESSAGE_TABLE = 16;
const BATCH_VTABLE = 40;
const BATCH_TABLE = 56;
const NODES = 84;

function setInt64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 0x1_0000_0000, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}

/** Byte length of the metadata of a batch with this layout (a multiple of 8). */
export function metadataLength(layout: BodyLayout): number {
  return NODES + 4 + 8 * layout.nodes.length + 8 + 16 * layout.buffers.length;
}

/** Writes the metadata flatbuffer of a batch of `numRows` rows with this body at `offset` of `target` (zeros there already). */
export function writeMetadata(layout: BodyLayout, numRows: number, target: Uint8Array, offset: number): void {
  const view = new DataView(target.buffer, target.byteOffset + offset, metadataLength(layout));
  view.setUint32(0, MESSAGE_TABLE, true);
  // Message vtable and table
  view.setUint16(MESSAGE_VTABLE, 12, true);
  view.setUint16(MESSAGE_VTABLE + 2, 24, true);
  view.setUint16(MESSAGE_VTABLE + 4, 4, true);
  view.setUint16(MESSAGE_VTABLE + 6, 6, true);
  view.setUint16(MESSAGE_VTABLE + 8, 8, true);
  view.setUint16(MESSAGE_VTABLE + 10, 16, true);
  view.setInt32(MESSAGE_TABLE, MESSAGE_TABLE - MESSAGE_VTABLE, true);
  view.setInt16(MESSAGE_TABLE + 4, MetadataVersion.V5, true);
  view.setUint8(MESSAGE_TABLE + 6, MessageHeader.RecordBatch);
  view.setUint32(MESSAGE_TABLE + 8, BATCH_TABLE - (MESSAGE_TABLE + 8), true);
  setInt64(view, MESSAGE_TABLE + 16, layout.byteLength);
  // RecordBatch vtable and table
  view.setUint16(BATCH_VTABLE, 10, true);
  view.setUint16(BATCH_VTABLE + 2, 24, true);
  view.setUint16(BATCH_VTABLE + 4, 8, true);
  view.setUint16(BATCH_VTABLE + 6, 4, true);
  view.setUint16(BATCH_VTABLE + 8, 16, true);
  view.setInt32(BATCH_TABLE, BATCH_TABLE - BATCH_VTABLE, true);
  view.setUint32(BATCH_TABLE + 4, NODES - (BATCH_TABLE + 4), true);
  setInt64(view, BATCH_TABLE + 8, numRows);
  const { nodes, lengths } = layout;
  const buffersCount = NODES + 4 + 8 * nodes.length + 4;
  view.setUint32(BATCH_TABLE + 16, buffersCount - (BATCH_TABLE + 16), true);
  // vectors
  view.setUint32(NODES, nodes.length / 2, true);
  for (let k = 0; k < nodes.length; k++) setInt64(view, NODES + 4 + 8 * k, nodes[k]!);
  view.setUint32(buffersCount, lengths.length, true);
  let bodyOffset = 0;
  for (let j = 0; j < lengths.length; j++) {
    const at = buffersCount + 4 + 16 * j;
    setInt64(view, at, bodyOffset);
    setInt64(view, at + 8, lengths[j]!);
    bodyOffset += pad8(lengths[j]!);
  }
}

/** A record batch's metadata as read: counts and regions, indices into the metadata's own bytes. */
export interface BatchMetadata {
  readonly numRows: number;
  readonly bodyLength: number;
  readonly view: DataView;
  /** position of the first FieldNode struct, and their count */
  readonly nodesAt: number;
  readonly nodeCount: number;
  /** position of the first Buffer struct, and their count */
  readonly buffersAt: number;
  readonly bufferCount: number;
}

function getInt64(view: DataView, at: number): number {
  const high = view.getInt32(at + 4, true);
  const value = high * 0x1_0000_0000 + view.getUint32(at, true);
  if (!Number.isSafeInteger(value)) throw unreadable(`integer out of range at metadata byte ${at}`);
  return value;
}

/** Position of field `index` of the table at `table`, or 0 when absent. */
function fieldAt(view: DataView, table: number, index: number): number {
  const vtable = table - view.getInt32(table, true);
  const entry = 4 + 2 * index;
  if (entry >= view.getUint16(vtable, true)) return 0;
  const at = view.getUint16(vtable + entry, true);
  return at === 0 ? 0 : table + at;
}

/** What an offset field points to. */
const follow = (view: DataView, at: number): number => at + view.getUint32(at, true);

/** Message.header_type (any writer's flatbuffer), for errors. */
export function messageHeaderType(view: DataView): number {
  const message = view.getUint32(0, true);
  const at = fieldAt(view, message, 1);
  return at === 0 ? MessageHeader.NONE : view.getUint8(at);
}

/** Reads the metadata with `read`, a field pointing outside of it being a RamenError rather than a RangeError. */
function inBounds<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RangeError) throw unreadable("metadata flatbuffer out of bounds");
    throw e;
  }
}

/** The Message's bodyLength. */
export function messageBodyLength(view: DataView): number {
  return inBounds(() => {
    const at = fieldAt(view, view.getUint32(0, true), 3);
    return at === 0 ? 0 : getInt64(view, at);
  });
}

const utf8 = new TextDecoder();

function stringAt(view: DataView, field: number): string {
  if (field === 0) return "";
  const at = follow(view, field);
  return utf8.decode(new Uint8Array(view.buffer, view.byteOffset + at + 4, view.getUint32(at, true)));
}

/** The Message's custom_metadata (key-value pairs), empty when absent. */
export function messageCustomMetadata(view: DataView): Map<string, string> {
  return inBounds(() => customMetadata(view));
}

function customMetadata(view: DataView): Map<string, string> {
  const pairs = new Map<string, string>();
  const field = fieldAt(view, view.getUint32(0, true), 4);
  if (field === 0) return pairs;
  const vector = follow(view, field);
  for (let k = 0, count = view.getUint32(vector, true); k < count; k++) {
    const pair = follow(view, vector + 4 + 4 * k);
    pairs.set(stringAt(view, fieldAt(view, pair, 0)), stringAt(view, fieldAt(view, pair, 1)));
  }
  return pairs;
}

/** Reads a RecordBatch message's metadata (any writer's flatbuffer). */
export function readBatchMetadata(metadata: Uint8Array): BatchMetadata {
  const view = new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength);
  return inBounds(() => {
    const message = view.getUint32(0, true);
    const headerType = messageHeaderType(view);
    if (headerType !== MessageHeader.RecordBatch) {
      throw unreadable(`expected a record batch, got message type ${MessageHeader[headerType] ?? headerType}`);
    }
    const headerField = fieldAt(view, message, 2);
    if (headerField === 0) throw unreadable("record batch message without header");
    const batch = follow(view, headerField);
    if (fieldAt(view, batch, 3) !== 0) throw unreadable("compressed record batches are not supported");
    const lengthAt = fieldAt(view, batch, 0);
    const nodesField = fieldAt(view, batch, 1);
    const buffersField = fieldAt(view, batch, 2);
    const nodes = nodesField === 0 ? 0 : follow(view, nodesField);
    const buffers = buffersField === 0 ? 0 : follow(view, buffersField);
    return {
      numRows: lengthAt === 0 ? 0 : getInt64(view, lengthAt),
      bodyLength: messageBodyLength(view),
      view,
      nodesAt: nodes + 4,
      nodeCount: nodes === 0 ? 0 : view.getUint32(nodes, true),
      buffersAt: buffers + 4,
      bufferCount: buffers === 0 ? 0 : view.getUint32(buffers, true),
    };
  });
}

// ---- loading columns --------------------------------------------------------------------

type TypedArrayConstructor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayBufferView; readonly BYTES_PER_ELEMENT: number };

/** Reads nodes and buffers in order, building each field's Data as views of the body. */
class ColumnLoader {
  private node = 0;
  private buffer = 0;

  constructor(
    private readonly meta: BatchMetadata,
    private readonly body: Uint8Array,
  ) {}

  private nextNode(): { length: number; nullCount: number } {
    const { meta } = this;
    if (this.node >= meta.nodeCount) throw unreadable("fewer field nodes than the schema has fields");
    const at = meta.nodesAt + 16 * this.node++;
    return { length: getInt64(meta.view, at), nullCount: getInt64(meta.view, at + 8) };
  }

  /** The next buffer as an array of `Ctor` (a copy when the region is not aligned for it). */
  private nextBuffer<A extends ArrayBufferView>(Ctor: TypedArrayConstructor): A {
    const { meta, body } = this;
    if (this.buffer >= meta.bufferCount) throw unreadable("fewer buffers than the schema needs");
    const at = meta.buffersAt + 16 * this.buffer++;
    const offset = getInt64(meta.view, at);
    const length = getInt64(meta.view, at + 8);
    if (offset + length > body.byteLength) throw unreadable("a buffer ends past the message body");
    const size = Ctor.BYTES_PER_ELEMENT;
    const byteOffset = body.byteOffset + offset;
    if (byteOffset % size === 0) return new Ctor(body.buffer, byteOffset, Math.floor(length / size)) as A;
    const copy = body.slice(offset, offset + length);
    return new Ctor(copy.buffer, 0, Math.floor(length / size)) as A;
  }

  private validity(nullCount: number): Uint8Array {
    const bitmap = this.nextBuffer<Uint8Array>(Uint8Array);
    return nullCount > 0 ? bitmap : EMPTY;
  }

  load(type: DataType): Data {
    const { length, nullCount } = this.nextNode();
    switch (type.typeId) {
      case Type.Null:
        return new Data(type, 0, length, length);
      case Type.Bool: {
        const nulls = this.validity(nullCount);
        return new Data(type, 0, length, nullCount, [undefined, this.nextBuffer(Uint8Array), nulls]);
      }
      case Type.Int:
      case Type.Float:
      case Type.FixedSizeBinary: {
        const nulls = this.validity(nullCount);
        return new Data(type, 0, length, nullCount, [undefined, this.nextBuffer(type.ArrayType as TypedArrayConstructor), nulls]);
      }
      case Type.Binary:
      case Type.Utf8: {
        const nulls = this.validity(nullCount);
        const offsets = this.nextBuffer(Int32Array);
        return new Data(type, 0, length, nullCount, [offsets, this.nextBuffer(Uint8Array), nulls]);
      }
      case Type.List:
      case Type.Map: {
        const nulls = this.validity(nullCount);
        const offsets = this.nextBuffer(Int32Array);
        return new Data(type, 0, length, nullCount, [offsets, undefined, nulls], [this.load(type.children[0]!.type)]);
      }
      case Type.FixedSizeList:
      case Type.Struct: {
        const nulls = this.validity(nullCount);
        const children = type.children.map((child: Field) => this.load(child.type));
        return new Data(type, 0, length, nullCount, [undefined, undefined, nulls], children);
      }
      default:
        throw unreadable(`columns of Arrow type ${type} are not supported`);
    }
  }
}

const structTypes = new WeakMap<Schema, Struct>();

/** The batch's columns as one Struct Data whose children are views of `body` (see ipc.ts decodeColumns). */
export function loadColumns(meta: BatchMetadata, body: Uint8Array, schema: Schema): Data<Struct> {
  let struct = structTypes.get(schema);
  if (struct === undefined) structTypes.set(schema, (struct = new Struct(schema.fields)));
  const loader = new ColumnLoader(meta, body);
  const children = inBounds(() => schema.fields.map((f) => loader.load(f.type)));
  return new Data(struct, 0, meta.numRows, 0, undefined, children);
}
