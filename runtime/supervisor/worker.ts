// One running function as a long-lived piscina task (cli-runtime.md §1.2):
// it loads its program's module, builds the function's FunctionRunner (the
// execution core of runtime/engine), then loops: read input batches from its
// ring buffers → process → write output batches to each output ring, until
// the supervisor sets the stop flag of its control block. No message per
// tuple or per batch: data only goes through the rings; the MessagePort
// carries configuration changes (outputs, inputs), log lines, notifications
// and tail-cache requests.
//
// Delivery: the batches a function emits for one input message are written
// to the output rings after the message is processed, then the message is
// released. A function that throws in the middle of a message has written
// nothing of it, and reads it again when restarted: nothing is lost nor
// duplicated. (A thread killed between the writes and the release would
// replay that one message.)

import { readFileSync } from "node:fs";
import { type MessagePort, receiveMessageOnPort, threadId } from "node:worker_threads";
import type { Data, RecordBatch, Schema } from "apache-arrow";
import type { FunctionIR } from "../../compiler/ir.js";
import { formatDiagnostic, isRamenError } from "../../grammar/diagnostics.js";
import { seededRandom } from "../../stdlib/random.js";
import { bytesOfText, type Value } from "../../stdlib/values.js";
import { ArchiveWriter } from "../archive/writer.js";
import { arrowSchemaOf, type RaqlField } from "../arrow/schema.js";
import { decodeColumns, encodeBatch } from "../arrow/ipc.js";
import type { FunctionFactory } from "../engine/api.js";
import { loadProgramModule } from "../engine/load.js";
import { FunctionRunner, type RunnerHost } from "../engine/runner.js";
import { writeBatch } from "../ring/batches.js";
import { type HandlingNote, MessageKind, RingReader, RingWriter } from "../ring/ring.js";
import { csvFileSource, compileCsvReader, csvSpecOf, compileRowBinaryDecoder, rowBinaryFileSource, throttleBadLines, type FileSource, type SourceReport } from "../sources/index.js";
import { ControlBlock, CrashStage, Flag, type StatRecord } from "./control-block.js";
import { GlobalReplica, type GlobalSpec, type GlobalWrite, ReplayGlobalView } from "./globals.js";

/** A link this function writes to, with the columns it takes (indexes into the output fields, #start, #stop). */
export interface OutputEntry {
  readonly id: string;
  readonly ring: SharedArrayBuffer;
  readonly columns: readonly number[];
  /** the channels it receives (archival.md §1.4); absent: the live channel 0 only */
  readonly channels?: readonly number[];
}

/** A link this function reads from: its batches have the function's input fields, in order. */
export interface InputEntry {
  readonly id: string;
  readonly ring: SharedArrayBuffer;
}

/** Messages from the supervisor. */
export type ToWorker =
  /** with `sync`: answer with the sequence number of the next live row, the first the new outputs receive */
  | { readonly kind: "outputs"; readonly entries: readonly OutputEntry[]; readonly sync?: number }
  /** start or stop archiving (the archivist's allocations changed) */
  | { readonly kind: "archive"; readonly archive: ArchiveSpec | undefined }
  | { readonly kind: "inputs"; readonly entries: readonly InputEntry[] }
  /** a replay is coming on `channel` from that many sources upstream of this function */
  | { readonly kind: "replay"; readonly channel: number; readonly sources: number }
  /** writes to DECLAREd globals of the scopes of this function, in the supervisor's order */
  | { readonly kind: "globalWrites"; readonly writes: readonly GlobalWrite[] }
  /** the replay on `channel` was torn down before every marker came (client gone, expiry): drop its state, ignore its rest */
  | { readonly kind: "dropReplay"; readonly channel: number }
  /** the recent output tuples (`ramen tail -l`) */
  | { readonly kind: "cache"; readonly request: number };

/** Messages to the supervisor. */
export type FromWorker =
  | { readonly kind: "log"; readonly level: "info" | "warning" | "error" | "debug"; readonly message: string }
  | { readonly kind: "notify"; readonly name: string; readonly tuple: readonly Value[]; readonly start: number; readonly stop: number }
  /** Arrow IPC messages of the cached output batches (all columns), oldest first */
  | { readonly kind: "cache"; readonly request: number; readonly batches: readonly Uint8Array[] }
  | { readonly kind: "synced"; readonly request: number; readonly seq: bigint }
  /** writes to DECLAREd globals made while handling the last input */
  | { readonly kind: "globalWrites"; readonly writes: readonly GlobalWrite[] };

/** This function's archive (archival.md §2), when it has one. */
export interface ArchiveSpec {
  readonly dir: string;
  readonly site: string;
}

export interface TaskSpec {
  readonly fq: string;
  /** the compiled module file of the program (programs/v1/…), read by the task */
  readonly moduleFile: string;
  readonly fn: FunctionIR;
  readonly params: Readonly<Record<string, Value>>;
  readonly cwd: string;
  readonly control: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly inputs: readonly InputEntry[];
  readonly outputs: readonly OutputEntry[];
  readonly archive?: ArchiveSpec;
  /** the statistics of earlier runs, which this run adds to */
  readonly baseStats: StatRecord;
  readonly seed?: number;
  readonly debug: boolean;
  /** the globals its program declares, with their current entries */
  readonly globals?: readonly GlobalSpec[];
}

const LIVE_ONLY: readonly number[] = [0];

/** Rows of recent output kept for `tail -l` (cli-runtime.md §6.5: at least the last 1,000). */
const CACHE_ROWS = 1000;
const PUBLISH_EVERY_MS = 1000;

interface Output {
  readonly entry: OutputEntry;
  readonly writer: RingWriter;
}

interface Input {
  readonly entry: InputEntry;
  readonly reader: RingReader;
}

class FunctionTaskLoop {
  private readonly control: ControlBlock;
  private readonly runner: FunctionRunner;
  private outputs: Output[] = [];
  private inputs: Input[] = [];
  private readonly inputSchema: Schema;
  /** batches emitted while processing the current input, with their channel, delivered once it is done */
  private pending: { channel: number; batch: RecordBatch }[] = [];
  /** the input message being handled: its ring, the number of its next effect, and the note a previous run left (see effect) */
  private handling: { readonly reader: RingReader; next: number; readonly resumed: HandlingNote | undefined } | undefined;
  /** the function's state per replay channel (the live one is `runner`), made on a channel's first batch */
  private readonly replays = new Map<number, FunctionRunner>();
  /** per replay channel: how many sources are upstream of this function, and which have ended */
  private readonly replaySources = new Map<number, number>();
  private readonly endedSources = new Map<number, Set<string>>();
  /** writes to globals not sent to the supervisor yet */
  private globalWrites: GlobalWrite[] = [];
  private readonly globalsByKey: ReadonlyMap<string, GlobalReplica>;
  /** replay channels torn down early: what of them is still in the rings is ignored */
  private readonly droppedChannels = new Set<number>();
  /** milliseconds spent handling replay batches: replay CPU (tot_cpu_replay), not the live one */
  private replayMs = 0;
  private readonly factory: FunctionFactory;
  private readonly replayHost: RunnerHost;
  private archive: ArchiveWriter | undefined;
  /** sequence number of the next live output row (archival.md §2.2) */
  private seq = 0n;
  private readonly cache: RecordBatch[] = [];
  private cachedRows = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private fullBytes = 0;
  private fullRows = 0;
  private waitIn = 0;
  private firstInput = NaN;
  private lastOutput = NaN;
  private lastPublish = 0;
  private readonly cpuStart = threadCpuSeconds();

  constructor(
    private readonly spec: TaskSpec,
    factory: FunctionFactory,
  ) {
    this.control = new ControlBlock(spec.control);
    Atomics.store(this.control.flags, Flag.threadId, threadId);
    const port = spec.port;
    const random = spec.seed !== undefined ? seededRandom(spec.seed) : Math.random;
    // DECLAREd globals: replicas kept equal through the supervisor (globals.ts).
    const globals = new Map(
      (spec.globals ?? []).map((g) => [g.name, new GlobalReplica(g.key, g.entries, (key, mapKey, value) => this.globalWrites.push([key, mapKey, value]))]),
    );
    this.globalsByKey = new Map([...globals.values()].map((g) => [g.key, g]));
    const globalOf = (name: string): GlobalReplica => {
      const g = globals.get(name);
      if (!g) throw new Error(`internal: ${spec.fq} reads the undeclared global ${name}`);
      return g;
    };
    const host: RunnerHost = {
      now: () => Date.now() / 1000,
      random,
      env: (name) => {
        const v = process.env[name];
        return v === undefined ? null : bytesOfText(v);
      },
      global: globalOf,
      print: (fq, values) => port.postMessage({ kind: "log", level: "info", message: `${fq}: ${values.map((v) => String(v)).join(" ")}` }),
      notify: (_fq, name, tuple, start, stop) => port.postMessage({ kind: "notify", name, tuple: [...tuple], start, stop }),
      tupleError: (fq, error) => port.postMessage({ kind: "log", level: "error", message: `${fq}: tuple skipped: ${errorText(error)}` }),
    };
    this.factory = factory;
    // Replays never notify (cli-runtime.md §1.8) and read globals without writing them (archival.md §6.5).
    const replayViews = new Map([...globals].map(([name, g]) => [name, new ReplayGlobalView(g)]));
    this.replayHost = { ...host, notify: () => {}, global: (name) => replayViews.get(name) ?? globalOf(name) };
    this.runner = this.newRunner(0, host);
    this.inputSchema = arrowSchemaOf(spec.fn.input as readonly RaqlField[]);
    this.setArchive(spec.archive);
    this.setOutputs(spec.outputs);
    this.setInputs(spec.inputs);
  }

  /** A fresh instance of the function whose output batches are delivered on `channel`. */
  private newRunner(channel: number, host: RunnerHost): FunctionRunner {
    const fn = this.spec.fn;
    const r = new FunctionRunner(this.spec.fq, fn, this.factory, this.spec.params, host);
    const all = [...fn.output.map((_, k) => k), fn.output.length, fn.output.length + 1];
    r.outputs.push({ columns: all, deliver: (batch) => this.pending.push({ channel, batch }) });
    return r;
  }

  private runnerOf(channel: number): FunctionRunner {
    if (channel === 0) return this.runner;
    let r = this.replays.get(channel);
    if (!r) this.replays.set(channel, (r = this.newRunner(channel, this.replayHost)));
    return r;
  }

  /**
   * An end-of-replay marker (its payload names the replayer): it goes on to
   * every output of that channel; once every source upstream of this function
   * has ended, the channel's state goes (archival.md §6.4).
   */
  private endReplay(channel: number, payload: Uint8Array): void {
    for (const o of this.outputs) {
      if (!o.entry.channels?.includes(channel)) continue;
      this.effect(
        () => o.writer.position,
        () => o.writer.write(channel, MessageKind.endOfReplay, [payload.slice()], { shouldStop: () => this.stopping }),
      );
    }
    const ended = this.endedSources.get(channel) ?? new Set<string>();
    ended.add(Buffer.from(payload).toString("utf8"));
    this.endedSources.set(channel, ended);
    if (ended.size >= (this.replaySources.get(channel) ?? 1)) this.dropChannel(channel);
  }

  /** Forgets a replay channel's state, without flushing its groups (archival.md §6.5). */
  private dropChannel(channel: number): void {
    this.replays.delete(channel);
    this.endedSources.delete(channel);
    this.replaySources.delete(channel);
  }

  /** Opens (or closes) the archive; a failure is logged and the function runs on without archiving. */
  private setArchive(spec: ArchiveSpec | undefined): void {
    if (this.archive && spec?.dir === undefined) this.closeArchive();
    if (!spec || this.archive) return;
    try {
      const fn = this.spec.fn;
      this.archive = ArchiveWriter.open({
        dir: spec.dir,
        // the batches it archives are built with this very schema
        schema: this.runner.schema,
        site: spec.site,
        fq: this.spec.fq,
        time: fn.eventTime ? "event" : "arrival",
        now: Date.now() / 1000,
      });
      if (this.archive.nextSeq > this.seq) this.seq = this.archive.nextSeq;
    } catch (e) {
      this.log("error", `${this.spec.fq}: cannot archive: ${errorText(e)}`);
    }
  }

  private closeArchive(): void {
    try {
      this.archive?.close();
    } catch (e) {
      this.log("error", `${this.spec.fq}: ${errorText(e)}`);
    }
    this.archive = undefined;
  }

  private log(level: "info" | "warning" | "error", message: string): void {
    this.spec.port.postMessage({ kind: "log", level, message } satisfies FromWorker);
  }

  private setOutputs(entries: readonly OutputEntry[]): void {
    // A known output keeps its writer; its entry (columns, channels) may have changed.
    const old = new Map(this.outputs.map((o) => [o.entry.id, o.writer]));
    this.outputs = entries.map((entry) => ({ entry, writer: old.get(entry.id) ?? new RingWriter(entry.ring) }));
  }

  private setInputs(entries: readonly InputEntry[]): void {
    const old = new Map(this.inputs.map((i) => [i.entry.id, i]));
    this.inputs = entries.map((entry) => old.get(entry.id) ?? { entry, reader: new RingReader(entry.ring) });
  }

  /** Applies the supervisor's messages that arrived since the last call (never blocks). */
  private pollPort(): void {
    for (let m = receiveMessageOnPort(this.spec.port); m !== undefined; m = receiveMessageOnPort(this.spec.port)) {
      const msg = m.message as ToWorker;
      switch (msg.kind) {
        case "outputs":
          this.setOutputs(msg.entries);
          // Between two batches: every live row from this number on reaches the new outputs (tail's past-to-live hand-off).
          if (msg.sync !== undefined) this.spec.port.postMessage({ kind: "synced", request: msg.sync, seq: this.seq } satisfies FromWorker);
          break;
        case "inputs":
          this.setInputs(msg.entries);
          break;
        case "archive":
          this.setArchive(msg.archive);
          break;
        case "replay":
          this.replaySources.set(msg.channel, msg.sources);
          this.droppedChannels.delete(msg.channel);
          break;
        case "globalWrites":
          for (const [key, mapKey, value] of msg.writes) this.globalsByKey.get(key)?.apply(mapKey, value);
          break;
        case "dropReplay":
          this.dropChannel(msg.channel);
          this.droppedChannels.add(msg.channel);
          break;
        case "cache": {
          const batches = this.cache.map((b) => encodeBatch(b));
          this.spec.port.postMessage({ kind: "cache", request: msg.request, batches } satisfies FromWorker, batches.map((b) => b.buffer as ArrayBuffer));
          break;
        }
      }
    }
  }

  private get stopping(): boolean {
    return this.control.stopRequested;
  }

  /** Throws when the supervisor asked for a crash at this stage (tests of restarts). */
  private checkCrashRequest(stage: CrashStage): void {
    if (Atomics.compareExchange(this.control.flags, Flag.crash, stage, 0) === stage) throw new Error("crash requested by the supervisor");
  }

  /**
   * Runs one effect of handling the current input message — a record written
   * to an output, an archive append — unless a previous run of this task did
   * it before dying, noting it first in the input ring (RingReader.note):
   * effects before the noted one were done, the noted one was if the state it
   * changes (`state()`: its output's write position, the archive's next
   * sequence number) moved since. So a task whose thread is killed at any
   * instant, restarted, handles that message again without writing anything
   * twice or losing anything. False when a write gave up (stopping).
   */
  private effect(state: () => number, run: () => boolean): boolean {
    const h = this.handling;
    if (h === undefined) return run();
    const effect = h.next++;
    const resumed = h.resumed;
    if (resumed !== undefined && effect <= resumed.effect && (effect < resumed.effect || state() !== resumed.state)) return true;
    h.reader.noteEffect(effect, state());
    return run();
  }

  /** Writes what the last input produced to every output of its channel, then remembers live output for tail -l. */
  private deliver(): void {
    if (this.globalWrites.length > 0) {
      this.spec.port.postMessage({ kind: "globalWrites", writes: this.globalWrites } satisfies FromWorker);
      this.globalWrites = [];
    }
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    for (const { channel, batch } of pending) {
      const live = channel === 0;
      if (live) {
        this.lastOutput = Date.now() / 1000;
        this.fullBytes += bufferBytes(batch);
        this.fullRows += batch.numRows;
      }
      for (const o of this.outputs) {
        if (!(o.entry.channels ?? LIVE_ONLY).includes(channel)) continue;
        const written = this.effect(
          () => o.writer.position,
          () => {
            const before = o.writer.payloadBytes;
            const done = writeBatch(o.writer, channel, batch, { columns: o.entry.columns, shouldStop: () => this.stopping });
            this.bytesOut += o.writer.payloadBytes - before;
            return done;
          },
        );
        if (!written) return;
      }
      if (live) {
        this.remember(batch);
        this.archiveBatch(batch);
      }
    }
  }

  /** Appends a live output batch to the archive; a write error (full disk…) is logged, the batch is not archived. */
  private archiveBatch(batch: RecordBatch): void {
    const archive = this.archive;
    if (!archive) {
      this.seq += BigInt(batch.numRows);
      return;
    }
    // Skipped (done by a previous run), the batch's numbers are already in the archive's next-seq, which this.seq starts from.
    this.effect(
      () => Number(archive.nextSeq & 0xffff_ffffn) | 0,
      () => {
        const first = this.seq;
        this.seq += BigInt(batch.numRows);
        try {
          archive.append(batch, first, Date.now() / 1000);
        } catch (e) {
          this.log("error", `${this.spec.fq}: ${errorText(e)}`);
        }
        return true;
      },
    );
  }

  private remember(batch: RecordBatch): void {
    this.cache.push(batch);
    this.cachedRows += batch.numRows;
    while (this.cache.length > 1 && this.cachedRows - this.cache[0]!.numRows >= CACHE_ROWS) this.cachedRows -= this.cache.shift()!.numRows;
  }

  private publish(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastPublish < PUBLISH_EVERY_MS) return;
    this.lastPublish = now;
    try {
      this.archive?.tick(now / 1000);
    } catch (e) {
      this.log("error", `${this.spec.fq}: ${errorText(e)}`);
    }
    const cpuReplay = this.replayMs / 1000;
    const cpu = Math.max(0, threadCpuSeconds() - this.cpuStart - cpuReplay);
    const waitOut = this.outputs.reduce((s, o) => s + o.writer.waitedMs, 0) / 1000;
    this.control.publish(this.spec.baseStats, this.runner.stats, {
      cpu,
      cpuReplay,
      waitIn: this.waitIn / 1000,
      waitOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      fullBytes: this.fullBytes,
      fullRows: this.fullRows,
      firstInput: this.firstInput,
      lastOutput: this.lastOutput,
    });
  }

  /** Functions with parents: batches from the input rings until stopped. */
  runAggregate(): void {
    while (!this.stopping) {
      this.pollPort();
      let worked = false;
      for (const input of this.inputs) {
        const m = input.reader.peek();
        if (m === undefined) continue;
        worked = true;
        this.handling = { reader: input.reader, next: 0, resumed: input.reader.note };
        if (m.kind === MessageKind.endOfReplay) {
          this.endReplay(m.channel, m.payload);
        } else if (m.kind === MessageKind.batch) {
          if (Number.isNaN(this.firstInput)) this.firstInput = Date.now() / 1000;
          this.bytesIn += m.payload.byteLength;
          // Decoded in place: the batch's buffers are the ring's bytes, read before the release below
          // (generated code keeps values, never the batch).
          const batch = decodeColumns(m.payload, this.inputSchema);
          if (m.channel === 0) this.runner.onBatch(batch);
          else if (!this.droppedChannels.has(m.channel)) {
            // Handling a batch never blocks (outputs are written after): its wall time is CPU time.
            const start = performance.now();
            this.runnerOf(m.channel).onBatch(batch);
            this.replayMs += performance.now() - start;
          }
          // A requested crash strikes here, in the middle of the message: its output is not written yet…
          this.checkCrashRequest(CrashStage.beforeOutput);
          this.deliver();
          // … or here, its output written but the message not released (as a thread killed at that instant).
          this.checkCrashRequest(CrashStage.afterOutput);
          if (this.stopping) return;
        }
        input.reader.release();
        this.handling = undefined;
        this.publish();
      }
      if (!worked) {
        const t = Date.now();
        // Waits on one input at a time; several inputs take turns.
        const input = this.inputs[0];
        if (input === undefined || this.inputs.length > 1) this.control.sleep(this.inputs.length > 1 ? 5 : 100);
        else input.reader.wait(100);
        this.waitIn += Date.now() - t;
        this.checkCrashRequest(CrashStage.beforeOutput);
        this.publish();
      }
    }
  }

  /** SELECT without FROM: one tick per period, or back to back. */
  runTicks(): void {
    const period = this.runner.task.period;
    let next = Date.now();
    while (!this.stopping) {
      this.pollPort();
      if (period !== undefined) {
        const wait = next - Date.now();
        if (wait > 0) {
          this.control.sleep(Math.min(wait, 100));
          this.publish();
          continue;
        }
        next += period * 1000;
      }
      this.runner.onTick();
      this.deliver();
      this.checkCrashRequest(CrashStage.beforeOutput);
      this.publish();
    }
  }

  /** READ FROM FILE(S): rows from the files until stopped. */
  async runRead(): Promise<void> {
    const op = this.spec.fn.operation;
    const source = this.runner.task.source;
    if (op.kind !== "read" || !source) return;
    const abort = new AbortController();
    const port = this.spec.port;
    const report = throttleBadLines((rep: SourceReport, heldBack: number) => {
      const more = heldBack > 0 ? ` (and ${heldBack} more bad lines)` : "";
      port.postMessage({ kind: "log", level: rep.tag === "waiting" ? "warning" : "error", message: `${this.spec.fq}: ${rep.diagnostic.message}${more}` });
    });
    const options = {
      path: source.path,
      cwd: this.spec.cwd,
      ...(source.preprocess !== undefined ? { preprocess: source.preprocess } : {}),
      deleteAfter: source.deleteAfter,
      report: (rep: SourceReport) => {
        if (rep.tag === "badLine") this.runner.stats.errors++;
        report(rep);
      },
      signal: abort.signal,
    };
    let files: FileSource;
    if (op.format.kind === "csv") {
      const fields = this.spec.fn.output.map((o) => ({ name: o.name, type: o.type }));
      files = csvFileSource(options, compileCsvReader(csvSpecOf(op.format, fields)));
    } else {
      const fields = op.format.fields.map((f) => ({ name: f.name, ...(f.clickhouseType !== undefined ? { clickhouseType: f.clickhouseType } : {}) }));
      files = rowBinaryFileSource(options, () => compileRowBinaryDecoder(fields));
    }
    // The file reader waits for new files on timers: the stop flag is watched from the event loop too.
    const watch = setInterval(() => {
      this.pollPort();
      this.publish();
      if (this.stopping) abort.abort();
    }, 100);
    try {
      for await (const rows of files.rows) {
        if (Number.isNaN(this.firstInput)) this.firstInput = Date.now() / 1000;
        this.runner.onRows(rows);
        this.deliver();
        this.pollPort();
        this.checkCrashRequest(CrashStage.beforeOutput);
        this.publish();
        if (this.stopping) break;
      }
    } catch (e) {
      if (!this.stopping) throw e;
    } finally {
      clearInterval(watch);
      abort.abort();
    }
  }

  finish(): void {
    this.publish(true);
    this.closeArchive();
  }
}

/**
 * CPU seconds used by this thread (cli-runtime.md §1.7: "CPU seconds of its
 * thread"): Node has no per-thread counter, Linux has one in /proc; elsewhere
 * the process' CPU time stands in.
 */
function threadCpuSeconds(): number {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "latin1");
    // Fields after the command name (which may hold blanks): utime and stime are the 12th and 13th, in clock ticks.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}

/** USER_HZ, the unit of /proc CPU times: 100 on every Linux port in practice. */
const CLOCK_TICKS = 100;

/** The bytes of a batch's column buffers (values, offsets, validity), as they travel in Arrow IPC. */
function bufferBytes(batch: RecordBatch): number {
  let n = 0;
  const visit = (d: Data): void => {
    n += (d.values?.byteLength ?? 0) + (d.valueOffsets?.byteLength ?? 0) + (d.nullBitmap?.byteLength ?? 0);
    for (const c of d.children) visit(c);
  };
  for (const c of batch.data.children) visit(c);
  return n;
}

function errorText(e: unknown): string {
  if (isRamenError(e)) return e.diagnostics.map(formatDiagnostic).join("\n");
  return e instanceof Error ? e.message : String(e);
}

/** The piscina task: runs one function until stopped. Throws (a crash) when the function fails. */
export default async function runFunction(spec: TaskSpec): Promise<void> {
  const module = await loadProgramModule(readFileSync(spec.moduleFile, "utf8"));
  const factory = module.functions[spec.fn.name];
  if (!factory) throw new Error(`no code for ${spec.fq} in ${spec.moduleFile}`);
  const loop = new FunctionTaskLoop(spec, factory);
  try {
    const op = spec.fn.operation;
    if (op.kind === "read") await loop.runRead();
    else if (op.kind === "aggregate" && spec.fn.parents.length === 0) loop.runTicks();
    else if (op.kind === "aggregate") loop.runAggregate();
    else throw new Error(`${spec.fq}: LISTEN is not supported by this runtime`);
  } finally {
    loop.finish();
    spec.port.close();
  }
}
