// Crash recovery of one archive directory (archival.md §2.6.5), run by a
// writer before its first append and by gc for directories without a live
// writer: whatever the crash point, current.arrow ends up either sealed in
// arc/ under its final name, or deleted when it holds no row.

import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Schema, Vector } from "apache-arrow";
import { RamenError } from "../../grammar/diagnostics.js";
import { BatchBlock, FILE_HEADER, decodeBatch, decodeSchema, fileTrailer, messageLengthAt } from "../arrow/ipc.js";
import { ArchivePaths, archivePaths, formatArchivedFileName, listArchivedFiles, microsCeil, microsFloor } from "./layout.js";

/** Schema metadata key holding the sequence number of a file's first row (§2.2). */
export const FIRST_SEQ_KEY = "ramen.first_seq";
export const START_COLUMN = "#start";
export const STOP_COLUMN = "#stop";

/** What reading an unsealed (or sealed) archive file as a stream from byte 8 finds. */
export interface ArchiveFileScan {
  readonly schema: Schema;
  readonly firstSeq: bigint;
  readonly rows: number;
  /** Where each complete record batch message sits, for the footer. */
  readonly blocks: readonly BatchBlock[];
  /** Byte offset just after the last complete record batch message: where sealing truncates. */
  readonly streamEnd: number;
  /** Whether end-of-stream marker and a footer of the right length follow streamEnd, up to the end. */
  readonly sealed: boolean;
  /** min #start and max #stop in seconds; undefined without rows. */
  readonly tmin: number | undefined;
  readonly tmax: number | undefined;
}

const CONTINUATION_PREFIX = 8;
const MAGIC_LENGTH = 6;

function bad(path: string, reason: string): RamenError {
  return RamenError.of("archiveBadFile", { path, reason });
}

/** Reads `bytes` (the content of `path`) as an archive file: file header, then stream messages. */
export function scanArchiveFile(bytes: Uint8Array, path: string): ArchiveFileScan {
  if (bytes.byteLength < FILE_HEADER.byteLength || !FILE_HEADER.every((b, i) => bytes[i] === b)) throw bad(path, "not an Arrow IPC file (no ARROW1 header)");
  let offset = FILE_HEADER.byteLength;
  const schema = decodeSchema(bytes, offset);
  offset += messageLengthAt(bytes, offset)!;
  const firstSeqText = schema.metadata.get(FIRST_SEQ_KEY);
  if (firstSeqText === undefined || !/^[0-9]+$/.test(firstSeqText)) throw bad(path, `no decimal ${FIRST_SEQ_KEY} in the schema metadata`);
  if (schema.fields.findIndex((f) => f.name === START_COLUMN) < 0 || schema.fields.findIndex((f) => f.name === STOP_COLUMN) < 0) {
    throw bad(path, `no ${START_COLUMN}/${STOP_COLUMN} columns`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: BatchBlock[] = [];
  let rows = 0;
  let tmin = Infinity;
  let tmax = -Infinity;
  let sealed = false;
  for (;;) {
    const length = messageLengthAt(bytes, offset);
    if (length === undefined) break;
    const metadataSize = view.getInt32(offset + 4, true);
    if (metadataSize === 0) {
      // End-of-stream marker: sealed when exactly a footer, its length and the magic follow.
      const trailer = bytes.byteLength - offset;
      const footerLength = trailer >= CONTINUATION_PREFIX + 4 + MAGIC_LENGTH ? view.getInt32(bytes.byteLength - MAGIC_LENGTH - 4, true) : -1;
      const endsWithMagic = FILE_HEADER.subarray(0, MAGIC_LENGTH).every((b, i) => bytes[bytes.byteLength - MAGIC_LENGTH + i] === b);
      sealed = endsWithMagic && trailer === CONTINUATION_PREFIX + footerLength + 4 + MAGIC_LENGTH;
      break;
    }
    const batch = decodeBatch(bytes, schema, offset);
    rows += batch.numRows;
    tmin = Math.min(tmin, minOf(batch.getChild(START_COLUMN)!));
    tmax = Math.max(tmax, maxOf(batch.getChild(STOP_COLUMN)!));
    const metadataLength = CONTINUATION_PREFIX + metadataSize;
    blocks.push({ offset, metadataLength, bodyLength: length - metadataLength });
    offset += length;
  }
  return {
    schema,
    firstSeq: BigInt(firstSeqText),
    rows,
    blocks,
    streamEnd: offset,
    sealed,
    tmin: rows > 0 ? tmin : undefined,
    tmax: rows > 0 ? tmax : undefined,
  };
}

function minOf(column: Vector): number {
  let min = Infinity;
  for (const data of column.data) {
    const values = data.values as Float64Array;
    for (let i = 0; i < data.length; i++) min = Math.min(min, values[i]!);
  }
  return min;
}

function maxOf(column: Vector): number {
  let max = -Infinity;
  for (const data of column.data) {
    const values = data.values as Float64Array;
    for (let i = 0; i < data.length; i++) max = Math.max(max, values[i]!);
  }
  return max;
}

// ---- file system steps ----------------------------------------------------------------

export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `arc/next-seq`, 0 when absent. */
export function readNextSeq(paths: ArchivePaths): bigint {
  let text: string;
  try {
    text = readFileSync(paths.nextSeq, "latin1").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0n;
    throw err;
  }
  if (!/^[0-9]+$/.test(text)) throw bad(paths.nextSeq, `not a decimal sequence number: ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** Step 2 of §2.5: write `arc/.tmp/next-seq`, fsync, rename over `arc/next-seq`. */
export function writeNextSeq(paths: ArchivePaths, nextSeq: bigint): void {
  const temp = join(paths.tmp, "next-seq");
  const fd = openSync(temp, "w", 0o644);
  try {
    writeSync(fd, `${nextSeq}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, paths.nextSeq);
}

/** The name a sealed file of this scan gets in arc/ (rows > 0). */
export function sealedFileName(scan: ArchiveFileScan): string {
  return formatArchivedFileName({
    first: scan.firstSeq,
    end: scan.firstSeq + BigInt(scan.rows),
    tminMicros: microsFloor(scan.tmin!),
    tmaxMicros: microsCeil(scan.tmax!),
  });
}

export interface RecoveryOutcome {
  /** Name in arc/ of the file current.arrow was sealed into, if it held rows. */
  readonly sealed: string | undefined;
  /** Whether current.arrow held no row and was deleted. */
  readonly deletedEmpty: boolean;
  readonly nextSeq: bigint;
}

/**
 * §2.6.5 on the archive directory `dir`, whose writer must not be running.
 * A current file with a footer but no row is deleted too: a file name needs
 * rows (end > first) and a time range.
 */
export function recoverArchive(dir: string): RecoveryOutcome {
  const paths = archivePaths(dir);
  mkdirSync(paths.tmp, { recursive: true, mode: 0o700 });
  for (const entry of readdirSync(paths.tmp)) rmSync(join(paths.tmp, entry), { recursive: true, force: true });

  let sealed: string | undefined;
  let deletedEmpty = false;
  let nextSeq = readNextSeq(paths);
  let bytes: Uint8Array | undefined;
  try {
    bytes = readFileSync(paths.current);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (bytes !== undefined) {
    const scan = scanArchiveFile(bytes, paths.current);
    if (scan.rows === 0) {
      unlinkSync(paths.current);
      deletedEmpty = true;
    } else {
      if (!scan.sealed) sealInPlace(paths.current, scan);
      const end = scan.firstSeq + BigInt(scan.rows);
      if (end > nextSeq) {
        writeNextSeq(paths, end);
        nextSeq = end;
      }
      sealed = sealedFileName(scan);
      renameSync(paths.current, join(paths.arc, sealed));
      fsyncDirectory(paths.arc);
    }
  }
  const maxEnd = listArchivedFiles(paths.arc).reduce((max, f) => (f.end > max ? f.end : max), 0n);
  if (maxEnd > nextSeq) {
    writeNextSeq(paths, maxEnd);
    fsyncDirectory(paths.arc);
    nextSeq = maxEnd;
  }
  return { sealed, deletedEmpty, nextSeq };
}

/** Drops anything after the last complete batch, appends end-of-stream and footer, fsyncs (step 1 of §2.5). */
function sealInPlace(path: string, scan: ArchiveFileScan): void {
  const trailer = fileTrailer(scan.schema, scan.blocks);
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, scan.streamEnd);
    writeSync(fd, trailer, 0, trailer.byteLength, scan.streamEnd);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
