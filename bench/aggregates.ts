// Micro-benchmark of per-tuple stateful code: SUM, AVG, MOVEAVG (registry
// implementations fed one value at a time, as generated code does) and
// PERCENTILE over lists, each next to a hand-written JS loop doing the same
// work, so the cost of going through the registry's interfaces shows.

import { performance } from "node:perf_hooks";
import { T, type NType } from "../grammar/types.js";
import type { ImplCall, StatefulImpl, StatelessImpl } from "../stdlib/entry.js";
import { seededRandom } from "../stdlib/random.js";
import { entryOf } from "../stdlib/registry.js";
import type { Value } from "../stdlib/values.js";

export interface BenchRow {
  readonly name: string;
  /** values processed per second through the registry implementation */
  readonly opsPerSec: number;
  /** values processed per second by the hand-written loop */
  readonly baselineOpsPerSec: number;
}

const FLOAT: NType = { type: T.float, nullable: false };
const U32: NType = { type: T.u32, nullable: false };
const MOVEAVG_WINDOW = 10;
const PERCENTILE_LIST_LENGTH = 1000;

function implCall(argTypes: readonly NType[], resultType: NType, constants: readonly (Value | undefined)[]): ImplCall {
  return { argTypes, resultType, nulls: "skip", options: {}, constants };
}

function statefulImpl(name: string): StatefulImpl {
  const impl = entryOf(name)?.impl;
  if (impl?.kind !== "stateful") throw new Error(`internal: ${name} is not a stateful registry entry`);
  return impl;
}

// Results are accumulated here so that the optimiser cannot drop the work.
let sink = 0;

/** Values per second of `run` over `count` values, after one warm-up run for the JIT. */
function measure(count: number, run: () => number): number {
  sink += run();
  const start = performance.now();
  sink += run();
  const seconds = (performance.now() - start) / 1000;
  return count / seconds;
}

/** Feeds every value to one state of a registry entry, reading the result after each (as SELECT does). */
function throughRegistry(impl: StatefulImpl, call: ImplCall, values: Float64Array, constantArgs: readonly Value[]): () => number {
  return () => {
    const args: Value[] = [...constantArgs, 0];
    const x = constantArgs.length;
    let state = impl.init(call);
    let last = 0;
    for (let i = 0; i < values.length; i++) {
      args[x] = values[i]!;
      state = impl.update(state, args, call);
      last = impl.finalize(state, call) as number;
    }
    return last;
  };
}

function neumaierLoop(values: Float64Array, average: boolean): () => number {
  return () => {
    let sum = 0;
    let compensation = 0;
    let last = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const t = sum + x;
      compensation += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
      last = average ? (sum + compensation) / (i + 1) : sum + compensation;
    }
    return last;
  };
}

function moveavgLoop(values: Float64Array, k: number): () => number {
  return () => {
    const ring = new Float64Array(k);
    let sum = 0;
    let last = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      last = sum / k;
      const slot = i % k;
      sum += x - ring[slot]!;
      ring[slot] = x;
    }
    return last;
  };
}

function percentileThroughRegistry(lists: readonly (readonly number[])[]): () => number {
  const impl = entryOf("percentile")?.impl;
  if (impl?.kind !== "stateless") throw new Error("internal: percentile is not a stateless registry entry");
  const listType: NType = { type: T.list(FLOAT), nullable: false };
  const call = implCall([FLOAT, listType], FLOAT, [90, undefined]);
  const apply = (impl as StatelessImpl).apply;
  return () => {
    let acc = 0;
    for (const list of lists) acc += apply([90, list], call) as number;
    return acc;
  };
}

function percentileLoop(lists: readonly (readonly number[])[]): () => number {
  return () => {
    let acc = 0;
    for (const list of lists) {
      const sorted = Float64Array.from(list).sort();
      acc += sorted[Math.round(0.9 * (sorted.length - 1))]!;
    }
    return acc;
  };
}

/** Runs every benchmark over `count` values (1M by default) and returns one row each. */
export function benchAggregates(count = 1_000_000): BenchRow[] {
  const rand = seededRandom(7);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = rand() * 1000 - 500;
  const lists: number[][] = [];
  for (let i = 0; i < count; i += PERCENTILE_LIST_LENGTH) lists.push(Array.from(values.subarray(i, i + PERCENTILE_LIST_LENGTH)));

  const rows: BenchRow[] = [
    {
      name: "sum (float, compensated)",
      opsPerSec: measure(count, throughRegistry(statefulImpl("sum"), implCall([FLOAT], FLOAT, [undefined]), values, [])),
      baselineOpsPerSec: measure(count, neumaierLoop(values, false)),
    },
    {
      name: "avg (float, compensated)",
      opsPerSec: measure(count, throughRegistry(statefulImpl("avg"), implCall([FLOAT], FLOAT, [undefined]), values, [])),
      baselineOpsPerSec: measure(count, neumaierLoop(values, true)),
    },
    {
      name: `90th percentile over lists of ${PERCENTILE_LIST_LENGTH}`,
      opsPerSec: measure(count, percentileThroughRegistry(lists)),
      baselineOpsPerSec: measure(count, percentileLoop(lists)),
    },
    {
      name: `${MOVEAVG_WINDOW}-moveavg`,
      opsPerSec: measure(
        count,
        throughRegistry(statefulImpl("moveavg"), implCall([U32, FLOAT], FLOAT, [MOVEAVG_WINDOW, undefined]), values, [MOVEAVG_WINDOW]),
      ),
      baselineOpsPerSec: measure(count, moveavgLoop(values, MOVEAVG_WINDOW)),
    },
  ];
  return rows;
}
