// The one mapping between RaQL types and Apache Arrow types, both ways.
//
// Layout decisions (what pyarrow/DuckDB users see in archives; a reader of
// this file needs nothing else to decode a column by hand):
//
// | RaQL                  | Arrow                                                             |
// |-----------------------|-------------------------------------------------------------------|
// | bool                  | Bool                                                              |
// | u8 u16 u32 u64        | Uint8 Uint16 Uint32 Uint64 (signed alike)                         |
// | u24 / u40 u48 u56     | Uint32 / Uint64: the next native width (signed alike)             |
// | u128 i128             | FixedSizeBinary(16), little-endian two's complement               |
// | float                 | Float64                                                           |
// | string                | Binary: RaQL strings are bytes, invalid UTF-8 must survive        |
// | char                  | Uint8                                                             |
// | eth                   | Uint64 (the 48-bit address in the low bits)                       |
// | ip4                   | Uint32                                                            |
// | ip6                   | FixedSizeBinary(16), network order (the address bytes as written) |
// | ip                    | Struct{family: Uint8 (4 or 6), v4: Uint32?, v6: FSB(16)?}         |
// | cidr4 / cidr6         | Struct{ip: Uint32 / FSB(16), len: Uint8}                          |
// | cidr                  | Struct{family: Uint8, v4: Uint32?, v6: FSB(16)?, len: Uint8}      |
// | unit                  | Null; a nullable unit is an empty Struct (below)                  |
// | t[N]                  | FixedSizeList(N) of item                                          |
// | t[]                   | List of item                                                      |
// | (t1; t2; …)           | Struct with children named "0", "1", …                            |
// | {a: t1; …}            | Struct with the record's field names, in order                    |
// | v[k]                  | Map of entries Struct{key, value}; List of such entries when the  |
// |                       | key is nullable (Arrow map keys must not be null)                 |
//
// * ip keeps the family explicit and leaves the other member NULL, so that
//   each address is readable in its natural column without decoding a union;
//   a dense union would save 4 bytes per row but few consumers handle unions.
// * Arrow's Null type holds no validity (every slot is null), so it cannot
//   tell a NULL unit from `()`: a nullable unit is a Struct of no children,
//   whose validity bitmap does. Null fields are written nullable, as every
//   Arrow implementation expects of them; their RaQL type is non-nullable.
// * Nullability is the Arrow field's nullable flag at every level, and the
//   validity bitmaps of the data.
// * Every field holding a RaQL value (children of composites included)
//   carries metadata `ramen.type` = the RaQL type text, and the schema
//   carries `ramen.schema_version`. Reading back restores the exact type
//   (u24 vs u32, eth vs u64…) and checks it against the Arrow layout. Fields
//   without it (files not written by ramen) map back by the natural inverse:
//   Int → the int of that width, FixedSizeBinary(16) → u128, Struct named
//   "0".."n-1" (n ≥ 2) → tuple, other Struct → record, Null → unit…
// * The parts of the address layouts (family, v4, v6, ip, len) carry no
//   `ramen.type`: they are a layout, not RaQL values.

import {
  Binary,
  Bool,
  DataType,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Map_,
  Null,
  Precision,
  Schema,
  Struct,
  Type as ArrowTypeId,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  util,
} from "apache-arrow";
import { RamenError } from "../../grammar/diagnostics.js";
import { INT_WIDTHS, IntWidth, NType, T, Type, ntypeToString, scalarTypeByName } from "../../grammar/types.js";
import { TypeVisitor, visitType } from "./type-visitor.js";

export const RAMEN_TYPE_KEY = "ramen.type";
export const SCHEMA_VERSION_KEY = "ramen.schema_version";
/** Version of the layouts above; bump it when one changes. */
export const SCHEMA_VERSION = "1";

export interface RaqlField {
  readonly name: string;
  readonly type: NType;
}

// ---- RaQL → Arrow ---------------------------------------------------------------

const FAMILY_FIELD = new Field("family", new Uint8(), false);
const V4_FIELD = new Field("v4", new Uint32(), true);
const V6_FIELD = new Field("v6", new FixedSizeBinary(16), true);
const LEN_FIELD = new Field("len", new Uint8(), false);

function intArrowType(signed: boolean, width: IntWidth): DataType {
  if (width <= 8) return signed ? new Int8() : new Uint8();
  if (width <= 16) return signed ? new Int16() : new Uint16();
  if (width <= 32) return signed ? new Int32() : new Uint32();
  if (width <= 64) return signed ? new Int64() : new Uint64();
  return new FixedSizeBinary(16);
}

const arrowTypeVisitor: TypeVisitor<DataType> = {
  bool: () => new Bool(),
  int: (_t, signed, width) => intArrowType(signed, width),
  float: () => new Float64(),
  string: () => new Binary(),
  char: () => new Uint8(),
  eth: () => new Uint64(),
  ip4: () => new Uint32(),
  ip6: () => new FixedSizeBinary(16),
  ip: () => new Struct([FAMILY_FIELD, V4_FIELD, V6_FIELD]),
  cidr4: () => new Struct([new Field("ip", new Uint32(), false), LEN_FIELD]),
  cidr6: () => new Struct([new Field("ip", new FixedSizeBinary(16), false), LEN_FIELD]),
  cidr: () => new Struct([FAMILY_FIELD, V4_FIELD, V6_FIELD, LEN_FIELD]),
  unit: (t) => (t.nullable ? new Struct([]) : new Null()),
  vector: (_t, dim, item) => new FixedSizeList(dim, arrowFieldOf("item", item)),
  list: (_t, item) => new List(arrowFieldOf("item", item)),
  tuple: (_t, items) => new Struct(items.map((item, i) => arrowFieldOf(String(i), item))),
  record: (_t, fields) => new Struct(fields.map((f) => arrowFieldOf(f.name, f.type))),
  map: (_t, key, value) => {
    const entries = new Field("entries", new Struct([arrowFieldOf("key", key), arrowFieldOf("value", value)]), false);
    return key.nullable ? new List(entries) : new Map_(entries);
  },
};

export function arrowTypeOf(t: NType): DataType {
  return visitType(t, arrowTypeVisitor);
}

export function arrowFieldOf(name: string, t: NType): Field {
  const nullable = t.nullable || t.type.tag === "unit";
  return new Field(name, arrowTypeOf(t), nullable, new Map([[RAMEN_TYPE_KEY, ntypeToString(t)]]));
}

/** The Arrow schema of tuples with these fields; `metadata` adds to the schema's (archive identity…). */
export function arrowSchemaOf(fields: readonly RaqlField[], metadata: ReadonlyMap<string, string> = new Map()): Schema {
  const schemaMetadata = new Map(metadata);
  schemaMetadata.set(SCHEMA_VERSION_KEY, SCHEMA_VERSION);
  return new Schema(
    fields.map((f) => arrowFieldOf(f.name, f.type)),
    schemaMetadata,
  );
}

// ---- Arrow → RaQL ---------------------------------------------------------------

function unreadable(path: string, reason: string): RamenError {
  return RamenError.of("arrowUnreadable", { where: `field ${path}`, reason });
}

export function raqlFieldsOf(schema: Schema): RaqlField[] {
  const version = schema.metadata.get(SCHEMA_VERSION_KEY);
  if (version !== undefined && version !== SCHEMA_VERSION) {
    throw RamenError.of("arrowUnreadable", { where: "schema", reason: `written with layout version ${version}, this reader knows version ${SCHEMA_VERSION}` });
  }
  return schema.fields.map((f) => ({ name: f.name, type: raqlTypeOf(f) }));
}

/** The RaQL type of an Arrow field: exact when it carries `ramen.type`, else the natural inverse. */
export function raqlTypeOf(field: Field, path: string = field.name): NType {
  const text = field.metadata.get(RAMEN_TYPE_KEY);
  if (text === undefined) return naturalTypeOf(field, undefined, path);
  const nullable = text.endsWith("?");
  const baseText = nullable ? text.slice(0, -1) : text;
  const scalar = baseText === "unit" ? T.unit : scalarTypeByName(baseText);
  const t: NType = scalar ? { type: scalar, nullable } : naturalTypeOf(field, text, path);
  // Composites are rebuilt from the Arrow children (which carry their own
  // text), so comparing texts and layouts checks the whole type.
  // compareTypes(a, b) requires b to be an instance of a's class: decoded
  // schemas hold generic classes (Float), ours the specific ones (Float64).
  if (ntypeToString(t) !== text || !util.compareTypes(field.type, arrowTypeOf(t))) {
    throw unreadable(path, `its ${RAMEN_TYPE_KEY} ${text} does not match its Arrow type ${String(field.type)}`);
  }
  return t;
}

const isTupleNames = (children: readonly Field[]): boolean =>
  children.length >= 2 && children.every((c, i) => c.name === String(i));

function naturalTypeOf(field: Field, text: string | undefined, path: string): NType {
  const type = field.type as DataType;
  const child = (f: Field) => raqlTypeOf(f, `${path}.${f.name}`);
  const entriesType = (entries: Field): Type => {
    const [key, value] = (entries.type as Struct).children;
    if (!key || !value) throw unreadable(path, "map entries must have a key and a value");
    return T.map(child(key), child(value));
  };
  const withNullability = (t: Type): NType => ({ type: t, nullable: field.nullable });
  switch (type.typeId) {
    case ArrowTypeId.Null:
      return { type: T.unit, nullable: false };
    case ArrowTypeId.Bool:
      return withNullability(T.bool);
    case ArrowTypeId.Int: {
      const { isSigned, bitWidth } = type as Int8;
      if (!(INT_WIDTHS as readonly number[]).includes(bitWidth)) break;
      return withNullability(T.int(isSigned, bitWidth as IntWidth));
    }
    case ArrowTypeId.Float:
      if ((type as Float64).precision === Precision.HALF) break;
      return withNullability(T.float);
    case ArrowTypeId.Binary:
    case ArrowTypeId.Utf8:
      return withNullability(T.string);
    case ArrowTypeId.FixedSizeBinary:
      if ((type as FixedSizeBinary).byteWidth !== 16) break;
      return withNullability(T.u128);
    case ArrowTypeId.FixedSizeList: {
      const fsl = type as FixedSizeList;
      return withNullability(T.vector(fsl.listSize, child(fsl.children[0]!)));
    }
    case ArrowTypeId.List: {
      const item = (type as List).children[0]!;
      const isMapText = text !== undefined && !text.replace(/\?$/, "").endsWith("[]");
      return withNullability(isMapText ? entriesType(item) : T.list(child(item)));
    }
    case ArrowTypeId.Struct: {
      const children = (type as Struct).children;
      if (children.length === 0) return withNullability(T.unit);
      const isTuple = text !== undefined ? text.startsWith("(") : isTupleNames(children);
      return withNullability(
        isTuple ? T.tuple(children.map(child)) : T.record(children.map((c) => ({ name: c.name, type: child(c) }))),
      );
    }
    case ArrowTypeId.Map:
      return withNullability(entriesType((type as Map_).children[0]!));
  }
  throw unreadable(path, `Arrow type ${String(type)} has no RaQL equivalent`);
}
