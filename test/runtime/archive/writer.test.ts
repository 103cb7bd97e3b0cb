import { existsSync, readdirSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";
import { ARCHIVED_FILE_NAME, archiveDir, archivePaths, schemaHash } from "../../../runtime/archive/layout.js";
import { archiveCoverage, archivedRows } from "../../../runtime/archive/reader.js";
import { releaseWriterLock } from "../../../runtime/archive/locks.js";
import { recoverArchive } from "../../../runtime/archive/recovery.js";
import { encodeBatch } from "../../../runtime/arrow/ipc.js";
import { ArchiveWriter, ArchiveWriterOptions, WriteFunction } from "../../../runtime/archive/writer.js";
import { tempDir } from "./files.js";
import { OUTPUT_SCHEMA, Producer, inRange, rowOf } from "./rows.js";

const FQ = "prog/sub/f";

function newArchive(): string {
  return archiveDir(tempDir(), "local", FQ, schemaHash(OUTPUT_SCHEMA));
}

function openWriter(dir: string, producer: Producer, options: Partial<ArchiveWriterOptions> = {}): ArchiveWriter {
  return ArchiveWriter.open({ dir, schema: producer.schema, site: "local", fq: FQ, time: "event", now: 0, ...options });
}

/** A deterministic generator of batch sizes. */
function sizes(count: number, max: number, seed = 7): number[] {
  let s = seed;
  return Array.from({ length: count }, () => {
    s = (s * 1103515245 + 12345) >>> 0;
    return 1 + (s % max);
  });
}

/** Writes batches of these sizes numbered from `from`, one second apart from `t0`; returns the next number. */
function appendAll(writer: ArchiveWriter, producer: Producer, batchSizes: readonly number[], from = 0, t0 = 0): number {
  let seq = from;
  batchSizes.forEach((count, i) => {
    writer.append(producer.batch(seq, count), BigInt(seq), t0 + i);
    seq += count;
  });
  return seq;
}

interface SealedFile {
  readonly name: string;
  readonly first: number;
  readonly end: number;
  readonly tmin: number;
  readonly tmax: number;
}

function sealedFiles(dir: string): SealedFile[] {
  return readdirSync(archivePaths(dir).arc)
    .filter((name) => name.endsWith(".arrow"))
    .map((name) => {
      const m = ARCHIVED_FILE_NAME.exec(name);
      expect(m, name).not.toBeNull();
      return { name, first: parseInt(m![1]!, 16), end: parseInt(m![2]!, 16), tmin: Number(m![3]), tmax: Number(m![4]) };
    })
    .sort((a, b) => a.first - b.first);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Checks a sealed file with plain apache-arrow against the rows its name announces. */
function checkSealedFile(dir: string, file: SealedFile): void {
  const table = tableFromIPC(readFileSync(join(archivePaths(dir).arc, file.name)));
  const seqs = range(file.first, file.end);
  expect([...table.getChild("n")!].map(Number)).toStrictEqual(seqs);
  expect([...table.getChild("#start")!]).toStrictEqual(seqs.map((s) => rowOf(s)[3]));
  expect([...table.getChild("#stop")!]).toStrictEqual(seqs.map((s) => rowOf(s)[4]));
  expect([...table.getChild("label")!].map((b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString("latin1")))).toStrictEqual(seqs.map((s) => rowOf(s)[2]));
  expect(file.tmin).toBe(Math.floor(Math.min(...seqs.map((s) => rowOf(s)[3] as number)) * 1e6));
  expect(file.tmax).toBe(Math.ceil(Math.max(...seqs.map((s) => rowOf(s)[4] as number)) * 1e6));
  const metadata = table.schema.metadata;
  expect(metadata.get("ramen.first_seq")).toBe(String(file.first));
  expect(metadata.get("ramen.format")).toBe("1");
  expect(metadata.get("ramen.site")).toBe("local");
  expect(metadata.get("ramen.fq")).toBe(FQ);
  expect(metadata.get("ramen.time")).toBe("event");
}

/** The rows of seqs in [since, until), as archivedRows returns them. */
function expectedRows(seqs: readonly number[], since: number, until: number) {
  return seqs.filter((s) => inRange(s, since, until)).map((s) => ({ seq: BigInt(s), values: rowOf(s) }));
}

describe("archive writer", () => {
  it("rotates by size; sealed files are named by their rows and read by apache-arrow unchanged", () => {
    const dir = newArchive();
    const producer = new Producer();
    const fileSize = 16 * 1024;
    const writer = openWriter(dir, producer, { fileSize });
    const end = appendAll(writer, producer, sizes(300, 60));
    const files = sealedFiles(dir);
    expect(files.length).toBeGreaterThan(5);
    // Contiguous numbering from 0, each file sealed as soon as it reached the size.
    expect(files[0]!.first).toBe(0);
    for (let i = 1; i < files.length; i++) expect(files[i]!.first).toBe(files[i - 1]!.end);
    for (const file of files) {
      checkSealedFile(dir, file);
      expect(statSync(join(archivePaths(dir).arc, file.name)).size).toBeGreaterThanOrEqual(fileSize);
    }
    const lastEnd = files[files.length - 1]!.end;
    expect(readFileSync(archivePaths(dir).nextSeq, "latin1").trim()).toBe(String(lastEnd));
    // The rest is in current.arrow, which stats describe.
    const stats = writer.stats;
    expect(stats.rows).toBe(end - lastEnd);
    expect(stats.bytes).toBe(statSync(archivePaths(dir).current).size);
    expect(stats.bytes).toBeLessThan(fileSize);
    const currentSeqs = range(lastEnd, end);
    expect(stats.tmin).toBe(Math.min(...currentSeqs.map((s) => rowOf(s)[3] as number)));
    expect(stats.tmax).toBe(Math.max(...currentSeqs.map((s) => rowOf(s)[4] as number)));
    writer.close();
    expect(existsSync(archivePaths(dir).current)).toBe(false);
    expect(existsSync(archivePaths(dir).lock)).toBe(false);
    const all = sealedFiles(dir);
    expect(all[all.length - 1]!.end).toBe(end);
    checkSealedFile(dir, all[all.length - 1]!);
  });

  it("reads back any range, sealed files and current file together, in write order", () => {
    const dir = newArchive();
    const producer = new Producer();
    const writer = openWriter(dir, producer, { fileSize: 8 * 1024 });
    const end = appendAll(writer, producer, sizes(120, 40, 3));
    expect(existsSync(archivePaths(dir).current)).toBe(true);
    const seqs = range(0, end);
    const lastStop = Math.max(...seqs.map((s) => rowOf(s)[4] as number));
    const ranges: [number, number][] = [
      [-Infinity, Infinity],
      [0, 1000],
      [1000, 1000.25],
      [1010.3, 1100.05],
      [1200, 1201],
      [1500.5, 1500.6],
      [lastStop, Infinity],
      [lastStop + 0.001, Infinity],
    ];
    for (let k = 0; k < 20; k++) {
      const since = 1000 + ((k * 37) % 100) * (lastStop - 1000) / 100;
      ranges.push([since, since + 1 + k * 3.7]);
    }
    for (const [since, until] of ranges) {
      const got = archivedRows(dir, since, until);
      expect(got, `[${since}, ${until})`).toStrictEqual(expectedRows(seqs, since, until));
    }
    // Reading left the writer's file alone: it goes on appending and sealing.
    const more = appendAll(writer, producer, [5, 6], end);
    writer.close();
    expect(archivedRows(dir, -Infinity, Infinity)).toStrictEqual(expectedRows(range(0, more), -Infinity, Infinity));
    expect(readdirSync(archivePaths(dir).leases)).toStrictEqual([]);
  });

  it("rotates a non-empty file by age, at an append or a tick", () => {
    const dir = newArchive();
    const producer = new Producer();
    const writer = openWriter(dir, producer, { maxAge: 10 });
    // One batch of 3 rows per second, seconds 0 … 24.
    const end = appendAll(writer, producer, Array<number>(25).fill(3));
    // Files created at 0 and 11 are sealed by the appends of seconds 10 and 21.
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([
      [0, 33],
      [33, 66],
    ]);
    writer.tick(30);
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([
      [0, 33],
      [33, 66],
    ]);
    writer.tick(32);
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([
      [0, 33],
      [33, 66],
      [66, end],
    ]);
    expect(existsSync(archivePaths(dir).current)).toBe(false);
    writer.tick(100);
    expect(sealedFiles(dir)).toHaveLength(3);
    expect(writer.stats).toStrictEqual({ rows: 0, bytes: 0, tmin: undefined, tmax: undefined });
    writer.close();
    for (const file of sealedFiles(dir)) checkSealedFile(dir, file);
  });

  it("writes each batch with one write call", () => {
    const dir = newArchive();
    const producer = new Producer();
    const calls: number[] = [];
    const counting: WriteFunction = (fd, buffer, offset, length, position) => {
      calls.push(length);
      return writeSync(fd, buffer, offset, length, position);
    };
    const writer = openWriter(dir, producer, { write: counting });
    writer.append(producer.batch(0, 100), 0n, 0);
    // The file's header and schema, then the message.
    expect(calls).toHaveLength(2);
    for (let b = 1; b <= 5; b++) {
      const batch = producer.batch(100 * b, 100);
      writer.append(batch, BigInt(100 * b), b);
      expect(calls).toHaveLength(2 + b);
      expect(calls[calls.length - 1]).toBe(encodeBatch(batch).byteLength);
    }
    writer.close();
  });

  it("starts a new file after a gap in the sequence numbers", () => {
    const dir = newArchive();
    const producer = new Producer();
    const writer = openWriter(dir, producer);
    writer.append(producer.batch(10, 5), 10n, 0);
    writer.append(producer.batch(15, 5), 15n, 0);
    writer.append(producer.batch(30, 4), 30n, 1);
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([[10, 20]]);
    expect(() => writer.append(producer.batch(33, 1), 33n, 2)).toThrow(/go back from 34 to 33/);
    writer.close();
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([
      [10, 20],
      [30, 34],
    ]);
    expect(archivedRows(dir, -Infinity, Infinity).map((r) => Number(r.seq))).toStrictEqual([...range(10, 20), ...range(30, 34)]);
  });

  it("floors the caller's numbering by next-seq when reopened, and marks arrival-time archives", () => {
    const dir = newArchive();
    const producer = new Producer();
    const first = openWriter(dir, producer);
    expect(first.nextSeq).toBe(0n);
    first.append(producer.batch(0, 7), 0n, 0);
    first.close();
    const second = openWriter(dir, producer, { time: "arrival" });
    expect(second.nextSeq).toBe(7n);
    expect(() => second.append(producer.batch(3, 2), 3n, 1)).toThrow(/go back/);
    second.append(producer.batch(7, 2), 7n, 1);
    second.close();
    const files = sealedFiles(dir);
    expect(files.map((f) => [f.first, f.end])).toStrictEqual([
      [0, 7],
      [7, 9],
    ]);
    expect(tableFromIPC(readFileSync(join(archivePaths(dir).arc, files[1]!.name))).schema.metadata.get("ramen.time")).toBe("arrival");
  });

  it("recovers what a previous writer left when it opens", () => {
    const dir = newArchive();
    const producer = new Producer();
    const crashed = openWriter(dir, producer);
    crashed.append(producer.batch(0, 9), 0n, 0);
    // A writer that died without closing; its process is this one, so the lock is removed as the supervisor does.
    releaseWriterLock(dir);
    const writer = openWriter(dir, producer);
    expect(writer.nextSeq).toBe(9n);
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([[0, 9]]);
    writer.close();
  });

  it("refuses a directory held by a live writer", () => {
    const dir = newArchive();
    const producer = new Producer();
    const writer = openWriter(dir, producer);
    const err = (() => {
      try {
        openWriter(dir, producer);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(RamenError);
    expect((err as RamenError).diagnostics[0]!.code).toBe("RQ9001");
    writer.close();
  });

  it("gives the covered time ranges, the current file as growing", () => {
    const dir = newArchive();
    const producer = new Producer();
    const writer = openWriter(dir, producer);
    expect(archiveCoverage(dir)).toStrictEqual([]);
    writer.append(producer.batch(0, 4), 0n, 0);
    writer.close();
    const reopened = openWriter(dir, producer);
    reopened.append(producer.batch(4000, 4), 4000n, 1);
    const starts = (seqs: number[]) => seqs.map((s) => rowOf(s)[3] as number);
    const stops = (seqs: number[]) => seqs.map((s) => rowOf(s)[4] as number);
    // The sealed file's range is its name's, in whole microseconds rounded outward; the current one's is exact.
    const sealed = [Math.floor(Math.min(...starts(range(0, 4))) * 1e6) / 1e6, Math.ceil(Math.max(...stops(range(0, 4))) * 1e6) / 1e6, false];
    // 1000 s apart: too far to be merged (the gap is not under 10 % of the span).
    expect(archiveCoverage(dir)).toStrictEqual([sealed, [Math.min(...starts(range(4000, 4004))), Math.max(...stops(range(4000, 4004))), true]]);
    expect(archiveCoverage(dir, { tmin: 1900, tmax: 1950 })).toStrictEqual([sealed, [1900, 1950, true]]);
    reopened.close();
  });
});

/** A write that fails with `code` once `budget` bytes were written, writing what fits first (a short write). */
function failingWrite(code: string, budget: { bytes: number }): WriteFunction {
  return (fd, buffer, offset, length, position) => {
    if (budget.bytes <= 0) throw Object.assign(new Error(`${code}: simulated, write`), { code, errno: -28, syscall: "write" });
    const n = Math.min(length, budget.bytes);
    budget.bytes -= n;
    return writeSync(fd, buffer, offset, n, position);
  };
}

function thrown(f: () => void): RamenError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(RamenError);
    return err as RamenError;
  }
  throw new Error("expected an error");
}

describe("archive writer on a full disk", () => {
  it("reports ENOSPC as RQ9004, loses only the failed batch and carries on when space comes back", () => {
    const dir = newArchive();
    const producer = new Producer();
    const budget = { bytes: Infinity };
    const writer = openWriter(dir, producer, { write: failingWrite("ENOSPC", budget) });
    writer.append(producer.batch(0, 10), 0n, 0);
    const sizeBefore = statSync(archivePaths(dir).current).size;
    budget.bytes = 100; // the next message is cut after 100 bytes
    const err = thrown(() => writer.append(producer.batch(10, 10), 10n, 1));
    expect(err.diagnostics[0]!.code).toBe("RQ9004");
    expect(err.message).toBe(`cannot write the archive of ${FQ} in ${dir}: no space left on device`);
    // The torn part is gone: the file ends with its last complete message.
    expect(statSync(archivePaths(dir).current).size).toBe(sizeBefore);
    expect(writer.stats.rows).toBe(10);
    budget.bytes = Infinity;
    writer.append(producer.batch(20, 10), 20n, 2);
    writer.close();
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([
      [0, 10],
      [20, 30],
    ]);
    for (const file of sealedFiles(dir)) checkSealedFile(dir, file);
  });

  it("retries a seal that failed and leaves a recoverable directory when closing fails", () => {
    const dir = newArchive();
    const producer = new Producer();
    const budget = { bytes: Infinity };
    const writer = openWriter(dir, producer, { write: failingWrite("ENOSPC", budget), fileSize: 2048 });
    writer.append(producer.batch(0, 10), 0n, 0);
    const size = statSync(archivePaths(dir).current).size;
    // The next batch is written whole, but the footer of the seal it triggers does not fit.
    const big = producer.batch(10, 60);
    expect(size + encodeBatch(big).byteLength).toBeGreaterThanOrEqual(2048);
    budget.bytes = encodeBatch(big).byteLength + 8;
    const err = thrown(() => writer.append(big, 10n, 1));
    expect(err.message).toMatch(/no space left on device$/);
    expect(sealedFiles(dir)).toStrictEqual([]);
    expect(writer.stats.rows).toBe(70);
    // The next append cannot write (no byte left) and says so; close tries to seal, fails, but unlocks.
    budget.bytes = 0;
    expect(thrown(() => writer.append(producer.batch(70, 1), 70n, 2)).diagnostics[0]!.code).toBe("RQ9004");
    expect(thrown(() => writer.close()).diagnostics[0]!.code).toBe("RQ9004");
    expect(existsSync(archivePaths(dir).lock)).toBe(false);
    const outcome = recoverArchive(dir);
    expect(sealedFiles(dir).map((f) => [f.first, f.end])).toStrictEqual([[0, 70]]);
    expect(outcome).toStrictEqual({ sealed: sealedFiles(dir)[0]!.name, deletedEmpty: false, nextSeq: 70n });
    checkSealedFile(dir, sealedFiles(dir)[0]!);
  });

  it("reports a full disk when the current file cannot be created", () => {
    const dir = newArchive();
    const producer = new Producer();
    const writer = openWriter(dir, producer, { write: failingWrite("ENOSPC", { bytes: 0 }) });
    expect(thrown(() => writer.append(producer.batch(0, 3), 0n, 0)).message).toBe(`cannot write the archive of ${FQ} in ${dir}: no space left on device`);
    expect(existsSync(archivePaths(dir).current)).toBe(false);
    writer.close();
    expect(readdirSync(archivePaths(dir).arc).filter((n) => n.endsWith(".arrow"))).toStrictEqual([]);
  });
});
