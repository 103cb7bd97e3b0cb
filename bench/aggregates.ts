// Micro-benchmark of per-tuple stateful code: SUM, AVG, MIN, MOVEAVG and
// PERCENTILE over lists, each next to a hand-written JS loop doing the same
// work. Stateful functions are measured in their inline form (InlineStateful
// templates spliced into a loop over a Float64Array column and compiled once
// with `new Function`, as generated code will run them), with one state in
// locals or one state per group in typed arrays; the generic implementation
// (init / update / finalize called per value) is kept as an extra row, so the
// cost of going through the registry's interfaces shows.

import { performance } from "node:perf_hooks";
import { T, type NType } from "../grammar/types.js";
import type { ImplCall, InlineRefs, StatefulImpl, StatelessImpl } from "../stdlib/entry.js";
import { typedArrayOf } from "../stdlib/inline-state.js";
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
/** groups of the per-group rows: tuple i belongs to group i mod GROUPS */
const GROUPS = 64;
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

const TIMED_RUNS = 5;

/**
 * Values per second of `run` over `count` values: the best of a few runs
 * after one warm-up run for the JIT (the best, since on a shared machine
 * slower runs measure the neighbours).
 */
function measure(count: number, run: () => number): number {
  sink += run();
  let best = Infinity;
  for (let i = 0; i < TIMED_RUNS; i++) {
    const start = performance.now();
    sink += run();
    best = Math.min(best, performance.now() - start);
  }
  return count / (best / 1000);
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

/**
 * The inline form of a registry entry compiled as generated code will: a loop
 * over the column, the argument bound to a local (constants as literals),
 * the update spliced in and the result read after each value (as SELECT
 * does). With `groups`, one state per group in typed arrays, tuple i going
 * to group i mod groups; otherwise one state in `let` locals.
 */
function inlineLoop(name: string, call: ImplCall, constantArgs: readonly number[], values: Float64Array, groups?: number): () => number {
  const form = statefulImpl(name).inline?.(call);
  if (!form) throw new Error(`internal: ${name} has no inline form for this call`);
  const perGroup = groups !== undefined;
  const slotsOf = new Map(form.vars.map((v) => [v.name, v.slots ?? 1]));
  let counter = 0;
  const refs: InlineRefs = {
    scalar: (v) => (perGroup ? `s_${v}[g]` : `s_${v}`),
    slot: (v, i) => (perGroup ? `s_${v}[g * ${slotsOf.get(v)} + (${i})]` : `s_${v}[${i}]`),
    fresh: (hint) => `t_${hint}_${counter++}`,
  };
  const decls = form.vars.map((v) => {
    const length = (v.slots ?? 1) * (groups ?? 1);
    const zero = v.storage === "i64" || v.storage === "u64" ? "0n" : "0";
    return !perGroup && v.slots === undefined ? `let s_${v.name} = ${zero};` : `const s_${v.name} = new ${typedArrayOf(v.storage)}(${length});`;
  });
  // As generated code: a non-nullable result needs no NULL test once the state was fed.
  const read = form.isNull && call.resultType.nullable ? `(${form.isNull(refs)}) ? NaN : ${form.value(refs)}` : form.value(refs);
  const body = `
    ${decls.join("\n")}
    ${perGroup ? `for (let g = 0; g < ${groups}; g++) { ${form.init(refs)} }` : form.init(refs)}
    let last = 0;
    for (let i = 0; i < col.length; i++) {
      const x = col[i];
      ${perGroup ? `const g = i % ${groups};` : ""}
      ${form.update(refs, [...constantArgs.map(String), "x"])}
      last = ${read};
    }
    return last;`;
  const run = new Function("col", body) as (col: Float64Array) => number;
  return () => run(values);
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

/** Compensated sums of one state per group (tuple i in group i mod groups), in typed arrays. */
function groupedNeumaierLoop(values: Float64Array, groups: number): () => number {
  return () => {
    const sums = new Float64Array(groups);
    const compensations = new Float64Array(groups);
    let last = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const g = i % groups;
      const sum = sums[g]!;
      const t = sum + x;
      compensations[g]! += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sums[g] = t;
      last = t + compensations[g]!;
    }
    return last;
  };
}

function minLoop(values: Float64Array): () => number {
  return () => {
    let min = Infinity;
    let last = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (x < min) min = x;
      last = min;
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

/** k-MOVEAVG of one state per group (tuple i in group i mod groups): rings and sums in typed arrays. */
function groupedMoveavgLoop(values: Float64Array, k: number, groups: number): () => number {
  return () => {
    const rings = new Float64Array(k * groups);
    const sums = new Float64Array(groups);
    const pushed = new Uint32Array(groups);
    let last = 0;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      const g = i % groups;
      last = sums[g]! / k;
      const slot = g * k + (pushed[g]! % k);
      sums[g]! += x - rings[slot]!;
      rings[slot] = x;
      pushed[g]!++;
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

  const floatCall = implCall([FLOAT], FLOAT, [undefined]);
  const moveavgCall = implCall([U32, FLOAT], FLOAT, [MOVEAVG_WINDOW, undefined]);
  const sumBaseline = measure(count, neumaierLoop(values, false));
  const avgBaseline = measure(count, neumaierLoop(values, true));
  const moveavgBaseline = measure(count, moveavgLoop(values, MOVEAVG_WINDOW));
  const rows: BenchRow[] = [
    { name: "sum (float, compensated)", opsPerSec: measure(count, inlineLoop("sum", floatCall, [], values)), baselineOpsPerSec: sumBaseline },
    {
      name: "sum, generic impl",
      opsPerSec: measure(count, throughRegistry(statefulImpl("sum"), floatCall, values, [])),
      baselineOpsPerSec: sumBaseline,
    },
    {
      name: `sum, ${GROUPS} groups in typed arrays`,
      opsPerSec: measure(count, inlineLoop("sum", floatCall, [], values, GROUPS)),
      baselineOpsPerSec: measure(count, groupedNeumaierLoop(values, GROUPS)),
    },
    { name: "avg (float, compensated)", opsPerSec: measure(count, inlineLoop("avg", floatCall, [], values)), baselineOpsPerSec: avgBaseline },
    {
      name: "avg, generic impl",
      opsPerSec: measure(count, throughRegistry(statefulImpl("avg"), floatCall, values, [])),
      baselineOpsPerSec: avgBaseline,
    },
    { name: "min (float)", opsPerSec: measure(count, inlineLoop("min", floatCall, [], values)), baselineOpsPerSec: measure(count, minLoop(values)) },
    {
      name: `${MOVEAVG_WINDOW}-moveavg`,
      opsPerSec: measure(count, inlineLoop("moveavg", moveavgCall, [MOVEAVG_WINDOW], values)),
      baselineOpsPerSec: moveavgBaseline,
    },
    {
      name: `${MOVEAVG_WINDOW}-moveavg, generic impl`,
      opsPerSec: measure(count, throughRegistry(statefulImpl("moveavg"), moveavgCall, values, [MOVEAVG_WINDOW])),
      baselineOpsPerSec: moveavgBaseline,
    },
    {
      name: `${MOVEAVG_WINDOW}-moveavg, ${GROUPS} groups in typed arrays`,
      opsPerSec: measure(count, inlineLoop("moveavg", moveavgCall, [MOVEAVG_WINDOW], values, GROUPS)),
      baselineOpsPerSec: measure(count, groupedMoveavgLoop(values, MOVEAVG_WINDOW, GROUPS)),
    },
    {
      name: `90th percentile over lists of ${PERCENTILE_LIST_LENGTH}`,
      opsPerSec: measure(count, percentileThroughRegistry(lists)),
      baselineOpsPerSec: measure(count, percentileLoop(lists)),
    },
  ];
  return rows;
}
