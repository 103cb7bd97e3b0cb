import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";
import { archivePaths } from "../../../runtime/archive/layout.js";
import {
  LEASE_DURATION,
  acquireWriterLock,
  createLease,
  hasLiveWriter,
  isPidAlive,
  leasedFiles,
  liveLeases,
  releaseLease,
  releaseWriterLock,
  renewLease,
} from "../../../runtime/archive/locks.js";
import { tempDir, writeFile } from "./files.js";

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;

describe("writer lock", () => {
  it("is created exclusively with pid, thread and since, and released", () => {
    const dir = tempDir();
    const lock = acquireWriterLock(dir, 3, 1000);
    expect(JSON.parse(readFileSync(archivePaths(dir).lock, "utf8"))).toStrictEqual({ pid: process.pid, thread: 3, since: 1000 });
    expect(lock).toStrictEqual({ pid: process.pid, thread: 3, since: 1000 });
    expect(hasLiveWriter(dir)).toBe(true);
    expect(() => acquireWriterLock(dir, 4, 1001)).toThrow(RamenError);
    releaseWriterLock(dir);
    expect(existsSync(archivePaths(dir).lock)).toBe(false);
    expect(hasLiveWriter(dir)).toBe(false);
  });

  it("is taken over when its pid is dead or its content unreadable", () => {
    const pid = deadPid();
    expect(isPidAlive(pid)).toBe(false);
    for (const stale of [JSON.stringify({ pid, thread: 0, since: 1 }), "{not json"]) {
      const dir = tempDir();
      writeFile(archivePaths(dir).lock, stale);
      expect(hasLiveWriter(dir)).toBe(false);
      expect(acquireWriterLock(dir, 1, 2).pid).toBe(process.pid);
    }
  });
});

describe("reader leases", () => {
  it("are listed while unexpired and their process lives", () => {
    const arc = join(tempDir(), "arc");
    const lease = createLease(arc, ["a.arrow", "b.arrow"], 1000);
    expect(lease.expiresAt).toBe(1000 + LEASE_DURATION);
    expect(JSON.parse(readFileSync(join(arc, ".leases", `${lease.id}.json`), "utf8"))).toStrictEqual({
      pid: process.pid,
      expiresAt: 1300,
      files: ["a.arrow", "b.arrow"],
    });
    expect(liveLeases(arc, 1299).map((l) => l.id)).toStrictEqual([lease.id]);
    expect(liveLeases(arc, 1300)).toStrictEqual([]);
    const renewed = renewLease(lease, 1250);
    expect(leasedFiles(arc, 1500)).toStrictEqual(new Set(["a.arrow", "b.arrow"]));
    releaseLease(renewed);
    expect(liveLeases(arc, 1000)).toStrictEqual([]);
  });

  it("of a dead process or unreadable are ignored", () => {
    const arc = join(tempDir(), "arc");
    writeFile(join(arc, ".leases", "x.json"), JSON.stringify({ pid: deadPid(), expiresAt: 5000, files: ["a.arrow"] }));
    writeFile(join(arc, ".leases", "y.json"), "garbage");
    expect(leasedFiles(arc, 1000)).toStrictEqual(new Set());
    expect(leasedFiles(join(arc, "missing"), 1000)).toStrictEqual(new Set());
  });
});
