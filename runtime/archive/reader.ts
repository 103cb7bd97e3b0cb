// Reading a function's archive back (archival.md §2.4, §2.6.6, §6.1, §6.4):
// the batches of the sealed files overlapping a time range, in `first`
// order, then those of current.arrow, with the rows that belong to the range.
//
// API:
//
//   for (const { batch, firstSeq, selection } of readArchive(dir, { since, until })) …
//     Row i of `batch` has sequence number firstSeq + i; `selection` lists the
//     rows of the range (null: all of them). Batches are zero-copy views of
//     the file bytes. Options: `beforeSeq` leaves out rows numbered from it on
//     (the tail handoff of §6.7), `onGap` hears of leased files that vanished
//     anyway (gc) before they were read.
//   archivedRows(dir, since, until) → { seq, values }[]
//     The same as values, for tests and small reads.
//   archiveCoverage(dir, current?) → [since, until, growing][]
//     The time ranges the archive covers, merged as in §5.3, for planning and
//     for the "no archive covers … (covered: …)" messages.
//
// Consistency with a writer appending meanwhile: current.arrow is opened and
// read to its size at that moment (the cut of §6.4) before arc/ is listed, and
// sealed files numbered from its first row on are left out: a file sealed
// after the listing is either that same file or later rows. A row belongs to
// [since, until) when `#stop ≥ since` and `#start < until` (§6.1).

import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { RecordBatch, Schema } from "apache-arrow";
import { type Diagnostic, RamenError, diag, isRamenError } from "../../grammar/diagnostics.js";
import type { Value } from "../../stdlib/values.js";
import type { ArchiveRange } from "../archivist/stats.js";
import { FILE_HEADER, decodeStream } from "../arrow/ipc.js";
import { BatchReader } from "../arrow/reader.js";
import { type RaqlField, raqlFieldsOf } from "../arrow/schema.js";
import { mergeRanges } from "./gc.js";
import { ArchivedFile, archivePaths, listArchivedFiles } from "./layout.js";
import { Lease, createLease, releaseLease, renewLease } from "./locks.js";
import { FIRST_SEQ_KEY, START_COLUMN, STOP_COLUMN, scanArchiveFile } from "./recovery.js";
import { ioReason } from "./writer.js";

/** Seconds between two renewals of a reader's lease (§2.6.6). */
export const LEASE_RENEWAL = 60;

export interface ArchiveGap {
  readonly path: string;
  /** sequence numbers of the missing rows: [first, end) */
  readonly first: bigint;
  readonly end: bigint;
  /** RQ9105, ready to print */
  readonly warning: Diagnostic;
}

export interface ArchiveReadOptions {
  /** seconds; −∞ by default */
  readonly since?: number;
  /** seconds, exclusive; +∞ by default */
  readonly until?: number;
  /** Rows numbered from this on are left out. */
  readonly beforeSeq?: bigint;
  readonly onGap?: (gap: ArchiveGap) => void;
  /** Wall clock in seconds, for the lease; Date.now by default. */
  readonly clock?: () => number;
}

export interface ArchivedBatch {
  readonly batch: RecordBatch;
  /** Sequence number of row 0 of the batch. */
  readonly firstSeq: bigint;
  /** The rows of the batch in the range, ascending; null when all are. */
  readonly selection: Uint32Array | null;
}

const wallClock = (): number => Date.now() / 1000;

/** The batches of the archive in `dir` holding rows of the range, in write order. */
export function* readArchive(dir: string, options: ArchiveReadOptions = {}): Generator<ArchivedBatch, void, undefined> {
  const since = options.since ?? -Infinity;
  const until = options.until ?? Infinity;
  const clock = options.clock ?? wallClock;
  const paths = archivePaths(dir);
  const current = readCurrent(paths.current);
  // tmin ≤ until·10^6 and tmax ≥ since·10^6 (§2.4), infinite bounds included.
  const files = listArchivedFiles(paths.arc).filter(
    (f) => (current === undefined || f.first < current.firstSeq) && Number(f.tminMicros) <= until * 1e6 && Number(f.tmaxMicros) >= since * 1e6,
  );
  let lease: Lease | undefined;
  let leasedAt = clock();
  if (files.length > 0) lease = createLease(paths.arc, files.map((f) => f.fileName), leasedAt);
  try {
    for (const file of files) {
      if (options.beforeSeq !== undefined && file.first >= options.beforeSeq) return;
      const sealed = readSealed(file, options.onGap);
      if (sealed !== undefined) yield* selectedBatches(sealed, since, until, options.beforeSeq);
      if (lease !== undefined && clock() - leasedAt >= LEASE_RENEWAL) {
        leasedAt = clock();
        lease = renewLease(lease, leasedAt);
      }
    }
    if (current !== undefined) yield* selectedBatches(current, since, until, options.beforeSeq);
  } finally {
    if (lease !== undefined) releaseLease(lease);
  }
}

/** The batches of one file and the sequence number of its first row. */
interface DecodedFile {
  readonly schema: Schema;
  readonly batches: readonly RecordBatch[];
  readonly firstSeq: bigint;
}

function* selectedBatches(file: DecodedFile, since: number, until: number, beforeSeq: bigint | undefined): Generator<ArchivedBatch, void, undefined> {
  const startIndex = file.schema.fields.findIndex((f) => f.name === START_COLUMN);
  const stopIndex = file.schema.fields.findIndex((f) => f.name === STOP_COLUMN);
  let firstSeq = file.firstSeq;
  for (const batch of file.batches) {
    const numRows = batch.numRows;
    // Rows allowed by beforeSeq: a prefix of the batch.
    const allowed = beforeSeq === undefined || beforeSeq - firstSeq >= BigInt(numRows) ? numRows : Math.max(0, Number(beforeSeq - firstSeq));
    if (allowed === 0) return;
    const starts = batch.data.children[startIndex]!.values as Float64Array;
    const stops = batch.data.children[stopIndex]!.values as Float64Array;
    let count = 0;
    for (let i = 0; i < allowed; i++) if (stops[i]! >= since && starts[i]! < until) count++;
    if (count === numRows) yield { batch, firstSeq, selection: null };
    else if (count > 0) {
      const selection = new Uint32Array(count);
      let n = 0;
      for (let i = 0; i < allowed; i++) if (stops[i]! >= since && starts[i]! < until) selection[n++] = i;
      yield { batch, firstSeq, selection };
    }
    if (allowed < numRows) return;
    firstSeq += BigInt(numRows);
  }
}

/** current.arrow as it is now (the cut): its complete batches, or undefined when there is none. */
function readCurrent(path: string): DecodedFile | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw RamenError.of("archiveReadFailed", { path, reason: ioReason(err) });
  }
  let bytes: Uint8Array;
  try {
    const size = fstatSync(fd).size;
    bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const read = readSync(fd, bytes, done, size - done, done);
      if (read === 0) break;
      done += read;
    }
    bytes = bytes.subarray(0, done);
  } catch (err) {
    throw RamenError.of("archiveReadFailed", { path, reason: ioReason(err) });
  } finally {
    closeSync(fd);
  }
  return decodeArchiveFile(bytes, path);
}

/** A sealed file's content; undefined (and a gap reported) when it vanished. */
function readSealed(file: ArchivedFile, onGap: ((gap: ArchiveGap) => void) | undefined): DecodedFile | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw RamenError.of("archiveReadFailed", { path: file.path, reason: ioReason(err) });
    const warning = diag("archiveGap", { path: file.path, first: file.first, last: file.end - 1n });
    onGap?.({ path: file.path, first: file.first, end: file.end, warning });
    return undefined;
  }
  // Column views need 8-aligned buffers; small files may come from Node's shared pool at any offset.
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes);
  return decodeArchiveFile(bytes, file.path);
}

/** An archive file (sealed or not) read as a stream after its 8-byte header, up to its last complete message. */
function decodeArchiveFile(bytes: Uint8Array, path: string): DecodedFile {
  if (bytes.byteLength < FILE_HEADER.byteLength || !FILE_HEADER.every((b, i) => bytes[i] === b)) {
    throw RamenError.of("archiveBadFile", { path, reason: "not an Arrow IPC file (no ARROW1 header)" });
  }
  let stream;
  try {
    stream = decodeStream(bytes, FILE_HEADER.byteLength);
  } catch (err) {
    if (isRamenError(err)) throw RamenError.of("archiveBadFile", { path, reason: err.message });
    throw err;
  }
  const firstSeqText = stream.schema.metadata.get(FIRST_SEQ_KEY);
  if (firstSeqText === undefined || !/^[0-9]+$/.test(firstSeqText)) throw RamenError.of("archiveBadFile", { path, reason: `no decimal ${FIRST_SEQ_KEY} in the schema metadata` });
  for (const column of [START_COLUMN, STOP_COLUMN]) {
    if (stream.schema.fields.findIndex((f) => f.name === column) < 0) throw RamenError.of("archiveBadFile", { path, reason: `no ${column} column` });
  }
  return { schema: stream.schema, batches: stream.batches, firstSeq: BigInt(firstSeqText) };
}

/** One archived row: its sequence number and the values of all its columns, `#start` and `#stop` last. */
export interface ArchivedRow {
  readonly seq: bigint;
  readonly values: Value[];
}

/** The rows of [since, until) as values, in write order (slow path: tests, small reads). */
export function archivedRows(dir: string, since: number, until: number): ArchivedRow[] {
  const rows: ArchivedRow[] = [];
  let fields: readonly RaqlField[] | undefined;
  let fieldsOf: Schema | undefined;
  for (const { batch, firstSeq, selection } of readArchive(dir, { since, until })) {
    if (batch.schema !== fieldsOf) {
      fields = raqlFieldsOf(batch.schema);
      fieldsOf = batch.schema;
    }
    const reader = new BatchReader(batch, fields);
    const count = selection === null ? batch.numRows : selection.length;
    for (let k = 0; k < count; k++) {
      const i = selection === null ? k : selection[k]!;
      rows.push({ seq: firstSeq + BigInt(i), values: reader.row(i) });
    }
  }
  return rows;
}

/**
 * The time ranges covered by the archive in `dir`, in seconds: the sealed
 * files' [tmin, tmax] and the current file's range (flagged growing), merged
 * as in §5.3. `current` is the writer's in-memory range when known (worker
 * statistics); otherwise current.arrow is scanned.
 */
export function archiveCoverage(dir: string, current?: { readonly tmin: number; readonly tmax: number }): ArchiveRange[] {
  const paths = archivePaths(dir);
  const ranges: ArchiveRange[] = listArchivedFiles(paths.arc).map((f) => [Number(f.tminMicros) / 1e6, Number(f.tmaxMicros) / 1e6, false]);
  const growing = current ?? currentRange(paths.current);
  if (growing !== undefined) ranges.push([growing.tmin, growing.tmax, true]);
  return mergeRanges(ranges);
}

function currentRange(path: string): { tmin: number; tmax: number } | undefined {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw RamenError.of("archiveReadFailed", { path, reason: ioReason(err) });
  }
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes);
  const scan = scanArchiveFile(bytes, path);
  return scan.rows === 0 ? undefined : { tmin: scan.tmin!, tmax: scan.tmax! };
}
