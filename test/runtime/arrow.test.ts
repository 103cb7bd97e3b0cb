import fc from "fast-check";
import { Binary, Field, FixedSizeBinary, Int32, Null, RecordBatch, Schema, Struct, Uint8, makeData, tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../grammar/diagnostics.js";
import { NType, T, notNull, ntypeEquals, nullable, ntypeToString } from "../../grammar/types.js";
import type { Value } from "../../stdlib/values.js";
import { batchOfRows, isValidAt, primitiveColumnOf, primitiveData, rowsOfBatch } from "../../runtime/arrow/columns.js";
import { decodeBatch, decodeStream, encodeBatch, encodeFile, encodeSchema, encodeStream, messageLengthAt } from "../../runtime/arrow/ipc.js";
import { RAMEN_TYPE_KEY, RaqlField, SCHEMA_VERSION_KEY, arrowSchemaOf, arrowTypeOf, raqlFieldsOf } from "../../runtime/arrow/schema.js";
import { arbNType, arbValue } from "../stdlib/arbitraries.js";

const field = (name: string, type: NType) => ({ name, type });

/** Fields compared by name and type (fast-check's NTypes have a null prototype, so not with toStrictEqual). */
function expectSameFields(actual: readonly RaqlField[], expected: readonly RaqlField[]): void {
  expect(actual.map((f) => [f.name, ntypeToString(f.type)])).toStrictEqual(expected.map((f) => [f.name, ntypeToString(f.type)]));
  expect(actual.every((f, i) => ntypeEquals(f.type, expected[i]!.type))).toBe(true);
}

describe("mapping of RaQL types to Arrow types", () => {
  // [RaQL type text, Arrow type printed by apache-arrow], from the layout table of schema.ts.
  const cases: [NType, string][] = [
    [notNull(T.bool), "Bool"],
    [notNull(T.u8), "Uint8"],
    [notNull(T.i16), "Int16"],
    [notNull(T.int(false, 24)), "Uint32"],
    [notNull(T.int(true, 24)), "Int32"],
    [notNull(T.u32), "Uint32"],
    [notNull(T.int(false, 40)), "Uint64"],
    [notNull(T.int(true, 56)), "Int64"],
    [notNull(T.i64), "Int64"],
    [notNull(T.u128), "FixedSizeBinary[16]"],
    [notNull(T.i128), "FixedSizeBinary[16]"],
    [notNull(T.float), "Float64"],
    [notNull(T.string), "Binary"],
    [notNull(T.char), "Uint8"],
    [notNull(T.eth), "Uint64"],
    [notNull(T.ip4), "Uint32"],
    [notNull(T.ip6), "FixedSizeBinary[16]"],
    [notNull(T.ip), "Struct<{family:Uint8, v4:Uint32, v6:FixedSizeBinary[16]}>"],
    [notNull(T.cidr4), "Struct<{ip:Uint32, len:Uint8}>"],
    [notNull(T.cidr6), "Struct<{ip:FixedSizeBinary[16], len:Uint8}>"],
    [notNull(T.cidr), "Struct<{family:Uint8, v4:Uint32, v6:FixedSizeBinary[16], len:Uint8}>"],
    [notNull(T.unit), "Null"],
    [nullable(T.unit), "Struct<{}>"],
    [notNull(T.vector(3, nullable(T.u8))), "FixedSizeList[3]<Uint8>"],
    [notNull(T.list(notNull(T.string))), "List<Binary>"],
    [notNull(T.tuple([notNull(T.u16), nullable(T.float)])), "Struct<{0:Uint16, 1:Float64}>"],
    [notNull(T.record([field("ip", notNull(T.ip4)), field("port", notNull(T.u16))])), "Struct<{ip:Uint32, port:Uint16}>"],
    [notNull(T.map(notNull(T.string), notNull(T.u32))), "Map<{key:Binary, value:Uint32}>"],
    [notNull(T.map(nullable(T.string), notNull(T.u32))), "List<Struct<{key:Binary, value:Uint32}>>"],
  ];
  it.each(cases.map(([t, arrow]) => [ntypeToString(t), t, arrow] as const))("%s", (_text, t, arrow) => {
    expect(String(arrowTypeOf(t))).toBe(arrow);
  });

  it("sets nullability on the field and on the items, and the type text as metadata at every level", () => {
    const t = nullable(T.vector(2, nullable(T.int(false, 24))));
    const [f] = arrowSchemaOf([field("v", t)]).fields;
    expect(f!.nullable).toBe(true);
    expect(f!.metadata.get(RAMEN_TYPE_KEY)).toBe("u24?[2]?");
    const item = f!.type.children[0] as Field;
    expect(item.nullable).toBe(true);
    expect(item.metadata.get(RAMEN_TYPE_KEY)).toBe("u24?");
  });

  it("marks the schema with its layout version", () => {
    expect(arrowSchemaOf([]).metadata.get(SCHEMA_VERSION_KEY)).toBe("1");
  });

  it("reads back the exact RaQL type of every field", () => {
    fc.assert(
      fc.property(fc.array(arbNType, { minLength: 1, maxLength: 4 }), (types) => {
        const fields = types.map((t, i) => field(`f${i}`, t));
        expectSameFields(raqlFieldsOf(arrowSchemaOf(fields)), fields);
      }),
    );
  });

  it("maps a schema without ramen metadata back by the natural inverse", () => {
    const schema = new Schema([
      new Field("i", new Int32(), false),
      new Field("b", new Binary(), true),
      new Field("x", new FixedSizeBinary(16), false),
      new Field("n", new Null(), true),
      new Field("t", new Struct([new Field("0", new Uint8(), false), new Field("1", new Binary(), true)]), false),
      new Field("r", new Struct([new Field("a", new Uint8(), false)]), true),
    ]);
    expect(raqlFieldsOf(schema)).toStrictEqual([
      field("i", notNull(T.i32)),
      field("b", nullable(T.string)),
      field("x", notNull(T.u128)),
      field("n", notNull(T.unit)),
      field("t", notNull(T.tuple([notNull(T.u8), nullable(T.string)]))),
      field("r", nullable(T.record([field("a", notNull(T.u8))]))),
    ]);
  });

  it("rejects a type text that disagrees with the Arrow layout", () => {
    const schema = new Schema([new Field("x", new Int32(), false, new Map([[RAMEN_TYPE_KEY, "u32"]]))]);
    expect(() => raqlFieldsOf(schema)).toThrow(RamenError);
    expect(() => raqlFieldsOf(schema)).toThrow(/\(field x\): its ramen.type u32 does not match its Arrow type Int32/);
  });

  it("rejects Arrow types without a RaQL equivalent", () => {
    const schema = new Schema([new Field("x", new FixedSizeBinary(4), false)]);
    expect(() => raqlFieldsOf(schema)).toThrow(/no RaQL equivalent/);
  });
});

// ---- values round trip ------------------------------------------------------------

/** Floats that the generators of stdlib tests avoid but Arrow columns must keep bit for bit. */
const arbSpecialFloat = fc.constantFrom(NaN, -0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE);

/** A float type gets special floats too: swaps them in wherever a float value is generated. */
function arbValueWithSpecials(t: NType): fc.Arbitrary<Value> {
  if (t.type.tag === "float") return fc.oneof(arbValue(t, { anyFiniteFloat: true }), t.nullable ? fc.option(arbSpecialFloat, { nil: null }) : arbSpecialFloat);
  return arbValue(t, { anyFiniteFloat: true });
}

const arbTable = fc
  .array(arbNType, { minLength: 1, maxLength: 4 })
  .chain((types) => {
    const fields = types.map((t, i) => field(`f${i}`, t));
    const row = fc.tuple(...types.map(arbValueWithSpecials));
    return fc.tuple(fc.constant(fields), fc.array(row, { maxLength: 12 }));
  });

const arbMapType: fc.Arbitrary<NType> = fc
  .tuple(arbNType, arbNType, fc.boolean())
  .map(([key, value, isNullable]) => ({ type: T.map(key, value), nullable: isNullable }));

function arbMapValue(t: NType): fc.Arbitrary<Value> {
  const { key, value } = t.type as Extract<NType["type"], { tag: "map" }>;
  const entries = fc.array(fc.tuple(arbValue(key), arbValue(value)), { maxLength: 3 }).map((es) => new Map<Value, Value>(es));
  return t.nullable ? fc.option(entries, { nil: null }) : entries;
}

describe("values through batches and IPC", () => {
  it("get every RaQL type back exactly through batchOfRows → IPC stream → rowsOfBatch", () => {
    fc.assert(
      fc.property(arbTable, ([fields, rows]) => {
        const schema = arrowSchemaOf(fields);
        const batch = batchOfRows(fields, rows, schema);
        const decoded = decodeStream(encodeStream(schema, [batch]));
        expect(decoded.complete).toBe(true);
        expectSameFields(raqlFieldsOf(decoded.schema), fields);
        expect(decoded.batches.map(rowsOfBatch)).toStrictEqual([rows]);
      }),
      { numRuns: 300 },
    );
  });

  it("get them back through one batch message decoded with the known schema", () => {
    fc.assert(
      fc.property(arbTable, ([fields, rows]) => {
        const schema = arrowSchemaOf(fields);
        const bytes = encodeBatch(batchOfRows(fields, rows, schema));
        expect(bytes.byteLength % 8).toBe(0);
        expect(messageLengthAt(bytes)).toBe(bytes.byteLength);
        expect(rowsOfBatch(decodeBatch(bytes, schema))).toStrictEqual(rows);
      }),
      { numRuns: 100 },
    );
  });

  it("get maps back, with nullable keys too", () => {
    const arbMapTable = arbMapType.chain((t) => fc.tuple(fc.constant(t), fc.array(arbMapValue(t), { maxLength: 5 })));
    fc.assert(
      fc.property(arbMapTable, ([t, values]) => {
        const fields = [field("m", t)];
        const rows = values.map((v) => [v]);
        const schema = arrowSchemaOf(fields);
        const back = rowsOfBatch(decodeBatch(encodeBatch(batchOfRows(fields, rows, schema)), schema));
        expect(back).toStrictEqual(rows);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps bytes that are not UTF-8, and tells NULL from () and from empty lists", () => {
    const fields = [field("s", nullable(T.string)), field("u", nullable(T.unit)), field("l", nullable(T.list(nullable(T.u8))))];
    const rows: Value[][] = [
      ["\xff\xfe\x00\x80", [], []],
      [null, null, null],
      ["", [], [null, 255]],
    ];
    const schema = arrowSchemaOf(fields);
    expect(rowsOfBatch(decodeBatch(encodeBatch(batchOfRows(fields, rows, schema)), schema))).toStrictEqual(rows);
  });

  it("carries the batch's metadata (the link's channel id) in the message", () => {
    const fields = [field("x", notNull(T.u8))];
    const schema = arrowSchemaOf(fields);
    const batch = batchOfRows(fields, [[1]], schema);
    const withChannel = new RecordBatch(schema, batch.data, new Map([["ramen.channel", "7"]]));
    expect(decodeBatch(encodeBatch(withChannel), schema).metadata.get("ramen.channel")).toBe("7");
  });

  it("rejects a NULL in a non-nullable field", () => {
    expect(() => batchOfRows([field("x", notNull(T.u8))], [[null]])).toThrow(/NULL in non-nullable field x/);
  });
});

// ---- interoperability -----------------------------------------------------------------

const sampleFields = [
  field("name", notNull(T.string)),
  field("count", nullable(T.u32)),
  field("total", notNull(T.u64)),
  field("ratio", notNull(T.float)),
  field("addr", notNull(T.ip4)),
];
const sampleRows: Value[][] = [
  ["a", 1, 10n, 0.5, 0x7f000001],
  ["bc", null, 2n ** 64n - 1n, -1.25, 0xc0a80001],
  ["", 3, 0n, NaN, 0],
];

function expectSampleTable(bytes: Uint8Array): void {
  const table = tableFromIPC(bytes);
  expect(table.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toStrictEqual([
    ["name", "Binary", false],
    ["count", "Uint32", true],
    ["total", "Uint64", false],
    ["ratio", "Float64", false],
    ["addr", "Uint32", false],
  ]);
  expect(table.numRows).toBe(3);
  expect(Array.from(table.getChild("name")!, (b: Uint8Array) => Buffer.from(b).toString("latin1"))).toStrictEqual(["a", "bc", ""]);
  expect(table.getChild("count")!.toArray()).toStrictEqual(Uint32Array.of(1, 0, 3));
  expect(table.getChild("count")!.isValid(1)).toBe(false);
  expect(Array.from(table.getChild("total")!)).toStrictEqual([10n, 2n ** 64n - 1n, 0n]);
  expect(Array.from(table.getChild("ratio")!)).toStrictEqual([0.5, -1.25, NaN]);
  expect(Array.from(table.getChild("addr")!)).toStrictEqual([0x7f000001, 0xc0a80001, 0]);
}

describe("Arrow IPC bytes read by apache-arrow's own reader", () => {
  const schema = arrowSchemaOf(sampleFields);
  const batch = batchOfRows(sampleFields, sampleRows, schema);

  it("as a stream", () => {
    expectSampleTable(encodeStream(schema, [batch]));
  });

  it("as a file", () => {
    const bytes = encodeFile(schema, [batch, batch]);
    expect(Buffer.from(bytes.subarray(0, 6)).toString()).toBe("ARROW1");
    const table = tableFromIPC(bytes);
    expect(table.batches).toHaveLength(2);
    expectSampleTable(encodeFile(schema, [batch]));
  });

  it("as schema and batch messages sent separately", () => {
    expectSampleTable(Buffer.concat([encodeSchema(schema), encodeBatch(batch)]));
  });

  it("stops at the last complete message of an unsealed stream", () => {
    const stream = encodeStream(schema, [batch, batch]);
    const unsealed = stream.subarray(0, stream.byteLength - 8);
    const cut = unsealed.subarray(0, unsealed.byteLength - 5);
    const whole = decodeStream(unsealed);
    expect([whole.complete, whole.batches.length]).toStrictEqual([false, 2]);
    const truncated = decodeStream(cut);
    expect([truncated.complete, truncated.batches.length]).toStrictEqual([false, 1]);
    expect(messageLengthAt(cut, cut.byteLength - (encodeBatch(batch).byteLength - 5))).toBeUndefined();
  });

  it("decodes a message in place inside a larger shared buffer", () => {
    const message = encodeBatch(batch);
    const ring = new Uint8Array(new SharedArrayBuffer(message.byteLength + 64));
    ring.set(message, 16);
    expect(rowsOfBatch(decodeBatch(ring, schema, 16))).toStrictEqual(sampleRows);
  });
});

describe("zero-copy views of primitive columns", () => {
  it("expose the typed array and the validity bitmap, honouring slice offsets", () => {
    const fields = [field("x", nullable(T.i32))];
    const rows: Value[][] = [[1], [null], [3], [null], [5], [6], [7], [8], [null], [10]];
    const schema = arrowSchemaOf(fields);
    const data = decodeBatch(encodeBatch(batchOfRows(fields, rows, schema)), schema).data.children[0]!;
    const whole = primitiveColumnOf(data);
    expect(whole.values).toBeInstanceOf(Int32Array);
    expect(Array.from({ length: 10 }, (_, i) => (isValidAt(whole, i) ? whole.values[i] : null))).toStrictEqual(rows.map((r) => r[0]));
    const sliced = primitiveColumnOf(data.slice(7, 3));
    expect(Array.from({ length: 3 }, (_, i) => (isValidAt(sliced, i) ? sliced.values[i] : null))).toStrictEqual([8, null, 10]);
  });

  it("wrap arrays filled by generated code without copying", () => {
    const values = Float64Array.of(1.5, 0, -2);
    const validity = Uint8Array.of(0b101);
    const data = primitiveData(nullable(T.float), values, 3, validity, 1);
    expect(data.values).toBe(values);
    const schema = arrowSchemaOf([field("f", nullable(T.float))]);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 3, children: [data] }));
    expect(rowsOfBatch(batch)).toStrictEqual([[1.5], [null], [-2]]);
  });
});
