// Archives (issue 7): 1M rows of 5 numeric columns, in batches of 1,024 rows
// as functions emit them, written through ArchiveWriter (one write per
// message, 8 MiB files sealed with their footer, fsync and renames included)
// next to apache-arrow writing the same batches as one IPC file
// (tableToIPC + writeFileSync, no fsync); then read back through
// readArchive, whole and a middle range, next to apache-arrow reading the same
// files (tableFromIPC) and selecting the same rows by `#start/#stop` with a
// loop over the columns. Rows/s count the rows of the range. Goal: replay
// ≥ 10M rows/s and ≥ 0.5× the plain read.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordBatch, Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { archivePaths, listArchivedFiles } from "../runtime/archive/layout.js";
import { readArchive } from "../runtime/archive/reader.js";
import { ArchiveWriter } from "../runtime/archive/writer.js";
import { BatchBuilder } from "../runtime/arrow/builder.js";
import { SENSOR_FIELDS } from "./common.js";

export interface ArchiveBenchResult {
  readonly name: string;
  readonly rowsPerSec: number;
  readonly megabytesPerSec: number;
  readonly baselineRowsPerSec: number;
  readonly baselineMegabytesPerSec: number;
}

const ROWS = 1_000_000;
const RUNS = 3;
/** Rows per second of event time: the rows span 1000 s. */
const RATE = 1000;

const FIELDS = SENSOR_FIELDS;

function sourceBatches(): RecordBatch[] {
  const builder = new BatchBuilder(FIELDS, { withTimeColumns: true });
  const appenders = builder.appenders as ((v: number) => void)[];
  const batches: RecordBatch[] = [];
  let seed = 12345;
  for (let i = 0; i < ROWS; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    appenders[0]!(seed);
    appenders[1]!((seed % 65536) - 32768);
    appenders[2]!((seed % 100000) / 100);
    appenders[3]!(seed / 1e6);
    appenders[4]!(seed % 256);
    const t = i / RATE;
    appenders[5]!(t);
    appenders[6]!(t + (seed % 4));
    if (builder.endRow()) batches.push(builder.flush());
  }
  if (builder.rowCount > 0) batches.push(builder.flush());
  return batches;
}

/** Best seconds of RUNS runs of f, each given a fresh directory. */
function bestSeconds(f: (dir: string) => unknown): number {
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const dir = mkdtempSync(join(tmpdir(), "ramen-bench-archive-"));
    try {
      const start = process.hrtime.bigint();
      f(dir);
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return best;
}

function writeArchive(dir: string, batches: readonly RecordBatch[]): void {
  const writer = ArchiveWriter.open({ dir, schema: batches[0]!.schema, site: "bench", fq: "bench/f", time: "event", now: 0 });
  let seq = 0n;
  for (const batch of batches) {
    writer.append(batch, seq, 0);
    seq += BigInt(batch.numRows);
  }
  writer.close();
}

/** Rows of [since, until) through readArchive. */
function replay(dir: string, since: number, until: number): number {
  let rows = 0;
  for (const { batch, selection } of readArchive(dir, { since, until })) rows += selection === null ? batch.numRows : selection.length;
  return rows;
}

/** The same rows through apache-arrow: the files read whole, rows selected by a loop over #start/#stop. */
function plainRead(files: readonly string[], since: number, until: number): number {
  let rows = 0;
  for (const file of files) {
    const table = tableFromIPC(readFileSync(file));
    for (const batch of table.batches) {
      const starts = batch.getChild("#start")!.data[0]!.values as Float64Array;
      const stops = batch.getChild("#stop")!.data[0]!.values as Float64Array;
      for (let i = 0; i < batch.numRows; i++) if (stops[i]! >= since && starts[i]! < until) rows++;
    }
  }
  return rows;
}

function bestOf(f: () => unknown): number {
  let seconds = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    f();
    seconds = Math.min(seconds, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return seconds;
}

const sizeOf = (paths: readonly string[]): number => paths.reduce((n, path) => n + statSync(path).size, 0);

export function benchArchive(): ArchiveBenchResult[] {
  const batches = sourceBatches();
  let bytes = 0;
  const writeSeconds = bestSeconds((dir) => {
    writeArchive(dir, batches);
    bytes = sizeOf(listArchivedFiles(archivePaths(dir).arc).map((f) => f.path));
  });
  let plainBytes = 0;
  const plainWriteSeconds = bestSeconds((dir) => {
    const ipc = tableToIPC(new Table(batches), "file");
    writeFileSync(join(dir, "plain.arrow"), ipc);
    plainBytes = ipc.byteLength;
  });
  const results: ArchiveBenchResult[] = [
    {
      name: `write ${ROWS / 1e6}M rows x ${FIELDS.length} numeric columns + #start/#stop`,
      rowsPerSec: ROWS / writeSeconds,
      megabytesPerSec: bytes / 1e6 / writeSeconds,
      baselineRowsPerSec: ROWS / plainWriteSeconds,
      baselineMegabytesPerSec: plainBytes / 1e6 / plainWriteSeconds,
    },
  ];

  const dir = mkdtempSync(join(tmpdir(), "ramen-bench-archive-"));
  try {
    writeArchive(dir, batches);
    const span = ROWS / RATE;
    for (const [label, since, until] of [
      ["everything", -Infinity, Infinity],
      ["middle 50 %", span / 4, (3 * span) / 4],
    ] as const) {
      // The plain reader opens the same files, those whose names overlap the range.
      const files = listArchivedFiles(archivePaths(dir).arc)
        .filter((f) => Number(f.tminMicros) <= until * 1e6 && Number(f.tmaxMicros) >= since * 1e6)
        .map((f) => f.path);
      const rows = plainRead(files, since, until);
      if (replay(dir, since, until) !== rows) throw new Error(`readArchive and apache-arrow disagree on the rows of ${label}`);
      const readSeconds = bestOf(() => replay(dir, since, until));
      const plainSeconds = bestOf(() => plainRead(files, since, until));
      const megabytes = sizeOf(files) / 1e6;
      results.push({
        name: `read ${label}: ${(rows / 1e6).toFixed(2)}M rows`,
        rowsPerSec: rows / readSeconds,
        megabytesPerSec: megabytes / readSeconds,
        baselineRowsPerSec: rows / plainSeconds,
        baselineMegabytesPerSec: megabytes / plainSeconds,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
