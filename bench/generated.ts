// Generated code end to end (issue 5): a RaQL program is checked, its module
// generated and loaded, and each function run through a FunctionRunner as
// the engine runs it, next to a hand-written TypeScript loop doing the same
// work on the same input in the same run:
//  (a) filter + project over Arrow input batches;
//  (b) GROUP BY 10k keys with SUM/AVG/COUNT, every group committed when the
//      next window of 10k tuples starts;
//  (c) READ … AS CSV of numeric lines, from a temp file through csvFileSource.
// Both sides append into a BatchBuilder and flush once per input batch (as
// FunctionRunner does); before timing, one run of each side is checked to
// give the same output values. Differences left on purpose, as a
// hand-written loop would do it: the loops read the clock once per batch for
// #start/#stop (generated code calls rt.now() per output row), and the CSV
// loop reads its file whole with readFileSync (the engine's path streams it).
// Figures are for reading, never asserted.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Data, RecordBatch } from "apache-arrow";
import { checkProgram, type FunctionIR } from "../compiler/index.js";
import { generateModule } from "../compiler/codegen/module.js";
import { SourceFile } from "../grammar/source.js";
import { type Append, BatchBuilder } from "../runtime/arrow/builder.js";
import type { ProgramModule } from "../runtime/engine/api.js";
import { loadProgramModule } from "../runtime/engine/load.js";
import { FunctionRunner } from "../runtime/engine/runner.js";
import { type CsvSpec, compileCsvReader, csvFileSource, csvSpecOf } from "../runtime/sources/index.js";
import { seededRandom } from "../stdlib/random.js";
import { BENCH_HOST, KEYS, WINDOW, chainInputBatches } from "./common.js";

export interface GeneratedBenchResult {
  readonly name: string;
  /** input tuples (CSV: lines) per second through the generated code */
  readonly tuplesPerSec: number;
  readonly baselineTuplesPerSec: number;
  /** issue 5's goal for the generated code, tuples per second */
  readonly goal: number;
}

const TUPLES = 1_000_000;
const TIMED_RUNS = 3;

/** `src` only gives f and g their input fields; `lines` reads the temp file of case (c). */
function benchProgram(csvPath: string): string {
  return `
DEFINE src AS READ FROM FILE "/dev/null" AS CSV (seq u32, k u32, x float, y float);
DEFINE f AS FROM src WHERE x > 0.5 SELECT k, x * 2 + y AS z;
DEFINE g AS FROM src SELECT k, seq // ${WINDOW} AS win, SUM x AS s, AVG x AS a, COUNT x AS n
  GROUP BY k, seq // ${WINDOW} COMMIT AFTER in.seq >= (out.win + 1) * ${WINDOW};
DEFINE lines AS READ FROM FILE ${JSON.stringify(csvPath)} AS CSV (id u32, temperature float, pressure float, port u16);
`;
}

/** The output batches of one run: counted, and kept when `keep` (the checked run). */
class Sink {
  rows = 0;
  readonly kept: RecordBatch[] = [];
  constructor(private readonly keep: boolean) {}
  readonly deliver = (batch: RecordBatch): void => {
    this.rows += batch.numRows;
    if (this.keep) this.kept.push(batch);
  };
}

function fnOf(fns: readonly FunctionIR[], name: string): FunctionIR {
  const fn = fns.find((f) => f.name === name);
  if (!fn) throw new Error(`internal: no function ${name} in the bench program`);
  return fn;
}

/** A fresh instance of a generated function delivering all its columns (fields, #start, #stop) to `sink`. */
function runnerOf(module: ProgramModule, fn: FunctionIR, sink: Sink): FunctionRunner {
  const runner = new FunctionRunner(`bench/${fn.name}`, fn, module.functions[fn.name]!, {}, BENCH_HOST);
  const columns = [...fn.output.map((f) => f.name), "#start", "#stop"].map((name) => runner.columnIndex(name));
  runner.outputs.push({ columns, deliver: sink.deliver });
  return runner;
}

/** The output fields plus #start and #stop, as a hand-written loop builds its batches. */
function outputBuilder(fn: FunctionIR): BatchBuilder {
  return new BatchBuilder(
    fn.output.map((f) => ({ name: f.name, type: f.type })),
    { withTimeColumns: true },
  );
}

function valuesOf(batch: RecordBatch, column: number): ArrayLike<number> {
  return (batch.data.children[column] as Data).values as ArrayLike<number>;
}

/** The output columns (all but #start/#stop, whose wall-clock values differ) as one row array per column. */
function outputColumns(batches: readonly RecordBatch[], fieldCount: number): number[][] {
  const columns = Array.from({ length: fieldCount }, () => [] as number[]);
  for (const b of batches) for (let c = 0; c < fieldCount; c++) columns[c]!.push(...Array.from(valuesOf(b, c)));
  return columns;
}

/** Throws unless both sides output the same values, row for row (`keyColumns` given: as sets of rows keyed by those columns). */
function checkSameOutput(name: string, generated: Sink, handWritten: Sink, fieldCount: number, keyColumns?: readonly number[]): void {
  const g = outputColumns(generated.kept, fieldCount);
  const h = outputColumns(handWritten.kept, fieldCount);
  const rows = g[0]!.length;
  if (rows === 0 || rows !== h[0]!.length) throw new Error(`bench ${name}: ${rows} rows generated, ${h[0]!.length} by hand`);
  const rowOf = (cols: number[][], i: number) => cols.map((c) => c[i]!);
  const keyOf = (row: readonly number[]) => (keyColumns ?? []).map((c) => row[c]).join("|");
  const byKey = new Map<string, number[]>();
  if (keyColumns) for (let i = 0; i < rows; i++) byKey.set(keyOf(rowOf(g, i)), rowOf(g, i));
  for (let i = 0; i < rows; i++) {
    const expected = rowOf(h, i);
    const actual = keyColumns ? byKey.get(keyOf(expected)) : rowOf(g, i);
    if (!actual || actual.some((v, c) => !Object.is(v, expected[c]))) {
      throw new Error(`bench ${name}: generated row ${JSON.stringify(actual)} where the hand-written loop has ${JSON.stringify(expected)}`);
    }
  }
}

/** Tuples per second of `run` over `count` tuples: the best of a few runs (slower runs measure the neighbours). */
async function bestRate(count: number, run: (sink: Sink) => void | Promise<void>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < TIMED_RUNS; i++) {
    const sink = new Sink(false);
    const start = performance.now();
    await run(sink);
    best = Math.min(best, performance.now() - start);
    if (sink.rows === 0) throw new Error("bench: a run output nothing");
  }
  return count / (best / 1000);
}

/** Column `name` of `fn`'s input in `batch`, as a typed array. */
function inputColumn(fn: FunctionIR, batch: RecordBatch, name: string): ArrayLike<number> {
  return valuesOf(
    batch,
    fn.input.findIndex((f) => f.name === name),
  );
}

// ---- (a) filter + project --------------------------------------------------------------------

function filterProjectByHand(fn: FunctionIR, batches: readonly RecordBatch[], sink: Sink): void {
  const builder = outputBuilder(fn);
  const [appK, appZ, appStart, appStop] = builder.appenders as [Append, Append, Append, Append];
  for (const batch of batches) {
    const k = inputColumn(fn, batch, "k");
    const x = inputColumn(fn, batch, "x");
    const y = inputColumn(fn, batch, "y");
    const now = Date.now() / 1000;
    for (let i = 0; i < batch.numRows; i++) {
      const xi = x[i]!;
      if (!(xi > 0.5)) continue;
      appK(k[i]!);
      appZ(xi * 2 + y[i]!);
      appStart(now);
      appStop(now);
      if (builder.endRow()) sink.deliver(builder.flush());
    }
    if (builder.rowCount > 0) sink.deliver(builder.flush());
  }
}

// ---- (b) GROUP BY with a commit per window ---------------------------------------------------

/**
 * One window's groups in a Map from key to group index (first-seen order),
 * Neumaier-compensated sums as SUM/AVG compute them; when the next window
 * starts, every group is emitted and the groups are reset.
 */
function groupByHand(fn: FunctionIR, batches: readonly RecordBatch[], sink: Sink): void {
  const builder = outputBuilder(fn);
  const [appK, appWin, appS, appA, appN, appStart, appStop] = builder.appenders as [Append, Append, Append, Append, Append, Append, Append];
  const groups = new Map<number, number>();
  const keyOf = new Uint32Array(KEYS);
  const sum = new Float64Array(KEYS);
  const compensation = new Float64Array(KEYS);
  const count = new Uint32Array(KEYS);
  let groupCount = 0;
  let window = 0;
  const emitWindow = (): void => {
    const now = Date.now() / 1000;
    for (let g = 0; g < groupCount; g++) {
      const s = sum[g]! + compensation[g]!;
      appK(keyOf[g]!);
      appWin(window);
      appS(s);
      appA(s / count[g]!);
      appN(count[g]!);
      appStart(now);
      appStop(now);
      if (builder.endRow()) sink.deliver(builder.flush());
    }
    groups.clear();
    groupCount = 0;
  };
  for (const batch of batches) {
    const seq = inputColumn(fn, batch, "seq");
    const k = inputColumn(fn, batch, "k");
    const x = inputColumn(fn, batch, "x");
    for (let i = 0; i < batch.numRows; i++) {
      const w = Math.floor(seq[i]! / WINDOW);
      if (w !== window) {
        emitWindow();
        window = w;
      }
      const key = k[i]!;
      let g = groups.get(key);
      if (g === undefined) {
        g = groupCount++;
        groups.set(key, g);
        keyOf[g] = key;
        sum[g] = 0;
        compensation[g] = 0;
        count[g] = 0;
      }
      const xi = x[i]!;
      const s = sum[g]!;
      const t = s + xi;
      if (Number.isFinite(t)) compensation[g]! += Math.abs(s) >= Math.abs(xi) ? s - t + xi : xi - t + s;
      sum[g] = t;
      count[g]!++;
    }
    if (builder.rowCount > 0) sink.deliver(builder.flush());
  }
}

// ---- (c) CSV lines ---------------------------------------------------------------------------

function csvLines(count: number): string {
  const random = seededRandom(7);
  const lines = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    lines[i] = `${Math.floor(random() * 4294967296)},${(random() * 100).toFixed(2)},${random() * 2000},${Math.floor(random() * 65536)}`;
  }
  return lines.join("\n") + "\n";
}

/** The CSV reader of a READ function's format, as the engine builds it. */
function readerSpecOf(fn: FunctionIR): CsvSpec {
  const op = fn.operation;
  if (op.kind !== "read" || op.format.kind !== "csv") throw new Error(`internal: ${fn.name} does not read CSV`);
  return csvSpecOf(op.format, fn.output.map((o) => ({ name: o.name, type: o.type })));
}

async function readCsvGenerated(module: ProgramModule, fn: FunctionIR, sink: Sink): Promise<void> {
  const runner = runnerOf(module, fn, sink);
  const source = runner.task.source!;
  const files = csvFileSource(
    {
      path: source.path,
      cwd: tmpdir(),
      report: (r) => {
        throw new Error(`bench: ${r.diagnostic.message}`);
      },
      follow: false,
    },
    compileCsvReader(readerSpecOf(fn)),
  );
  for await (const rows of files.rows) runner.onRows(rows);
}

const U32_MAX = 4294967295;
const U16_MAX = 65535;

function readCsvByHand(fn: FunctionIR, path: string, sink: Sink): void {
  const builder = outputBuilder(fn);
  const [appId, appTemperature, appPressure, appPort, appStart, appStop] = builder.appenders as [Append, Append, Append, Append, Append, Append];
  const text = readFileSync(path, "latin1");
  let now = Date.now() / 1000;
  for (let start = 0, end = text.indexOf("\n"); end >= 0; start = end + 1, end = text.indexOf("\n", start)) {
    const cols = text.slice(start, end).split(",");
    if (cols.length !== 4) throw new Error(`bench: bad line ${text.slice(start, end)}`);
    const id = parseInt(cols[0]!, 10);
    const temperature = Number(cols[1]);
    const pressure = Number(cols[2]);
    const port = parseInt(cols[3]!, 10);
    if (!(id >= 0 && id <= U32_MAX) || Number.isNaN(temperature) || Number.isNaN(pressure) || !(port >= 0 && port <= U16_MAX)) {
      throw new Error(`bench: bad line ${text.slice(start, end)}`);
    }
    appId(id);
    appTemperature(temperature);
    appPressure(pressure);
    appPort(port);
    appStart(now);
    appStop(now);
    if (builder.endRow()) {
      sink.deliver(builder.flush());
      now = Date.now() / 1000;
    }
  }
  if (builder.rowCount > 0) sink.deliver(builder.flush());
}

// ---- the cases -------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly tuples: number;
  readonly goal: number;
  readonly generated: (sink: Sink) => void | Promise<void>;
  readonly handWritten: (sink: Sink) => void;
  /** the output columns identifying a row when both sides may emit rows in different orders */
  readonly keyColumns?: readonly number[];
  readonly fieldCount: number;
}

async function measureCase(c: Case): Promise<GeneratedBenchResult> {
  // The checked run is also the JIT's warm-up run.
  const generated = new Sink(true);
  const handWritten = new Sink(true);
  await c.generated(generated);
  c.handWritten(handWritten);
  checkSameOutput(c.name, generated, handWritten, c.fieldCount, c.keyColumns);
  return {
    name: c.name,
    tuplesPerSec: await bestRate(c.tuples, c.generated),
    baselineTuplesPerSec: await bestRate(c.tuples, c.handWritten),
    goal: c.goal,
  };
}

export async function benchGenerated(tuples = TUPLES): Promise<GeneratedBenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "ramen-bench-"));
  try {
    const csvPath = join(dir, "lines.csv");
    writeFileSync(csvPath, csvLines(tuples), "latin1");
    const { ir } = checkProgram({ source: new SourceFile("bench.ramen", benchProgram(csvPath)), programName: "bench", resolveProgram: () => undefined });
    const module = await loadProgramModule(generateModule(ir));
    const f = fnOf(ir.functions, "f");
    const g = fnOf(ir.functions, "g");
    const lines = fnOf(ir.functions, "lines");

    const filterInput = chainInputBatches(f, tuples);
    const groupInput = chainInputBatches(g, tuples);

    const feed = (fn: FunctionIR, batches: readonly RecordBatch[]) => (sink: Sink) => {
      const runner = runnerOf(module, fn, sink);
      for (const b of batches) runner.onBatch(b);
    };
    const cases: Case[] = [
      {
        name: "(a) WHERE x > 0.5 SELECT k, x * 2 + y",
        tuples,
        goal: 5e6,
        generated: feed(f, filterInput),
        handWritten: (sink) => filterProjectByHand(f, filterInput, sink),
        fieldCount: f.output.length,
      },
      {
        name: `(b) GROUP BY ${KEYS / 1000}k keys, SUM/AVG/COUNT, commit every ${WINDOW / 1000}k`,
        tuples,
        goal: 3e6,
        generated: feed(g, groupInput),
        handWritten: (sink) => groupByHand(g, groupInput, sink),
        keyColumns: [g.output.findIndex((o) => o.name === "win"), g.output.findIndex((o) => o.name === "k")],
        fieldCount: g.output.length,
      },
      {
        name: "(c) READ CSV (u32, float, float, u16)",
        tuples,
        goal: 1e6,
        generated: (sink) => readCsvGenerated(module, lines, sink),
        handWritten: (sink) => readCsvByHand(lines, csvPath, sink),
        fieldCount: lines.output.length,
      },
    ];
    const results: GeneratedBenchResult[] = [];
    for (const c of cases) results.push(await measureCase(c));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
