// The contract between generated code (compiler/codegen) and the runtime that
// runs it: what a compiled program module exports, what one function
// instance's code receives (TaskContext) and what it gives back
// (FunctionTask). The supervisor's worker threads run it (runtime/supervisor/
// worker.ts), benchmarks and unit tests call it in one thread: only what is
// behind TaskContext differs.

import type { ColumnBatch } from "../arrow/ipc.js";
import type { Value } from "../../stdlib/values.js";
import type { Append } from "../arrow/builder.js";
import type { RuntimeLib } from "./lib.js";

/** Counters a function keeps up to date (cli-runtime.md §1.7); the runtime reads them. */
export interface TaskStats {
  /** input tuples received */
  inTuples: number;
  /** tuples that passed WHERE */
  selected: number;
  /** tuples dropped by WHERE */
  filtered: number;
  /** output tuples emitted */
  outTuples: number;
  /** tuples skipped because an expression failed (casts), and unreadable input */
  errors: number;
  /** groups currently held, and the most ever held */
  groups: number;
  maxGroups: number;
  /** event time range of the emitted tuples (NaN before the first) */
  minEventTime: number;
  maxEventTime: number;
}

export function emptyStats(): TaskStats {
  return { inTuples: 0, selected: 0, filtered: 0, outTuples: 0, errors: 0, groups: 0, maxGroups: 0, minEventTime: NaN, maxEventTime: NaN };
}

/** What the generated code of one function instance receives. */
export interface TaskContext {
  readonly lib: RuntimeLib;
  /** the instance's parameter values, by name */
  readonly params: Readonly<Record<string, Value>>;
  /** an environment variable of the worker (`env.NAME`) */
  env(name: string): string | null;
  /** a DECLAREd global variable (a map shared with the other functions of its scope) */
  global(name: string): Map<Value, Value>;
  /** appenders of the output columns: the output fields, then `#start` and `#stop` */
  readonly appenders: readonly Append[];
  /** the row whose values were appended is complete */
  endRow(): void;
  /** wall-clock UNIX time in seconds */
  now(): number;
  random(): number;
  /** PRINT: the values to log (the array is reused: do not keep it) */
  print(values: readonly Value[]): void;
  /** NOTIFY: one notification for an emitted tuple (all output fields) */
  notify(name: string, tuple: readonly Value[], start: number, stop: number): void;
  /** an input tuple was skipped because computing it failed (a cast without NULL to fall back on) */
  tupleError(error: unknown): void;
  readonly stats: TaskStats;
}

/** Where a READ function's data comes from, with its expressions evaluated. */
export interface ReadSource {
  readonly path: string;
  readonly preprocess?: string;
  readonly deleteAfter: boolean;
}

/**
 * One running function instance. Which method the runtime calls depends on
 * the operation: functions with parents get batches, those without FROM get
 * ticks, READ functions get rows.
 */
export interface FunctionTask {
  /** an input batch whose columns are the function's input fields, in order (a RecordBatch, or the columns of a ring's message) */
  onBatch(batch: ColumnBatch): void;
  /** one synthesized (empty) input event, for SELECT/YIELD without FROM */
  onTick(): void;
  /** rows of a READ function's declared fields */
  onRows(rows: readonly (readonly Value[])[]): void;
  /** EVERY: seconds between ticks (no FROM); undefined: ticks back to back */
  readonly period?: number;
  /** READ FROM FILE(S): the source with its expressions evaluated */
  readonly source?: ReadSource;
}

export type FunctionFactory = (rt: TaskContext) => FunctionTask;

/** The exports of a compiled program module. */
export interface ProgramModule {
  /** one factory per function, by function name */
  readonly functions: Readonly<Record<string, FunctionFactory>>;
  /** RUN IF: whether the program's functions run (true without RUN IF) */
  readonly runIf: (rt: Pick<TaskContext, "params" | "env" | "lib">) => boolean;
}
