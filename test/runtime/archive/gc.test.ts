import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { archiveDir, archivePaths } from "../../../runtime/archive/layout.js";
import { acquireWriterLock, createLease } from "../../../runtime/archive/locks.js";
import { GcOptions, filesToDelete, mergeRanges, runGcPass } from "../../../runtime/archive/gc.js";
import { RamenError } from "../../../grammar/diagnostics.js";
import { readArchiveSummaries } from "../../../runtime/archivist/stats.js";
import { Row, rowsFrom, sealedFile, tempDir, unsealedFile, writeFile } from "./files.js";

const HASH = "00000000000000aa";
const OLD_HASH = "00000000000000bb";
const FQ = "prog/sub/f";
const NOW = Math.floor(Date.now() / 1000);
const GRACE = 86400;

/** Sealed file name computed by hand from its parts (archival.md §2.4). */
const nameOf = (first: number, end: number, tminMicros: number, tmaxMicros: number): string =>
  `${first.toString(16).padStart(16, "0")}_${end.toString(16).padStart(16, "0")}_${tminMicros}_${tmaxMicros}.arrow`;

/** File i holds rows 1000+10i … 1000+10i+9 at times 100i … 100i+9: same size for every i < 10. */
function fileI(i: number): { name: string; bytes: Uint8Array; first: number } {
  const first = 1000 + 10 * i;
  return { name: nameOf(first, first + 10, 100 * i * 1e6, (100 * i + 9) * 1e6), bytes: sealedFile(BigInt(first), [rowsFrom(first, 10, 100 * i)]), first };
}

function makeArchive(stateDir: string, fq: string, hash: string, count: number): { dir: string; names: string[]; size: number } {
  const dir = archiveDir(stateDir, "local", fq, hash);
  const files = Array.from({ length: count }, (_, i) => fileI(i));
  for (const f of files) writeFile(join(dir, "arc", f.name), f.bytes);
  writeFile(join(dir, "arc", "next-seq"), `${1000 + 10 * count}\n`);
  const sizes = new Set(files.map((f) => f.bytes.byteLength));
  expect(sizes.size).toBe(1);
  return { dir, names: files.map((f) => f.name), size: [...sizes][0]! };
}

function options(stateDir: string, over: Partial<GcOptions> = {}): GcOptions {
  return {
    stateDir,
    site: "local",
    allocations: new Map(),
    functions: new Map([[FQ, HASH]]),
    delRatio: 0.3,
    grace: GRACE,
    now: NOW,
    dryRun: false,
    ...over,
  };
}

const archived = (dir: string): string[] => readdirSync(join(dir, "arc")).filter((n) => n.endsWith(".arrow")).sort();
const rel = (dir: string, name: string): string => join(dir, "arc", name).slice(dir.indexOf("archives/"));

function expectReadable(dir: string, name: string): void {
  const i = (parseInt(name.slice(0, 16), 16) - 1000) / 10;
  const table = tableFromIPC(readFileSync(join(dir, "arc", name)));
  expect([...table.getChild("n")!].map(Number)).toStrictEqual(Array.from({ length: 10 }, (_, j) => 1000 + 10 * i + j));
}

/** Sets the mtime of every file and directory under `dir`. */
function age(dir: string, seconds: number): void {
  const at = NOW - seconds;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) age(path, seconds);
    utimesSync(path, at, at);
  }
  utimesSync(dir, at, at);
}

describe("trimming an archive to its allocation", () => {
  it("deletes round(n × del_ratio) of the oldest files beyond the allocation, and logs them", () => {
    const state = tempDir();
    const { dir, names, size } = makeArchive(state, FQ, HASH, 10);
    // 3 newest files fit in 3.5 files: 7 candidates, round(7 × 0.3) = 2 deleted.
    const report = runGcPass(options(state, { allocations: new Map([[FQ, 3.5 * size]]) }));
    expect(archived(dir)).toStrictEqual(names.slice(2).sort());
    expect(report.lines).toStrictEqual([
      `gc: deleted ${rel(dir, names[0]!)} (${size} bytes)`,
      `gc: deleted ${rel(dir, names[1]!)} (${size} bytes)`,
      `gc: 2 files, ${2 * size} bytes deleted in 1 archives`,
    ]);
    expect(rel(dir, names[0]!)).toBe(`archives/v1/local/prog/sub/f/${HASH}/arc/${names[0]}`);
    for (const name of names.slice(2)) expectReadable(dir, name);
    expect(readFileSync(join(dir, "arc", "next-seq"), "latin1")).toBe("1100\n");
    // Later passes converge: 5 candidates → 2, 3 → 1, 2 → 1, 1 → 1.
    const remaining = [8, 6, 5, 4, 3].map(() => {
      runGcPass(options(state, { allocations: new Map([[FQ, 3.5 * size]]) }));
      return archived(dir).length;
    });
    expect(remaining).toStrictEqual([6, 5, 4, 3, 3]);
    expect(archived(dir)).toStrictEqual(names.slice(7).sort());
  });

  it("deletes at least one file, at most the candidates", () => {
    expect([0, 1, 2, 4, 5, 10].map((n) => filesToDelete(n, 0.3))).toStrictEqual([0, 1, 1, 1, 2, 3]);
    expect(filesToDelete(3, 2)).toBe(3);
    const state = tempDir();
    const { dir, names, size } = makeArchive(state, FQ, HASH, 4);
    runGcPass(options(state, { allocations: new Map([[FQ, 3 * size]]) }));
    expect(archived(dir)).toStrictEqual(names.slice(1).sort());
  });

  it("counts a live writer's current file, never deletes or recovers it, and spares leased files", () => {
    const state = tempDir();
    const { dir, names, size } = makeArchive(state, FQ, HASH, 10);
    const paths = archivePaths(dir);
    const current = unsealedFile(1100n, [rowsFrom(1100, 50, 1000)]);
    writeFile(paths.current, current);
    acquireWriterLock(dir, 0, NOW);
    createLease(paths.arc, [names[0]!, names[3]!], NOW);
    // current + 2 newest files fit: 8 candidates, 2 of them leased.
    runGcPass(options(state, { allocations: new Map([[FQ, current.byteLength + 2.5 * size]]), delRatio: 1 }));
    expect(archived(dir)).toStrictEqual([names[0]!, names[3]!, names[8]!, names[9]!].sort());
    expect(Buffer.compare(readFileSync(paths.current), current)).toBe(0);
  });

  it("recovers a directory without live writer first, then counts the sealed file", () => {
    const state = tempDir();
    const { dir, names, size } = makeArchive(state, FQ, HASH, 3);
    const paths = archivePaths(dir);
    writeFile(paths.current, unsealedFile(1030n, [rowsFrom(1030, 10, 300)]));
    // The sealed current file is the newest: it and names[2] fit in 2.5 files.
    runGcPass(options(state, { allocations: new Map([[FQ, 2.5 * size]]), delRatio: 1 }));
    expect(existsSync(paths.current)).toBe(false);
    expect(archived(dir)).toStrictEqual([names[2]!, nameOf(1030, 1040, 300e6, 309e6)].sort());
    expect(readFileSync(paths.nextSeq, "latin1").trim()).toBe("1040");
  });

  it("in a dry run selects the same files, deletes and writes nothing", () => {
    const state = tempDir();
    const { dir, names, size } = makeArchive(state, FQ, HASH, 10);
    const paths = archivePaths(dir);
    const current = unsealedFile(1100n, [rowsFrom(1100, 5, 1000)]);
    writeFile(paths.current, current);
    const orphan = makeArchive(state, "gone/g", HASH, 1);
    age(orphan.dir, 2 * GRACE);
    const report = runGcPass(options(state, { allocations: new Map([[FQ, current.byteLength + 3.5 * size]]), dryRun: true }));
    expect(report.lines).toStrictEqual([
      `would delete ${rel(orphan.dir, orphan.names[0]!)} (${size} bytes)`,
      `would delete ${rel(orphan.dir, "next-seq")} (5 bytes)`,
      `would delete ${rel(dir, names[0]!)} (${size} bytes)`,
      `would delete ${rel(dir, names[1]!)} (${size} bytes)`,
      `gc: 4 files, ${3 * size + 5} bytes deleted in 2 archives`,
    ]);
    expect(archived(dir)).toStrictEqual(names.sort());
    expect(archived(orphan.dir)).toStrictEqual(orphan.names);
    expect(Buffer.compare(readFileSync(paths.current), current)).toBe(0);
    expect(existsSync(paths.tmp)).toBe(false);
    expect(existsSync(join(state, "archivist"))).toBe(false);
  });

  it("leaves alone names that are not archived files, and logs a file it cannot delete", () => {
    const state = tempDir();
    const { dir, names } = makeArchive(state, FQ, HASH, 2);
    writeFile(join(dir, "arc", "notes.arrow"), "x");
    // A directory under an archived file's name: unlink fails, the pass goes on.
    const stuck = nameOf(1, 2, 0, 1);
    mkdirSync(join(dir, "arc", stuck));
    const report = runGcPass(options(state, { delRatio: 1 }));
    expect(report.lines[0]).toMatch(new RegExp(`^gc: cannot delete ${rel(dir, stuck)}: `));
    expect(report.lines.slice(1)).toHaveLength(3);
    expect(readdirSync(join(dir, "arc")).sort()).toStrictEqual([".tmp", stuck, "next-seq", "notes.arrow"].sort());
    expect(names.every((n) => !existsSync(join(dir, "arc", n)))).toBe(true);
  });
});

describe("orphaned archive directories", () => {
  it("are trimmed to nothing but their current file within the grace period, removed after it", () => {
    const state = tempDir();
    makeArchive(state, FQ, HASH, 1);
    const gone = makeArchive(state, "old/prog/g", HASH, 3);
    const oldType = makeArchive(state, FQ, OLD_HASH, 2);
    writeFile(join(gone.dir, "current.arrow"), unsealedFile(1030n, [rowsFrom(1030, 2, 300)]));
    runGcPass(options(state, { delRatio: 1, allocations: new Map([[FQ, 1e9]]) }));
    expect(archived(gone.dir)).toStrictEqual([]);
    expect(archived(oldType.dir)).toStrictEqual([]);
    expect(existsSync(join(gone.dir, "current.arrow"))).toBe(true);

    age(gone.dir, GRACE + 10);
    age(oldType.dir, GRACE + 10);
    const report = runGcPass(options(state, { allocations: new Map([[FQ, 1e9]]) }));
    expect(existsSync(join(state, "archives/v1/local/old"))).toBe(false);
    expect(existsSync(oldType.dir)).toBe(false);
    expect(existsSync(archiveDir(state, "local", FQ, HASH))).toBe(true);
    expect(existsSync(join(state, "archives/v1/local"))).toBe(true);
    expect(report.lines).toContain(`gc: deleted ${rel(gone.dir, "next-seq")} (5 bytes)`);
    expect(report.lines.at(-1)).toMatch(/ deleted in 2 archives$/);
  });

  it("are kept past the grace period while leased or locked by a live process", () => {
    const state = tempDir();
    const leased = makeArchive(state, "a/g", HASH, 2);
    createLease(join(leased.dir, "arc"), [leased.names[0]!], NOW);
    const locked = makeArchive(state, "b/g", HASH, 1);
    acquireWriterLock(locked.dir, 0, NOW);
    age(join(state, "archives"), 2 * GRACE);
    runGcPass(options(state, { delRatio: 1 }));
    expect(archived(leased.dir)).toStrictEqual([leased.names[0]!]);
    expect(existsSync(locked.dir)).toBe(true);
  });

  it("of an older format version go after the grace period", () => {
    const state = tempDir();
    writeFile(join(state, "archives/v0/local/p/f/x.b"), "old");
    writeFile(join(state, "archives/other/keep"), "not ours");
    runGcPass(options(state));
    expect(existsSync(join(state, "archives/v0/local/p/f/x.b"))).toBe(true);
    age(join(state, "archives/v0"), GRACE + 1);
    const report = runGcPass(options(state));
    expect(existsSync(join(state, "archives/v0/local"))).toBe(false);
    expect(existsSync(join(state, "archives/other/keep"))).toBe(true);
    expect(report.lines[0]).toBe("gc: deleted archives/v0/local/p/f/x.b (3 bytes)");
  });
});

describe("archive summary", () => {
  it("merges ranges closer than 10 % of their combined span", () => {
    expect(mergeRanges([[10.5, 20, false], [0, 10, false]])).toStrictEqual([[0, 20, false]]);
    expect(mergeRanges([[0, 10, false], [13, 20, false]])).toStrictEqual([[0, 10, false], [13, 20, false]]); // gap 3 ≥ 2
    expect(mergeRanges([[0, 10, false], [5, 8, true], [30, 30, false], [30, 30, false]])).toStrictEqual([[0, 10, true], [30, 30, false]]);
  });

  it("is written after a pass with the remaining files and the growing current file", () => {
    const state = tempDir();
    const dir = archiveDir(state, "local", FQ, HASH);
    const files: [number, Row[]][] = [
      [0, [[0, 0, 1], [1, 9, 10]]], //        [0, 10]
      [2, [[2, 10.5, 20]]], //                [10.5, 20]: gap 0.5 < 2, merged
      [3, [[3, 100, 110]]], //                [100, 110]
    ];
    let bytes = 0;
    for (const [first, rows] of files) {
      const file = sealedFile(BigInt(first), [rows]);
      bytes += file.byteLength;
      const [tmin, tmax] = [Math.min(...rows.map((r) => r[1])), Math.max(...rows.map((r) => r[2]))];
      writeFile(join(dir, "arc", nameOf(first, first + rows.length, tmin * 1e6, tmax * 1e6)), file);
    }
    const current = unsealedFile(4n, [[[4, 111, 115]]]); // gap 1 < 1.5 of [100, 115]: merged, growing
    writeFile(join(dir, "current.arrow"), current);
    acquireWriterLock(dir, 0, NOW);
    runGcPass(options(state, { allocations: new Map([[FQ, 1e9]]) }));
    const summary = JSON.parse(readFileSync(join(state, "archivist/v1/summary/local.json"), "utf8")) as unknown;
    expect(summary).toStrictEqual({
      [FQ]: { times: [[0, 20, false], [100, 115, true]], num_files: 3, num_bytes: bytes + current.byteLength, current_size: current.byteLength },
    });
    // The archivist, its reader, understands it.
    expect(readArchiveSummaries(join(state, "archivist/v1/summary/local.json")).get(FQ)).toStrictEqual({
      times: [[0, 20, false], [100, 115, true]],
      numFiles: 3,
      numBytes: bytes + current.byteLength,
    });
    expect(statSync(join(state, "archivist/v1/summary")).isDirectory()).toBe(true);
  });
});

describe("a pass", () => {
  it("finds nothing to do without archives, and fails only when the archive root cannot be read", () => {
    const empty = tempDir();
    expect(runGcPass(options(empty)).lines).toStrictEqual(["gc: 0 files, 0 bytes deleted in 0 archives"]);
    const broken = tempDir();
    writeFile(join(broken, "archives"), "a file, not a directory");
    expect(() => runGcPass(options(broken))).toThrow(RamenError);
  });
});
