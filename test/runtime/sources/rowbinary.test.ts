import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";
import { compileRowBinaryDecoder } from "../../../runtime/sources/rowbinary.js";
import type { Value } from "../../../stdlib/values.js";

function decoder(...types: string[]) {
  return compileRowBinaryDecoder(types.map((clickhouseType, i) => ({ name: `c${i}`, clickhouseType })));
}

function decodeAll(types: string[], bytes: number[]): Value[][] {
  const d = decoder(...types);
  const rows = d.push(Uint8Array.from(bytes));
  expect(d.pendingBytes).toBe(0);
  return rows;
}

describe("RowBinary values", () => {
  it("integers are little-endian, 64-bit ones bigints", () => {
    const bytes = [0xff, 0xff, 0x34, 0x12, 0xfe, 0xff, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0, 0, 0, 0x80, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    expect(decodeAll(["UInt8", "Int8", "UInt16", "Int16", "UInt32", "Int32", "UInt64", "Int64"], bytes)).toEqual([
      [255, -1, 0x1234, -2, 0x12345678, -1, 0x8000000000000001n, -2n],
    ]);
  });
  it("floats", () => {
    const buf = Buffer.alloc(12);
    buf.writeFloatLE(1.5, 0);
    buf.writeDoubleLE(-0.1, 4);
    expect(decodeAll(["Float32", "Float64"], [...buf])).toEqual([[1.5, -0.1]]);
  });
  it("strings have a LEB128 length and are byte strings", () => {
    const long = "x".repeat(300); // 300 = 0b10_0101100: LEB128 0xac 0x02
    const bytes = [3, 0x61, 0xe9, 0x00, 0xac, 0x02, ...Buffer.from(long, "latin1"), 0];
    expect(decodeAll(["String", "String", "String"], bytes)).toEqual([["a\xe9\x00", long, ""]]);
  });
  it("FixedString(16) is a little-endian u128, other sizes a char vector", () => {
    const bytes = [1, ...new Array<number>(14).fill(0), 0x80, 0x61, 0x62, 0x63];
    expect(decodeAll(["FixedString(16)", "FixedString(3)"], bytes)).toEqual([[(1n << 127n) | 1n, [0x61, 0x62, 0x63]]]);
  });
  it("UUID is two little-endian u64, the high half first", () => {
    const bytes = [2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0];
    expect(decodeAll(["UUID"], bytes)).toEqual([[(2n << 64n) | 3n]]);
  });
  it("Nullable: a byte 1 for NULL, 0 then the value", () => {
    expect(decodeAll(["Nullable(UInt16)", "Nullable(String)", "UInt8"], [1, 0, 2, 0x68, 0x69, 7])).toEqual([[null, "hi", 7]]);
  });
  it("Array: a LEB128 count then the items", () => {
    const bytes = [2, 0, 5, 1, 1, 1, 0x61, 2, 0, 0];
    expect(decodeAll(["Array(Nullable(UInt8))", "Array(String)", "Array(Array(UInt8))"], bytes)).toEqual([
      [[5, null], ["a"], [[], []]],
    ]);
  });
});

describe("chunks", () => {
  it("keeps an incomplete row for the next chunk, however the bytes are cut", () => {
    // ("ab", 1), ("c", NULL), then a row missing the last byte of its u32
    const bytes = [2, 0x61, 0x62, 0, 1, 0, 0, 0, 1, 0x63, 1, 0, 0, 2, 0, 0];
    const expected = [
      ["ab", 1],
      ["c", null],
    ];
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = decoder("String", "Nullable(UInt32)");
      const rows = [...d.push(Uint8Array.from(bytes.slice(0, cut))), ...d.push(Uint8Array.from(bytes.slice(cut)))];
      expect(rows, `cut at ${cut}`).toEqual(expected);
      expect(d.pendingBytes, `cut at ${cut}`).toBe(5);
    }
  });
  it("one byte at a time", () => {
    const d = decoder("UInt16", "String");
    const rows: Value[][] = [];
    for (const b of [1, 0, 1, 0x7a, 2, 0, 0]) rows.push(...d.push(Uint8Array.of(b)));
    expect(rows).toEqual([
      [1, "z"],
      [2, ""],
    ]);
    expect(d.pendingBytes).toBe(0);
  });
});

describe("types", () => {
  it("rejects unsupported ClickHouse types when compiling", () => {
    for (const t of ["Date", "DateTime", "Decimal(10, 2)", "LowCardinality(String)", "FixedString(0)", "Tuple(UInt8, UInt8)", "Map(String, UInt8)", "Nullable(Date)"]) {
      expect(() => decoder(t), t).toThrow(RamenError);
    }
    expect(() => compileRowBinaryDecoder([{ name: "x" }])).toThrow(/ClickHouse type \(none given\) \(field x\) is not supported/);
    expect(() => compileRowBinaryDecoder([])).toThrow(RamenError);
  });
});

// The columns of udp_test.chb, inferred from its bytes: the first 17 are those of
// Ramen's RowBinary example for this file; the others fit the bytes of every row
// exactly (see the report). diffserv_* may as well be Nullable(UInt8): they are
// the same bytes (0 0) in all rows.
const UDP_TEST_COLUMNS: readonly [string, string][] = [
  ["poller", "String"],
  ["capture_begin", "UInt64"],
  ["capture_end", "UInt64"],
  ["datasource_kind_client", "UInt8"],
  ["datasource_name_client", "String"],
  ["datasource_kind_server", "UInt8"],
  ["datasource_name_server", "String"],
  ["vlan_client", "Nullable(UInt32)"],
  ["vlan_server", "Nullable(UInt32)"],
  ["mac_client", "UInt64"],
  ["mac_server", "UInt64"],
  ["zone_client", "UInt32"],
  ["zone_server", "UInt32"],
  ["ip4_client", "Nullable(UInt32)"],
  ["ip6_client", "Nullable(FixedString(16))"],
  ["ip4_server", "Nullable(UInt32)"],
  ["ip6_server", "Nullable(FixedString(16))"],
  ["ip4_external", "Nullable(UInt32)"],
  ["ip6_external", "Nullable(FixedString(16))"],
  ["port_client", "UInt16"],
  ["port_server", "UInt16"],
  ["diffserv_client", "UInt16"],
  ["diffserv_server", "UInt16"],
  ["mtu_client", "UInt32"],
  ["mtu_server", "UInt32"],
  ["application", "UInt32"],
  ["protostack", "String"],
  ["traffic_bytes_client", "UInt64"],
  ["traffic_bytes_server", "UInt64"],
  ["traffic_packets_client", "UInt64"],
  ["traffic_packets_server", "UInt64"],
  ["payload_bytes_client", "UInt64"],
  ["payload_bytes_server", "UInt64"],
  ["dcerpc_uuid", "Nullable(UUID)"],
];

describe("udp_test.chb", () => {
  const file = readFileSync("/work/shared/fixtures/udp_test.chb");
  const fields = UDP_TEST_COLUMNS.map(([name, clickhouseType]) => ({ name, clickhouseType }));
  const col = (name: string) => UDP_TEST_COLUMNS.findIndex(([n]) => n === name);

  it("decodes every byte of the file into 6 rows", () => {
    const d = compileRowBinaryDecoder(fields);
    const rows = d.push(file);
    expect(d.pendingBytes).toBe(0);
    expect(rows).toHaveLength(6);
    // The first row, read by hand from `xxd udp_test.chb`.
    const first = rows[0]!;
    expect(first[col("poller")]).toBe("UNKNOWN");
    expect(first[col("capture_begin")]).toBe(0x0004693876804f07n);
    expect(first[col("capture_end")]).toBe(0x00046938768077d7n);
    expect(first[col("datasource_name_client")]).toBe("dns_a_request.pcap");
    expect(first[col("vlan_client")]).toBeNull();
    expect(first[col("mac_client")]).toBe(0x123f7157a1n);
    expect(first[col("ip4_client")]).toBe(0xc0a80a04); // 192.168.10.4
    expect(first[col("ip4_server")]).toBe(0xc0a80afe); // 192.168.10.254
    expect(first[col("ip6_client")]).toBeNull();
    expect(first[col("port_client")]).toBe(0xdcde);
    expect(first[col("port_server")]).toBe(53);
    expect(first[col("protostack")]).toBe("Ethernet/IPv4/UDP/DNS");
    expect(first[col("traffic_bytes_client")]).toBe(0x44n);
    expect(first[col("traffic_bytes_server")]).toBe(0xcfn);
    expect(first[col("dcerpc_uuid")]).toBeNull();
    // Every row: IP sizes are Ethernet frame sizes minus 14, payloads minus 42 (IPv4 + UDP headers).
    for (const row of rows) {
      expect(BigInt(row[col("mtu_server")] as number)).toBe((row[col("traffic_bytes_server")] as bigint) - 14n);
      expect(row[col("payload_bytes_server")]).toBe((row[col("traffic_bytes_server")] as bigint) - 42n);
      expect(row[col("port_server")]).toBe(53);
    }
    // The file holds its three requests twice.
    expect(rows.slice(3)).toEqual(rows.slice(0, 3));
  });

  it("gives the same rows when the file comes in small chunks", () => {
    const whole = compileRowBinaryDecoder(fields).push(file);
    const d = compileRowBinaryDecoder(fields);
    const rows: Value[][] = [];
    for (let i = 0; i < file.length; i += 7) rows.push(...d.push(file.subarray(i, i + 7)));
    expect(rows).toEqual(whole);
    expect(d.pendingBytes).toBe(0);
  });
});
