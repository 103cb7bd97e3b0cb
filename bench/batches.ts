// Building record batches as generated code does (one append per field, then
// endRow/flush every 1024 rows) for 1M rows of 5 numeric columns, next to
// filling plain Float64Arrays by hand in batches of the same size in the same
// run; and reading them back through BatchReader's typed arrays next to
// summing the plain arrays. Figures are for reading, never asserted.

import { RecordBatch } from "apache-arrow";
import { BATCH_MAX_ROWS, BatchBuilder } from "../runtime/arrow/builder.js";
import { BatchReader } from "../runtime/arrow/reader.js";
import { SENSOR_FIELDS } from "./common.js";

export interface BatchBenchResult {
  readonly name: string;
  readonly rowsPerSec: number;
  readonly baselineRowsPerSec: number;
}

const ROWS = 1_000_000;
const COLUMNS = 5;
const RUNS = 3;

const FIELDS = SENSOR_FIELDS;

/** Column-major source values, in range for each field's type. */
function sourceColumns(): Float64Array[] {
  const columns = Array.from({ length: COLUMNS }, () => new Float64Array(ROWS));
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < ROWS; i++) {
    columns[0]![i] = next();
    columns[1]![i] = (next() % 65536) - 32768;
    columns[2]![i] = (next() % 100000) / 100;
    columns[3]![i] = next() / 1e6;
    columns[4]![i] = next() % 256;
  }
  return columns;
}

function buildBatches(source: readonly Float64Array[]): RecordBatch[] {
  const builder = new BatchBuilder(FIELDS);
  const [a0, a1, a2, a3, a4] = builder.appenders as [(v: number) => void, (v: number) => void, (v: number) => void, (v: number) => void, (v: number) => void];
  const [c0, c1, c2, c3, c4] = source as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const batches: RecordBatch[] = [];
  for (let i = 0; i < ROWS; i++) {
    a0(c0[i]!);
    a1(c1[i]!);
    a2(c2[i]!);
    a3(c3[i]!);
    a4(c4[i]!);
    if (builder.endRow()) batches.push(builder.flush());
  }
  if (builder.rowCount > 0) batches.push(builder.flush());
  return batches;
}

/** The baseline: the same values copied into fresh Float64Arrays of 1024 rows, no Arrow at all. */
function fillByHand(source: readonly Float64Array[]): Float64Array[][] {
  const [c0, c1, c2, c3, c4] = source as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const batches: Float64Array[][] = [];
  let arrays = Array.from({ length: COLUMNS }, () => new Float64Array(BATCH_MAX_ROWS));
  let n = 0;
  for (let i = 0; i < ROWS; i++) {
    arrays[0]![n] = c0[i]!;
    arrays[1]![n] = c1[i]!;
    arrays[2]![n] = c2[i]!;
    arrays[3]![n] = c3[i]!;
    arrays[4]![n] = c4[i]!;
    if (++n === BATCH_MAX_ROWS) {
      batches.push(arrays);
      arrays = Array.from({ length: COLUMNS }, () => new Float64Array(BATCH_MAX_ROWS));
      n = 0;
    }
  }
  if (n > 0) batches.push(arrays.map((a) => a.subarray(0, n)));
  return batches;
}

function sumThroughReaders(batches: readonly RecordBatch[]): number {
  let sum = 0;
  for (const batch of batches) {
    const reader = new BatchReader(batch, FIELDS);
    for (let c = 0; c < COLUMNS; c++) {
      const column = reader.column(c);
      if (column.kind !== "number") throw new Error(`column ${c} is not a number column`);
      const values = column.values;
      for (let i = 0; i < reader.numRows; i++) sum += values[i]!;
    }
  }
  return sum;
}

function sumByHand(batches: readonly Float64Array[][]): number {
  let sum = 0;
  for (const arrays of batches) for (const values of arrays) for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}

/** Best rows/s of RUNS runs of f. */
function rowsPerSec(f: () => unknown): number {
  let best = Infinity;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return ROWS / best;
}

export function benchBatches(): BatchBenchResult[] {
  const source = sourceColumns();
  const built = buildBatches(source);
  const filled = fillByHand(source);
  // u32/i16/u8 columns store the source values exactly, floats too: both sums must agree.
  if (sumThroughReaders(built) !== sumByHand(filled)) throw new Error("built batches do not hold the source values");
  return [
    {
      name: `build ${ROWS / 1e6}M rows × ${COLUMNS} numeric columns`,
      rowsPerSec: rowsPerSec(() => buildBatches(source)),
      baselineRowsPerSec: rowsPerSec(() => fillByHand(source)),
    },
    {
      name: `read ${ROWS / 1e6}M rows × ${COLUMNS} numeric columns (sum)`,
      rowsPerSec: rowsPerSec(() => sumThroughReaders(built)),
      baselineRowsPerSec: rowsPerSec(() => sumByHand(filled)),
    },
  ];
}
