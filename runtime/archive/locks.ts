// Who may touch an archive directory (archival.md §2.6): the writer's claim
// on current.arrow (`current.lock`) and the readers' leases on sealed files
// (`arc/.leases/<id>.json`), which gc honours while their process lives.

import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { RamenError } from "../../grammar/diagnostics.js";
import { archivePaths } from "./layout.js";

/** Reader leases last this long unless renewed (renewal every 60 s while reading). */
export const LEASE_DURATION = 300;

/** Whether a process of this pid exists (EPERM: it exists but belongs to someone else). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Content of `current.lock`; `since` in seconds. */
export interface WriterLock {
  readonly pid: number;
  readonly thread: number;
  readonly since: number;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as unknown;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // A half-written or foreign file: treated as naming no live process.
    return null;
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** The lock of an archive directory: undefined when there is none, null when it is unreadable (hence stale). */
export function readWriterLock(dir: string): WriterLock | null | undefined {
  const json = readJson(archivePaths(dir).lock);
  if (json === undefined) return undefined;
  if (!isRecord(json) || typeof json["pid"] !== "number" || typeof json["thread"] !== "number" || typeof json["since"] !== "number") return null;
  return { pid: json["pid"], thread: json["thread"], since: json["since"] };
}

/** Whether a live process holds the directory's `current.lock`. */
export function hasLiveWriter(dir: string): boolean {
  const lock = readWriterLock(dir);
  return lock !== undefined && lock !== null && isPidAlive(lock.pid);
}

/**
 * Claims the directory for a writer of this process: creates `current.lock`
 * with O_EXCL, taking over a stale lock (dead pid or unreadable content).
 * Throws when a live process holds it.
 */
export function acquireWriterLock(dir: string, thread: number, now: number): WriterLock {
  const path = archivePaths(dir).lock;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock: WriterLock = { pid: process.pid, thread, since: now };
  for (;;) {
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const held = readWriterLock(dir);
      if (held !== undefined && held !== null && isPidAlive(held.pid)) {
        throw RamenError.of("archiveLocked", { path, pid: held.pid, thread: held.thread, since: held.since });
      }
      // Stale: remove it and race again with O_EXCL, so two takers cannot both win.
      try {
        unlinkSync(path);
      } catch (unlinkErr) {
        if ((unlinkErr as NodeJS.ErrnoException).code !== "ENOENT") throw unlinkErr;
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(lock));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return lock;
  }
}

/** Removes `current.lock` if this process holds it. */
export function releaseWriterLock(dir: string): void {
  const held = readWriterLock(dir);
  if (held !== undefined && held !== null && held.pid === process.pid) unlinkSync(archivePaths(dir).lock);
}

// ---- reader leases ------------------------------------------------------------------------

/** A reader's claim on sealed files of one archive directory; `expiresAt` in seconds. */
export interface Lease {
  readonly id: string;
  readonly arcDir: string;
  readonly pid: number;
  readonly expiresAt: number;
  readonly files: readonly string[];
}

const leasePath = (arcDir: string, id: string): string => join(arcDir, ".leases", `${id}.json`);

/** Written under a temporary name of `.leases/` (not `.tmp/`, which recovery empties) and renamed. */
function writeLease(lease: Lease): void {
  const dir = join(lease.arcDir, ".leases");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${lease.id}.tmp`);
  const fd = openSync(temp, "w", 0o644);
  try {
    writeSync(fd, JSON.stringify({ pid: lease.pid, expiresAt: lease.expiresAt, files: lease.files }));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, leasePath(lease.arcDir, lease.id));
}

/** Leases `files` (names in `arcDir`) for this process until now + LEASE_DURATION. */
export function createLease(arcDir: string, files: readonly string[], now: number): Lease {
  const lease: Lease = { id: randomUUID(), arcDir, pid: process.pid, expiresAt: now + LEASE_DURATION, files: [...files] };
  writeLease(lease);
  return lease;
}

/** The same lease, expiring LEASE_DURATION after now. */
export function renewLease(lease: Lease, now: number): Lease {
  const renewed: Lease = { ...lease, expiresAt: now + LEASE_DURATION };
  writeLease(renewed);
  return renewed;
}

export function releaseLease(lease: Lease): void {
  try {
    unlinkSync(leasePath(lease.arcDir, lease.id));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** The leases of `arcDir` that are unexpired at `now` and whose process lives. */
export function liveLeases(arcDir: string, now: number): Lease[] {
  let names: string[];
  try {
    names = readdirSync(join(arcDir, ".leases"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const leases: Lease[] = [];
  for (const name of names) {
    if (!name.endsWith(".json") || name.startsWith(".")) continue;
    const json = readJson(join(arcDir, ".leases", name));
    if (!isRecord(json)) continue;
    const { pid, expiresAt, files } = json;
    if (typeof pid !== "number" || typeof expiresAt !== "number" || !Array.isArray(files)) continue;
    if (expiresAt <= now || !isPidAlive(pid)) continue;
    const id = name.slice(0, -".json".length);
    leases.push({ id, arcDir, pid, expiresAt, files: files.filter((f): f is string => typeof f === "string") });
  }
  return leases;
}

/** Names of the files of `arcDir` that a live lease protects. */
export function leasedFiles(arcDir: string, now: number): Set<string> {
  return new Set(liveLeases(arcDir, now).flatMap((l) => l.files));
}
