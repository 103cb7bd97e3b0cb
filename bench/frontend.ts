// Front-end benchmark: parse + type-check time of generated programs of 20
// and 50 functions, in process (warm) and as a whole `ramen compile` command
// (cold: Node start, module loading and grammar set-up included). Baselines:
// splitting the same text with a regular expression (in process), and
// `ramen --version` (the cost of starting the command at all).

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { checkProgram } from "../compiler/index.js";
import { parseProgram } from "../grammar/index.js";
import { SourceFile } from "../grammar/source.js";

/** A realistic program: a CSV source and a chain of aggregations over it. */
export function generateProgram(functions: number): string {
  const parts = [
    `PARAMETERS window {seconds} DEFAULTS TO 60s AND threshold float DEFAULTS TO 0.5;`,
    `DEFINE f0 AS READ FROM FILE "data.csv" AS CSV (start float, host string, bytes u64 {bytes}, packets u32, latency float?);`,
  ];
  for (let i = 1; i < functions; i++) {
    const parent = `f${Math.max(0, i - 1 - (i % 3))}`;
    parts.push(
      i % 2 === 1
        ? `DEFINE f${i} "stage ${i}" AS FROM ${parent}
  SELECT TRUNCATE(start, window) AS start, host, SUM bytes AS bytes, SUM packets AS packets,
    AVG latency AS latency, 95th PERCENTILE (GROUP bytes) AS p95,
    (bytes / window) {bytes*seconds^-1} AS bps
  WHERE host <> "" AND bytes > 0
  GROUP BY host, start // window
  COMMIT AFTER in.start > out.start + window;`
        : `DEFINE f${i} AS FROM ${parent}
  SELECT start, host, bytes, packets, latency, IF latency > threshold THEN "slow" ELSE "ok" AS status,
    5-MOVEAVG bytes AS smooth
  WHERE bytes > 10;`,
    );
  }
  return parts.join("\n\n") + "\n";
}

function timeMs(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export interface FrontendRow {
  readonly name: string;
  readonly ms: number;
  readonly baselineMs: number;
}

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../cli/main.js");

function commandMs(args: readonly string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ramen ${args.join(" ")} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** `ramen compile` of a generated 20-function program, as a user runs it. */
export function benchColdCompile(): FrontendRow {
  const dir = mkdtempSync(path.join(tmpdir(), "ramen-bench-"));
  try {
    writeFileSync(path.join(dir, "bench.ramen"), generateProgram(20));
    const version = commandMs(["--version"], dir);
    return { name: "ramen compile, 20 functions, cold process", ms: commandMs(["compile", "bench.ramen"], dir), baselineMs: version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchFrontend(): FrontendRow[] {
  const rows: FrontendRow[] = [benchColdCompile()];
  const compile = (text: string) => {
    const source = new SourceFile("bench.ramen", text);
    checkProgram({ source, programName: "bench", resolveProgram: () => undefined });
  };
  const tokenize = (text: string) => {
    text.split(/(\s+|[(),;])/).length;
  };
  for (const [label, n] of [["first program of the process, 20 functions", 20], ["20 functions", 20], ["50 functions", 50]] as const) {
    const text = generateProgram(n);
    const ms = timeMs(() => compile(text));
    rows.push({ name: `parse+type, ${label}`, ms, baselineMs: timeMs(() => tokenize(text)) });
  }
  // parse alone, for the split between the two phases
  const text50 = generateProgram(50);
  rows.push({ name: "parse only, 50 functions", ms: timeMs(() => parseProgram(new SourceFile("b.ramen", text50))), baselineMs: timeMs(() => tokenize(text50)) });
  return rows;
}
