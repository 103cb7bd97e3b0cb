import { createHash } from "node:crypto";
import { join } from "node:path";
import { Field, Schema, Uint32, Float64 } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { T, notNull, nullable } from "../../../grammar/types.js";
import { arrowSchemaOf } from "../../../runtime/arrow/schema.js";
import {
  archiveDir,
  archivePaths,
  canonicalSchemaJson,
  filesOverlapping,
  formatArchivedFileName,
  listArchivedFiles,
  microsCeil,
  microsFloor,
  parseArchivedFileName,
  schemaHash,
  splitFq,
} from "../../../runtime/archive/layout.js";
import { tempDir, writeFile } from "./files.js";

describe("archive directory paths", () => {
  it("split fq on the last slash and nest the program path", () => {
    expect(splitFq("a/b/c")).toStrictEqual({ program: "a/b", func: "c" });
    expect(archiveDir("/s", "local", "net/per_host/top", "0123456789abcdef")).toBe("/s/archives/v1/local/net/per_host/top/0123456789abcdef");
    const p = archivePaths("/d");
    expect([p.current, p.lock, p.arc, p.nextSeq, p.leases, p.tmp]).toStrictEqual([
      "/d/current.arrow",
      "/d/current.lock",
      "/d/arc",
      "/d/arc/next-seq",
      "/d/arc/.leases",
      "/d/arc/.tmp",
    ]);
  });
});

describe("schema hash", () => {
  it("is the first 16 hex digits of SHA-256 of the documented canonical JSON", () => {
    const schema = new Schema([new Field("x", new Uint32(), false, new Map([["ramen.type", "u32"]])), new Field("y", new Float64(), true)]);
    const expected =
      '{"fields":[{"name":"x","nullable":false,"type":{"id":"Int","bitWidth":32,"isSigned":false},"metadata":{"ramen.type":"u32"}},' +
      '{"name":"y","nullable":true,"type":{"id":"Float","precision":"DOUBLE"},"metadata":{}}]}';
    expect(canonicalSchemaJson(schema)).toBe(expected);
    expect(schemaHash(schema)).toBe(createHash("sha256").update(expected).digest("hex").slice(0, 16));
  });

  it("ignores schema metadata but not types, nullability, order or RaQL types of a shared layout", () => {
    const base = schemaHash(arrowSchemaOf([{ name: "a", type: notNull(T.u32) }, { name: "b", type: nullable(T.string) }]));
    expect(schemaHash(arrowSchemaOf([{ name: "a", type: notNull(T.u32) }, { name: "b", type: nullable(T.string) }], new Map([["ramen.first_seq", "42"]])))).toBe(base);
    const variants = [
      [{ name: "a", type: notNull(T.u32) }, { name: "b", type: notNull(T.string) }],
      [{ name: "b", type: nullable(T.string) }, { name: "a", type: notNull(T.u32) }],
      [{ name: "a", type: notNull(T.ip4) }, { name: "b", type: nullable(T.string) }],
      [{ name: "a", type: notNull(T.u32) }],
    ];
    const hashes = variants.map((fields) => schemaHash(arrowSchemaOf(fields)));
    expect(new Set([base, ...hashes]).size).toBe(5);
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{16}$/);
  });

  it("describes nested types through their children", () => {
    const json = JSON.parse(canonicalSchemaJson(arrowSchemaOf([{ name: "v", type: notNull(T.vector(3, notNull(T.u8))) }]))) as {
      fields: { type: unknown; children: { name: string; type: unknown }[] }[];
    };
    expect(json.fields[0]!.type).toStrictEqual({ id: "FixedSizeList", listSize: 3 });
    expect(json.fields[0]!.children.map((c) => [c.name, c.type])).toStrictEqual([["item", { id: "Int", bitWidth: 8, isSigned: false }]]);
  });
});

describe("archived file names", () => {
  it("format with 16 hex digits and outward-rounded microseconds", () => {
    expect(microsFloor(-1.0000005)).toBe(-1000001n);
    expect(microsCeil(1.0000001)).toBe(1000001n);
    const name = formatArchivedFileName({ first: 255n, end: 4096n, tminMicros: microsFloor(-2.5), tmaxMicros: microsCeil(1552130000.0000004) });
    expect(name).toBe("00000000000000ff_0000000000001000_-2500000_1552130000000001.arrow");
    expect(parseArchivedFileName(name)).toStrictEqual({ first: 255n, end: 4096n, tminMicros: -2500000n, tmaxMicros: 1552130000000001n });
  });

  it("reject what the regex does not match, and empty ranges", () => {
    for (const bad of [
      "00000000000000FF_0000000000001000_0_1.arrow",
      "ff_1000_0_1.arrow",
      "00000000000000ff_0000000000001000_0_1.arrow.tmp",
      "00000000000000ff_0000000000001000_0.5_1.arrow",
      "0000000000000010_0000000000000010_0_1.arrow",
      "next-seq",
    ]) {
      expect(parseArchivedFileName(bad)).toBeUndefined();
    }
  });

  it("list a directory sorted by first and select files overlapping [since, until)", () => {
    const dir = tempDir();
    const names = [
      "0000000000000014_000000000000001e_3000000_4000000.arrow", // [20, 30) t 3..4
      "0000000000000000_000000000000000a_0_1000000.arrow", //          [0, 10) t 0..1
      "000000000000000a_0000000000000014_500000_2000000.arrow", //  [10, 20) t 0.5..2
    ];
    for (const n of [...names, "garbage.arrow", "next-seq"]) writeFile(join(dir, n), "x");
    const files = listArchivedFiles(dir);
    expect(files.map((f) => f.fileName)).toStrictEqual([names[1], names[2], names[0]]);
    const pick = (since: number, until: number) => filesOverlapping(files, since, until).map((f) => f.first);
    expect(pick(0, 0.4)).toStrictEqual([0n]);
    expect(pick(1.5, 3)).toStrictEqual([10n, 20n]);
    expect(pick(2.0000001, 2.9999999)).toStrictEqual([]);
    expect(pick(4, 10)).toStrictEqual([20n]);
    expect(listArchivedFiles(join(dir, "missing"))).toStrictEqual([]);
  });
});
