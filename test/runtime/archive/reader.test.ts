import { appendFileSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";
import { archiveDir, archivePaths, listArchivedFiles, schemaHash } from "../../../runtime/archive/layout.js";
import { ArchiveGap, ArchivedBatch, readArchive } from "../../../runtime/archive/reader.js";
import { ArchiveWriter } from "../../../runtime/archive/writer.js";
import { encodeBatch } from "../../../runtime/arrow/ipc.js";
import { tempDir, writeFile } from "./files.js";
import { OUTPUT_SCHEMA, Producer, inRange } from "./rows.js";

const FQ = "prog/f";

/** An archive of rows 0 … 10·batches−1 in batches of 10, sealed every `perFile` batches, the rest left current. */
function archiveOf(batches: number, perFile: number): { dir: string; writer: ArchiveWriter; producer: Producer } {
  const dir = archiveDir(tempDir(), "local", FQ, schemaHash(OUTPUT_SCHEMA));
  const producer = new Producer();
  // An age limit of perFile − 1 seconds with one batch per second seals every perFile batches.
  const writer = ArchiveWriter.open({ dir, schema: producer.schema, site: "local", fq: FQ, time: "event", now: 0, maxAge: perFile - 1 });
  for (let b = 0; b < batches; b++) writer.append(producer.batch(10 * b, 10), BigInt(10 * b), b);
  return { dir, writer, producer };
}

/** The sequence numbers of the selected rows. */
function seqsOf(batches: Iterable<ArchivedBatch>): number[] {
  const seqs: number[] = [];
  for (const { batch, firstSeq, selection } of batches) {
    const rows = selection ?? Array.from({ length: batch.numRows }, (_, i) => i);
    for (const i of rows) {
      const n = batch.getChild("n")!.get(i) as number;
      // The batch's own column tells the row: its number must be the one the reader gives.
      expect(Number(firstSeq) + i).toBe(n);
      seqs.push(n);
    }
  }
  return seqs;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe("archive reader", () => {
  it("selects rows by §6.1 and tells when a whole batch is selected", () => {
    const { dir, writer } = archiveOf(20, 4);
    const [since, until] = [1012.3, 1030.1];
    const batches = [...readArchive(dir, { since, until })];
    expect(seqsOf(batches)).toStrictEqual(range(0, 200).filter((s) => inRange(s, since, until)));
    for (const { batch, selection } of batches) {
      if (selection !== null) expect(selection.length).toBeLessThan(batch.numRows);
    }
    expect(batches.some((b) => b.selection === null)).toBe(true);
    writer.close();
  });

  it("stops before a sequence number (tail handoff)", () => {
    const { dir, writer } = archiveOf(12, 5);
    for (const beforeSeq of [0, 1, 35, 50, 51, 115, 120, 1000]) {
      expect(seqsOf(readArchive(dir, { beforeSeq: BigInt(beforeSeq) }))).toStrictEqual(range(0, Math.min(beforeSeq, 120)));
    }
    writer.close();
  });

  it("leases the sealed files while reading, renews the lease, and releases it", () => {
    const { dir, writer } = archiveOf(12, 3);
    const leases = join(archivePaths(dir).arc, ".leases");
    let clock = 5000;
    const reading = readArchive(dir, { since: -Infinity, until: Infinity, clock: () => clock });
    reading.next();
    const names = readdirSync(leases);
    expect(names).toHaveLength(1);
    const lease = () => JSON.parse(readFileSync(join(leases, names[0]!), "utf8")) as { pid: number; expiresAt: number; files: string[] };
    expect(lease()).toStrictEqual({ pid: process.pid, expiresAt: 5300, files: listArchivedFiles(archivePaths(dir).arc).map((f) => f.fileName) });
    clock = 5061;
    // The renewal happens once the first file is done (3 batches).
    for (let i = 0; i < 3; i++) reading.next();
    expect(lease().expiresAt).toBe(5361);
    for (let r = reading.next(); !r.done; r = reading.next());
    expect(readdirSync(leases)).toStrictEqual([]);
    // Leaving the loop early releases it too.
    for (const _ of readArchive(dir)) break;
    expect(readdirSync(leases)).toStrictEqual([]);
    writer.close();
  });

  it("reports a file that vanished after the listing as a gap and reads the others", () => {
    const { dir, writer } = archiveOf(12, 3);
    const files = listArchivedFiles(archivePaths(dir).arc);
    const gaps: ArchiveGap[] = [];
    const reading = readArchive(dir, { onGap: (gap) => gaps.push(gap) });
    const first = reading.next();
    unlinkSync(files[1]!.path);
    const rest = seqsOf([first.value as ArchivedBatch, ...{ [Symbol.iterator]: () => reading }]);
    expect(rest).toStrictEqual([...range(0, 30), ...range(60, 120)]);
    expect(gaps.map((g) => [g.path, g.first, g.end])).toStrictEqual([[files[1]!.path, 30n, 60n]]);
    expect(gaps[0]!.warning.code).toBe("RQ9105");
    expect(gaps[0]!.warning.message).toBe(`${files[1]!.path} vanished before it could be read: rows 30 to 59 are missing`);
    writer.close();
  });

  it("reads current.arrow up to its last complete message and ignores appends after it started", () => {
    const { dir, writer, producer } = archiveOf(5, 100);
    const reading = readArchive(dir);
    const first = reading.next();
    writer.append(producer.batch(50, 10), 50n, 6);
    const seqs = seqsOf([first.value as ArchivedBatch, ...{ [Symbol.iterator]: () => reading }]);
    expect(seqs).toStrictEqual(range(0, 50));
    writer.close();
    // A message cut short (a writer killed mid-write): only complete ones are read.
    const torn = archiveOf(4, 100);
    appendFileSync(archivePaths(torn.dir).current, encodeBatch(torn.producer.batch(40, 10)).subarray(0, 200));
    expect(seqsOf(readArchive(torn.dir))).toStrictEqual(range(0, 40));
    torn.writer.close();
  });

  it("neither loses nor repeats rows when the writer seals current.arrow during a read", () => {
    const { dir, writer, producer } = archiveOf(7, 3);
    const reading = readArchive(dir);
    const first = reading.next();
    // Seals the file holding rows 60–69 (age 3 s) and starts another one.
    writer.append(producer.batch(70, 10), 70n, 9);
    writer.append(producer.batch(80, 10), 80n, 10);
    expect(listArchivedFiles(archivePaths(dir).arc).map((f) => [Number(f.first), Number(f.end)])).toStrictEqual([
      [0, 30],
      [30, 60],
      [60, 80],
    ]);
    expect(seqsOf([first.value as ArchivedBatch, ...{ [Symbol.iterator]: () => reading }])).toStrictEqual(range(0, 70));
    writer.close();
  });

  it("reports an unreadable file with its path", () => {
    const dir = archiveDir(tempDir(), "local", FQ, schemaHash(OUTPUT_SCHEMA));
    const path = join(archivePaths(dir).arc, "0000000000000000_0000000000000001_0_1.arrow");
    writeFile(path, "ARROW1\0\0 not a message");
    const err = (() => {
      try {
        [...readArchive(dir)];
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RamenError);
    expect((err as RamenError).diagnostics[0]!.code).toBe("RQ9002");
    expect((err as RamenError).message).toContain(path);
  });
});
