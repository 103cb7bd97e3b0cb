// What several benchmarks share.

import type { RecordBatch } from "apache-arrow";
import type { FunctionIR } from "../compiler/ir.js";
import { T, notNull } from "../grammar/types.js";
import { batchesOfRows } from "../runtime/arrow/builder.js";
import type { RunnerHost } from "../runtime/engine/runner.js";
import { seededRandom } from "../stdlib/random.js";
import type { Value } from "../stdlib/values.js";

/** Five numeric columns of a sensor reading: the rows several benchmarks build, write and read. */
export const SENSOR_FIELDS = [
  { name: "id", type: notNull(T.u32) },
  { name: "delta", type: notNull(T.i16) },
  { name: "temperature", type: notNull(T.float) },
  { name: "pressure", type: notNull(T.float) },
  { name: "sensor", type: notNull(T.u8) },
];

/** Group keys and window length of the GROUP BY chains (bench/generated.ts (b), bench/runtime.ts (b)). */
export const KEYS = 10_000;
export const WINDOW = 10_000;

/** The host of functions run outside a supervisor: a tuple skipped is a broken benchmark. */
export const BENCH_HOST: RunnerHost = {
  now: () => Date.now() / 1000,
  random: Math.random,
  env: () => null,
  global: () => new Map(),
  print: () => {},
  notify: () => {},
  tupleError: (fq, error) => {
    throw new Error(`bench: ${fq} skipped a tuple: ${String(error)}`);
  },
};

/**
 * `count` input rows of `fn`, whose input fields are among seq (the row
 * number), k (a key among KEYS), x in [0, 1) and y in [0, 100): the same
 * values for every benchmark, from one seed.
 */
export function chainInputBatches(fn: FunctionIR, count: number): RecordBatch[] {
  const random = seededRandom(42);
  const x = Float64Array.from({ length: count }, () => random());
  const y = Float64Array.from({ length: count }, () => random() * 100);
  const k = Uint32Array.from({ length: count }, () => Math.floor(random() * KEYS));
  const valueOf: Record<string, (i: number) => number> = { seq: (i) => i, k: (i) => k[i]!, x: (i) => x[i]!, y: (i) => y[i]! };
  const makers = fn.input.map((f) => {
    const make = valueOf[f.name];
    if (!make) throw new Error(`internal: the bench makes no input field ${f.name}`);
    return make;
  });
  const rows: Value[][] = new Array(count);
  for (let i = 0; i < count; i++) rows[i] = makers.map((m) => m(i));
  return batchesOfRows(fn.input, rows);
}
