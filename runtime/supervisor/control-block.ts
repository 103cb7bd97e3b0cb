// The shared control block of one running function (cli-runtime.md §1.2,
// §1.7): a SharedArrayBuffer the supervisor and the function's task both
// see. Int32 flags first (stop request, crash request, the task's thread id),
// then the task's statistics as float64s, published by the task every second
// and when it stops, read by the supervisor at any time without a message.

import type { TaskStats } from "../engine/api.js";

const FLAGS = 16;
const FLAG_BYTES = FLAGS * 4;

/** Int32 indices of the flags. */
export const Flag = {
  /** set by the supervisor: finish the current batch and return */
  stop: 0,
  /** set by the supervisor (tests) to a CrashStage: throw there while handling the next input message, as a crashing function would */
  crash: 1,
  /** the worker thread running the task (worker_threads.threadId), 0 before it starts */
  threadId: 2,
} as const;

/** Where a requested crash strikes (tests of restarts). */
export const CrashStage = {
  /** the message read, its output not written yet */
  beforeOutput: 1,
  /** its output written, the message not released: what a thread killed at that instant leaves */
  afterOutput: 2,
} as const;
export type CrashStage = (typeof CrashStage)[keyof typeof CrashStage];

/** The statistics in the block, in order (TaskStats plus what only the task loop knows). */
export const STAT_NAMES = [
  "inTuples",
  "selected",
  "filtered",
  "outTuples",
  "errors",
  "groups",
  "maxGroups",
  "minEventTime",
  "maxEventTime",
  /** CPU seconds of the task's thread on live data, and on replays (archival.md §6.5) */
  "cpu",
  "cpuReplay",
  /** seconds waiting for input, and blocked on full outputs */
  "waitIn",
  "waitOut",
  /** bytes of Arrow messages read and written */
  "bytesIn",
  "bytesOut",
  /** bytes of the full output batches (every field, #start, #stop) and their rows: the archive size of the output (archival.md §3.1) */
  "fullBytes",
  "fullRows",
  /** UNIX times of the first input and the last output (NaN: none yet) */
  "firstInput",
  "lastOutput",
  /** heap in use and its maximum, bytes */
  "heap",
  "maxHeap",
] as const;

export type StatName = (typeof STAT_NAMES)[number];
export type StatRecord = Record<StatName, number>;

const STAT_INDEX = Object.fromEntries(STAT_NAMES.map((n, i) => [n, i])) as Record<StatName, number>;

export function createControlBlock(): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(FLAG_BYTES + STAT_NAMES.length * 8);
  const stats = new Float64Array(sab, FLAG_BYTES);
  for (const n of ["minEventTime", "maxEventTime", "firstInput", "lastOutput"] as const) stats[STAT_INDEX[n]] = NaN;
  return sab;
}

export class ControlBlock {
  readonly flags: Int32Array;
  private readonly stats: Float64Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.flags = new Int32Array(sab, 0, FLAGS);
    this.stats = new Float64Array(sab, FLAG_BYTES, STAT_NAMES.length);
  }

  get stopRequested(): boolean {
    return Atomics.load(this.flags, Flag.stop) !== 0;
  }

  requestStop(): void {
    Atomics.store(this.flags, Flag.stop, 1);
    Atomics.notify(this.flags, Flag.stop);
  }

  /** Clears the requests before a (re)start; statistics go on adding up across restarts. */
  resetFlags(): void {
    Atomics.store(this.flags, Flag.stop, 0);
    Atomics.store(this.flags, Flag.crash, 0);
    Atomics.store(this.flags, Flag.threadId, 0);
  }

  /** Sleeps up to `ms` milliseconds, waking at once on a stop request. */
  sleep(ms: number): void {
    if (ms > 0) Atomics.wait(this.flags, Flag.stop, 0, ms);
  }

  get(name: StatName): number {
    return this.stats[STAT_INDEX[name]]!;
  }

  set(name: StatName, value: number): void {
    this.stats[STAT_INDEX[name]] = value;
  }

  record(): StatRecord {
    return Object.fromEntries(STAT_NAMES.map((n, i) => [n, this.stats[i]!])) as StatRecord;
  }

  /**
   * Publishes the counters of a task instance: `base` holds what earlier runs
   * of the function counted (counters continue across restarts, §1.7).
   */
  publish(base: StatRecord, task: TaskStats, extra: Pick<StatRecord, "cpu" | "cpuReplay" | "waitIn" | "waitOut" | "bytesIn" | "bytesOut" | "fullBytes" | "fullRows" | "firstInput" | "lastOutput">): void {
    const sum = (n: StatName, v: number) => this.set(n, base[n] + v);
    sum("inTuples", task.inTuples);
    sum("selected", task.selected);
    sum("filtered", task.filtered);
    sum("outTuples", task.outTuples);
    sum("errors", task.errors);
    this.set("groups", task.groups);
    this.set("maxGroups", Math.max(base.maxGroups, task.maxGroups));
    this.set("minEventTime", minDefined(base.minEventTime, task.minEventTime));
    this.set("maxEventTime", maxDefined(base.maxEventTime, task.maxEventTime));
    sum("cpu", extra.cpu);
    sum("cpuReplay", extra.cpuReplay);
    sum("waitIn", extra.waitIn);
    sum("waitOut", extra.waitOut);
    sum("bytesIn", extra.bytesIn);
    sum("bytesOut", extra.bytesOut);
    sum("fullBytes", extra.fullBytes);
    sum("fullRows", extra.fullRows);
    this.set("firstInput", minDefined(base.firstInput, extra.firstInput));
    this.set("lastOutput", maxDefined(base.lastOutput, extra.lastOutput));
    const heap = process.memoryUsage().heapUsed;
    this.set("heap", heap);
    this.set("maxHeap", Math.max(this.get("maxHeap"), heap));
  }
}

function minDefined(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b);
}

function maxDefined(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
}
