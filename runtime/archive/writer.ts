// The writer of one function's archive (archival.md §2.5): live output
// batches appended to current.arrow, one write(2) per IPC message, sealed
// into arc/ by size, by age and on close.
//
// API (the worker owns one writer per archive recipient):
//
//   const writer = ArchiveWriter.open({ dir, schema, site, fq, time, now });
//     Takes current.lock (RQ9001 when a live process holds it), runs crash
//     recovery (§2.6.5). `schema` is the batches' schema: the output fields,
//     then float64 `#start` and `#stop`; the writer adds its own metadata
//     (`ramen.format/site/fq/time/first_seq`) to the files' schema.
//   writer.nextSeq
//     The floor of the caller's sequence counter (§2.2): the counter kept in
//     the worker's snapshot may lag behind rows archived before a crash.
//   writer.append(batch, firstSeq, now)
//     Archives a batch whose rows are numbered firstSeq, firstSeq + 1, …
//     Numbers must not go backwards; a jump (rows not archived) seals the
//     current file first, since a file's rows are numbered contiguously.
//   writer.tick(now)
//     Call it every second or so: seals a file older than maxAge, and
//     fdatasyncs written data every SYNC_PERIOD seconds.
//   writer.stats
//     rows, bytes, tmin, tmax of current.arrow (the arc_* worker statistics).
//   writer.close()
//     Seals a non-empty current file, releases current.lock. Also what to
//     do when the archive recipient expires (§2.5).
//
// Errors: any file system failure (ENOSPC…) is thrown as RamenError RQ9004
// "cannot write the archive of <fq> in <dir>: <reason>". Before throwing, the
// writer truncates current.arrow back to its last complete message, so the
// directory stays recoverable and the writer usable: a failed append lost
// that batch only (later appends start a new file after the gap), a failed
// seal is retried by the next append, tick or close. close() releases the
// lock even when sealing fails; recovery seals the file later. Should even
// the cut back fail, the writer refuses to write (throwing that error) until
// it is closed and opened again, which recovers the directory.
//
// A worker thread that dies without close() leaves current.lock naming its
// live process: the supervisor removes it (releaseWriterLock in locks.ts,
// which removes a lock of its own pid) before restarting the function.

import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { RecordBatch, Schema, Type as ArrowTypeId, util } from "apache-arrow";
import { RamenError } from "../../grammar/diagnostics.js";
import { BatchBlock, FILE_HEADER, encodeSchema, encodedBatch, fileTrailer } from "../arrow/ipc.js";
import { ArchivePaths, archivePaths, formatArchivedFileName, microsCeil, microsFloor } from "./layout.js";
import { acquireWriterLock, releaseWriterLock } from "./locks.js";
import { FIRST_SEQ_KEY, START_COLUMN, STOP_COLUMN, fsyncDirectory, recoverArchive, writeNextSeq } from "./recovery.js";

/** `archive_file_size`: a current file this large is sealed (Appendix A). */
export const DEFAULT_FILE_SIZE = 8 * 1024 * 1024;
/** `archive_file_max_age`, seconds: a non-empty current file this old is sealed. */
export const DEFAULT_MAX_AGE = 3600;
/** Seconds between two fdatasyncs of a current file receiving data (§2.5). */
export const SYNC_PERIOD = 5;

/** The signature of fs.writeSync used for data: tests inject a failing one. */
export type WriteFunction = (fd: number, buffer: Uint8Array, offset: number, length: number, position: number) => number;

export interface ArchiveWriterOptions {
  /** The function's archive directory (layout.ts archiveDir). */
  readonly dir: string;
  /** The schema of the appended batches: output fields, then float64 `#start` and `#stop`. */
  readonly schema: Schema;
  readonly site: string;
  readonly fq: string;
  /** "arrival" when the function has no event time: `#start`/`#stop` then hold emission times (§2.3). */
  readonly time: "event" | "arrival";
  /** bytes; DEFAULT_FILE_SIZE by default */
  readonly fileSize?: number;
  /** seconds; DEFAULT_MAX_AGE by default */
  readonly maxAge?: number;
  /** wall clock, seconds */
  readonly now: number;
  /** The thread named in current.lock; the calling thread's id by default. */
  readonly thread?: number;
  readonly write?: WriteFunction;
}

/** What the worker publishes as `arc_rows`, `arc_bytes`, `arc_tmin`, `arc_tmax` (§3.1). */
export interface CurrentFileStats {
  readonly rows: number;
  readonly bytes: number;
  /** min `#start` / max `#stop`, seconds; undefined without rows */
  readonly tmin: number | undefined;
  readonly tmax: number | undefined;
}

/** current.arrow while it is open. */
interface CurrentFile {
  readonly fd: number;
  /** the files' schema with this file's first_seq, repeated in the footer */
  readonly schema: Schema;
  readonly firstSeq: bigint;
  readonly createdAt: number;
  rows: number;
  /** file length up to the last complete message: where the next message goes */
  bytes: number;
  readonly blocks: BatchBlock[];
  tmin: number;
  tmax: number;
}

const MESSAGES_OF_ERRNO: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EIO: "input/output error",
  ENOENT: "no such file or directory",
  EMFILE: "too many open files",
};

/** A file system error as a short reason for a message. */
export function ioReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && code in MESSAGES_OF_ERRNO) return MESSAGES_OF_ERRNO[code]!;
  return err instanceof Error ? err.message : String(err);
}

function timeColumnIndex(schema: Schema, name: string): number {
  const index = schema.fields.findIndex((f) => f.name === name);
  if (index < 0 || schema.fields[index]!.type.typeId !== ArrowTypeId.Float) throw new Error(`internal: archived batches need a float64 ${name} column`);
  return index;
}

export class ArchiveWriter {
  private readonly paths: ArchivePaths;
  private readonly fq: string;
  private readonly schema: Schema;
  private readonly metadata: ReadonlyMap<string, string>;
  private readonly startIndex: number;
  private readonly stopIndex: number;
  private readonly fileSize: number;
  private readonly maxAge: number;
  private readonly write: WriteFunction;
  /** The last batch schema found equal to `schema`: batches of one producer usually share it. */
  private checkedSchema: Schema;
  /** Reused for every message, so that an append allocates no output buffer. */
  private scratch = new Uint8Array(64 * 1024);
  private current: CurrentFile | undefined;
  private expectedSeq: bigint;
  private lastSync: number;
  private unsynced = false;
  private closed = false;
  /** Set when current.arrow could not be cut back after a failed write: it must not be written again before recovery. */
  private broken: RamenError | undefined;

  private constructor(options: ArchiveWriterOptions, nextSeq: bigint) {
    this.paths = archivePaths(options.dir);
    this.fq = options.fq;
    this.schema = options.schema;
    this.checkedSchema = options.schema;
    this.startIndex = timeColumnIndex(options.schema, START_COLUMN);
    this.stopIndex = timeColumnIndex(options.schema, STOP_COLUMN);
    this.metadata = new Map([
      ...options.schema.metadata,
      ["ramen.format", "1"],
      ["ramen.site", options.site],
      ["ramen.fq", options.fq],
      ["ramen.time", options.time],
    ]);
    this.fileSize = options.fileSize ?? DEFAULT_FILE_SIZE;
    this.maxAge = options.maxAge ?? DEFAULT_MAX_AGE;
    this.write = options.write ?? writeSync;
    this.expectedSeq = nextSeq;
    this.lastSync = options.now;
  }

  /** Locks the directory, recovers it (§2.6.5) and returns its writer. */
  static open(options: ArchiveWriterOptions): ArchiveWriter {
    // Checked before the lock is taken, so that a bad schema leaves nothing behind.
    timeColumnIndex(options.schema, START_COLUMN);
    timeColumnIndex(options.schema, STOP_COLUMN);
    try {
      acquireWriterLock(options.dir, options.thread ?? threadId, options.now);
    } catch (err) {
      throw writeError(options.fq, options.dir, err);
    }
    try {
      const { nextSeq } = recoverArchive(options.dir);
      return new ArchiveWriter(options, nextSeq);
    } catch (err) {
      releaseWriterLock(options.dir);
      throw writeError(options.fq, options.dir, err);
    }
  }

  /** The first sequence number the next append may use. */
  get nextSeq(): bigint {
    return this.expectedSeq;
  }

  get stats(): CurrentFileStats {
    const c = this.current;
    if (c === undefined || c.rows === 0) return { rows: 0, bytes: c?.bytes ?? 0, tmin: undefined, tmax: undefined };
    return { rows: c.rows, bytes: c.bytes, tmin: c.tmin, tmax: c.tmax };
  }

  /** Archives `batch`, whose first row has sequence number `firstSeq`; `now` in seconds. */
  append(batch: RecordBatch, firstSeq: bigint, now: number): void {
    this.checkOpen();
    if (batch.numRows === 0) return;
    if (firstSeq < this.expectedSeq) throw new Error(`internal: archive sequence numbers go back from ${this.expectedSeq} to ${firstSeq} in ${this.paths.dir}`);
    if (batch.schema !== this.checkedSchema) {
      if (!util.compareSchemas(this.schema, batch.schema)) throw new Error(`internal: a batch of another schema appended to the archive of ${this.fq}`);
      this.checkedSchema = batch.schema;
    }
    try {
      const previous = this.current;
      if (previous !== undefined && firstSeq !== previous.firstSeq + BigInt(previous.rows)) {
        if (previous.rows > 0) this.seal();
        else this.discardEmpty(previous);
      }
      const current = this.current ?? this.create(firstSeq, now);
      this.appendMessage(current, batch);
      this.expectedSeq = firstSeq + BigInt(batch.numRows);
      if (current.bytes >= this.fileSize || now - current.createdAt >= this.maxAge) this.seal();
      else this.syncIfDue(now);
    } catch (err) {
      throw writeError(this.fq, this.paths.dir, err);
    }
  }

  /** Seals a current file older than maxAge; fdatasyncs data written more than SYNC_PERIOD ago. */
  tick(now: number): void {
    this.checkOpen();
    try {
      const current = this.current;
      if (current !== undefined && current.rows > 0 && now - current.createdAt >= this.maxAge) this.seal();
      else this.syncIfDue(now);
    } catch (err) {
      throw writeError(this.fq, this.paths.dir, err);
    }
  }

  /** Seals a non-empty current file and releases the directory; the writer cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      const current = this.current;
      if (current !== undefined && current.rows > 0) this.seal();
      else if (current !== undefined) this.discardEmpty(current);
    } catch (err) {
      throw writeError(this.fq, this.paths.dir, err);
    } finally {
      if (this.current !== undefined) closeSync(this.current.fd);
      this.current = undefined;
      releaseWriterLock(this.paths.dir);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error(`internal: the archive writer of ${this.fq} is closed`);
    if (this.broken !== undefined) throw this.broken;
  }

  /** A file whose first append failed holds only its header: nothing to keep. */
  private discardEmpty(current: CurrentFile): void {
    this.current = undefined;
    closeSync(current.fd);
    unlinkSync(this.paths.current);
  }

  /**
   * After a failed write, cuts current.arrow back to its last complete
   * message (a part of the message may have reached the file), so that the
   * next write follows a complete one.
   */
  private cutBack(current: CurrentFile): void {
    try {
      ftruncateSync(current.fd, current.bytes);
    } catch (err) {
      // Left as is, the torn end is what recovery cuts off; writing after it would bury it.
      this.broken = writeError(this.fq, this.paths.dir, err);
      this.current = undefined;
      closeSync(current.fd);
    }
  }

  /** §2.5: magic + schema written to arc/.tmp/current.<pid>, fsynced, renamed to current.arrow. */
  private create(firstSeq: bigint, now: number): CurrentFile {
    const schema = new Schema(this.schema.fields, new Map([...this.metadata, [FIRST_SEQ_KEY, String(firstSeq)]]), null, this.schema.metadataVersion);
    const head = Buffer.concat([FILE_HEADER, encodeSchema(schema)]);
    const temp = join(this.paths.tmp, `current.${process.pid}`);
    const fd = openSync(temp, "w", 0o644);
    try {
      this.writeAll(fd, head, head.byteLength, 0);
      fsyncSync(fd);
      renameSync(temp, this.paths.current);
    } catch (err) {
      closeSync(fd);
      unlinkQuietly(temp);
      throw err;
    }
    this.current = { fd, schema, firstSeq, createdAt: now, rows: 0, bytes: head.byteLength, blocks: [], tmin: Infinity, tmax: -Infinity };
    return this.current;
  }

  private appendMessage(current: CurrentFile, batch: RecordBatch): void {
    const message = encodedBatch(batch);
    if (message.byteLength > this.scratch.byteLength) this.scratch = new Uint8Array(Math.max(message.byteLength, 2 * this.scratch.byteLength));
    message.writeInto(this.scratch, 0);
    try {
      this.writeAll(current.fd, this.scratch, message.byteLength, current.bytes);
    } catch (err) {
      this.cutBack(current);
      throw err;
    }
    current.blocks.push({ offset: current.bytes, metadataLength: message.metadataLength, bodyLength: message.bodyLength });
    current.bytes += message.byteLength;
    current.rows += batch.numRows;
    const starts = batch.data.children[this.startIndex]!.values as Float64Array;
    const stops = batch.data.children[this.stopIndex]!.values as Float64Array;
    let tmin = current.tmin;
    let tmax = current.tmax;
    for (let i = 0; i < batch.numRows; i++) {
      if (starts[i]! < tmin) tmin = starts[i]!;
      if (stops[i]! > tmax) tmax = stops[i]!;
    }
    current.tmin = tmin;
    current.tmax = tmax;
    this.unsynced = true;
  }

  /** write(2) until every byte is written: a short count is not an error, a second short one reports it. */
  private writeAll(fd: number, bytes: Uint8Array, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      const written = this.write(fd, bytes, done, length - done, position + done);
      if (written <= 0) throw Object.assign(new Error("write wrote nothing"), { code: "EIO" });
      done += written;
    }
  }

  private syncIfDue(now: number): void {
    if (!this.unsynced || now - this.lastSync < SYNC_PERIOD || this.current === undefined) return;
    fdatasyncSync(this.current.fd);
    this.lastSync = now;
    this.unsynced = false;
  }

  /** Steps 1–3 of §2.5 on a current file with rows; step 4 is the next append's create. */
  private seal(): void {
    const current = this.current!;
    const end = current.firstSeq + BigInt(current.rows);
    const name = formatArchivedFileName({ first: current.firstSeq, end, tminMicros: microsFloor(current.tmin), tmaxMicros: microsCeil(current.tmax) });
    const trailer = fileTrailer(current.schema, current.blocks);
    try {
      this.writeAll(current.fd, trailer, trailer.byteLength, current.bytes);
      fsyncSync(current.fd);
      writeNextSeq(this.paths, end);
      renameSync(this.paths.current, join(this.paths.arc, name));
    } catch (err) {
      // Not renamed: the file stays current, without a partial trailer, and sealing is tried again later.
      this.cutBack(current);
      throw err;
    }
    this.current = undefined;
    this.unsynced = false;
    closeSync(current.fd);
    fsyncDirectory(this.paths.arc);
  }
}

function writeError(fq: string, dir: string, err: unknown): RamenError {
  if (err instanceof RamenError) return err;
  return RamenError.of("archiveWriteFailed", { fq, dir, reason: ioReason(err) });
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Left in arc/.tmp/, which recovery empties.
  }
}
