// The embedded, in-process engine: running program instances whose functions
// (FunctionRunner) are linked parent → child through in-memory queues, in one
// thread. File readers and tickers feed it from the event loop; each input is
// processed to completion downstream (a FIFO, so the order of batches on
// every link is kept) before the next one is taken, which is back-pressure
// without loss. `ramen test` runs on it; the supervisor's worker threads run
// the same FunctionRunner from shared-memory rings instead.

import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { RecordBatch } from "apache-arrow";
import type { FunctionIR, ProgramIR } from "../../compiler/ir.js";
import { formatDiagnostic, isRamenError } from "../../grammar/diagnostics.js";
import type { NType } from "../../grammar/types.js";
import { renderValue } from "../../stdlib/format.js";
import { bytesOfText, type Value } from "../../stdlib/values.js";
import { BatchReader } from "../arrow/reader.js";
import { type CsvSpec, compileCsvReader, compileRowBinaryDecoder, csvFileSource, rowBinaryFileSource, throttleBadLines, type FileSource, type SourceReport } from "../sources/index.js";
import type { ProgramModule } from "./api.js";
import { RUNTIME_LIB } from "./lib.js";
import { FunctionRunner, type RunnerHost } from "./runner.js";

/** One program to run: its checked IR, compiled module and instance settings. */
export interface ProgramInstance {
  /** the instance's name, with its `#suffix` if any */
  readonly name: string;
  readonly ir: ProgramIR;
  readonly module: ProgramModule;
  readonly params: Readonly<Record<string, Value>>;
  /** the working directory of its functions (relative READ paths) */
  readonly cwd: string;
}

export interface EngineLog {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface EngineOptions {
  readonly programs: readonly ProgramInstance[];
  readonly log: EngineLog;
  /** RANDOM's generator (seeded by `--seed`) */
  readonly random?: () => number;
  /** the notification journal (cli-runtime.md §1.8); none: notifications are only logged at debug level */
  readonly notificationsFile?: string;
  readonly site?: string;
  /** how often READ functions look for new files, in ms */
  readonly pollMs?: number;
}

/** A probe's view of one function's output: its public fields. */
export interface ProbeFields {
  readonly names: readonly string[];
  readonly types: readonly NType[];
}

interface Running {
  readonly instance: ProgramInstance;
  readonly fn: FunctionIR;
  readonly runner: FunctionRunner;
}

/** The instance name without its `#suffix`. */
function baseName(instance: string): string {
  const hash = instance.indexOf("#");
  return hash < 0 ? instance : instance.slice(0, hash);
}

/** A value as text for logs and notifications. */
function valueText(v: Value): string {
  if (v === null) return "NULL";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x instanceof Map ? [...x] : x));
}

export class Engine {
  private readonly running = new Map<string, Running>();
  private readonly globals = new Map<string, Map<Value, Value>>();
  private readonly queue: { runner: FunctionRunner; batch: RecordBatch }[] = [];
  private queueHead = 0;
  private draining = false;
  private readonly abort = new AbortController();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly tasks: Promise<void>[] = [];
  private stopped = false;

  constructor(private readonly options: EngineOptions) {
    const host = this.host();
    for (const instance of options.programs) {
      if (!instance.module.runIf({ params: instance.params, env: host.env, lib: RUNTIME_LIB })) {
        options.log.info(`${instance.name}: RUN IF condition is false, not running`);
        continue;
      }
      for (const fn of instance.ir.functions) {
        const fq = `${instance.name}/${fn.name}`;
        const factory = instance.module.functions[fn.name];
        if (!factory) throw new Error(`internal: no code for ${fq}`);
        this.running.set(fq, { instance, fn, runner: new FunctionRunner(fq, fn, factory, instance.params, host) });
      }
    }
    for (const child of this.running.values()) this.link(child);
  }

  private host(): RunnerHost {
    const log = this.options.log;
    return {
      now: () => Date.now() / 1000,
      random: this.options.random ?? Math.random,
      env: (name) => {
        const v = process.env[name];
        return v === undefined ? null : bytesOfText(v);
      },
      global: (name) => {
        let m = this.globals.get(name);
        if (!m) this.globals.set(name, (m = new Map()));
        return m;
      },
      print: (fq, values) => log.info(`${fq}: ${values.map(valueText).join(" ")}`),
      notify: (fq, name, tuple, start, stop) => this.notify(fq, name, tuple, start, stop),
      tupleError: (fq, error) => log.error(`${fq}: tuple skipped: ${isRamenError(error) ? error.message : String(error)}`),
    };
  }

  /** Functions of running instances by fq name. */
  get functions(): ReadonlyMap<string, { readonly fn: FunctionIR; readonly runner: FunctionRunner }> {
    return this.running;
  }

  private link(child: Running): void {
    for (const parent of child.fn.parents) {
      const program = parent.sameProgram ? child.instance.name : parent.program;
      const matches = program.endsWith("#_")
        ? [...this.running.values()].filter((r) => baseName(r.instance.name) === program.slice(0, -2) && r.fn.name === parent.function)
        : [this.running.get(`${program}/${parent.function}`)].filter((r): r is Running => r !== undefined);
      if (matches.length === 0) this.options.log.debug(`${child.runner.fq}: parent ${parent.fq} is not running`);
      for (const p of matches) {
        const columns = child.fn.input.map((f) => p.runner.columnIndex(f.name));
        if (columns.includes(-1)) throw new Error(`internal: ${p.runner.fq} lacks a field ${child.runner.fq} reads`);
        p.runner.outputs.push({ columns, deliver: (batch) => this.enqueue(child.runner, batch) });
      }
    }
  }

  /**
   * Adds an output to `fq` carrying its public fields, handed to `onRows` as
   * rows of values; returns the function detaching it.
   */
  probe(fq: string, onRows: (rows: Value[][]) => void): () => void {
    const r = this.running.get(fq);
    if (!r) throw new Error(`internal: no running function ${fq}`);
    const publicFields = r.fn.output.filter((f) => !f.private);
    const columns = publicFields.map((f) => r.runner.columnIndex(f.name));
    const fields = publicFields.map((f) => ({ name: f.name, type: f.type }));
    const output = {
      columns,
      deliver: (batch: RecordBatch) => {
        const reader = new BatchReader(batch, fields);
        const rows: Value[][] = [];
        for (let i = 0; i < reader.numRows; i++) rows.push(reader.row(i));
        onRows(rows);
      },
    };
    r.runner.outputs.push(output);
    return () => {
      const i = r.runner.outputs.indexOf(output);
      if (i >= 0) r.runner.outputs.splice(i, 1);
    };
  }

  private enqueue(runner: FunctionRunner, batch: RecordBatch): void {
    this.queue.push({ runner, batch });
    this.drain();
  }

  /** Processes queued batches until none is left (batches emitted meanwhile join the queue). */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queueHead < this.queue.length && !this.stopped) {
        const { runner, batch } = this.queue[this.queueHead]!;
        this.queueHead++;
        this.guard(runner, () => runner.onBatch(batch));
      }
      this.queue.length = 0;
      this.queueHead = 0;
    } finally {
      this.draining = false;
    }
  }

  /** Runs `work` for `runner`; a failure is logged as a crash of that function only. */
  private guard(runner: FunctionRunner, work: () => void): void {
    try {
      work();
    } catch (e) {
      runner.stats.errors++;
      const message = isRamenError(e) ? e.diagnostics.map(formatDiagnostic).join("\n") : e instanceof Error ? e.message : String(e);
      this.options.log.error(`${runner.fq}: crashed: ${message}`);
    }
  }

  private notify(fq: string, name: string, tuple: readonly Value[], start: number, stop: number): void {
    const r = this.running.get(fq)!;
    const parameters: Record<string, string> = {};
    r.fn.output.forEach((f, k) => (parameters[f.name] = renderValue(tuple[k] ?? null, f.type, { nullText: "NULL", raw: true })));
    const record = {
      site: this.options.site ?? "default",
      worker: fq,
      sent_time: Date.now() / 1000,
      event_time: Number.isFinite(start) ? start : null,
      name,
      test: false,
      firing: true,
      certainty: 0.5,
      debounce: 0,
      timeout: 0,
      parameters,
    };
    void stop;
    this.options.log.debug(`${fq}: notification ${name}`);
    if (this.options.notificationsFile) {
      mkdirSync(dirname(this.options.notificationsFile), { recursive: true });
      appendFileSync(this.options.notificationsFile, JSON.stringify(record) + "\n");
    }
  }

  /** Releases the functions without parents: file readers read, generators tick. */
  start(): void {
    for (const r of this.running.values()) {
      const op = r.fn.operation;
      if (op.kind === "read") this.tasks.push(this.readFiles(r));
      else if (op.kind === "aggregate" && r.fn.parents.length === 0) this.tick(r);
    }
  }

  private tick(r: Running): void {
    const period = r.runner.task.period;
    const once = () => {
      if (this.stopped) return;
      this.guard(r.runner, () => r.runner.onTick());
      this.drain();
    };
    if (period !== undefined) {
      once();
      this.timers.push(setInterval(once, Math.max(1, period * 1000)));
      return;
    }
    // Without EVERY: back to back, yielding to the event loop between rounds.
    const slot = this.timers.length;
    const round = () => {
      for (let i = 0; i < 64 && !this.stopped; i++) once();
      if (!this.stopped) this.timers[slot] = setTimeout(round, 0);
    };
    this.timers.push(setTimeout(round, 0));
  }

  private async readFiles(r: Running): Promise<void> {
    const op = r.fn.operation;
    const source = r.runner.task.source;
    if (op.kind !== "read" || !source) return;
    const log = this.options.log;
    const report = throttleBadLines((rep: SourceReport, heldBack: number) => {
      const more = heldBack > 0 ? ` (and ${heldBack} more bad lines)` : "";
      const text = `${r.runner.fq}: ${rep.diagnostic.message}${more}`;
      if (rep.tag === "waiting") log.warning(text);
      else log.error(text);
    });
    const options = {
      path: source.path,
      cwd: r.instance.cwd,
      ...(source.preprocess !== undefined ? { preprocess: source.preprocess } : {}),
      deleteAfter: source.deleteAfter,
      report: (rep: SourceReport) => {
        if (rep.tag === "badLine") r.runner.stats.errors++;
        report(rep);
      },
      signal: this.abort.signal,
      ...(this.options.pollMs !== undefined ? { pollMs: this.options.pollMs } : {}),
    };
    let files: FileSource;
    if (op.format.kind === "csv") {
      const f = op.format;
      const spec: CsvSpec = {
        separator: f.separator,
        nullString: f.nullString,
        ...(f.quote !== undefined ? { quote: f.quote } : {}),
        ...(f.escape !== undefined ? { escape: f.escape } : {}),
        vectorsOfCharsAsString: f.vectorsOfCharsAsString,
        clickhouseSyntax: f.clickhouseSyntax,
        fields: r.fn.output.map((o) => ({ name: o.name, type: o.type })),
      };
      files = csvFileSource(options, compileCsvReader(spec));
    } else {
      const fields = op.format.fields.map((f) => ({ name: f.name, ...(f.clickhouseType !== undefined ? { clickhouseType: f.clickhouseType } : {}) }));
      files = rowBinaryFileSource(options, () => compileRowBinaryDecoder(fields));
    }
    try {
      for await (const rows of files.rows) {
        if (this.stopped) break;
        this.guard(r.runner, () => r.runner.onRows(rows));
        this.drain();
      }
    } catch (e) {
      if (!this.stopped) log.error(`${r.runner.fq}: crashed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Stops every function: readers stop reading, tickers ticking. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers) clearTimeout(t);
    await Promise.allSettled(this.tasks);
  }
}
