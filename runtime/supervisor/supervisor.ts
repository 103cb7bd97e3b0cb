// The supervisor (cli-runtime.md §1): one per state directory, as a daemon
// (`ramen supervisor`) or embedded in a foreground command; the same code.
// It keeps the programs to run, runs each of their functions as a long-lived
// task on a piscina pool (runtime/supervisor/worker.ts), links parents to
// children with ring buffers (one per pair, kept while both are known, so a
// restarted function finds its unread input), restarts crashed functions
// with backoff, serves tail subscriptions from client rings, journals and
// delivers notifications, and saves per-function statistics.

import { setTimeout as sleep } from "node:timers/promises";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { hostname } from "node:os";
import type { RecordBatch } from "apache-arrow";
import { Piscina } from "piscina";
import { type FunctionIR, type ProgramIR, durationSeconds, instanceParams } from "../../compiler/ir.js";
import { RamenError, diag } from "../../grammar/diagnostics.js";
import { renderValue } from "../../stdlib/format.js";
import type { Value } from "../../stdlib/values.js";
import { Alerter } from "../alerting/alerter.js";
import { appendToJournal, makeNotification } from "../alerting/notification.js";
import { START_FIELD, STOP_FIELD } from "../arrow/builder.js";
import { decodeBatch } from "../arrow/ipc.js";
import { BatchReader } from "../arrow/reader.js";
import { arrowSchemaOf, type RaqlField } from "../arrow/schema.js";
import { RUNTIME_LIB } from "../engine/lib.js";
import { loadProgramModule } from "../engine/load.js";
import { readBatch, writeBatchAsync } from "../ring/batches.js";
import { DEFAULT_RING_CAPACITY, MessageKind, RingReader, RingWriter, createRing, ringUsedBytes } from "../ring/ring.js";
import { ControlBlock, CrashStage, Flag, createControlBlock, type StatRecord } from "./control-block.js";
import { GlobalStore, globalKey } from "./globals.js";
import { type RunEntry, loadStoredProgram, readRunningConfig, statsFile, supervisorPaths, writeAtomic, writeRunningConfig } from "./state.js";
import type { ArchiveSpec, FromWorker, InputEntry, OutputEntry, TaskSpec, ToWorker } from "./worker.js";
import { archiveDir } from "../archive/layout.js";
import { type ArchivedBatch, archiveCoverage, readArchive } from "../archive/reader.js";
import type { ArchiveRange } from "../archivist/stats.js";
import { batchesOfRows } from "../arrow/builder.js";
import { formatDate } from "../../stdlib/format.js";
import { releaseWriterLock } from "../archive/locks.js";
import { archivistPaths, readAllocations } from "../archivist/index.js";
import { archiveSchemaHash, archiveSchemaOf } from "./defined.js";
import { planReplay } from "./replay-plan.js";

export interface SupervisorLog {
  info(message: string): void;
  debug(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface SupervisorOptions {
  readonly stateDir: string;
  readonly site: string;
  readonly log: SupervisorLog;
  /** daemon: load and save running-config.json; embedded: neither (§6.2 foreground) */
  readonly persistent: boolean;
  readonly maxThreads?: number;
  readonly linkSize?: number;
  readonly seed?: number;
  /** never restart crashed functions */
  readonly failForGood?: boolean;
  /** test mode: lazy functions start like the others */
  readonly startLazy?: boolean;
  /** a replay that makes no progress for this long is torn down (archival.md §6.6; default 300) */
  readonly replayExpirySeconds?: number;
}

/** Resolves when `p` settles (true) or `over()` becomes true (false), whichever comes first. */
async function settledOrOver(p: Promise<void>, over: () => boolean): Promise<boolean> {
  let settled = false;
  const done = p.then(
    () => void (settled = true),
    () => void (settled = true),
  );
  while (!settled && !over()) await Promise.race([done, sleep(100)]);
  return settled;
}

/** Rows for a client: a promise when the client cannot take more yet (its socket is full), which holds the replay back. */
export type RowsSink = (rows: Value[][]) => void | Promise<void>;

const DEFAULT_REPLAY_EXPIRY_SECONDS = 300;
/** How often a held-back replay looks at its expiry and at the rings it waits for. */
const REPLAY_POLL_MS = 2;


export type FunctionState = "running" | "waiting" | "restarting" | "stopping" | "disabled" | "stopped";

interface ProgramRun {
  readonly entry: RunEntry;
  readonly ir: ProgramIR;
  readonly moduleFile: string;
  readonly params: Readonly<Record<string, Value>>;
  readonly enabled: boolean;
}

interface FunctionRun {
  readonly fq: string;
  readonly fn: FunctionIR;
  readonly program: ProgramRun;
  readonly control: ControlBlock;
  state: FunctionState;
  port: MessagePort | undefined;
  task: Promise<unknown> | undefined;
  /** successive failures, for the backoff; reset after 60 s of running */
  failures: number;
  startedAt: number;
  firstStartup: number;
  lastExit: { time: number; status: string } | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  /** the statistics published by earlier runs (counters go on across restarts) */
  baseStats: StatRecord;
  /** when its statistics were last saved */
  lastReport: number;
  /** its program is being removed (kill, replace) */
  removed?: boolean;
  /** pending tail-cache requests */
  readonly cacheRequests: Map<number, (batches: Uint8Array[]) => void>;
  /** pending output changes waiting for the task's sequence number */
  readonly syncRequests: Map<number, (seq: bigint) => void>;
}

interface Link {
  readonly id: string;
  readonly parent: string;
  readonly child: string;
  readonly ring: SharedArrayBuffer;
  readonly columns: readonly number[];
  /** replay channels the link carries besides the live one */
  readonly replays: Set<number>;
}

/** A tail subscription: a ring the function writes its public fields to, read here. */
export interface Subscription {
  readonly fields: readonly RaqlField[];
  /**
   * The sequence number of the first live row the subscription receives
   * (undefined when the function does not run): rows before it are in the
   * archive, rows from it on come here — the past-to-live hand-off (§6.7).
   */
  readonly firstSeq: Promise<bigint | undefined>;
  /** resolves when the subscription ends (cancel() or the supervisor stops) */
  readonly done: Promise<void>;
  cancel(): void;
}

interface Client {
  readonly id: string;
  readonly fq: string;
  readonly ring: SharedArrayBuffer;
  readonly columns: readonly number[];
  /** the channels it receives: the live one for tails, a replay's own for replays */
  readonly channels: readonly number[];
  cancelled: boolean;
  /** not given to the task yet: the message that adds it also asks for the hand-off sequence number */
  hidden?: boolean;
}

/** A program to add: its compiled form and instance settings. */
export interface ProgramToRun {
  readonly entry: RunEntry;
  readonly ir: ProgramIR;
  readonly moduleFile: string;
}

export { PROTOCOL_VERSION } from "./protocol.js";

/** FNV-1a hash of a string, 32 bits. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`);
}

function baseName(instance: string): string {
  const hash = instance.indexOf("#");
  return hash < 0 ? instance : instance.slice(0, hash);
}

export class Supervisor {
  private readonly programs = new Map<string, ProgramRun>();
  private readonly functions = new Map<string, FunctionRun>();
  private readonly links = new Map<string, Link>();
  private readonly clients = new Map<string, Client>();
  /** reference copies of the DECLAREd globals (globals.ts) */
  private readonly globals = new GlobalStore();
  /** the archivist's allocations, fq → bytes (archivist/v1/allocs/<site>.json) */
  private allocations: Readonly<Record<string, number>> = {};
  /** rings feeding archived batches into the first function of a replay's path */
  private readonly replayInputs = new Map<string, { readonly id: string; readonly fq: string; readonly ring: SharedArrayBuffer }>();
  /** programs of the running configuration that cannot run, with why (`ps --show-all`); kept in the configuration */
  private readonly broken = new Map<string, { entry: RunEntry; status: string }>();
  private readonly pool: Piscina;
  private readonly alerter: Alerter;
  private readonly timers: NodeJS.Timeout[] = [];
  private nextClientId = 1;
  private nextRequest = 1;
  private stopped = false;
  /** while true, subscriptions do not start anything (add's beforeStart) */
  private holding = false;
  readonly startTime = Date.now() / 1000;

  constructor(readonly options: SupervisorOptions) {
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    this.pool = new Piscina({
      filename: new URL("./worker.js", import.meta.url).href,
      minThreads: 0,
      maxThreads: options.maxThreads ?? 256,
      idleTimeout: 10_000,
      concurrentTasksPerWorker: 1,
      maxQueue: Infinity,
    });
    const paths = supervisorPaths(options.stateDir);
    this.alerter = new Alerter({ contactsFile: paths.contacts, log: options.log, now: Date.now() / 1000, hostname: hostname() });
    this.allocations = readAllocations(archivistPaths(options.stateDir, options.site).allocs) ?? {};
    this.timers.push(setInterval(() => this.alerter.tick(Date.now() / 1000), 1000));
    this.timers.push(setInterval(() => this.saveStats(), 1000));
  }

  /** Brings back the programs of the running configuration (daemon only). */
  async restoreRunningConfig(): Promise<void> {
    if (!this.options.persistent) return;
    const entries = readRunningConfig(this.options.stateDir);
    const programs: ProgramToRun[] = [];
    for (const entry of entries) {
      try {
        const stored = loadStoredProgram(this.options.stateDir, entry.program, entry.signature);
        programs.push({ entry, ir: stored.ir, moduleFile: stored.moduleFile });
      } catch (e) {
        const status = `cannot load its compiled program: ${(e as Error).message}`;
        this.options.log.error(`${entry.program}: ${status}`);
        this.broken.set(entry.program, { entry, status });
      }
    }
    if (programs.length > 0) await this.add(programs, true);
  }

  // ---- programs ------------------------------------------------------------------------------

  /**
   * Adds programs (atomically: all are checked before any starts). An entry
   * with the name of a running program: identical → nothing; different →
   * error unless `replace`, which stops the old instance first.
   */
  async add(programs: readonly ProgramToRun[], replace: boolean, beforeStart?: () => void): Promise<void> {
    const changed: ProgramToRun[] = [];
    for (const p of programs) {
      const old = this.programs.get(p.entry.program);
      if (old && JSON.stringify(old.entry) === JSON.stringify(p.entry)) continue;
      if (old && !replace) throw RamenError.of("alreadyRunning", { name: p.entry.program });
      changed.push(p);
    }
    for (const p of changed) if (this.programs.has(p.entry.program)) await this.removeProgram(p.entry.program);
    for (const p of changed) {
      const params = instanceParams(p.ir.params, p.entry.params);
      const module = await loadProgramModule((await import("node:fs")).readFileSync(p.moduleFile, "utf8"));
      const enabled = module.runIf({ params, env: (n) => process.env[n] ?? null, lib: RUNTIME_LIB });
      const run: ProgramRun = { entry: p.entry, ir: p.ir, moduleFile: p.moduleFile, params, enabled };
      this.programs.set(p.entry.program, run);
      this.broken.delete(p.entry.program);
      for (const fn of p.ir.functions) {
        const fq = `${p.entry.program}/${fn.name}`;
        const control = new ControlBlock(createControlBlock());
        this.functions.set(fq, {
          fq,
          fn,
          program: run,
          control,
          state: enabled ? "waiting" : "disabled",
          port: undefined,
          task: undefined,
          failures: 0,
          startedAt: 0,
          firstStartup: NaN,
          lastExit: undefined,
          restartTimer: undefined,
          baseStats: control.record(),
          lastReport: 0,
          cacheRequests: new Map(),
          syncRequests: new Map(),
        });
      }
      if (!enabled) this.options.log.info(`${p.entry.program}: RUN IF condition is false, not running`);
    }
    this.saveRunningConfig();
    // Subscriptions made here see every tuple from the first one (test probes, test-format.md §4.1).
    if (beforeStart) {
      this.holding = true;
      try {
        beforeStart();
      } finally {
        this.holding = false;
      }
    }
    this.reconcile();
  }

  /** Removes the programs matching the globs; how many. */
  async kill(globs: readonly string[], purge = false): Promise<number> {
    const res = globs.map(globToRegExp);
    const names = [...this.programs.keys()].filter((n) => res.some((re) => re.test(n)));
    // --purge: their archives go too, every output type of each function (§6.3).
    const archives = purge
      ? [...this.functions.values()].filter((f) => names.includes(f.program.entry.program)).map((f) => path.dirname(this.archiveDirOf(f.fq)!))
      : [];
    for (const n of names) await this.removeProgram(n);
    for (const dir of archives) rmSync(dir, { recursive: true, force: true });
    const broken = [...this.broken.keys()].filter((n) => res.some((re) => re.test(n)));
    for (const n of broken) this.broken.delete(n);
    this.saveRunningConfig();
    this.reconcile();
    return names.length + broken.length;
  }

  private async removeProgram(name: string): Promise<void> {
    const fns = [...this.functions.values()].filter((f) => f.program.entry.program === name);
    // Not wanted any more: a task ending now is not restarted.
    for (const f of fns) f.removed = true;
    await Promise.all(fns.map((f) => this.stopFunction(f)));
    for (const f of fns) {
      this.saveStatsOf(f);
      this.functions.delete(f.fq);
      // Links into a removed function go; links out of it stay for when it comes back.
      for (const [id, l] of this.links) if (l.child === f.fq) this.links.delete(id);
    }
    this.programs.delete(name);
  }

  private saveRunningConfig(): void {
    if (!this.options.persistent) return;
    writeRunningConfig(this.options.stateDir, [
      ...[...this.programs.values()].map((p) => p.entry),
      ...[...this.broken.values()].filter((b) => !this.programs.has(b.entry.program)).map((b) => b.entry),
    ]);
  }

  /** The running instances a parent reference of `child` designates. */
  private parentsOf(child: FunctionRun, parent: FunctionIR["parents"][number]): FunctionRun[] {
    const program = parent.sameProgram ? child.program.entry.program : parent.program;
    if (program.endsWith("#_")) {
      const base = program.slice(0, -2);
      return [...this.functions.values()].filter((f) => baseName(f.program.entry.program) === base && f.fn.name === parent.function);
    }
    const f = this.functions.get(`${program}/${parent.function}`);
    return f ? [f] : [];
  }

  /** Whether a function must run now: enabled, and when lazy, read by something running or a client. */
  private wanted(f: FunctionRun, seen = new Set<string>()): boolean {
    if (!f.program.enabled || this.stopped || f.removed) return false;
    if (!f.fn.lazy || this.options.startLazy) return true;
    if ([...this.clients.values()].some((c) => c.fq === f.fq)) return true;
    seen.add(f.fq);
    for (const l of this.links.values()) {
      if (l.parent !== f.fq || seen.has(l.child)) continue;
      const child = this.functions.get(l.child);
      if (child && this.wanted(child, seen)) return true;
    }
    return false;
  }

  /** Makes links, task inputs/outputs and started tasks match the configuration. */
  private reconcile(): void {
    if (this.stopped || this.holding) return;
    for (const child of this.functions.values()) {
      for (const p of child.fn.parents) {
        for (const parent of this.parentsOf(child, p)) {
          const id = `${parent.fq}->${child.fq}`;
          if (this.links.has(id)) continue;
          const outputNames = parent.fn.output.map((o) => o.name);
          const columns = child.fn.input.map((i) => outputNames.indexOf(i.name));
          if (columns.includes(-1)) {
            this.options.log.error(`${child.fq}: parent ${parent.fq} lacks fields it reads`);
            continue;
          }
          this.links.set(id, { id, parent: parent.fq, child: child.fq, ring: createRing(this.options.linkSize ?? DEFAULT_RING_CAPACITY), columns, replays: new Set() });
        }
      }
    }
    for (const f of this.functions.values()) {
      const want = this.wanted(f);
      if (want && f.task === undefined && f.restartTimer === undefined) this.startFunction(f);
      else if (!want && f.task !== undefined && f.state !== "stopping") void this.stopFunction(f);
      else if (f.task !== undefined) {
        this.send(f, { kind: "inputs", entries: this.inputsOf(f) });
        this.send(f, { kind: "outputs", entries: this.outputsOf(f) });
      }
      if (f.task !== undefined && f.state !== "stopping") f.state = f.fn.parents.length > 0 && this.inputsOf(f).length === 0 ? "waiting" : "running";
    }
  }

  private inputsOf(f: FunctionRun): InputEntry[] {
    const links = [...this.links.values()].filter((l) => l.child === f.fq).map((l) => ({ id: l.id, ring: l.ring }));
    const replays = [...this.replayInputs.values()].filter((r) => r.fq === f.fq).map((r) => ({ id: r.id, ring: r.ring }));
    return [...links, ...replays];
  }

  private outputsOf(f: FunctionRun): OutputEntry[] {
    // Links to children that run or are about to: the ring keeps what they have not read yet.
    const links = [...this.links.values()].filter((l) => {
      const child = this.functions.get(l.child);
      return l.parent === f.fq && child !== undefined && (child.task !== undefined || child.restartTimer !== undefined || this.wanted(child));
    });
    const clients = [...this.clients.values()].filter((c) => c.fq === f.fq && !c.cancelled && !c.hidden);
    return [
      ...links.map((l) => ({ id: l.id, ring: l.ring, columns: l.columns, channels: [0, ...l.replays] })),
      ...clients.map((c) => ({ id: c.id, ring: c.ring, columns: c.columns, channels: c.channels })),
    ];
  }

  private send(f: FunctionRun, msg: ToWorker): void {
    f.port?.postMessage(msg);
  }

  /**
   * The archive of a function, when it keeps one: it has a PERSIST FOR
   * retention, or the archivist gave it an allocation (archival.md §1.2).
   */
  archiveOf(f: { fq: string; fn: FunctionIR }): ArchiveSpec | undefined {
    if (f.fn.retention === undefined && !((this.allocations[f.fq] ?? 0) > 0)) return undefined;
    return { dir: archiveDir(this.options.stateDir, this.options.site, f.fq, archiveSchemaHash(f.fn)), site: this.options.site };
  }

  /** The archive directory of a function whether it archives now or not (it may have archived before). */
  archiveDirOf(fq: string): string | undefined {
    const f = this.functions.get(fq);
    return f && archiveDir(this.options.stateDir, this.options.site, fq, archiveSchemaHash(f.fn));
  }

  /** Re-reads the allocations and starts or stops archiving accordingly (`ramen archivist --reconf-workers`). */
  reconfigureArchives(): number {
    this.allocations = readAllocations(archivistPaths(this.options.stateDir, this.options.site).allocs) ?? {};
    let archiving = 0;
    for (const f of this.functions.values()) {
      const archive = this.archiveOf(f);
      if (archive) archiving++;
      if (f.task !== undefined) this.send(f, { kind: "archive", archive });
    }
    return archiving;
  }

  // ---- tasks -------------------------------------------------------------------------------------

  private startFunction(f: FunctionRun): void {
    const { port1, port2 } = new MessageChannel();
    f.port = port1;
    port1.on("message", (m: FromWorker) => this.fromWorker(f, m));
    f.control.resetFlags();
    f.baseStats = f.control.record();
    f.startedAt = Date.now() / 1000;
    if (Number.isNaN(f.firstStartup)) f.firstStartup = f.startedAt;
    f.state = f.fn.parents.length > 0 && this.inputsOf(f).length === 0 ? "waiting" : "running";
    const archive = this.archiveOf(f);
    // A thread that died without closing its archive left its lock, naming this very process.
    if (archive) releaseWriterLock(archive.dir);
    const spec: TaskSpec = {
      fq: f.fq,
      moduleFile: f.program.moduleFile,
      fn: f.fn,
      params: f.program.params,
      cwd: f.program.entry.cwd,
      control: f.control.sab,
      port: port2,
      inputs: this.inputsOf(f),
      outputs: this.outputsOf(f),
      ...(archive ? { archive } : {}),
      baseStats: f.baseStats,
      // Each function derives its own seed from the global one and its name (§5).
      ...(this.options.seed !== undefined ? { seed: (this.options.seed ^ fnv1a(f.fq)) >>> 0 } : {}),
      debug: f.program.entry.debug,
      globals: this.globals.specsOf(f.program.ir.globals, f.program.entry.program),
    };
    this.options.log.debug(`${f.fq}: starting`);
    f.task = this.pool.run(spec, { transferList: [port2] });
    f.task.then(
      () => this.onExit(f, undefined),
      (e: unknown) => this.onExit(f, e),
    );
    // Parents start writing to it only now that it reads.
    for (const l of this.links.values()) {
      if (l.child !== f.fq) continue;
      const parent = this.functions.get(l.parent);
      if (parent?.task !== undefined) this.send(parent, { kind: "outputs", entries: this.outputsOf(parent) });
    }
  }

  private onExit(f: FunctionRun, error: unknown): void {
    f.port?.close();
    f.port = undefined;
    f.task = undefined;
    const now = Date.now() / 1000;
    if (error === undefined || f.state === "stopping" || this.stopped) {
      f.state = "stopped";
      f.lastExit = { time: now, status: "stopped" };
      if (!this.stopped && this.functions.get(f.fq) === f) this.reconcile();
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    f.lastExit = { time: now, status: `crashed: ${message}` };
    this.options.log.error(`${f.fq}: crashed: ${message}`);
    if (now - f.startedAt >= 60) f.failures = 0;
    f.failures++;
    if (this.options.failForGood) {
      f.state = "stopped";
      return;
    }
    const delay = Math.min(60, 0.5 * 2 ** (f.failures - 1)) * (1 + Math.random() * 0.2);
    f.state = "restarting";
    f.restartTimer = setTimeout(() => {
      f.restartTimer = undefined;
      if (this.functions.get(f.fq) === f && this.wanted(f)) this.startFunction(f);
    }, delay * 1000);
  }

  private async stopFunction(f: FunctionRun): Promise<void> {
    if (f.restartTimer) {
      clearTimeout(f.restartTimer);
      f.restartTimer = undefined;
    }
    const task = f.task;
    if (!task) return;
    f.state = "stopping";
    f.control.requestStop();
    // A task still running 10 s after the request is abandoned (its thread is terminated by piscina's destroy at exit).
    await Promise.race([task.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }

  /**
   * Test hook: terminates the worker thread running the function, as a
   * thread dying would. The function restarts; its input ring was kept.
   */
  async killThread(fq: string): Promise<boolean> {
    const f = this.functions.get(fq);
    const id = f ? Atomics.load(f.control.flags, Flag.threadId) : 0;
    const thread = this.pool.threads.find((t) => t.threadId === id);
    if (!thread) return false;
    await thread.terminate();
    return true;
  }

  /** Test hook: makes the function throw while handling its next input message, as a crash would, at that stage. */
  crash(fq: string, stage: CrashStage = CrashStage.beforeOutput): void {
    const f = this.functions.get(fq);
    if (f) Atomics.store(f.control.flags, Flag.crash, stage);
  }

  private fromWorker(f: FunctionRun, m: FromWorker): void {
    switch (m.kind) {
      case "log":
        this.options.log[m.level](m.message);
        break;
      case "notify":
        this.notification(f, m.name, m.tuple, m.start);
        break;
      case "cache": {
        const done = f.cacheRequests.get(m.request);
        f.cacheRequests.delete(m.request);
        done?.([...m.batches]);
        break;
      }
      case "globalWrites": {
        // In the supervisor's order to every function of the scope, the writer included: replicas stay equal.
        this.globals.apply(m.writes);
        const keys = new Set(m.writes.map((w) => w[0]));
        for (const other of this.functions.values()) {
          if (other.task === undefined) continue;
          const program = other.program.entry.program;
          const theirs = new Set(other.program.ir.globals.map((g) => globalKey(g, program)).filter((k) => keys.has(k)));
          const writes = m.writes.filter((w) => theirs.has(w[0]));
          if (writes.length > 0) this.send(other, { kind: "globalWrites", writes });
        }
        break;
      }
      case "synced": {
        const done = f.syncRequests.get(m.request);
        f.syncRequests.delete(m.request);
        done?.(m.seq);
        break;
      }
    }
  }

  // ---- notifications --------------------------------------------------------------------------------

  private notification(f: FunctionRun, name: string, tuple: readonly Value[], start: number): void {
    const parameters: Record<string, string> = {};
    f.fn.output.forEach((o, k) => (parameters[o.name] = renderValue(tuple[k] ?? null, o.type, { nullText: "NULL", raw: true })));
    this.deliverNotification({ worker: f.fq, name, parameters, eventTime: Number.isFinite(start) ? start : null, test: false });
  }

  /** Journals a notification and hands it to the alerter (§1.8); also `ramen notify`. */
  deliverNotification(n: { worker: string; name: string; parameters: Record<string, string>; eventTime: number | null; test: boolean }): string[] {
    const { notification, warnings } = makeNotification({
      site: this.options.site,
      worker: n.worker,
      sent_time: Date.now() / 1000,
      event_time: n.eventTime,
      name: n.name,
      test: n.test,
      parameters: n.parameters,
    });
    appendToJournal(supervisorPaths(this.options.stateDir).notifications, notification);
    this.alerter.receive(notification);
    return warnings.map((w) => w.message);
  }

  // ---- tail ---------------------------------------------------------------------------------------

  hasFunction(fq: string): boolean {
    return this.functions.has(fq);
  }

  /** Every function with its parents (fq names): what clients, `ramen gc` and the archivist need. */
  definedFunctions(): { fq: string; fn: FunctionIR; parents: string[] }[] {
    return [...this.functions.values()].map((f) => ({
      fq: f.fq,
      fn: f.fn,
      parents: [...new Set([...this.links.values()].filter((l) => l.child === f.fq).map((l) => l.parent))],
    }));
  }

  /** The last tuples a function emitted (its output cache), as clients get them: public fields, #start, #stop. */
  async lastTuples(fq: string): Promise<Value[][]> {
    const f = this.functions.get(fq);
    if (!f || !f.port) return [];
    const request = this.nextRequest++;
    const batches = await new Promise<Uint8Array[]>((resolve) => {
      f.cacheRequests.set(request, resolve);
      this.send(f, { kind: "cache", request });
      setTimeout(() => resolve([]), 5000).unref();
    });
    const schema = archiveSchemaOf(f.fn);
    const { columns } = clientView(f.fn);
    return batches.flatMap((bytes) => rowsOf({ batch: decodeBatch(bytes, schema), selection: null }, columns));
  }

  /** Streams the function's new output (public fields, then #start, #stop) to `onRows` until cancelled. */
  subscribe(fq: string, onRows: (rows: Value[][]) => void): Subscription {
    const f = this.functions.get(fq);
    if (!f) throw RamenError.of("unknownWorker", { fq, hint: "" });
    const { fields, columns } = clientView(f.fn);
    const ring = createRing(this.options.linkSize ?? DEFAULT_RING_CAPACITY);
    const client: Client = { id: `client-${this.nextClientId++}`, fq, ring, columns, channels: [0], cancelled: false, hidden: true };
    this.clients.set(client.id, client);
    this.reconcile();
    // One message adds the client and asks where the live rows it gets start: exact hand-off.
    client.hidden = false;
    const firstSeq = new Promise<bigint | undefined>((resolve) => {
      if (!f.port) {
        this.reconcile();
        return resolve(undefined);
      }
      const request = this.nextRequest++;
      f.syncRequests.set(request, resolve);
      this.send(f, { kind: "outputs", entries: this.outputsOf(f), sync: request });
      setTimeout(() => resolve(undefined), 5000).unref();
    });
    const done = this.readClient(client, fields, onRows, () => client.cancelled || this.stopped);
    return {
      fields,
      firstSeq,
      done,
      cancel: () => {
        client.cancelled = true;
        this.clients.delete(client.id);
        this.reconcile();
      },
    };
  }

  // ---- replays (archival.md §6) -------------------------------------------------------------------

  /**
   * Runs a replay (archival.md §6.3–6.6): the archived output of each source
   * (full output batches with #start/#stop) goes, on a channel of its own,
   * into the live workers along `links` (parent → child pairs from the
   * sources down to `target`); each worker keeps a separate state for the
   * channel; `target`'s output on it comes to `onRows` (public fields,
   * #start, #stop). Resolves once every source's end-of-replay marker went
   * through. The live channel goes on meanwhile. Rings have one writer: the
   * rows of a source enter each of its children on the path through a ring
   * of their own; the other links carry the channel with the live rows.
   */
  async runReplay(
    sources: ReadonlyMap<string, AsyncIterable<RecordBatch>>,
    links: readonly (readonly [string, string])[],
    target: string,
    onRows: RowsSink,
    signal?: AbortSignal,
  ): Promise<void> {
    // Progress: the client took rows, or a replayer wrote a batch. None for the expiry delay (a client that
    // stopped reading holds every ring of the path full) tears the replay down (archival.md §6.6).
    const expiryMs = (this.options.replayExpirySeconds ?? DEFAULT_REPLAY_EXPIRY_SECONDS) * 1000;
    let lastProgress = Date.now();
    const progressed = () => (lastProgress = Date.now());
    const expired = () => Date.now() - lastProgress > expiryMs;
    // The client going away (Ctrl-C) ends the replay too: replayers stop, the channel is torn down.
    const over = () => this.stopped || signal?.aborted === true || expired();
    let channel: number;
    do channel = 1 + Math.floor(Math.random() * 65535);
    while ([...this.links.values()].some((l) => l.replays.has(channel)) || [...this.clients.values()].some((c) => c.channels.includes(channel)));
    const hops: Link[] = [];
    const entries: { source: string; child: FunctionRun; input: { id: string; fq: string; ring: SharedArrayBuffer } }[] = [];
    for (const [parent, child] of links) {
      const c = this.functions.get(child);
      if (!c) throw new Error(`internal: no function ${child}`);
      if (sources.has(parent)) {
        const input = { id: `replay-${channel}-${parent}`, fq: child, ring: createRing(this.options.linkSize ?? DEFAULT_RING_CAPACITY) };
        entries.push({ source: parent, child: c, input });
        this.replayInputs.set(input.id, input);
      } else {
        const l = this.links.get(`${parent}->${child}`);
        if (!l) throw new Error(`internal: no link ${parent} -> ${child}`);
        l.replays.add(channel);
        hops.push(l);
      }
    }
    // Each function on the path drops its channel state once every source upstream of it has ended.
    const upstream = (fq: string, seen = new Set<string>()): Set<string> => {
      const found = new Set<string>();
      for (const [parent, child] of links) {
        if (child !== fq || seen.has(parent)) continue;
        if (sources.has(parent)) found.add(parent);
        else for (const s of upstream(parent, new Set([...seen, fq]))) found.add(s);
      }
      return found;
    };
    const onPath = [...new Set(links.map(([, child]) => child))].map((fq) => this.functions.get(fq)!);
    for (const f of onPath) this.send(f, { kind: "replay", channel, sources: upstream(f.fq).size });
    const { fields, columns } = clientView(this.functions.get(target)!.fn);
    const client: Client = {
      id: `replay-client-${channel}`,
      fq: target,
      ring: createRing(this.options.linkSize ?? DEFAULT_RING_CAPACITY),
      columns,
      channels: [channel],
      cancelled: false,
    };
    this.clients.set(client.id, client);
    this.reconcile();
    // Live traffic keeps room (§6.4): a replayer waits while a ring it feeds, or a live link the replay goes
    // through, is more than half full.
    const sharedRings = [...entries.map((e) => e.input.ring), ...hops.map((l) => l.ring)];
    const crowded = () => sharedRings.some((ring) => ringUsedBytes(ring) * 2 > ring.byteLength);
    try {
      const reading = this.readClient(client, fields, onRows, over, { sources: sources.size, progressed });
      const replayers = [...sources].map(async ([source, batches]) => {
        const src = this.functions.get(source)!;
        const names = src.fn.output.map((o) => o.name);
        const targets = entries
          .filter((e) => e.source === source)
          .map((e) => ({ writer: new RingWriter(e.input.ring), columns: e.child.fn.input.map((i) => names.indexOf(i.name)) }));
        for await (const batch of batches) {
          while (crowded() && !over()) await sleep(REPLAY_POLL_MS);
          if (over()) break;
          for (const t of targets) await writeBatchAsync(t.writer, channel, batch, { columns: t.columns, shouldStop: over });
          progressed();
        }
        const marker = new TextEncoder().encode(source);
        for (const t of targets) await t.writer.writeAsync(channel, MessageKind.endOfReplay, [marker], { shouldStop: over });
      });
      await Promise.all(replayers);
      await reading;
    } finally {
      for (const l of hops) l.replays.delete(channel);
      for (const e of entries) this.replayInputs.delete(e.input.id);
      client.cancelled = true;
      this.clients.delete(client.id);
      this.reconcile();
      // Ended early (Ctrl-C, expiry), the workers never get every marker: their channel state goes now.
      for (const f of onPath) this.send(f, { kind: "dropReplay", channel });
    }
    if (expired() && !this.stopped && signal?.aborted !== true) {
      const error = RamenError.of("replayExpired", { fq: target, seconds: expiryMs / 1000 });
      this.options.log.warning(error.message);
      throw error;
    }
  }

  /**
   * Reads a client's ring, handing its rows to `onRows` (waiting while it
   * holds them back), until `over()` or, for a replay, until the end markers
   * of its `sources` came.
   */
  private async readClient(
    client: Client,
    fields: readonly RaqlField[],
    onRows: RowsSink,
    over: () => boolean,
    replay: { readonly sources: number; readonly progressed: () => void } = { sources: Infinity, progressed: () => {} },
  ): Promise<void> {
    const schema = arrowSchemaOf(fields);
    const reader = new RingReader(client.ring);
    const ended = new Set<string>();
    while (!over()) {
      const m = reader.peek();
      if (m === undefined) {
        await reader.waitAsync(100);
        continue;
      }
      if (m.kind === MessageKind.endOfReplay) {
        // A marker may come several times, along several paths: sources are counted once.
        ended.add(Buffer.from(m.payload).toString("utf8"));
        reader.release();
        replay.progressed();
        if (ended.size >= replay.sources) return;
        continue;
      }
      const batch = readBatch(m, schema);
      reader.release();
      const r = new BatchReader(batch, fields);
      const rows: Value[][] = [];
      for (let i = 0; i < r.numRows; i++) rows.push(r.row(i));
      const held = onRows(rows);
      if (held instanceof Promise && !(await settledOrOver(held, over))) return;
      replay.progressed();
    }
  }

  /** The covered ranges of a function's archive ([] when it has none). */
  private coverage(fq: string): ArchiveRange[] {
    const dir = this.archiveDirOf(fq);
    // A growing range (the current file of a running function) reaches now (§6.2).
    return dir !== undefined && existsSync(dir) ? archiveCoverage(dir).map((r): ArchiveRange => (r[2] ? [r[0], Infinity, true] : r)) : [];
  }

  /**
   * The output of `fq` over [since, until) (archival.md §6): read from its
   * own archive, or rebuilt by replaying the archives of the cheapest set of
   * ancestors through the live workers. Rows (public fields, #start, #stop)
   * go to `onRows` in archive order; a partial coverage is said to
   * `onWarning`. RamenError when nothing covers the range.
   */
  async history(
    fq: string,
    since: number,
    until: number,
    onRows: RowsSink,
    options: {
      readonly beforeSeq?: bigint;
      /**
       * Past then live, when the past is replayed through ancestors (archival.md §6.7 step 3): the
       * #start of the first live row the client holds; replayed rows from then on are left to live.
       */
      readonly liveStart?: () => Promise<number>;
      readonly onWarning?: (message: string) => void;
      readonly signal?: AbortSignal;
    } = {},
  ): Promise<void> {
    const { beforeSeq, onWarning, signal } = options;
    const f = this.functions.get(fq);
    if (!f) throw RamenError.of("unknownWorker", { fq, hint: "" });
    // The cheapest way (§6.2): the function's own archive, else archived ancestors replayed through the live workers.
    const graph = {
      parents: (x: string) => [...new Set([...this.links.values()].filter((l) => l.child === x).map((l) => l.parent))],
      coverage: (x: string) => this.coverage(x),
      bestAfter: (x: string) => this.bestAfterOf(x),
    };
    // An unbounded end (past then live) plans up to now: the archives reach no further.
    const plan = planReplay(graph, fq, since, Math.min(until, Date.now() / 1000));
    if (!plan) throw this.noArchive(fq, since, until);
    if (plan.sources.size === 1 && plan.sources.has(fq)) {
      const { columns } = clientView(f.fn);
      for (const b of readArchive(this.archiveDirOf(fq)!, { since, until, ...(beforeSeq !== undefined ? { beforeSeq } : {}) })) {
        if (signal?.aborted) return;
        await onRows(rowsOf(b, columns));
      }
      return;
    }
    // Data starting after `since` or ending before `until` is just what there is (`--since 0` is common); holes
    // between archived ranges are worth a word.
    if (plan.covered.length > 1) {
      const ranges = plan.covered.map(([a, b]) => `[${formatDate(a)}..${formatDate(b)}]`).join(", ");
      onWarning?.(diag("archiveGaps", { percent: Math.floor(plan.coverage * 100), ranges }).message);
    }
    const from = plan.covered[0]![0];
    const sources = new Map<string, AsyncIterable<RecordBatch>>();
    for (const source of plan.sources) {
      const fn = this.functions.get(source)!.fn;
      const all = [...fn.output.map((_, k) => k), fn.output.length, fn.output.length + 1];
      const dir = this.archiveDirOf(source)!;
      // Only the selected rows of each archived batch go into the replay.
      sources.set(
        source,
        (async function* () {
          for (const b of readArchive(dir, { since: from, until })) {
            if (b.selection === null) yield b.batch;
            else yield* batchesOfRows([...fn.output, START_FIELD, STOP_FIELD], rowsOf(b, all));
          }
        })(),
      );
    }
    const links = [...plan.links].map((k) => k.split("\u0000") as [string, string]);
    // Without event time, the past is every replayed row, then live (§6.7 step 4).
    const liveStart = f.fn.eventTime && options.liveStart ? await options.liveStart() : Infinity;
    if (signal?.aborted) return;
    // Rebuilt rows with an event time of their own are selected by it too (archival.md §2.3).
    const inRange = (r: Value[]) => {
      if (!f.fn.eventTime) return true;
      const start = r[r.length - 2] as number;
      return (r[r.length - 1] as number) >= since && start < until && start < liveStart;
    };
    return this.runReplay(sources, links, fq, (rows) => onRows(rows.filter(inRange)), signal);
  }

  /** BEST AFTER of a function, in seconds (a constant or a parameter). */
  private bestAfterOf(fq: string): number {
    const f = this.functions.get(fq);
    const d = f?.fn.bestAfter;
    return f && d ? (durationSeconds(d, f.program.params) ?? 0) : 0;
  }

  /** The error when nothing covers the range, listing the coverage of the archived ancestors. */
  private noArchive(fq: string, since: number, until: number): RamenError {
    const seen = new Set<string>();
    const visit = (x: string) => {
      for (const l of this.links.values()) {
        if (l.child !== x || seen.has(l.parent)) continue;
        seen.add(l.parent);
        visit(l.parent);
      }
    };
    visit(fq);
    const time = (t: number) => (Number.isFinite(t) ? formatDate(t) : "now");
    const ranges = (a: string) => `${a} ${this.coverage(a).map((r) => `[${time(r[0])}..${time(r[1])}]`).join(", ")}`;
    const ancestors = [...seen].filter((a) => this.coverage(a).length > 0).map(ranges);
    const own = this.coverage(fq).length > 0 ? [`archived: ${ranges(fq)}`] : [];
    const others = ancestors.length > 0 ? [`archived ancestors: ${ancestors.join(", ")}`] : [];
    return RamenError.of("noArchiveCovers", {
      fq,
      since: time(since),
      until: time(until),
      archived: [...own, ...others].join("; ") || "none is archived",
    });
  }

  // ---- ps and statistics ------------------------------------------------------------------------------

  /** One record per function matching the glob: what `ramen ps` shows. */
  ps(pattern = "*", showAll = false): PsRecord[] {
    const re = globToRegExp(pattern);
    const broken: PsRecord[] = showAll
      ? [...this.broken].filter(([program]) => re.test(`${program}/`)).map(([program, b]) => ({ fq: `${program}/`, state: "disabled", broken: b.status }))
      : [];
    const running: PsRecord[] = [...this.functions.values()]
      .filter((f) => re.test(f.fq))
      .map((f) => ({
        fq: f.fq,
        state: f.state,
        stats: f.control.record(),
        startupTime: f.firstStartup,
        parents: [...this.links.values()].filter((l) => l.child === f.fq).length,
        children: [...this.links.values()].filter((l) => l.parent === f.fq).length,
        workerSignature: `${f.program.entry.signature}:${JSON.stringify(f.program.entry.params)}`,
        precompSignature: f.program.entry.signature,
        lastExit: f.lastExit,
      }));
    return [...running, ...broken];
  }

  private saveStatsOf(f: FunctionRun): void {
    if (Number.isNaN(f.firstStartup)) return;
    const s = f.control.record();
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    writeAtomic(
      statsFile(this.options.stateDir, f.fq),
      JSON.stringify({
        stats_time: Date.now() / 1000,
        first_startup: f.firstStartup,
        last_startup: f.startedAt,
        min_etime: finite(s.minEventTime),
        max_etime: finite(s.maxEventTime),
        tot_in_tuples: s.inTuples,
        tot_sel_tuples: s.selected,
        tot_out_tuples: s.outTuples,
        tot_in_bytes: s.bytesIn,
        tot_out_bytes: s.bytesOut,
        tot_full_bytes: s.fullBytes,
        tot_full_bytes_samples: s.fullRows,
        tot_cpu: s.cpu,
        tot_cpu_replay: s.cpuReplay,
        cur_ram: s.heap,
        max_ram: s.maxHeap,
        tot_wait_in: s.waitIn,
        tot_wait_out: s.waitOut,
        tot_errors: s.errors,
        cur_groups: s.groups,
        max_groups: s.maxGroups,
      }) + "\n",
    );
  }

  /** Saves the statistics of the functions whose report period has passed (§1.7). */
  private saveStats(): void {
    const now = Date.now() / 1000;
    for (const f of this.functions.values()) {
      if (f.task === undefined || now - f.lastReport < f.program.entry.report_period) continue;
      f.lastReport = now;
      this.saveStatsOf(f);
    }
  }

  /** Stops every function; the running configuration stays as it is. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    const fns = [...this.functions.values()];
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const c of this.clients.values()) c.cancelled = true;
    await Promise.all(fns.map((f) => this.stopFunction(f)));
    for (const f of fns) this.saveStatsOf(f);
    await this.alerter.idle();
    await this.pool.destroy();
  }
}

/**
 * What clients (tails, probes, replays) receive of a function: its public
 * fields, then #start and #stop, and where they are in its output batches.
 */
function clientView(fn: FunctionIR): { fields: RaqlField[]; columns: number[] } {
  const outputs = fn.output.map((o, k) => ({ o, k })).filter(({ o }) => !o.private);
  return {
    fields: [...outputs.map(({ o }) => ({ name: o.name, type: o.type })), START_FIELD, STOP_FIELD],
    columns: [...outputs.map(({ k }) => k), fn.output.length, fn.output.length + 1],
  };
}

/** The selected rows of an archived batch, restricted to `columns`. */
function rowsOf(b: Pick<ArchivedBatch, "batch" | "selection">, columns: readonly number[]): Value[][] {
  const reader = new BatchReader(b.batch);
  const rows: Value[][] = [];
  const take = (i: number) => rows.push(columns.map((c) => reader.column(c).get(i)));
  if (b.selection === null) for (let i = 0; i < b.batch.numRows; i++) take(i);
  else for (const i of b.selection) take(i);
  return rows;
}

export type PsRecord =
  | {
      readonly fq: string;
      readonly state: FunctionState;
      readonly stats: StatRecord;
      readonly startupTime: number;
      readonly parents: number;
      readonly children: number;
      readonly workerSignature: string;
      readonly precompSignature: string;
      readonly lastExit: { time: number; status: string } | undefined;
      readonly broken?: undefined;
    }
  /** a program of the running configuration that cannot run (`ps --show-all`) */
  | { readonly fq: string; readonly state: "disabled"; readonly broken: string };
