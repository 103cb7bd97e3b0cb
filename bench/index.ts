// `npm run bench`: every benchmark of the project, each figure printed next to
// a baseline measured in the same run. Figures are for reading, never asserted.

import { benchAggregates } from "./aggregates.js";
import { benchArchive } from "./archive.js";
import { benchArchivist } from "./archivist.js";
import { benchBatches } from "./batches.js";
import { benchCsv } from "./csv.js";
import { benchFrontend } from "./frontend.js";
import { benchGenerated } from "./generated.js";
import { benchBatchCodec, benchReadBatch, benchRing } from "./ring.js";
import { benchChains, benchPs } from "./runtime.js";

function mops(x: number): string {
  return (x / 1e6).toFixed(1).padStart(8) + " M/s";
}

function table(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  process.stdout.write(`\n${title}\n${line(header)}\n${rows.map(line).join("\n")}\n`);
}

async function main(): Promise<void> {
  const front = benchFrontend();
  table(
    "Front end (parse + type check)",
    ["case", "ms", "baseline ms", "baseline"],
    front.map((r) => [r.name, r.ms.toFixed(1), r.baselineMs.toFixed(1), r.name.startsWith("ramen compile") ? "ramen --version" : "regexp split"]),
  );

  const aggs = benchAggregates();
  table(
    "Stateful functions, updates per second over 1M values (baseline: hand-written loop)",
    ["function", "registry", "hand-written", "ratio"],
    aggs.map((r) => [r.name, mops(r.opsPerSec), mops(r.baselineOpsPerSec), (r.opsPerSec / r.baselineOpsPerSec).toFixed(2)]),
  );

  const csv = benchCsv();
  table(
    "CSV reader, numeric lines per second (baseline: hand-written split + Number/parseInt)",
    ["case", "reader", "hand-written", "ratio"],
    csv.map((r) => [r.name, mops(r.linesPerSec), mops(r.baselineLinesPerSec), (r.linesPerSec / r.baselineLinesPerSec).toFixed(2)]),
  );

  const batches = benchBatches();
  table(
    "Arrow batches, 1M rows x 5 numeric columns (baseline: plain typed arrays by hand)",
    ["case", "builder/reader", "by hand", "ratio"],
    batches.map((r) => [r.name, mops(r.rowsPerSec), mops(r.baselineRowsPerSec), (r.rowsPerSec / r.baselineRowsPerSec).toFixed(2)]),
  );

  const ring = await benchRing();
  table(
    "Links: messages through an 8 MiB ring, worker thread -> main thread (baseline: the same bytes copied in one thread)",
    ["case", "ring msg/s", "ring MB/s", "copy msg/s", "copy MB/s"],
    ring.map((r) => [r.name, mops(r.messagesPerSec), `${r.megabytesPerSec.toFixed(0)} MB/s`, mops(r.baselineMessagesPerSec), `${r.baselineMegabytesPerSec.toFixed(0)} MB/s`]),
  );
  const readBatch = benchReadBatch();
  table(
    "Links: readBatch's private copy of a 1,024-row x 5 numeric columns batch (baseline: decoding in place, zero copy)",
    ["case", "copied us", "in place us", "ratio"],
    readBatch.map((r) => [r.name, r.copiedUs.toFixed(1), r.inPlaceUs.toFixed(1), (r.copiedUs / r.inPlaceUs).toFixed(2)]),
  );

  const codec = benchBatchCodec();
  table(
    "Links: record-batch messages of 1,024 rows x 5 numeric columns (baseline: apache-arrow's VectorAssembler/Message/VectorLoader)",
    ["case", "ours us", "apache-arrow us", "speed-up"],
    codec.map((r) => [r.name, r.oursUs.toFixed(2), r.arrowUs.toFixed(2), (r.arrowUs / r.oursUs).toFixed(1) + "x"]),
  );

  const generated = await benchGenerated();
  table(
    "Generated code, input tuples (CSV: lines) per second over 1M, one core (baseline: hand-written loop)",
    ["case", "generated", "hand-written", "ratio", "goal"],
    generated.map((r) => [r.name, mops(r.tuplesPerSec), mops(r.baselineTuplesPerSec), (r.tuplesPerSec / r.baselineTuplesPerSec).toFixed(2), `>= ${(r.goal / 1e6).toFixed(0)}M/s, 0.3x`]),
  );

  const chains = await benchChains();
  table(
    "Runtime: source tuples per second through functions on worker threads linked by rings, over 1M (baseline: the same functions in one thread, no rings)",
    ["case", "threads+rings", "one thread", "ratio", "goal"],
    chains.map((r) => [
      r.name,
      mops(r.tuplesPerSec),
      mops(r.baselineTuplesPerSec),
      (r.tuplesPerSec / r.baselineTuplesPerSec).toFixed(2),
      `${r.goal !== undefined ? `>= ${(r.goal / 1e6).toFixed(0)}M/s, ` : ""}>= 0.70`,
    ]),
  );
  const ps = await benchPs();
  table(
    "Runtime: the whole `ramen ps` process, best of 5 (baseline: `ramen --version`)",
    ["case", "ms", "baseline ms", "goal"],
    [[`ps of ${ps.functions} idle functions (+ their source)`, ps.psMs.toFixed(0), ps.versionMs.toFixed(0), "< 300 ms"]],
  );

  // baseline: the same scenarios on a 10-function site, the solver already loaded
  const small = await benchArchivist(10);
  const arch = await benchArchivist(200);
  table(
    "Archivist: building and solving the allocation problem (goal: 200 functions < 5 s)",
    ["scenario", "retained", "outcome", "200 functions ms", "10 functions ms"],
    arch.map((r, i) => [r.scenario, String(r.retained), r.outcome, r.solveMs.toFixed(0), (small[i]?.solveMs ?? NaN).toFixed(0)]),
  );

  const archive = benchArchive();
  table(
    "Archives, 1,024-row batches (baseline: apache-arrow tableToIPC + writeFileSync / tableFromIPC of the same files; goal: replay >= 10M rows/s, 0.5x)",
    ["case", "archive rows/s", "archive MB/s", "arrow rows/s", "arrow MB/s", "ratio"],
    archive.map((r) => [
      r.name,
      mops(r.rowsPerSec),
      `${r.megabytesPerSec.toFixed(0)} MB/s`,
      mops(r.baselineRowsPerSec),
      `${r.baselineMegabytesPerSec.toFixed(0)} MB/s`,
      (r.rowsPerSec / r.baselineRowsPerSec).toFixed(2),
    ]),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err) + "\n");
  process.exitCode = 1;
});
