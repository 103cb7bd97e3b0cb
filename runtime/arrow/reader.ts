// Columns of a record batch read by field index, for generated code and
// readers: an accessor is chosen once per column from its RaQL type, so a
// loop over rows calls one monomorphic closure per column.
//
// Arrow offsets (see columns.ts): fixed-width value buffers are already
// sliced, validity and Bool bits are not (row i is bit offset + i), Binary
// offsets are sliced but point into the unsliced bytes. Every accessor here
// takes row numbers relative to the batch, whatever its offset.

import { Data, RecordBatch } from "apache-arrow";
import type { NType } from "../../grammar/types.js";
import type { Value } from "../../stdlib/values.js";
import { columnCodecOf } from "./columns.js";
import { RaqlField, raqlFieldsOf } from "./schema.js";
import { TypeVisitor, visitType } from "./type-visitor.js";

type NumberArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;

interface ColumnBase {
  readonly type: NType;
  readonly length: number;
  /** Whether row i is NULL (always false for non-nullable columns). */
  readonly isNull: (i: number) => boolean;
  /** The value of row i as in stdlib/values.ts, null for NULL. */
  readonly get: (i: number) => Value;
}

/** Ints up to 32 bits, float, char, ip4: `values[i]` is row i (when not NULL). */
export interface NumberColumn extends ColumnBase {
  readonly kind: "number";
  readonly values: NumberArray;
}

/** Ints of 40 to 64 bits: `values[i]` is row i (when not NULL). */
export interface BigIntColumn extends ColumnBase {
  readonly kind: "bigint";
  readonly values: BigInt64Array | BigUint64Array;
}

/** Every other type: through get only (strings decoded as latin1 byte strings, composites value by value). */
export interface OtherColumn extends ColumnBase {
  readonly kind: "other";
}

export type ColumnReader = NumberColumn | BigIntColumn | OtherColumn;

const NEVER_NULL = (): boolean => false;

/** Arrow's Null type (non-nullable unit) counts every slot as null: the RaQL type decides first. */
function nullTestOf(t: NType, data: Data): (i: number) => boolean {
  if (!t.nullable || data.nullCount === 0) return NEVER_NULL;
  const bitmap = data.nullBitmap!;
  const offset = data.offset;
  return (i) => {
    const bit = offset + i;
    return (bitmap[bit >> 3]! & (1 << (bit & 7))) === 0;
  };
}

type ReaderFactory = (t: NType, data: Data) => ColumnReader;

function numberReader(t: NType, data: Data): NumberColumn {
  const values = data.values as NumberArray;
  const isNull = nullTestOf(t, data);
  const get = isNull === NEVER_NULL ? (i: number): Value => values[i]! : (i: number): Value => (isNull(i) ? null : values[i]!);
  return { kind: "number", type: t, length: data.length, values, isNull, get };
}

function bigIntReader(t: NType, data: Data): BigIntColumn {
  const values = data.values as BigInt64Array | BigUint64Array;
  const isNull = nullTestOf(t, data);
  const get = isNull === NEVER_NULL ? (i: number): Value => values[i]! : (i: number): Value => (isNull(i) ? null : values[i]!);
  return { kind: "bigint", type: t, length: data.length, values, isNull, get };
}

function stringReader(t: NType, data: Data): OtherColumn {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isNull = nullTestOf(t, data);
  const get = (i: number): Value => (isNull(i) ? null : buffer.toString("latin1", offsets[i]!, offsets[i + 1]!));
  return { kind: "other", type: t, length: data.length, isNull, get };
}

/** Through the generic codec of columns.ts (bool, eth, 128-bit ints, addresses, composites). */
function codecReader(t: NType, data: Data): OtherColumn {
  return { kind: "other", type: t, length: data.length, isNull: nullTestOf(t, data), get: columnCodecOf(t).reader(data) };
}

const readerVisitor: TypeVisitor<ReaderFactory> = {
  bool: () => codecReader,
  int: (_t, _signed, width) => (width <= 32 ? numberReader : width <= 64 ? bigIntReader : codecReader),
  float: () => numberReader,
  string: () => stringReader,
  char: () => numberReader,
  eth: () => codecReader,
  ip4: () => numberReader,
  ip6: () => codecReader,
  ip: () => codecReader,
  cidr4: () => codecReader,
  cidr6: () => codecReader,
  cidr: () => codecReader,
  unit: () => codecReader,
  vector: () => codecReader,
  list: () => codecReader,
  tuple: () => codecReader,
  record: () => codecReader,
  map: () => codecReader,
};

/** The reader of one column (the Data of a field of type t). */
export function columnReaderOf(t: NType, data: Data): ColumnReader {
  return visitType(t, readerVisitor)(t, data);
}

/** The columns of one record batch, by field index. */
export class BatchReader {
  readonly fields: readonly RaqlField[];
  readonly numRows: number;
  private readonly readers: (ColumnReader | undefined)[];

  /** `fields` (the RaQL types of the schema) saves decoding them again for every batch of a stream. */
  constructor(
    readonly batch: RecordBatch,
    fields: readonly RaqlField[] = raqlFieldsOf(batch.schema),
  ) {
    this.fields = fields;
    this.numRows = batch.numRows;
    this.readers = new Array<ColumnReader | undefined>(fields.length);
  }

  /** The reader of column c, made on first use. */
  column(c: number): ColumnReader {
    let reader = this.readers[c];
    if (reader === undefined) {
      const field = this.fields[c];
      if (field === undefined) throw new Error(`internal: column ${c} of a batch of ${this.fields.length} columns`);
      reader = columnReaderOf(field.type, this.batch.data.children[c]!);
      this.readers[c] = reader;
    }
    return reader;
  }

  /** Row i as values (slow path: tests, printing). */
  row(i: number): Value[] {
    const row = new Array<Value>(this.fields.length);
    for (let c = 0; c < row.length; c++) row[c] = this.column(c).get(i);
    return row;
  }
}
