// One running function instance: its generated task (compiler/codegen) fed
// with input, and its output batches built and handed to each of its outputs
// (children, probes, archives) with only the columns that output takes. This
// is the execution core: the supervisor's worker threads drive it from ring
// buffers (runtime/supervisor/worker.ts); tests and benchmarks in one thread.

import type { RecordBatch, Schema } from "apache-arrow";
import type { ColumnBatch } from "../arrow/ipc.js";
import type { FunctionIR } from "../../compiler/ir.js";
import type { Value } from "../../stdlib/values.js";
import { BatchBuilder } from "../arrow/builder.js";
import { type FunctionFactory, type FunctionTask, type TaskContext, type TaskStats, emptyStats } from "./api.js";
import { RUNTIME_LIB } from "./lib.js";

/** One consumer of a function's output. */
export interface OutputLink {
  /**
   * The columns of the function's output batches this output receives, in
   * order (indexes into the output fields followed by `#start`, `#stop`).
   */
  readonly columns: readonly number[];
  deliver(batch: RecordBatch): void;
}

/** What a function instance needs from the process running it. */
export interface RunnerHost {
  now(): number;
  random(): number;
  env(name: string): string | null;
  global(name: string): Map<Value, Value>;
  print(fq: string, values: readonly Value[]): void;
  notify(fq: string, name: string, tuple: readonly Value[], start: number, stop: number): void;
  tupleError(fq: string, error: unknown): void;
}

export class FunctionRunner {
  readonly stats: TaskStats = emptyStats();
  readonly outputs: OutputLink[] = [];
  readonly task: FunctionTask;
  private readonly builder: BatchBuilder;

  constructor(
    /** the fully qualified name `program/function` */
    readonly fq: string,
    readonly fn: FunctionIR,
    factory: FunctionFactory,
    params: Readonly<Record<string, Value>>,
    host: RunnerHost,
  ) {
    this.builder = new BatchBuilder(fn.output, { withTimeColumns: true });
    const builder = this.builder;
    const context: TaskContext = {
      lib: RUNTIME_LIB,
      params,
      env: (name) => host.env(name),
      global: (name) => host.global(name),
      appenders: builder.appenders,
      endRow: () => {
        if (builder.endRow()) this.flush();
      },
      now: () => host.now(),
      random: () => host.random(),
      print: (values) => host.print(fq, values),
      notify: (name, tuple, start, stop) => host.notify(fq, name, tuple, start, stop),
      tupleError: (error) => host.tupleError(fq, error),
      stats: this.stats,
    };
    this.task = factory(context);
  }

  /** The schema of its output batches: every output field, then `#start` and `#stop`. */
  get schema(): Schema {
    return this.builder.schema;
  }

  /** The index of each output field by name, `#start`/`#stop` included. */
  columnIndex(name: string): number {
    return this.builder.fields.findIndex((f) => f.name === name);
  }

  /** Sends the rows built so far to every output, even if the batch is not full (so that low rates stay live). */
  flush(): void {
    if (this.builder.rowCount === 0) return;
    const batch = this.builder.flush();
    const width = batch.numCols;
    for (const output of this.outputs) {
      // An output taking every column in order gets the batch itself (no projection to make).
      const all = output.columns.length === width && output.columns.every((c, i) => c === i);
      output.deliver(all ? batch : batch.selectAt(output.columns as number[]));
    }
  }

  onBatch(batch: ColumnBatch): void {
    this.task.onBatch(batch);
    this.flush();
  }

  onTick(): void {
    this.task.onTick();
    this.flush();
  }

  onRows(rows: readonly (readonly Value[])[]): void {
    this.task.onRows(rows);
    this.flush();
  }
}
