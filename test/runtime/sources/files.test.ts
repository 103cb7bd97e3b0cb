import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../../grammar/diagnostics.js";
import { type NType, T, notNull, nullable } from "../../../grammar/types.js";
import { type CsvSpec, compileCsvReader } from "../../../runtime/sources/csv.js";
import { type FileSource, type FileSourceOptions, type SourceReport, csvFileSource, matchingFiles, rowBinaryFileSource, throttleBadLines } from "../../../runtime/sources/files.js";
import { compileRowBinaryDecoder } from "../../../runtime/sources/rowbinary.js";
import type { Value } from "../../../stdlib/values.js";

const FIXTURES = "/work/shared/fixtures";
const nn = notNull;

function awk(program: string, file: string, separator = ","): string {
  return execFileSync("awk", ["-F", separator, program, file], { encoding: "utf8" }).trim();
}

function csv(types: readonly NType[], options: Partial<Omit<CsvSpec, "fields">> = {}) {
  return compileCsvReader({ separator: ",", nullString: "", quote: '"', ...options, fields: types.map((type, i) => ({ name: `f${i + 1}`, type })) });
}

interface Outcome {
  rows: Value[][];
  chunks: number[];
  reports: SourceReport[];
  source: FileSource;
}

async function readAll(make: (report: (r: SourceReport) => void) => FileSource): Promise<Outcome> {
  const reports: SourceReport[] = [];
  const source = make((r) => reports.push(r));
  const rows: Value[][] = [];
  const chunks: number[] = [];
  for await (const chunk of source.rows) {
    chunks.push(chunk.length);
    rows.push(...chunk);
  }
  return { rows, chunks, reports, source };
}

function readCsv(path: string, types: readonly NType[], options: Partial<Omit<CsvSpec, "fields">> = {}, more: Partial<FileSourceOptions> = {}): Promise<Outcome> {
  return readAll((report) => csvFileSource({ path, cwd: FIXTURES, follow: false, report, ...more }, csv(types, options)));
}

function messages(reports: readonly SourceReport[]): string[] {
  return reports.map((r) => `${r.diagnostic.code} ${r.diagnostic.message}`);
}

describe("the fixture files", () => {
  it("123.csv", async () => {
    const { rows, reports, source } = await readCsv("123.csv", [nn(T.u8), nn(T.bool), nullable(T.string)]);
    expect(rows).toEqual([
      [1, true, "one"],
      [2, true, "two"],
      [3, false, null],
    ]);
    expect(reports).toEqual([]);
    expect(source.counts).toEqual({ files: 1, rows: 3, badLines: 0 });
  });

  it("accounts.csv: signed amounts with a leading +", async () => {
    const { rows, source } = await readCsv("accounts.csv", [nn(T.string), nn(T.i32)]);
    expect(rows[0]).toEqual(["John", 500]);
    expect(source.counts.rows).toBe(Number(awk("END {print NR}", `${FIXTURES}/accounts.csv`)));
    expect(rows.reduce((s, r) => s + (r[1] as number), 0)).toBe(Number(awk("{s += $2} END {print s}", `${FIXTURES}/accounts.csv`)));
  });

  it("earthquakes.csv: tab-separated", async () => {
    const { rows, source } = await readCsv("earthquakes.csv", [nn(T.u16), nn(T.u8)], { separator: "\t" });
    expect(source.counts).toEqual({ files: 1, rows: 100, badLines: 0 });
    expect(rows.reduce((s, r) => s + (r[1] as number), 0)).toBe(Number(awk("{s += $2} END {print s}", `${FIXTURES}/earthquakes.csv`, "\t")));
  });

  it("mixture.csv: generic ip and cidr columns", async () => {
    const { rows } = await readCsv("mixture.csv", [nn(T.u8), nn(T.ip), nn(T.cidr)]);
    expect(rows.map((r) => [r[0], typeof r[1], typeof (r[2] as { ip: unknown }).ip])).toEqual([
      [1, "number", "number"],
      [2, "bigint", "bigint"],
    ]);
  });

  it("email.csv: ClickHouse arrays, \\N for NULL", async () => {
    const strings = nn(T.list(nn(T.string)));
    const { rows, reports } = await readCsv("email.csv", [nullable(T.string), strings, strings, nullable(T.string), strings, strings], { separator: "\t", clickhouseSyntax: true });
    expect(reports).toEqual([]);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toEqual(['"xxxxxxxxxx" <xxxxxxxxx@xxxxxxx.com>', ["Xxxxxxxxxxx <xxxxxxxx@gmail.com>"], [], "<CEC7902D.1A0ED%xxxxxxxxx@xxxxxxx.com>", [], []]);
    expect(rows[1]![3]).toBeNull();
    expect(rows[1]![2]).toEqual(["sample receiver 3 <sample.receiver.3@example.com>", "sample receiver 4 <sample.receiver.4@example.com>"]);
    expect(rows[2]).toEqual([null, [], [], null, [], []]);
    expect(rows[3]![1]).toEqual(['"bdp" <bdp@localhost>']);
    expect(rows[3]![4]).toEqual(["fileExample.txt", "image.jpg", "image2.jpg", "image3.jpg"]);
    expect(rows[3]![5]).toEqual(["multipart/alternative", "text/plain", "image/jpeg", "image/jpeg", "image/jpeg"]);
  });

  it("cars.csv: quoted models with commas, empty nullable columns", async () => {
    const file = `${FIXTURES}/cars.csv`;
    const types = [nn(T.u16), nn(T.string), nn(T.string), nn(T.u16), nullable(T.float), nullable(T.float)];
    const { rows, reports, source } = await readCsv("cars.csv", types);
    expect(reports).toEqual([]);
    expect(source.counts.rows).toBe(Number(awk("END {print NR}", file)));
    expect(rows.find((r) => (r[2] as string).includes(","))).toEqual([2017, "FOMOCO", "Explorer Police FFV, AWD", 290, 0.261999, 267.8652]);
    expect(rows.filter((r) => r[5] === null)).toHaveLength(Number(awk('$NF == "" {n++} END {print n+0}', file)));
  });

  it("cars.csv with non-nullable floats: the lines with empty columns are bad, reported with their numbers", async () => {
    const file = `${FIXTURES}/cars.csv`;
    const types = [nn(T.u16), nn(T.string), nn(T.string), nn(T.u16), nn(T.float), nn(T.float)];
    const { reports, source } = await readCsv("cars.csv", types);
    const badLineNumbers = awk('$(NF-1) == "" || $NF == "" {print NR}', file).split("\n").map(Number);
    expect(source.counts.badLines).toBe(badLineNumbers.length);
    expect(source.counts.rows).toBe(Number(awk("END {print NR}", file)) - badLineNumbers.length);
    expect(reports.map((r) => (r.tag === "badLine" ? r.line : -1))).toEqual(badLineNumbers);
    expect(reports[0]!.diagnostic.message).toBe(`cars.csv:${badLineNumbers[0]}: field f5, column 5: "" is not a number`);
    expect(reports[0]!.diagnostic.code).toBe("RQ7001");
  });

  it("port_scan.csv", async () => {
    const file = `${FIXTURES}/port_scan.csv`;
    const types = [nn(T.string), nn(T.float), nn(T.float), ...Array.from({ length: 21 }, () => nn(T.u32))];
    const { rows, reports } = await readCsv("port_scan.csv", types);
    expect(reports).toEqual([]);
    expect(rows).toHaveLength(Number(awk("END {print NR}", file)));
    expect(rows[0]![0]).toBe("127.0.0.1:57338");
    expect(rows.reduce((s, r) => s + (r[12] as number), 0)).toBe(Number(awk("{s += $13} END {printf \"%d\", s}", file)));
  });

  it("udp_test.chb as RowBinary", async () => {
    const types = ["String", "UInt64", "UInt64", "UInt8", "String", "UInt8", "String", "Nullable(UInt32)", "Nullable(UInt32)", "UInt64", "UInt64", "UInt32", "UInt32"]
      .concat(["Nullable(UInt32)", "Nullable(FixedString(16))", "Nullable(UInt32)", "Nullable(FixedString(16))", "Nullable(UInt32)", "Nullable(FixedString(16))"])
      .concat(["UInt16", "UInt16", "UInt16", "UInt16", "UInt32", "UInt32", "UInt32", "String", "UInt64", "UInt64", "UInt64", "UInt64", "UInt64", "UInt64", "Nullable(UUID)"]);
    const fields = types.map((clickhouseType, i) => ({ name: `c${i}`, clickhouseType }));
    const { rows, reports, source } = await readAll((report) => rowBinaryFileSource({ path: "udp_test.chb", cwd: FIXTURES, follow: false, report }, () => compileRowBinaryDecoder(fields)));
    expect(reports).toEqual([]);
    expect(rows.map((r) => r[26])).toEqual(new Array(6).fill("Ethernet/IPv4/UDP/DNS"));
    expect(source.counts).toEqual({ files: 1, rows: 6, badLines: 0 });
  });
});

describe("files in a directory", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ramen-sources-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const u8s = [nn(T.u8)];
  const read = (path: string, more: Partial<FileSourceOptions> = {}, types = u8s) => readAll((report) => csvFileSource({ path, cwd: dir, follow: false, report, ...more }, csv(types)));

  it("reports bad lines with the file and line number, and reads on", async () => {
    writeFileSync(join(dir, "n.csv"), "1\nx\n\n300\r\n4");
    const { rows, reports, source } = await read("n.csv");
    expect(rows).toEqual([[1], [4]]);
    expect(source.counts).toEqual({ files: 1, rows: 2, badLines: 3 });
    expect(messages(reports)).toEqual([
      'RQ7001 n.csv:2: field f1, column 1: "x" is not an integer',
      'RQ7001 n.csv:3: field f1, column 1: "" is not an integer',
      'RQ7001 n.csv:4: field f1, column 1: "300" is out of the range of u8',
    ]);
    expect(formatDiagnostic(reports[0]!.diagnostic)).toBe('error: n.csv:2: field f1, column 1: "x" is not an integer [RQ7001]');
  });

  it("reads the files of a glob in name order, in chunks of rows", async () => {
    writeFileSync(join(dir, "b2.csv"), "3\n");
    writeFileSync(join(dir, "b1.csv"), Array.from({ length: 2500 }, (_, i) => i % 256).join("\n") + "\n");
    writeFileSync(join(dir, "c1.csv"), "9\n");
    writeFileSync(join(dir, ".b3.csv"), "9\n");
    const { rows, chunks, source } = await read("b?.csv");
    expect(chunks).toEqual([1024, 1024, 452, 1]);
    expect(rows.at(-1)).toEqual([3]);
    expect(source.counts.files).toBe(2);
    expect(matchingFiles(join(dir, "[bc]*.csv"))).toEqual([join(dir, "b1.csv"), join(dir, "b2.csv"), join(dir, "c1.csv")]);
    expect(matchingFiles(join(dir, "*", "x.csv"))).toEqual([]);
  });

  it("PREPROCESS WITH pipes each file through a shell command", async () => {
    writeFileSync(join(dir, "n.csv.gz"), gzipSync("7\n8\n"));
    const { rows, reports } = await read("*.gz", { preprocess: "gzip -dc" });
    expect(reports).toEqual([]);
    expect(rows).toEqual([[7], [8]]);
  });

  it("a failing preprocessor is reported and the file kept", async () => {
    writeFileSync(join(dir, "n.csv"), "1\n");
    const { reports, source } = await read("n.csv", { preprocess: "echo oops >&2; exit 3", deleteAfter: true });
    expect(messages(reports)).toEqual(['RQ7003 n.csv: preprocessor "echo oops >&2; exit 3" failed: exit code 3: oops']);
    expect(source.counts.files).toBe(0);
    expect(existsSync(join(dir, "n.csv"))).toBe(true);
  });

  it("THEN DELETE removes each file once read; without it files stay", async () => {
    writeFileSync(join(dir, "a.csv"), "1\n");
    writeFileSync(join(dir, "b.csv"), "2\n");
    await read("a.csv");
    expect(existsSync(join(dir, "a.csv"))).toBe(true);
    const { rows } = await read("*.csv", { deleteAfter: true });
    expect(rows).toEqual([[1], [2]]);
    expect(existsSync(join(dir, "a.csv")) || existsSync(join(dir, "b.csv"))).toBe(false);
  });

  it("a missing file is reported once as a warning, never thrown", async () => {
    const { rows, reports } = await read("nothing.csv");
    expect(rows).toEqual([]);
    expect(reports).toEqual([{ tag: "waiting", diagnostic: expect.objectContaining({ code: "RQ7101", severity: "warning", message: "no file matches nothing.csv yet; waiting for one" }) }]);
  });

  it.skipIf(process.getuid?.() === 0)("an unreadable file is reported and skipped", async () => {
    writeFileSync(join(dir, "a.csv"), "1\n");
    writeFileSync(join(dir, "b.csv"), "2\n");
    chmodSync(join(dir, "a.csv"), 0);
    const { rows, reports } = await read("*.csv");
    expect(rows).toEqual([[2]]);
    expect(messages(reports)).toEqual(["RQ7002 cannot read a.csv: permission denied"]);
  });

  it("follows: new matching files are read as they appear, until aborted", async () => {
    writeFileSync(join(dir, "1.csv"), "1\n");
    const abort = new AbortController();
    const source = csvFileSource({ path: "*.csv", cwd: dir, pollMs: 20, signal: abort.signal, report: () => {} }, csv(u8s));
    const seen: Value[][] = [];
    for await (const chunk of source.rows) {
      seen.push(...chunk);
      if (seen.length === 1) writeFileSync(join(dir, "2.csv"), "2\n");
      else abort.abort();
    }
    expect(seen).toEqual([[1], [2]]);
  });

  it("stopping early kills the preprocessor", async () => {
    writeFileSync(join(dir, "n.csv"), "1\n");
    const source = csvFileSource({ path: "n.csv", cwd: dir, follow: false, preprocess: "cat; yes 2", chunkRows: 10, report: () => {} }, csv(u8s));
    for await (const chunk of source.rows) {
      expect(chunk[0]).toEqual([1]);
      break;
    }
  });

  it("a RowBinary file ending inside a row is reported", async () => {
    writeFileSync(join(dir, "t.chb"), Uint8Array.of(1, 0, 2, 0, 3));
    const { rows, reports } = await readAll((report) =>
      rowBinaryFileSource({ path: "t.chb", cwd: dir, follow: false, report }, () => compileRowBinaryDecoder([{ name: "x", clickhouseType: "UInt16" }])),
    );
    expect(rows).toEqual([[1], [2]]);
    expect(messages(reports)).toEqual(["RQ7005 t.chb: the last 1 bytes do not make a whole row"]);
  });

  it("reads bytes, not UTF-8", async () => {
    writeFileSync(join(dir, "s.csv"), Buffer.from("é\n", "utf8"));
    const { rows } = await read("s.csv", {}, [nn(T.string)]);
    expect(rows).toEqual([["\xc3\xa9"]]);
    expect(readFileSync(join(dir, "s.csv")).length).toBe(3);
  });
});

describe("throttled bad-line reports", () => {
  it("one per file per period, the next one counting those held back", () => {
    let clock = 0;
    const logged: string[] = [];
    const report = throttleBadLines((r, heldBack) => logged.push(`${r.diagnostic.message} (+${heldBack})`), 1000, () => clock);
    const bad = (file: string, line: number): SourceReport => ({ tag: "badLine", file, line, diagnostic: { key: "inputBadLine", code: "RQ7001", severity: "error", message: `${file}:${line}` } });
    report(bad("a", 1));
    clock = 500;
    report(bad("a", 2));
    report(bad("b", 1));
    report(bad("a", 3));
    report({ tag: "waiting", diagnostic: { key: "inputNoFile", code: "RQ7101", severity: "warning", message: "w" } });
    clock = 1000;
    report(bad("a", 4));
    report(bad("a", 5));
    expect(logged).toEqual(["a:1 (+0)", "b:1 (+0)", "w (+0)", "a:4 (+2)"]);
  });
});
