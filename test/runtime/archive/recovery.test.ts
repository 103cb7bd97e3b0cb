import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";
import { archivePaths } from "../../../runtime/archive/layout.js";
import { recoverArchive } from "../../../runtime/archive/recovery.js";
import { Row, rowsFrom, sealedFile, tempDir, unsealedFile, writeFile } from "./files.js";

// Five rows with fractional times: tmin = floor(10.0000005 s) = 10000000 µs, tmax = ceil(14.0000001 s) = 14000001 µs.
const BATCH_1: Row[] = [[0, 10.0000005, 10.5], [1, 11, 11], [2, 12, 12.25]];
const BATCH_2: Row[] = [[3, 13, 13], [4, 13.5, 14.0000001]];
// first_seq 100 = 0x64, end 105 = 0x69.
const SEALED_NAME = "0000000000000064_0000000000000069_10000000_14000001.arrow";

function archiveWithCurrent(bytes: Uint8Array) {
  const paths = archivePaths(join(tempDir(), "fq", "0123456789abcdef"));
  writeFile(paths.current, bytes);
  writeFile(join(paths.tmp, "current.1234"), "scratch left by a crash");
  return paths;
}

function readRows(path: string): number[] {
  const table = tableFromIPC(readFileSync(path));
  return [...table.getChild("n")!].map(Number);
}

describe("recovery of current.arrow", () => {
  it("seals a complete unsealed file under its name and records next-seq", () => {
    const paths = archiveWithCurrent(unsealedFile(100n, [BATCH_1, BATCH_2]));
    const outcome = recoverArchive(paths.dir);
    expect(outcome).toStrictEqual({ sealed: SEALED_NAME, deletedEmpty: false, nextSeq: 105n });
    expect(existsSync(paths.current)).toBe(false);
    expect(readdirSync(paths.tmp)).toStrictEqual([]);
    expect(readdirSync(paths.arc).sort()).toStrictEqual([".tmp", SEALED_NAME, "next-seq"].sort());
    expect(readFileSync(paths.nextSeq, "latin1").trim()).toBe("105");
    expect(readRows(join(paths.arc, SEALED_NAME))).toStrictEqual([0, 1, 2, 3, 4]);
    const table = tableFromIPC(readFileSync(join(paths.arc, SEALED_NAME)));
    expect([...table.getChild("#start")!]).toStrictEqual([10.0000005, 11, 12, 13, 13.5]);
  });

  it("drops a torn final message and keeps every complete batch", () => {
    const complete = unsealedFile(100n, [BATCH_1, BATCH_2]);
    const withThird = unsealedFile(100n, [BATCH_1, BATCH_2, rowsFrom(5, 4, 20)]);
    for (const cut of [3, 8, 40, withThird.byteLength - complete.byteLength - 8]) {
      const paths = archiveWithCurrent(withThird.subarray(0, complete.byteLength + cut));
      expect(recoverArchive(paths.dir).sealed).toBe(SEALED_NAME);
      expect(readRows(join(paths.arc, SEALED_NAME))).toStrictEqual([0, 1, 2, 3, 4]);
    }
  });

  it("moves a file already sealed (crash between steps 1 and 3) unchanged", () => {
    const bytes = sealedFile(100n, [BATCH_1, BATCH_2]);
    const paths = archiveWithCurrent(bytes);
    expect(recoverArchive(paths.dir).sealed).toBe(SEALED_NAME);
    expect(Buffer.compare(readFileSync(join(paths.arc, SEALED_NAME)), bytes)).toBe(0);
  });

  it("reseals a file whose footer was torn", () => {
    const bytes = sealedFile(100n, [BATCH_1, BATCH_2]);
    const paths = archiveWithCurrent(bytes.subarray(0, bytes.byteLength - 5));
    expect(recoverArchive(paths.dir).sealed).toBe(SEALED_NAME);
    expect(readRows(join(paths.arc, SEALED_NAME))).toStrictEqual([0, 1, 2, 3, 4]);
  });

  it("deletes a file without rows and floors next-seq by the archived files", () => {
    const paths = archiveWithCurrent(unsealedFile(40n, []));
    writeFile(paths.nextSeq, "5\n");
    writeFile(join(paths.arc, "0000000000000010_0000000000000020_0_1.arrow"), sealedFile(16n, [rowsFrom(0, 16, 0)]));
    expect(recoverArchive(paths.dir)).toStrictEqual({ sealed: undefined, deletedEmpty: true, nextSeq: 32n });
    expect(existsSync(paths.current)).toBe(false);
    expect(readFileSync(paths.nextSeq, "latin1").trim()).toBe("32");
  });

  it("never lowers next-seq", () => {
    const paths = archiveWithCurrent(unsealedFile(100n, [BATCH_1, BATCH_2]));
    writeFile(paths.nextSeq, "500\n");
    expect(recoverArchive(paths.dir).nextSeq).toBe(500n);
    expect(readFileSync(paths.nextSeq, "latin1").trim()).toBe("500");
  });

  it("creates arc/ when there is nothing to recover", () => {
    const dir = join(tempDir(), "d");
    expect(recoverArchive(dir)).toStrictEqual({ sealed: undefined, deletedEmpty: false, nextSeq: 0n });
    expect(existsSync(archivePaths(dir).tmp)).toBe(true);
  });

  it("reports a file that is not an archive as a RamenError and leaves it", () => {
    const paths = archiveWithCurrent(Buffer.from("hello, world"));
    expect(() => recoverArchive(paths.dir)).toThrow(RamenError);
    expect(existsSync(paths.current)).toBe(true);
  });
});
