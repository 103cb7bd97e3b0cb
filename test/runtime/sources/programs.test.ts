// The readers fed with READ operations as the grammar parses them: the AST's
// CsvFormat / RowBinaryFormat are the readers' specifications as they are.
import { describe, expect, it } from "vitest";
import type { CsvFormat, ReadExternal, RowBinaryFormat } from "../../../grammar/ast.js";
import { parseProgram } from "../../../grammar/index.js";
import { SourceFile } from "../../../grammar/source.js";
import { compileCsvReader } from "../../../runtime/sources/csv.js";
import { type SourceReport, csvFileSource, rowBinaryFileSource } from "../../../runtime/sources/files.js";
import { compileRowBinaryDecoder } from "../../../runtime/sources/rowbinary.js";
import type { Value } from "../../../stdlib/values.js";

const FIXTURES = "/work/shared/fixtures";

function readOperation(text: string): ReadExternal {
  const { program } = parseProgram(new SourceFile("t.ramen", text));
  const op = program.functions[0]!.operation;
  if (op.kind !== "read") throw new Error("not a READ");
  return op;
}

async function collect(rows: AsyncIterable<Value[][]>): Promise<Value[][]> {
  const out: Value[][] = [];
  for await (const chunk of rows) out.push(...chunk);
  return out;
}

describe("READ operations from the parser", () => {
  it("CSV with options", async () => {
    const op = readOperation(`DEFINE emails AS READ FROM FILE "email.csv" AS CSV SEPARATOR "\\t" NULL "" CLICKHOUSE SYNTAX
      ('from' string?, 'to' string[], cc string[], message_id string?, attachments string[], content_types string[]);`);
    const reports: SourceReport[] = [];
    const source = csvFileSource({ path: "email.csv", cwd: FIXTURES, follow: false, report: (r) => reports.push(r) }, compileCsvReader(op.format as CsvFormat));
    const rows = await collect(source.rows);
    expect(reports).toEqual([]);
    expect(rows.map((r) => (r[1] as Value[]).length)).toEqual([1, 2, 0, 1]);
  });

  it("CSV with NO QUOTES and ESCAPE WITH", () => {
    const op = readOperation(`DEFINE f AS READ FROM FILE "x" AS CSV SEPARATOR #\\; NULL "NA" NO QUOTES ESCAPE WITH "\\\\" (a string?, b u8);`);
    const parse = compileCsvReader(op.format as CsvFormat);
    expect(parse('NA;1')).toEqual([null, 1]);
    expect(parse('"x";2')).toEqual(['"x"', 2]);
    expect(parse('a\\;b\\\\;3')).toEqual(["a;b\\", 3]);
  });

  it("ROWBINARY with a ClickHouse column list", async () => {
    const op = readOperation(`DEFINE f AS READ FROM FILE "udp_test.chb" AS ROWBINARY (
      columns format version: 1
      34 columns:
      \`poller\` String
      \`capture_begin\` UInt64
      \`capture_end\` UInt64
      \`datasource_kind_client\` UInt8
      \`datasource_name_client\` String
      \`datasource_kind_server\` UInt8
      \`datasource_name_server\` String
      \`vlan_client\` Nullable(UInt32)
      \`vlan_server\` Nullable(UInt32)
      \`mac_client\` UInt64
      \`mac_server\` UInt64
      \`zone_client\` UInt32
      \`zone_server\` UInt32
      \`ip4_client\` Nullable(UInt32)
      \`ip6_client\` Nullable(FixedString(16))
      \`ip4_server\` Nullable(UInt32)
      \`ip6_server\` Nullable(FixedString(16))
      \`ip4_external\` Nullable(UInt32)
      \`ip6_external\` Nullable(FixedString(16))
      \`port_client\` UInt16
      \`port_server\` UInt16
      \`diffserv_client\` UInt16
      \`diffserv_server\` UInt16
      \`mtu_client\` UInt32
      \`mtu_server\` UInt32
      \`application\` UInt32
      \`protostack\` String
      \`traffic_bytes_client\` UInt64
      \`traffic_bytes_server\` UInt64
      \`traffic_packets_client\` UInt64
      \`traffic_packets_server\` UInt64
      \`payload_bytes_client\` UInt64
      \`payload_bytes_server\` UInt64
      \`dcerpc_uuid\` Nullable(UUID)
    );`);
    const format = op.format as RowBinaryFormat;
    const reports: SourceReport[] = [];
    const source = rowBinaryFileSource({ path: "udp_test.chb", cwd: FIXTURES, follow: false, report: (r) => reports.push(r) }, () => compileRowBinaryDecoder(format.fields));
    const rows = await collect(source.rows);
    expect(reports).toEqual([]);
    expect(rows.map((r) => r[20])).toEqual([53, 53, 53, 53, 53, 53]);
  });
});
