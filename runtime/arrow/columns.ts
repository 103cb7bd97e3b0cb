// RaQL values (stdlib/values.ts) in Arrow columns and back: the generic
// conversions used wherever speed does not matter (tests, tail, replay of
// small files), and zero-copy views of primitive columns for the code
// generator's per-tuple loops.
//
// Offsets in apache-arrow's Data, which every reader here honours:
// * the value buffer of fixed-width types (ints, floats, FixedSizeBinary) is
//   already sliced: `values[i]` is row i;
// * the validity bitmap and Bool's bit-packed values are NOT sliced: row i
//   is bit `data.offset + i`;
// * the offsets of List/Binary/Map are sliced (`valueOffsets[i]` is row i)
//   but point into the unsliced child or bytes;
// * children of Struct and FixedSizeList are sliced along with the parent.
//
// Builders write into typed arrays allocated once per column: a numeric
// column costs one array (and one bitmap when nullable), never an object per
// value. Slots under a NULL parent are given the zero of their type.

import { DataType, Data, Null, RecordBatch, Struct, Type as ArrowTypeId, makeData } from "apache-arrow";
import { NType, T, notNull, nullable } from "../../grammar/types.js";
import type { Cidr, Value } from "../../stdlib/values.js";
import { RaqlField, arrowSchemaOf, arrowTypeOf, raqlFieldsOf } from "./schema.js";
import { TypeVisitor, visitType } from "./type-visitor.js";

// Arrow buffers are little-endian; the 64-bit words of eth are written as
// pairs of 32-bit halves through host-order typed arrays.
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("ramen needs a little-endian host");

/** Value of slot i of the column being built: null for NULL and for slots under a NULL parent. */
type ValueAt = (i: number) => Value;
type ReadAt = (i: number) => Value;

export interface ColumnCodec {
  build(length: number, valueAt: ValueAt): Data;
  reader(data: Data): ReadAt;
}

interface AnyDataProps {
  type: DataType;
  length: number;
  nullCount?: number;
  nullBitmap?: Uint8Array | undefined;
  data?: ArrayBufferView;
  valueOffsets?: Int32Array;
  child?: Data;
  children?: Data[];
}
// makeData's overloads are keyed on static DataType subclasses; the visitors
// here know the layout from the RaQL type instead.
const makeAnyData = makeData as unknown as (props: AnyDataProps) => Data;

// ---- validity ---------------------------------------------------------------------

function validityProps(t: NType, length: number, valueAt: ValueAt): { nullCount: number; nullBitmap?: Uint8Array } {
  if (!t.nullable) return { nullCount: 0 };
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (valueAt(i) === null) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return nullCount === 0 ? { nullCount } : { nullCount, nullBitmap: bitmap };
}

/** Wraps a reader of non-null slots with the NULL test, when the data has nulls. */
function withNulls(data: Data, readValid: ReadAt): ReadAt {
  if (data.nullCount === 0) return readValid;
  const bitmap = data.nullBitmap!;
  const offset = data.offset;
  return (i) => {
    const bit = offset + i;
    return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0 ? readValid(i) : null;
  };
}

// ---- scalars ----------------------------------------------------------------------

type NumberArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array;
type BigIntArray = BigInt64Array | BigUint64Array;

function numberColumn(t: NType, ArrayType: new (length: number) => NumberArray): ColumnCodec {
  const type = arrowTypeOf(t);
  return {
    build(length, valueAt) {
      const values = new ArrayType(length);
      for (let i = 0; i < length; i++) {
        const v = valueAt(i);
        if (v !== null) values[i] = v as number;
      }
      return makeAnyData({ type, length, data: values, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const values = data.values as NumberArray;
      return withNulls(data, (i) => values[i]!);
    },
  };
}

function bigIntColumn(t: NType, ArrayType: new (length: number) => BigIntArray): ColumnCodec {
  const type = arrowTypeOf(t);
  return {
    build(length, valueAt) {
      const values = new ArrayType(length);
      for (let i = 0; i < length; i++) {
        const v = valueAt(i);
        if (v !== null) values[i] = v as bigint;
      }
      return makeAnyData({ type, length, data: values, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const values = data.values as BigIntArray;
      return withNulls(data, (i) => values[i]!);
    },
  };
}

const TWO_POW_32 = 2 ** 32;

/** eth: a JS number (48 bits) in a Uint64 column, written as two 32-bit halves to stay off bigints. */
function ethColumn(t: NType): ColumnCodec {
  const type = arrowTypeOf(t);
  return {
    build(length, valueAt) {
      const values = new BigUint64Array(length);
      const halves = new Uint32Array(values.buffer);
      for (let i = 0; i < length; i++) {
        const v = valueAt(i) as number | null;
        if (v === null) continue;
        const low = v >>> 0;
        halves[2 * i] = low;
        halves[2 * i + 1] = (v - low) / TWO_POW_32;
      }
      return makeAnyData({ type, length, data: values, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const values = data.values as BigUint64Array;
      const halves = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
      return withNulls(data, (i) => halves[2 * i]! + halves[2 * i + 1]! * TWO_POW_32);
    },
  };
}

function boolColumn(t: NType): ColumnCodec {
  const type = arrowTypeOf(t);
  return {
    build(length, valueAt) {
      const bits = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (valueAt(i) === true) bits[i >> 3]! |= 1 << (i & 7);
      return makeAnyData({ type, length, data: bits, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const bits = data.values as Uint8Array;
      const offset = data.offset;
      return withNulls(data, (i) => {
        const bit = offset + i;
        return (bits[bit >> 3]! & (1 << (bit & 7))) !== 0;
      });
    },
  };
}

const MASK_64 = (1n << 64n) - 1n;

/**
 * 128-bit integers and ip6 as FixedSizeBinary(16): little-endian two's
 * complement for integers, network order (big-endian) for addresses.
 */
function int128Column(t: NType, signed: boolean, littleEndian: boolean): ColumnCodec {
  const type = arrowTypeOf(t);
  const [lowAt, highAt] = littleEndian ? [0, 8] : [8, 0];
  return {
    build(length, valueAt) {
      const bytes = new Uint8Array(length * 16);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < length; i++) {
        const v = valueAt(i) as bigint | null;
        if (v === null) continue;
        const unsigned = BigInt.asUintN(128, v);
        view.setBigUint64(i * 16 + lowAt, unsigned & MASK_64, littleEndian);
        view.setBigUint64(i * 16 + highAt, unsigned >> 64n, littleEndian);
      }
      return makeAnyData({ type, length, data: bytes, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const bytes = data.values as Uint8Array;
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return withNulls(data, (i) => {
        const unsigned = (view.getBigUint64(i * 16 + highAt, littleEndian) << 64n) | view.getBigUint64(i * 16 + lowAt, littleEndian);
        return signed ? BigInt.asIntN(128, unsigned) : unsigned;
      });
    },
  };
}

/** RaQL strings are byte strings (one char per byte): copied byte for byte, never UTF-8 coded. */
function stringColumn(t: NType): ColumnCodec {
  const type = arrowTypeOf(t);
  return {
    build(length, valueAt) {
      const offsets = new Int32Array(length + 1);
      for (let i = 0; i < length; i++) offsets[i + 1] = offsets[i]! + ((valueAt(i) as string | null)?.length ?? 0);
      const bytes = new Uint8Array(offsets[length]!);
      for (let i = 0; i < length; i++) {
        const s = valueAt(i) as string | null;
        if (s === null) continue;
        const start = offsets[i]!;
        for (let k = 0; k < s.length; k++) bytes[start + k] = s.charCodeAt(k);
      }
      return makeAnyData({ type, length, valueOffsets: offsets, data: bytes, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return withNulls(data, (i) => buffer.toString("latin1", offsets[i]!, offsets[i + 1]!));
    },
  };
}

// ---- structs (children in the order of schema.ts's layouts) ----------------------------------------------------------------------

interface StructPart {
  readonly codec: ColumnCodec;
  /** The part's value, from the (non-null) value of the whole. */
  readonly project: (whole: Value) => Value;
}

function buildStruct(t: NType, type: DataType, parts: readonly StructPart[], length: number, valueAt: ValueAt): Data {
  const children = parts.map(({ codec, project }) =>
    codec.build(length, (i) => {
      const whole = valueAt(i);
      return whole === null ? null : project(whole);
    }),
  );
  return makeAnyData({ type, length, children, ...validityProps(t, length, valueAt) });
}

/** A Struct whose children are the items of an array value (tuples, records, map entries). */
function itemsStructColumn(t: NType, type: DataType, itemTypes: readonly NType[]): ColumnCodec {
  const codecs = itemTypes.map(columnCodecOf);
  const parts = codecs.map((codec, j) => ({ codec, project: (whole: Value) => (whole as readonly Value[])[j]! }));
  return {
    build: (length, valueAt) => buildStruct(t, type, parts, length, valueAt),
    reader(data) {
      const readers = codecs.map((codec, j) => codec.reader(data.children[j]!));
      return withNulls(data, (i) => {
        const items = new Array<Value>(readers.length);
        for (let j = 0; j < readers.length; j++) items[j] = readers[j]!(i);
        return items;
      });
    },
  };
}

const IP_FAMILY_V4 = 4;
const IP_FAMILY_V6 = 6;
const familyCodec = (): ColumnCodec => columnCodecOf(notNull(T.u8));

/** Parts family/v4/v6 of ip and cidr, from the address of the value. */
function familyParts(addressOf: (whole: Value) => number | bigint): StructPart[] {
  return [
    { codec: familyCodec(), project: (w) => (typeof addressOf(w) === "number" ? IP_FAMILY_V4 : IP_FAMILY_V6) },
    { codec: columnCodecOf(nullable(T.ip4)), project: (w) => (typeof addressOf(w) === "number" ? addressOf(w) : null) },
    { codec: columnCodecOf(nullable(T.ip6)), project: (w) => (typeof addressOf(w) === "bigint" ? addressOf(w) : null) },
  ];
}

function familyReader(data: Data): ReadAt {
  const [family, v4, v6] = [familyCodec(), columnCodecOf(nullable(T.ip4)), columnCodecOf(nullable(T.ip6))].map((c, j) =>
    c.reader(data.children[j]!),
  ) as [ReadAt, ReadAt, ReadAt];
  return (i) => (family(i) === IP_FAMILY_V4 ? v4(i) : v6(i));
}

function ipColumn(t: NType): ColumnCodec {
  const type = arrowTypeOf(t);
  const parts = familyParts((w) => w as number | bigint);
  return {
    build: (length, valueAt) => buildStruct(t, type, parts, length, valueAt),
    reader: (data) => withNulls(data, familyReader(data)),
  };
}

/** cidr4/cidr6 (one address child) and cidr (family children); `len` is the last child. */
function cidrColumn(t: NType, addressType: NType | "either"): ColumnCodec {
  const type = arrowTypeOf(t);
  const addressParts: StructPart[] =
    addressType === "either"
      ? familyParts((w) => (w as Cidr).ip)
      : [{ codec: columnCodecOf(addressType), project: (w) => (w as Cidr).ip }];
  const lenPart: StructPart = { codec: columnCodecOf(notNull(T.u8)), project: (w) => (w as Cidr).len };
  const parts = [...addressParts, lenPart];
  return {
    build: (length, valueAt) => buildStruct(t, type, parts, length, valueAt),
    reader(data) {
      const lenReader = lenPart.codec.reader(data.children[parts.length - 1]!);
      const ipReader = addressType === "either" ? familyReader(data) : addressParts[0]!.codec.reader(data.children[0]!);
      return withNulls(data, (i): Cidr => ({ ip: ipReader(i) as number | bigint, len: lenReader(i) as number }));
    },
  };
}

function unitColumn(t: NType): ColumnCodec {
  if (!t.nullable) {
    return {
      build: (length) => makeAnyData({ type: new Null(), length }),
      reader: () => () => [],
    };
  }
  const type = arrowTypeOf(t);
  return {
    build: (length, valueAt) => buildStruct(t, type, [], length, valueAt),
    reader: (data) => withNulls(data, () => []),
  };
}

// ---- sequences and maps -----------------------------------------------------------

function vectorColumn(t: NType, dim: number, item: NType): ColumnCodec {
  const type = arrowTypeOf(t);
  const itemCodec = columnCodecOf(item);
  return {
    build(length, valueAt) {
      const child = itemCodec.build(length * dim, (k) => {
        const whole = valueAt((k / dim) | 0) as readonly Value[] | null;
        return whole === null ? null : whole[k % dim]!;
      });
      return makeAnyData({ type, length, child, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const readItem = itemCodec.reader(data.children[0]!);
      return withNulls(data, (i) => {
        const items = new Array<Value>(dim);
        for (let j = 0; j < dim; j++) items[j] = readItem(i * dim + j);
        return items;
      });
    },
  };
}

/** List layouts (lists, maps): offsets into one child holding the flattened items. */
function offsetsColumn(t: NType, type: DataType, itemCodec: ColumnCodec, itemsOf: (whole: Value) => readonly Value[], wholeOf: (items: Value[]) => Value): ColumnCodec {
  return {
    build(length, valueAt) {
      const offsets = new Int32Array(length + 1);
      const flat: Value[] = [];
      for (let i = 0; i < length; i++) {
        const whole = valueAt(i);
        if (whole !== null) for (const item of itemsOf(whole)) flat.push(item);
        offsets[i + 1] = flat.length;
      }
      const child = itemCodec.build(flat.length, (k) => flat[k]!);
      return makeAnyData({ type, length, valueOffsets: offsets, child, ...validityProps(t, length, valueAt) });
    },
    reader(data) {
      const offsets = data.valueOffsets as Int32Array;
      const readItem = itemCodec.reader(data.children[0]!);
      return withNulls(data, (i) => {
        const start = offsets[i]!;
        const items = new Array<Value>(offsets[i + 1]! - start);
        for (let k = 0; k < items.length; k++) items[k] = readItem(start + k);
        return wholeOf(items);
      });
    },
  };
}

function mapColumn(t: NType, key: NType, value: NType): ColumnCodec {
  const type = arrowTypeOf(t);
  const entriesType = (type as Struct).children[0]!.type as DataType;
  const entries = itemsStructColumn(notNull(T.tuple([key, value])), entriesType, [key, value]);
  return offsetsColumn(
    t,
    type,
    entries,
    (whole) => [...(whole as Map<Value, Value>)],
    (items) => new Map(items as [Value, Value][]),
  );
}

// ---- the visitor ------------------------------------------------------------------

const codecVisitor: TypeVisitor<ColumnCodec> = {
  bool: boolColumn,
  int(t, signed, width) {
    if (width <= 8) return numberColumn(t, signed ? Int8Array : Uint8Array);
    if (width <= 16) return numberColumn(t, signed ? Int16Array : Uint16Array);
    if (width <= 32) return numberColumn(t, signed ? Int32Array : Uint32Array);
    if (width <= 64) return bigIntColumn(t, signed ? BigInt64Array : BigUint64Array);
    return int128Column(t, signed, true);
  },
  float: (t) => numberColumn(t, Float64Array),
  string: stringColumn,
  char: (t) => numberColumn(t, Uint8Array),
  eth: ethColumn,
  ip4: (t) => numberColumn(t, Uint32Array),
  ip6: (t) => int128Column(t, false, false),
  ip: ipColumn,
  cidr4: (t) => cidrColumn(t, notNull(T.ip4)),
  cidr6: (t) => cidrColumn(t, notNull(T.ip6)),
  cidr: (t) => cidrColumn(t, "either"),
  unit: unitColumn,
  vector: vectorColumn,
  list: (t, item) => offsetsColumn(t, arrowTypeOf(t), columnCodecOf(item), (whole) => whole as readonly Value[], (items) => items),
  tuple: (t, items) => itemsStructColumn(t, arrowTypeOf(t), items),
  record: (t, fields) => itemsStructColumn(t, arrowTypeOf(t), fields.map((f) => f.type)),
  map: mapColumn,
};

const codecs = new WeakMap<NType, ColumnCodec>();

/** Builder and reader of columns of type t (cached per NType object). */
export function columnCodecOf(t: NType): ColumnCodec {
  let codec = codecs.get(t);
  if (codec === undefined) {
    codec = visitType(t, codecVisitor);
    codecs.set(t, codec);
  }
  return codec;
}

// ---- batches ----------------------------------------------------------------------

/** A record batch of these rows (each row: the fields' values in order). */
export function batchOfRows(fields: readonly RaqlField[], rows: readonly (readonly Value[])[], schema = arrowSchemaOf(fields)): RecordBatch {
  const length = rows.length;
  const children = fields.map((f, c) => {
    if (!f.type.nullable) {
      for (let i = 0; i < length; i++) {
        if (rows[i]![c] === null) throw new Error(`NULL in non-nullable field ${f.name} (row ${i})`);
      }
    }
    return columnCodecOf(f.type).build(length, (i) => rows[i]![c]!);
  });
  const data = makeAnyData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new RecordBatch(schema, data as Data<Struct>);
}

/** The rows of a batch, each value in the representation of stdlib/values.ts. */
export function rowsOfBatch(batch: RecordBatch): Value[][] {
  const fields = raqlFieldsOf(batch.schema);
  const readers = fields.map((f, c) => columnCodecOf(f.type).reader(batch.data.children[c]!));
  const rows = new Array<Value[]>(batch.numRows);
  for (let i = 0; i < rows.length; i++) {
    const row = new Array<Value>(readers.length);
    for (let c = 0; c < readers.length; c++) row[c] = readers[c]!(i);
    rows[i] = row;
  }
  return rows;
}

// ---- zero-copy views for generated code -----------------------------------------------

export type PrimitiveArray = NumberArray | BigIntArray;

/**
 * A column whose Arrow layout is one typed-array element per row (ints up to
 * 64 bits, float, char, eth, ip4): `values[i]` is row i, and row i is NULL
 * iff `validity` is set and bit `validityOffset + i` of it is 0. Shares the
 * memory of the Data (which may be a view into a ring buffer).
 */
export interface PrimitiveColumn {
  readonly values: PrimitiveArray;
  readonly validity: Uint8Array | null;
  readonly validityOffset: number;
  readonly length: number;
}

export function primitiveColumnOf(data: Data): PrimitiveColumn {
  if (data.typeId !== ArrowTypeId.Int && data.typeId !== ArrowTypeId.Float) {
    throw new Error(`Arrow type ${String(data.type)} has no one-element-per-row layout`);
  }
  return {
    values: data.values as PrimitiveArray,
    validity: data.nullCount > 0 ? data.nullBitmap! : null,
    validityOffset: data.offset,
    length: data.length,
  };
}

export function isValidAt(column: PrimitiveColumn, i: number): boolean {
  if (column.validity === null) return true;
  const bit = column.validityOffset + i;
  return (column.validity[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/**
 * Wraps arrays filled by generated code as the Data of a column of type t,
 * without copying. `validity` (bit i set = row i not NULL) only for nullable t.
 */
export function primitiveData(t: NType, values: PrimitiveArray, length: number, validity: Uint8Array | null = null, nullCount = 0): Data {
  const type = arrowTypeOf(t);
  if (type.typeId !== ArrowTypeId.Int && type.typeId !== ArrowTypeId.Float) {
    throw new Error(`RaQL type ${t.type.tag} has no one-element-per-row layout`);
  }
  return makeAnyData({ type, length, data: values, nullCount, nullBitmap: validity ?? undefined });
}
