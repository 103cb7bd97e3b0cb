// One pass of `ramen gc` (archival.md §5.2–5.6) as a library: trims each
// defined function's archive to its allocation, removes the archives of
// functions that no longer exist (or of old output types, or old format
// versions) after a grace period, and rewrites the archive summary. It
// returns its log lines instead of printing them; the command decides where
// they go.

import { Dirent, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { RamenError, diag, MessageKey } from "../../grammar/diagnostics.js";
import { archivistPaths, sortedJson, writeFileAtomic } from "../archivist/files.js";
import type { ArchiveRange } from "../archivist/stats.js";
import { ARCHIVE_FORMAT, ArchivedFile, archivePaths, archivesRoot, fileSize, listArchivedFiles, siteArchivesDir } from "./layout.js";
import { hasLiveWriter, leasedFiles, liveLeases } from "./locks.js";
import { fsyncDirectory, recoverArchive, scanArchiveFile } from "./recovery.js";

export const DEFAULT_DEL_RATIO = 0.3;
export const DEFAULT_GRACE = 86400;

export interface GcOptions {
  readonly stateDir: string;
  readonly site: string;
  /** fq → bytes (archivist/v1/allocs/<site>.json); absent functions get 0. */
  readonly allocations: ReadonlyMap<string, number>;
  /** fq → current schema hash, for every defined function; every other archive directory is orphaned. */
  readonly functions: ReadonlyMap<string, string>;
  readonly delRatio: number;
  /** seconds an orphaned directory is kept after its newest file was modified */
  readonly grace: number;
  /** wall clock, seconds */
  readonly now: number;
  /** select and log only: delete nothing, write nothing, no recovery */
  readonly dryRun: boolean;
}

/** One function's entry of the archive summary (§5.3); times in seconds. */
export interface FunctionArchiveSummary {
  readonly times: readonly ArchiveRange[];
  readonly numFiles: number;
  readonly numBytes: number;
  readonly currentSize: number;
}

export interface GcReport {
  /** log lines in order: deletions (or would-be deletions), per-file errors, the end-of-pass line */
  readonly lines: readonly string[];
  readonly deletedFiles: number;
  readonly deletedBytes: number;
  /** archive directories in which something was deleted */
  readonly archives: number;
  /** fq → summary of the defined functions' archives (written unless dry run) */
  readonly summary: ReadonlyMap<string, FunctionArchiveSummary>;
}

const SCHEMA_HASH_DIR = /^[0-9a-f]{16}$/;
const FORMAT_DIR = /^v([0-9]+)$/;
const CURRENT_FORMAT_NUMBER = Number(FORMAT_DIR.exec(ARCHIVE_FORMAT)![1]);

/** Merges ranges sorted by start when they overlap or the gap between them is < 10 % of their combined span. */
export function mergeRanges(ranges: readonly ArchiveRange[]): ArchiveRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: ArchiveRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined) {
      const gap = range[0] - last[1];
      const span = Math.max(last[1], range[1]) - last[0];
      if (gap <= 0 || gap < 0.1 * span) {
        merged[merged.length - 1] = [last[0], Math.max(last[1], range[1]), last[2] || range[2]];
        continue;
      }
    }
    merged.push(range);
  }
  return merged;
}

/** k = max(1, round(n × del_ratio)) when n > 0, at most n. */
export function filesToDelete(candidates: number, delRatio: number): number {
  return candidates === 0 ? 0 : Math.min(candidates, Math.max(1, Math.round(candidates * delRatio)));
}

function errorText(err: unknown): string {
  return err instanceof RamenError ? err.message : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
}

class GcPass {
  readonly lines: string[] = [];
  deletedFiles = 0;
  deletedBytes = 0;
  archives = 0;
  readonly summary = new Map<string, FunctionArchiveSummary>();

  constructor(private readonly options: GcOptions) {}

  private rel(path: string): string {
    return relative(this.options.stateDir, path);
  }

  private warn(key: MessageKey, path: string, err: unknown): void {
    this.lines.push(diag(key, { path: this.rel(path), reason: errorText(err) }).message);
  }

  /** Deletes (or logs that it would) one file of known size; false when it could not. */
  private deleteFile(path: string, bytes: number): boolean {
    const shown = `${this.rel(path)} (${bytes} bytes)`;
    if (this.options.dryRun) {
      this.lines.push(`would delete ${shown}`);
    } else {
      try {
        unlinkSync(path);
      } catch (err) {
        this.warn("gcCannotDelete", path, err);
        return false;
      }
      this.lines.push(`gc: deleted ${shown}`);
    }
    this.deletedFiles++;
    this.deletedBytes += bytes;
    return true;
  }

  run(): void {
    const { stateDir, site } = this.options;
    const root = archivesRoot(stateDir);
    let formats: string[];
    try {
      formats = readdirSync(root).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") formats = [];
      else throw RamenError.of("archiveRootUnreadable", { path: root, reason: errorText(err) });
    }
    for (const format of formats) {
      const m = FORMAT_DIR.exec(format);
      if (m !== null && Number(m[1]) < CURRENT_FORMAT_NUMBER) this.removeOldFormat(join(root, format));
    }
    const siteDir = siteArchivesDir(stateDir, site);
    this.visit(siteDir, []);
    if (!this.options.dryRun) {
      const summaryPath = archivistPaths(stateDir, site).summary;
      try {
        writeFileAtomic(summaryPath, sortedJson(this.summaryJson()));
      } catch (err) {
        this.warn("gcCannotWrite", summaryPath, err);
      }
    }
    this.lines.push(`gc: ${this.deletedFiles} files, ${this.deletedBytes} bytes deleted in ${this.archives} archives`);
  }

  private summaryJson(): Record<string, unknown> {
    const json: Record<string, unknown> = {};
    for (const [fq, s] of this.summary) {
      json[fq] = { times: s.times, num_files: s.numFiles, num_bytes: s.numBytes, current_size: s.currentSize };
    }
    return json;
  }

  private readDir(dir: string): Dirent[] | undefined {
    try {
      return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.warn("gcCannotRead", dir, err);
      return undefined;
    }
  }

  /**
   * Finds the schema directories under the site's directory: a directory named
   * by 16 hex digits, under a program and a function, that holds archive
   * entries (arc/, current.arrow or current.lock); any other directory is a
   * level of a program path.
   */
  private visit(dir: string, parts: readonly string[]): void {
    const entries = this.readDir(dir);
    if (entries === undefined) return;
    const isArchive = parts.length >= 3 && SCHEMA_HASH_DIR.test(parts[parts.length - 1]!) && entries.some((e) => ["arc", "current.arrow", "current.lock"].includes(e.name));
    if (isArchive) {
      this.archive(dir, parts.slice(0, -1).join("/"), parts[parts.length - 1]!);
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) this.visit(join(dir, entry.name), [...parts, entry.name]);
  }

  private archive(dir: string, fq: string, hash: string): void {
    const { functions, allocations, grace, now, dryRun } = this.options;
    const defined = functions.get(fq) === hash;
    const liveWriter = hasLiveWriter(dir);
    if (!defined) {
      const paths = archivePaths(dir);
      const expired = now - newestMtime(dir) > grace;
      if (expired && !liveWriter && liveLeases(paths.arc, now).length === 0) {
        this.removeTree(dir);
        return;
      }
      // Younger orphans lose their archived files but keep the current one: no recovery.
      this.trim(dir, 0);
      return;
    }
    if (!dryRun && !liveWriter) {
      try {
        recoverArchive(dir);
      } catch (err) {
        this.warn("gcCannotRecover", dir, err);
      }
    }
    const remaining = this.trim(dir, allocations.get(fq) ?? 0);
    this.summary.set(fq, this.summarise(dir, remaining));
  }

  /** §5.2 steps 2–5 with allocation `allocation`; returns the archived files left. */
  private trim(dir: string, allocation: number): { file: ArchivedFile; size: number }[] {
    const { now, delRatio, dryRun } = this.options;
    const paths = archivePaths(dir);
    let files: ArchivedFile[];
    try {
      files = listArchivedFiles(paths.arc);
    } catch (err) {
      this.warn("gcCannotRead", paths.arc, err);
      return [];
    }
    const sized: { file: ArchivedFile; size: number }[] = [];
    for (const file of files) {
      const size = fileSize(file.path);
      if (size !== undefined) sized.push({ file, size });
    }
    let used = fileSize(paths.current) ?? 0;
    const candidates = new Set<ArchivedFile>();
    for (let i = sized.length - 1; i >= 0; i--) {
      used += sized[i]!.size;
      if (used > allocation) candidates.add(sized[i]!.file);
    }
    const leased = leasedFiles(paths.arc, now);
    const deletable = sized.filter(({ file }) => candidates.has(file) && !leased.has(file.fileName));
    const deleted = new Set<ArchivedFile>();
    for (const { file, size } of deletable.slice(0, filesToDelete(deletable.length, delRatio))) {
      if (this.deleteFile(file.path, size)) deleted.add(file);
    }
    if (deleted.size > 0) {
      this.archives++;
      if (!dryRun) {
        try {
          fsyncDirectory(paths.arc);
        } catch (err) {
          this.warn("gcCannotRead", paths.arc, err);
        }
      }
    }
    return sized.filter(({ file }) => !deleted.has(file));
  }

  private summarise(dir: string, remaining: readonly { file: ArchivedFile; size: number }[]): FunctionArchiveSummary {
    const times: ArchiveRange[] = remaining.map(({ file }) => [Number(file.tminMicros) / 1e6, Number(file.tmaxMicros) / 1e6, false]);
    const current = archivePaths(dir).current;
    let currentSize = 0;
    try {
      const bytes = readFileSync(current);
      currentSize = bytes.byteLength;
      const scan = scanArchiveFile(bytes, current);
      if (scan.tmin !== undefined && scan.tmax !== undefined) times.push([scan.tmin, scan.tmax, true]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.warn("gcCannotRead", current, err);
    }
    return {
      times: mergeRanges(times),
      numFiles: remaining.length,
      numBytes: remaining.reduce((n, f) => n + f.size, currentSize),
      currentSize,
    };
  }

  /** Old format versions (`archives/v0`…): removed whole once untouched for the grace period. */
  private removeOldFormat(dir: string): void {
    if (this.options.now - newestMtime(dir) > this.options.grace) this.removeTree(dir);
  }

  /** Deletes every file under `dir`, then the directories bottom-up, then its empty parents up to the site's directory. */
  private removeTree(dir: string): void {
    const before = this.deletedFiles;
    const complete = this.removeContents(dir);
    if (this.deletedFiles > before) this.archives++;
    if (this.options.dryRun || !complete) return;
    const stop = siteArchivesDir(this.options.stateDir, this.options.site);
    const top = archivesRoot(this.options.stateDir);
    for (let d = dir; d !== stop && d !== top && d.startsWith(top); d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        return; // not empty (or gone): the parents are not empty either
      }
    }
  }

  /** Whether everything under `dir` went (so `dir` itself can). */
  private removeContents(dir: string): boolean {
    const entries = this.readDir(dir);
    if (entries === undefined) return false;
    let complete = true;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!this.removeContents(path)) complete = false;
        else if (!this.options.dryRun) {
          try {
            rmdirSync(path);
          } catch (err) {
            this.warn("gcCannotDelete", path, err);
            complete = false;
          }
        }
      } else {
        const size = fileSize(path) ?? 0;
        if (!this.deleteFile(path, size)) complete = false;
      }
    }
    return complete;
  }
}

/** Newest mtime (seconds) of the files under `dir`, or of `dir` itself when it holds none. */
function newestMtime(dir: string): number {
  let newest = -Infinity;
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return; // vanished meanwhile: nothing newer in it
    }
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        try {
          newest = Math.max(newest, statSync(path).mtimeMs / 1000);
        } catch {
          // vanished meanwhile
        }
      }
    }
  };
  walk(dir);
  return newest === -Infinity ? statSync(dir).mtimeMs / 1000 : newest;
}

/** One gc pass; throws only when the archive root cannot be read. */
export function runGcPass(options: GcOptions): GcReport {
  const pass = new GcPass(options);
  pass.run();
  return { lines: pass.lines, deletedFiles: pass.deletedFiles, deletedBytes: pass.deletedBytes, archives: pass.archives, summary: pass.summary };
}
