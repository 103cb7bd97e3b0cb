// The CSV reader of READ … AS CSV on generated numeric lines (goal: at least
// 1M lines/s on one core), next to a hand-written TypeScript loop doing the
// same parse (split, then Number/parseInt with the same range checks) in the
// same run. Figures are for reading, never asserted.

import { T, notNull } from "../grammar/types.js";
import { compileCsvReader, isCsvError } from "../runtime/sources/csv.js";
import type { Value } from "../stdlib/values.js";

export interface CsvBenchResult {
  readonly name: string;
  readonly linesPerSec: number;
  readonly baselineLinesPerSec: number;
}

const LINES = 1_000_000;
const RUNS = 3;

/** Lines of `u32,i16,float,float,u8` as a sensor might write them. */
function numericLines(n: number): string[] {
  const lines = new Array<string>(n);
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed;
  };
  for (let i = 0; i < n; i++) {
    lines[i] = `${next()},${(next() % 65536) - 32768},${(next() % 100000) / 100},${next() / 1e6},${next() % 256}`;
  }
  return lines;
}

function handWritten(line: string): Value[] | undefined {
  const cols = line.split(",");
  if (cols.length !== 5) return undefined;
  const a = parseInt(cols[0]!, 10);
  const b = parseInt(cols[1]!, 10);
  const c = Number(cols[2]);
  const d = Number(cols[3]);
  const e = parseInt(cols[4]!, 10);
  if (!(a >= 0 && a <= 4294967295) || !(b >= -32768 && b <= 32767) || Number.isNaN(c) || Number.isNaN(d) || !(e >= 0 && e <= 255)) return undefined;
  return [a, b, c, d, e];
}

/** Best lines/s of `parse` over the lines, of a few runs. */
function measure(lines: readonly string[], parse: (line: string) => unknown): number {
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    let kept = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < lines.length; i++) if (parse(lines[i]!) !== undefined) kept++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (kept !== lines.length) throw new Error(`bench: only ${kept} of ${lines.length} lines parsed`);
    best = Math.max(best, lines.length / seconds);
  }
  return best;
}

export function benchCsv(lineCount = LINES): CsvBenchResult[] {
  const lines = numericLines(lineCount);
  const reader = compileCsvReader({
    separator: ",",
    nullString: "",
    quote: '"',
    fields: [T.u32, T.i16, T.float, T.float, T.u8].map((t, i) => ({ name: `c${i}`, type: notNull(t) })),
  });
  const compiled = (line: string): Value[] | undefined => {
    const r = reader(line);
    return isCsvError(r) ? undefined : r;
  };
  return [{ name: "5 numeric columns", linesPerSec: measure(lines, compiled), baselineLinesPerSec: measure(lines, handWritten) }];
}
