// Record batches built value by value: what generated code appends its output
// tuples to, and what readers turn their row chunks into.
//
// Each field gets one append function, chosen once from its type, so that a
// call site in generated code always reaches the same closure (no switch on
// types per value). Fixed-width columns write into typed arrays that grow by
// doubling, strings into offsets + bytes, and composites (ip, cidr, unit,
// vectors, lists, tuples, records, maps) collect their values and are laid
// out by columnCodecOf when the batch is flushed. flush() wraps the typed
// arrays without copying, then starts fresh ones: a flushed batch is never
// written again.
//
// The builder counts rows, not the columns: after the appends of one row the
// caller calls endRow(), which says when the batch holds maxRows rows and
// must be flushed.

import { Data, DataType, RecordBatch, Schema, Struct, makeData } from "apache-arrow";
import { NType, T, notNull } from "../../grammar/types.js";
import type { Value } from "../../stdlib/values.js";
import { PrimitiveArray, columnCodecOf, primitiveData } from "./columns.js";
import { RaqlField, arrowSchemaOf, arrowTypeOf } from "./schema.js";
import { TypeVisitor, visitType } from "./type-visitor.js";

/** Rows per record batch: what goes through ring buffers and into archive files at most. */
export const BATCH_MAX_ROWS = 1024;

/** Hidden float64 columns of archived rows (archival.md §2.2), after the output fields. */
export const START_FIELD: RaqlField = { name: "#start", type: notNull(T.float) };
export const STOP_FIELD: RaqlField = { name: "#stop", type: notNull(T.float) };

export type Append = (value: Value) => void;

/** One column being built. */
interface ColumnBuilder {
  readonly append: Append;
  /** The column of the rows appended since the last finish; starts a new column. */
  finish(length: number): Data;
}

interface AnyDataProps {
  type: DataType;
  length: number;
  nullCount: number;
  nullBitmap?: Uint8Array | undefined;
  data?: ArrayBufferView;
  valueOffsets?: Int32Array;
}
// makeData's overloads are keyed on static DataType subclasses; here the layout comes from the RaQL type.
const makeAnyData = makeData as unknown as (props: AnyDataProps) => Data;

function nullInNonNullable(t: NType): Error {
  // Generated code and readers only append NULL where the type allows it: reaching here is a bug.
  return new Error(`internal: NULL appended to a column of non-nullable type ${t.type.tag}`);
}

/** A bitmap of at least `bits` bits holding the bits of `old`. */
function grownBits(old: Uint8Array, bits: number): Uint8Array {
  const grown = new Uint8Array(Math.max(old.length * 2, (bits + 7) >> 3));
  grown.set(old);
  return grown;
}

/**
 * Validity of a nullable column: `mark(i, isValid)` records row i, growing the
 * bitmap as needed. Fresh bitmaps are zero (all NULL), so only valid rows set a bit.
 */
class Validity {
  bits: Uint8Array;
  nullCount = 0;
  constructor(private readonly capacity: number) {
    this.bits = new Uint8Array((capacity + 7) >> 3);
  }
  mark(i: number, isValid: boolean): void {
    if (i >> 3 >= this.bits.length) this.bits = grownBits(this.bits, i + 1);
    if (isValid) this.bits[i >> 3]! |= 1 << (i & 7);
    else this.nullCount++;
  }
  /** The bitmap and null count to give makeData (no bitmap without nulls), then a fresh bitmap. */
  take(): { nullBitmap: Uint8Array | undefined; nullCount: number } {
    const taken = { nullBitmap: this.nullCount === 0 ? undefined : this.bits, nullCount: this.nullCount };
    this.bits = new Uint8Array((this.capacity + 7) >> 3);
    this.nullCount = 0;
    return taken;
  }
}

type NumberArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;
type TypedArrayClass<A> = new (length: number) => A;

/** Columns of one JS number per row in a typed array (ints up to 32 bits, float, char, ip4). */
function numberBuilder(t: NType, ArrayType: TypedArrayClass<NumberArray>, capacity: number): ColumnBuilder {
  let values = new ArrayType(capacity);
  let length = 0;
  const grow = (): void => {
    const grown = new ArrayType(values.length * 2);
    grown.set(values);
    values = grown;
  };
  const validity = t.nullable ? new Validity(capacity) : null;
  const append: Append =
    validity === null
      ? (v) => {
          if (v === null) throw nullInNonNullable(t);
          if (length === values.length) grow();
          values[length++] = v as number;
        }
      : (v) => {
          if (length === values.length) grow();
          if (v !== null) values[length] = v as number;
          validity.mark(length++, v !== null);
        };
  return {
    append,
    finish(rows) {
      const { nullBitmap, nullCount } = validity?.take() ?? { nullBitmap: undefined, nullCount: 0 };
      const data = primitiveData(t, values.subarray(0, rows) as PrimitiveArray, rows, nullBitmap ?? null, nullCount);
      values = new ArrayType(capacity);
      length = 0;
      return data;
    },
  };
}

/** Ints of 40 to 64 bits: bigints in a 64-bit typed array. */
function bigIntBuilder(t: NType, ArrayType: TypedArrayClass<BigInt64Array | BigUint64Array>, capacity: number): ColumnBuilder {
  let values = new ArrayType(capacity);
  let length = 0;
  const grow = (): void => {
    const grown = new ArrayType(values.length * 2);
    grown.set(values as never);
    values = grown;
  };
  const validity = t.nullable ? new Validity(capacity) : null;
  const append: Append =
    validity === null
      ? (v) => {
          if (v === null) throw nullInNonNullable(t);
          if (length === values.length) grow();
          values[length++] = v as bigint;
        }
      : (v) => {
          if (length === values.length) grow();
          if (v !== null) values[length] = v as bigint;
          validity.mark(length++, v !== null);
        };
  return {
    append,
    finish(rows) {
      const { nullBitmap, nullCount } = validity?.take() ?? { nullBitmap: undefined, nullCount: 0 };
      const data = primitiveData(t, values.subarray(0, rows), rows, nullBitmap ?? null, nullCount);
      values = new ArrayType(capacity);
      length = 0;
      return data;
    },
  };
}

const TWO_POW_32 = 2 ** 32;

/** eth: a 48-bit JS number in a Uint64 column, written as two 32-bit halves to stay off bigints. */
function ethBuilder(t: NType, capacity: number): ColumnBuilder {
  let values = new BigUint64Array(capacity);
  let halves = new Uint32Array(values.buffer);
  let length = 0;
  const validity = t.nullable ? new Validity(capacity) : null;
  const append: Append = (v) => {
    if (v === null && validity === null) throw nullInNonNullable(t);
    if (length === values.length) {
      const grown = new BigUint64Array(values.length * 2);
      grown.set(values);
      values = grown;
      halves = new Uint32Array(values.buffer);
    }
    if (v !== null) {
      const address = v as number;
      const low = address >>> 0;
      halves[2 * length] = low;
      halves[2 * length + 1] = (address - low) / TWO_POW_32;
    }
    validity?.mark(length, v !== null);
    length++;
  };
  return {
    append,
    finish(rows) {
      const { nullBitmap, nullCount } = validity?.take() ?? { nullBitmap: undefined, nullCount: 0 };
      const data = primitiveData(t, values.subarray(0, rows), rows, nullBitmap ?? null, nullCount);
      values = new BigUint64Array(capacity);
      halves = new Uint32Array(values.buffer);
      length = 0;
      return data;
    },
  };
}

/** bool: values bit-packed like the validity. */
function boolBuilder(t: NType, capacity: number): ColumnBuilder {
  const type = arrowTypeOf(t);
  let bits: Uint8Array = new Uint8Array((capacity + 7) >> 3);
  let length = 0;
  const validity = t.nullable ? new Validity(capacity) : null;
  const append: Append = (v) => {
    if (v === null && validity === null) throw nullInNonNullable(t);
    if (length >> 3 >= bits.length) bits = grownBits(bits, length + 1);
    if (v === true) bits[length >> 3]! |= 1 << (length & 7);
    validity?.mark(length, v !== null);
    length++;
  };
  return {
    append,
    finish(rows) {
      const data = makeAnyData({ type, length: rows, data: bits.subarray(0, (rows + 7) >> 3), ...(validity?.take() ?? { nullCount: 0 }) });
      bits = new Uint8Array((capacity + 7) >> 3);
      length = 0;
      return data;
    },
  };
}

/** Strings are byte strings (one char per byte, raql.md): copied byte for byte into the Binary bytes. */
function stringBuilder(t: NType, capacity: number): ColumnBuilder {
  const type = arrowTypeOf(t);
  // A guess of the bytes of a batch; the buffer doubles when it is short.
  const initialBytes = capacity * 16;
  let offsets = new Int32Array(capacity + 1);
  let bytes = new Uint8Array(initialBytes);
  let length = 0;
  const validity = t.nullable ? new Validity(capacity) : null;
  const append: Append = (v) => {
    if (v === null && validity === null) throw nullInNonNullable(t);
    if (length + 1 === offsets.length) {
      const grown = new Int32Array(offsets.length * 2);
      grown.set(offsets);
      offsets = grown;
    }
    const start = offsets[length]!;
    if (v !== null) {
      const s = v as string;
      if (start + s.length > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, start + s.length));
        grown.set(bytes);
        bytes = grown;
      }
      for (let k = 0; k < s.length; k++) bytes[start + k] = s.charCodeAt(k);
      offsets[length + 1] = start + s.length;
    } else {
      offsets[length + 1] = start;
    }
    validity?.mark(length, v !== null);
    length++;
  };
  return {
    append,
    finish(rows) {
      const data = makeAnyData({
        type,
        length: rows,
        valueOffsets: offsets.subarray(0, rows + 1),
        data: bytes.subarray(0, offsets[rows]!),
        ...(validity?.take() ?? { nullCount: 0 }),
      });
      offsets = new Int32Array(capacity + 1);
      bytes = new Uint8Array(initialBytes);
      length = 0;
      return data;
    },
  };
}

/**
 * Every other type (128-bit ints and ip6 included, whose values are bigints
 * anyway): the values are kept and laid out by the generic column codec.
 */
function genericBuilder(t: NType, capacity: number): ColumnBuilder {
  const codec = columnCodecOf(t);
  let values: Value[] = new Array<Value>(capacity);
  let length = 0;
  return {
    append(v) {
      if (v === null && !t.nullable) throw nullInNonNullable(t);
      values[length++] = v;
    },
    finish(rows) {
      const kept = values;
      const data = codec.build(rows, (i) => kept[i]!);
      values = new Array<Value>(capacity);
      length = 0;
      return data;
    },
  };
}

type BuilderFactory = (t: NType, capacity: number) => ColumnBuilder;
const generic: BuilderFactory = genericBuilder;

const builderVisitor: TypeVisitor<BuilderFactory> = {
  bool: () => boolBuilder,
  int(_t, signed, width) {
    if (width <= 8) return (t, c) => numberBuilder(t, signed ? Int8Array : Uint8Array, c);
    if (width <= 16) return (t, c) => numberBuilder(t, signed ? Int16Array : Uint16Array, c);
    if (width <= 32) return (t, c) => numberBuilder(t, signed ? Int32Array : Uint32Array, c);
    if (width <= 64) return (t, c) => bigIntBuilder(t, signed ? BigInt64Array : BigUint64Array, c);
    return generic;
  },
  float: () => (t, c) => numberBuilder(t, Float64Array, c),
  string: () => stringBuilder,
  char: () => (t, c) => numberBuilder(t, Uint8Array, c),
  eth: () => ethBuilder,
  ip4: () => (t, c) => numberBuilder(t, Uint32Array, c),
  ip6: () => generic,
  ip: () => generic,
  cidr4: () => generic,
  cidr6: () => generic,
  cidr: () => generic,
  unit: () => generic,
  vector: () => generic,
  list: () => generic,
  tuple: () => generic,
  record: () => generic,
  map: () => generic,
};

export interface BatchBuilderOptions {
  /** Add the non-null float64 columns `#start` and `#stop` after the fields (archives). */
  readonly withTimeColumns?: boolean;
  /** Rows at which endRow() asks for a flush; BATCH_MAX_ROWS by default. */
  readonly maxRows?: number;
  /** Schema metadata (archive identity…). */
  readonly metadata?: ReadonlyMap<string, string>;
}

export class BatchBuilder {
  readonly schema: Schema;
  /** The fields of the batches: the given ones, then `#start` and `#stop` with withTimeColumns. */
  readonly fields: readonly RaqlField[];
  /**
   * appenders[c](v) appends the value of column c of the current row (in the
   * representation of stdlib/values.ts). Each is chosen once from the
   * column's type: fetch it once and call it per row.
   */
  readonly appenders: readonly Append[];
  readonly maxRows: number;
  private readonly columns: readonly ColumnBuilder[];
  private readonly structType: Struct;
  private rows = 0;

  constructor(fields: readonly RaqlField[], options: BatchBuilderOptions = {}) {
    this.maxRows = options.maxRows ?? BATCH_MAX_ROWS;
    this.fields = options.withTimeColumns ? [...fields, START_FIELD, STOP_FIELD] : fields;
    this.schema = arrowSchemaOf(this.fields, options.metadata);
    this.structType = new Struct(this.schema.fields);
    this.columns = this.fields.map((f) => visitType(f.type, builderVisitor)(f.type, this.maxRows));
    this.appenders = this.columns.map((c) => c.append);
  }

  /** Rows completed since the last flush. */
  get rowCount(): number {
    return this.rows;
  }

  /** Completes the row whose values were appended; true when the batch is full and must be flushed. */
  endRow(): boolean {
    return ++this.rows >= this.maxRows;
  }

  /** Appends a whole row (the values of all fields, in order); true when the batch is full. */
  appendRow(values: readonly Value[]): boolean {
    const appenders = this.appenders;
    if (values.length !== appenders.length) throw new Error(`internal: row of ${values.length} values for ${appenders.length} columns`);
    for (let c = 0; c < appenders.length; c++) appenders[c]!(values[c]!);
    return this.endRow();
  }

  /** Appends rows, handing each batch that becomes full to `onBatch`; the last rows stay for the next flush. */
  appendRows(rows: readonly (readonly Value[])[], onBatch: (batch: RecordBatch) => void): void {
    for (const row of rows) if (this.appendRow(row)) onBatch(this.flush());
  }

  /** The batch of the rows completed since the last flush (possibly empty); the builder starts afresh. */
  flush(): RecordBatch {
    const length = this.rows;
    const children = this.columns.map((c) => c.finish(length));
    this.rows = 0;
    const data = makeData({ type: this.structType, length, nullCount: 0, children });
    return new RecordBatch(this.schema, data);
  }
}

/** The rows as batches of at most maxRows rows each (none for no rows). */
export function batchesOfRows(fields: readonly RaqlField[], rows: readonly (readonly Value[])[], options: BatchBuilderOptions = {}): RecordBatch[] {
  const builder = new BatchBuilder(fields, options);
  const batches: RecordBatch[] = [];
  builder.appendRows(rows, (b) => batches.push(b));
  if (builder.rowCount > 0) batches.push(builder.flush());
  return batches;
}
