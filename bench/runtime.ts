// The runtime end to end (issue 6): tuples per second through chains of
// functions running as the supervisor runs them — each function a piscina
// task of runtime/supervisor/worker.ts on its own thread, linked by ring
// buffers of Arrow batches — next to the same generated functions called in
// one thread without rings (FunctionRunner.onBatch, each runner's output
// handed straight to the next runner; that thread a fresh worker too, see
// OneThreadChain), over the same input batches:
//  (a) source → WHERE x > 0.5 SELECT k, x * 2 + y;
//  (b) source → that filter (keeping seq) → GROUP BY k and windows of 10k
//      seq with SUM/COUNT, every group committed when the next window starts.
// And (c) the time of the whole `ramen ps` process against a daemon running
// 100 idle functions, next to `ramen --version` (node start-up and the CLI's
// imports).
//
// What the threaded figure measures. A READ source would bound it by the CSV
// reader (~1–2M lines/s, bench/generated.ts (c)), and a function without
// FROM emits one tuple per tick; so this harness plays the parent of the
// first function and the child of the last one itself, on the main thread,
// and does as little as a cheap neighbour would: it copies the input batches,
// Arrow-encoded once beforehand (the parent's work), into the first ring, and
// releases the last ring's batches unread (decoding them is the child's
// work). What the functions do is all counted: each decodes the batches it
// reads (readBatch) and encodes those it writes, as in a deployment. Between
// the two ends they are real tasks started as Supervisor.startFunction starts
// them (same TaskSpec, same pool options, links carrying the columns the child
// reads), only without the supervisor's bookkeeping, which is not on the path
// of tuples. The main thread blocks as a function's thread does (Atomics.wait,
// no event loop in between). A pass is timed from the first write to the
// moment every ring is empty: functions release an input message only after
// writing its output, so rings found empty in chain order mean every tuple
// went all the way. The tasks keep running between passes, so that, like the
// one-thread side, the timed passes run JIT-compiled code; the first pass
// warms up and is checked: the last function's output, decoded, must be the
// one-thread chain's, value for value, and every later pass must output as
// many batches and bytes.
//
// The threaded side has the cores to itself only as much as the machine
// allows (the main thread plus one thread per function): on a shared 2-core
// machine its figure moves with the neighbours more than the one-thread one.
// Figures are for reading, never asserted.

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { once } from "node:events";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { Data, RecordBatch, Schema } from "apache-arrow";
import { Piscina } from "piscina";
import { checkProgram, type FunctionIR } from "../compiler/index.js";
import { generateModule } from "../compiler/codegen/module.js";
import { SourceFile } from "../grammar/source.js";
import { arrowSchemaOf } from "../runtime/arrow/schema.js";
import { FunctionRunner } from "../runtime/engine/runner.js";
import { loadProgramModule } from "../runtime/engine/load.js";
import type { ProgramModule } from "../runtime/engine/api.js";
import { encodeBatch } from "../runtime/arrow/ipc.js";
import { DEFAULT_RING_CAPACITY, MessageKind, RingReader, RingWriter, createRing, readBatch } from "../runtime/ring/index.js";
import { ControlBlock, Flag, createControlBlock } from "../runtime/supervisor/control-block.js";
import { storeProgram } from "../runtime/supervisor/state.js";
import type { FromWorker, TaskSpec } from "../runtime/supervisor/worker.js";
import { BENCH_HOST, KEYS, WINDOW, chainInputBatches } from "./common.js";

export interface ChainBenchResult {
  readonly name: string;
  /** source tuples per second through the functions on worker threads and rings */
  readonly tuplesPerSec: number;
  /** the same functions called in one thread */
  readonly baselineTuplesPerSec: number;
  /** issue 6's goal for the threaded figure, tuples per second (undefined: only the overhead goal) */
  readonly goal?: number;
}

export interface PsBenchResult {
  readonly functions: number;
  /** wall-clock milliseconds of the whole `ramen ps` process, best of a few */
  readonly psMs: number;
  /** the same for `ramen --version` */
  readonly versionMs: number;
}

const TUPLES = 1_000_000;
const TIMED_RUNS = 5;
const IDLE_FUNCTIONS = 100;
const MAIN = new URL("../cli/main.js", import.meta.url).pathname;
/** The "heap" column of `ramen ps` lines (cli-runtime.md §6.4), from 0. */
const PS_HEAP_COLUMN = 16;

/** `src` only gives the chains their input fields: the harness writes into its children's rings. */
const PROGRAM = `
DEFINE src AS READ FROM FILE "/dev/null" AS CSV (seq u32, k u32, x float, y float);
DEFINE f AS FROM src WHERE x > 0.5 SELECT k, x * 2 + y AS z;
DEFINE filtered AS FROM src WHERE x > 0.5 SELECT seq, k, x * 2 + y AS z;
DEFINE g AS FROM filtered SELECT k, seq // ${WINDOW} AS win, SUM z AS s, COUNT z AS n
  GROUP BY k, seq // ${WINDOW} COMMIT AFTER in.seq >= (out.win + 1) * ${WINDOW};
`;

/** The columns of `parent`'s output batches a link to `child` carries: the child's input fields, in order (as the supervisor links them). */
function linkColumns(parent: FunctionIR, child: FunctionIR): number[] {
  const names = parent.output.map((o) => o.name);
  return child.input.map((i) => {
    const k = names.indexOf(i.name);
    if (k < 0) throw new Error(`internal: ${parent.name} has no field ${i.name} for ${child.name}`);
    return k;
  });
}

/** The columns the harness's sink reads from the last function: all its output fields, no event times. */
function sinkColumns(last: FunctionIR): number[] {
  return last.output.map((_, k) => k);
}

/** What the last function of a chain output: rows counted, and the column values kept when checking. */
class Collected {
  rows = 0;
  readonly columns: number[][];
  constructor(
    fieldCount: number,
    private readonly keep: boolean,
  ) {
    this.columns = Array.from({ length: fieldCount }, () => []);
  }
  add(batch: RecordBatch): void {
    this.rows += batch.numRows;
    if (!this.keep) return;
    // Decoded buffers are padded to 8 bytes: a column may hold more values than the batch has rows.
    this.columns.forEach((column, c) => {
      const values = (batch.data.children[c] as Data).values as ArrayLike<number>;
      for (let i = 0; i < batch.numRows; i++) column.push(values[i]!);
    });
  }
}

/** Throws unless both sides output the same rows in the same order (same code over the same input: same order). */
function checkSameOutput(name: string, threaded: Collected, oneThread: { readonly rows: number; readonly columns: readonly number[][] }): void {
  if (oneThread.rows === 0 || threaded.rows !== oneThread.rows) throw new Error(`bench ${name}: ${threaded.rows} rows through rings, ${oneThread.rows} in one thread`);
  oneThread.columns.forEach((expected, c) => {
    const actual = threaded.columns[c]!;
    for (let i = 0; i < expected.length; i++) {
      if (!Object.is(actual[i], expected[i])) throw new Error(`bench ${name}: row ${i} column ${c} is ${actual[i]} through rings, ${expected[i]} in one thread`);
    }
  });
}

// ---- one thread --------------------------------------------------------------------------------

/** The chain's functions as FunctionRunners calling one another; the last one's output goes to `out`. */
function runOneThread(module: ProgramModule, chain: readonly FunctionIR[], batches: readonly RecordBatch[], out: Collected): void {
  const runners = chain.map((fn) => new FunctionRunner(`bench/${fn.name}`, fn, module.functions[fn.name]!, {}, BENCH_HOST));
  runners.forEach((runner, i) => {
    const child = runners[i + 1];
    if (child) runner.outputs.push({ columns: linkColumns(chain[i]!, chain[i + 1]!), deliver: (b) => child.onBatch(b) });
    else runner.outputs.push({ columns: sinkColumns(chain[i]!), deliver: (b) => out.add(b) });
  });
  const first = runners[0]!;
  for (const b of batches) first.onBatch(b);
}

/** What the one-thread side's worker needs: it builds the same input batches from the same seed. */
interface OneThreadSetup {
  readonly moduleText: string;
  readonly chain: readonly FunctionIR[];
  readonly tuples: number;
}

type FromOneThread = { readonly kind: "checked"; readonly rows: number; readonly columns: number[][] } | { readonly kind: "timed"; readonly rows: number; readonly seconds: number };

/**
 * The one-thread side runs in a fresh worker thread, as each function of the
 * threaded side does: in the main thread, after the other benchmarks have fed
 * the same runtime code (builders, Arrow) other shapes, V8's type feedback
 * makes it 3–4 times slower, which is not what a function's thread sees.
 */
const ONE_THREAD_WORKER = `
  const { parentPort, workerData } = require("node:worker_threads");
  import(workerData.url).then((m) => m.serveOneThreadRuns(workerData.setup, parentPort));`;

/** In the one-thread worker: one checked run, then one timed run per message received. */
export async function serveOneThreadRuns(setup: OneThreadSetup, port: MessagePort): Promise<void> {
  const module = await loadProgramModule(setup.moduleText);
  const batches = chainInputBatches(setup.chain[0]!, setup.tuples);
  const fieldCount = setup.chain[setup.chain.length - 1]!.output.length;
  const checked = new Collected(fieldCount, true);
  runOneThread(module, setup.chain, batches, checked);
  port.postMessage({ kind: "checked", rows: checked.rows, columns: checked.columns } satisfies FromOneThread);
  port.on("message", () => {
    const out = new Collected(fieldCount, false);
    const start = performance.now();
    runOneThread(module, setup.chain, batches, out);
    port.postMessage({ kind: "timed", rows: out.rows, seconds: (performance.now() - start) / 1000 } satisfies FromOneThread);
  });
}

class OneThreadChain {
  private readonly worker: Worker;
  /** listened for from the start: the worker may send it before anyone asks */
  private readonly checkedRun: Promise<Extract<FromOneThread, { kind: "checked" }>>;

  constructor(setup: OneThreadSetup) {
    this.worker = new Worker(ONE_THREAD_WORKER, { eval: true, workerData: { url: import.meta.url, setup } });
    this.checkedRun = this.next("checked");
    // Whoever awaits checked() sees a failure; until then it must not count as unhandled.
    this.checkedRun.catch(() => {});
  }

  /** The next message, which must be of `kind`; listened for at once, so call it before asking. */
  private async next<K extends FromOneThread["kind"]>(kind: K): Promise<Extract<FromOneThread, { kind: K }>> {
    // once() rejects when the worker throws.
    const [m] = (await once(this.worker, "message")) as [FromOneThread];
    if (m.kind !== kind) throw new Error(`internal: the one-thread worker sent ${m.kind}, not ${kind}`);
    return m as Extract<FromOneThread, { kind: K }>;
  }

  /** The output of the first (checked, warm-up) run. */
  checked(): Promise<Extract<FromOneThread, { kind: "checked" }>> {
    return this.checkedRun;
  }

  /** Seconds of one more run, and the rows it output. */
  timed(): Promise<{ seconds: number; rows: number }> {
    const reply = this.next("timed");
    this.worker.postMessage("run");
    return reply;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

// ---- worker threads and rings ------------------------------------------------------------------

interface RunningFunction {
  readonly fq: string;
  readonly control: ControlBlock;
  readonly port: MessagePort;
  readonly task: Promise<unknown>;
}

/** What came out of the last function in one pass. */
interface PassOutput {
  readonly messages: number;
  readonly bytes: number;
}

/** A pass that makes no progress for this long has lost a function (the main thread blocks: crashes are seen after). */
const STALL_MS = 10_000;

/**
 * The chain's functions running as supervisor tasks: ring 0 from the harness
 * to the first function, ring i from function i-1 to function i, and the
 * last ring from the last function to the harness.
 */
class ThreadedChain {
  private readonly rings: SharedArrayBuffer[];
  private readonly running: RunningFunction[];
  private readonly source: RingWriter;
  private readonly sink: RingReader;
  private readonly sinkSchema: Schema;
  /** views of the rings the functions read, only to see their fill level (never peeked or released here) */
  private readonly levels: RingReader[];
  /** the first error a function logged or threw: the pass that sees it fails */
  private failure: string | undefined;

  constructor(
    pool: Piscina,
    moduleFile: string,
    chain: readonly FunctionIR[],
    cwd: string,
  ) {
    this.rings = Array.from({ length: chain.length + 1 }, () => createRing(DEFAULT_RING_CAPACITY));
    const last = chain[chain.length - 1]!;
    this.sinkSchema = arrowSchemaOf(sinkColumns(last).map((k) => last.output[k]!));
    this.source = new RingWriter(this.rings[0]!);
    this.sink = new RingReader(this.rings[chain.length]!);
    this.levels = this.rings.slice(0, chain.length).map((ring) => new RingReader(ring));
    this.running = chain.map((fn, i) => {
      const fq = `bench/${fn.name}`;
      const control = new ControlBlock(createControlBlock());
      const { port1, port2 } = new MessageChannel();
      port1.on("message", (m: FromWorker) => {
        if (m.kind === "log" && (m.level === "error" || m.level === "warning")) this.failure ??= m.message;
      });
      const next = chain[i + 1];
      const spec: TaskSpec = {
        fq,
        moduleFile,
        fn,
        params: {},
        cwd,
        control: control.sab,
        port: port2,
        inputs: [{ id: `link-${i}`, ring: this.rings[i]! }],
        outputs: [{ id: `link-${i + 1}`, ring: this.rings[i + 1]!, columns: next ? linkColumns(fn, next) : sinkColumns(fn) }],
        baseStats: control.record(),
        debug: false,
      };
      const task = pool.run(spec, { transferList: [port2] });
      task.catch((e: unknown) => (this.failure ??= `${fq} crashed: ${String(e)}`));
      return { fq, control, port: port1, task };
    });
  }

  /** Resolves once every task has loaded its module and entered its loop. */
  async started(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (this.running.some((r) => Atomics.load(r.control.flags, Flag.threadId) === 0)) {
      await this.checkHealth();
      if (Date.now() > deadline) throw new Error("bench: the functions did not start within 60 s");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Throws what went wrong in a function, once the main thread has let its messages in. */
  async checkHealth(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failure !== undefined) throw new Error(`bench: ${this.failure}`);
  }

  /** Whether every tuple written so far went through the whole chain (see the file header). */
  private drained(): boolean {
    return this.levels.every((ring) => ring.usedBytes === 0);
  }

  /**
   * Seconds to push the encoded input batches through the chain. The main
   * thread blocks as a function's thread would (Atomics.wait, never the event
   * loop): it writes while the first ring has room, else empties the last one.
   * `decoded` receives the last function's batches (the checked pass); without
   * it they are released unread.
   */
  pass(messages: readonly Uint8Array[], decoded?: (batch: RecordBatch) => void): { seconds: number; output: PassOutput } {
    const start = performance.now();
    let next = 0;
    let outMessages = 0;
    let outBytes = 0;
    let lastProgress = start;
    for (;;) {
      let progressed = false;
      while (next < messages.length && this.source.tryWrite(0, MessageKind.batch, [messages[next]!])) {
        next++;
        progressed = true;
      }
      for (let m = this.sink.peek(); m !== undefined; m = this.sink.peek()) {
        outMessages++;
        outBytes += m.payload.byteLength;
        if (decoded) decoded(readBatch(m, this.sinkSchema));
        this.sink.release();
        progressed = true;
      }
      const now = performance.now();
      if (progressed) lastProgress = now;
      else if (now - lastProgress > STALL_MS) throw new Error(`bench: no progress for ${STALL_MS / 1000} s (a function crashed?)`);
      if (next === messages.length && !progressed && this.drained() && this.sink.peek() === undefined) break;
      if (!progressed) {
        // Short waits: either ring may be the one to move, and the end is seen within a millisecond.
        if (next < messages.length) {
          if (this.source.write(0, MessageKind.batch, [messages[next]!], { timeoutMs: 1 })) next++;
        } else this.sink.wait(1);
      }
    }
    return { seconds: (performance.now() - start) / 1000, output: { messages: outMessages, bytes: outBytes } };
  }

  async stop(): Promise<void> {
    for (const r of this.running) r.control.requestStop();
    await Promise.allSettled(this.running.map((r) => r.task));
    for (const r of this.running) r.port.close();
  }
}

// ---- (a), (b) ----------------------------------------------------------------------------------

function fnOf(fns: readonly FunctionIR[], name: string): FunctionIR {
  const fn = fns.find((f) => f.name === name);
  if (!fn) throw new Error(`internal: no function ${name} in the bench program`);
  return fn;
}

/** Input batches of `fn`'s input fields, from the same seeded values as bench/generated.ts. */
/** Source tuples per second both ways: the best of a few runs, the two sides alternated (the machine is shared). */
async function measureChain(
  name: string,
  chain: readonly FunctionIR[],
  tuples: number,
  moduleText: string,
  pool: Piscina,
  moduleFile: string,
  cwd: string,
): Promise<{ tuplesPerSec: number; baselineTuplesPerSec: number }> {
  // The parent's encoding is the parent's work, done once here: the source only copies bytes into the ring.
  const messages = chainInputBatches(chain[0]!, tuples).map(encodeBatch);
  const fieldCount = chain[chain.length - 1]!.output.length;
  const oneThread = new OneThreadChain({ moduleText, chain, tuples });
  const threaded = new ThreadedChain(pool, moduleFile, chain, cwd);
  try {
    await threaded.started();
    // The checked runs are also the JIT's warm-up runs.
    const oneThreadChecked = await oneThread.checked();
    const threadedChecked = new Collected(fieldCount, true);
    const first = threaded.pass(messages, (b) => threadedChecked.add(b));
    await threaded.checkHealth();
    checkSameOutput(name, threadedChecked, oneThreadChecked);

    let oneThreadBest = Infinity;
    let threadedBest = Infinity;
    for (let run = 0; run < TIMED_RUNS; run++) {
      const { seconds: oneThreadSeconds, rows } = await oneThread.timed();
      if (rows !== oneThreadChecked.rows) throw new Error(`bench ${name}: ${rows} rows in one thread, ${oneThreadChecked.rows} before`);
      oneThreadBest = Math.min(oneThreadBest, oneThreadSeconds);

      const { seconds, output } = threaded.pass(messages);
      await threaded.checkHealth();
      // Later passes start over at seq 0: a GROUP BY's last window is then never committed, so every pass outputs the same batches.
      if (output.messages !== first.output.messages || output.bytes !== first.output.bytes) {
        throw new Error(`bench ${name}: a later pass output ${output.messages} batches of ${output.bytes} bytes, the first ${first.output.messages} of ${first.output.bytes}`);
      }
      threadedBest = Math.min(threadedBest, seconds);
    }
    return { tuplesPerSec: tuples / threadedBest, baselineTuplesPerSec: tuples / oneThreadBest };
  } finally {
    await Promise.all([threaded.stop(), oneThread.stop()]);
  }
}

export async function benchChains(tuples = TUPLES): Promise<ChainBenchResult[]> {
  const { ir } = checkProgram({ source: new SourceFile("bench.ramen", PROGRAM), programName: "bench", resolveProgram: () => undefined });
  const moduleText = generateModule(ir);
  const fns = ir.functions;
  const cases = [
    { name: "(a) source -> WHERE x > 0.5 SELECT k, x * 2 + y", chain: [fnOf(fns, "f")], goal: 5e6 },
    { name: `(b) source -> filter -> GROUP BY ${KEYS / 1000}k keys, SUM/COUNT, commit every ${WINDOW / 1000}k`, chain: [fnOf(fns, "filtered"), fnOf(fns, "g")] },
  ];
  const dir = mkdtempSync(join(tmpdir(), "ramen-bench-"));
  // The supervisor's pool options, with one thread per function of the longest chain.
  const pool = new Piscina({
    filename: new URL("../runtime/supervisor/worker.js", import.meta.url).href,
    minThreads: 0,
    maxThreads: Math.max(...cases.map((c) => c.chain.length)),
    idleTimeout: 10_000,
    concurrentTasksPerWorker: 1,
    maxQueue: Infinity,
  });
  try {
    const { stored } = storeProgram(join(dir, "state"), "bench", ir, moduleText);
    const results: ChainBenchResult[] = [];
    for (const c of cases) {
      const rates = await measureChain(c.name, c.chain, tuples, moduleText, pool, stored.moduleFile, dir);
      results.push({ name: c.name, ...rates, ...(c.goal !== undefined ? { goal: c.goal } : {}) });
    }
    return results;
  } finally {
    await pool.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- (c) ramen ps --------------------------------------------------------------------------------

/** Milliseconds of the whole `ramen ARGS` process (node start-up included), the best of `runs`. */
function bestProcessMs(args: readonly string[], env: NodeJS.ProcessEnv, runs: number, check: (stdout: string) => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [MAIN, ...args], { env, encoding: "utf8", timeout: 60_000 });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`bench: ramen ${args.join(" ")} failed: ${r.stderr}`);
    check(r.stdout);
    best = Math.min(best, ms);
  }
  return best;
}

/** Polls `probe` every 200 ms until it gives a value. */
async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `ramen ps` against a daemon running `functions` idle functions (plus their source), next to `ramen --version`. */
export async function benchPs(functions = IDLE_FUNCTIONS, runs = 5): Promise<PsBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "ramen-bench-ps-"));
  const env = { ...process.env, RAMEN_DIR: join(dir, "state"), RAMEN_PATH: "" };
  const daemon = spawn(process.execPath, [MAIN, "supervisor", "--stdout"], { env, stdio: "ignore" });
  const exited = new Promise((resolve) => daemon.once("exit", resolve));
  try {
    mkdirSync(join(dir, "lib"));
    const program = join(dir, "lib", "idle.ramen");
    const defines = Array.from({ length: functions }, (_, i) => `DEFINE f${i} AS FROM src WHERE false SELECT x;`);
    // The source reads a file that never appears: it waits, and so do its children.
    writeFileSync(program, [`DEFINE src AS READ FROM FILE "${join(dir, "absent.csv")}" AS CSV (x u32);`, ...defines].join("\n") + "\n");
    const ps = (): string | undefined => {
      const r = spawnSync(process.execPath, [MAIN, "ps"], { env, encoding: "utf8", timeout: 60_000 });
      return r.status === 0 ? r.stdout : undefined;
    };
    await until("the supervisor", ps);
    const run = spawnSync(process.execPath, [MAIN, "run", program], { env, encoding: "utf8", timeout: 60_000 });
    if (run.status !== 0) throw new Error(`bench: ramen run failed: ${run.stderr}`);
    const lines = (out: string) => out.split("\n").filter((l) => l !== "");
    // Every task has published its statistics once (a heap size): all threads are up and idle in their loops.
    await until("every function's thread", () => {
      const out = ps();
      return out !== undefined && lines(out).length === functions + 1 && lines(out).every((l) => Number(l.split("\t")[PS_HEAP_COLUMN]) > 0) ? true : undefined;
    });
    const checkPs = (out: string) => {
      if (lines(out).length !== functions + 1) throw new Error(`bench: ramen ps listed ${lines(out).length} functions, not ${functions + 1}`);
    };
    return {
      functions,
      psMs: bestProcessMs(["ps"], env, runs, checkPs),
      versionMs: bestProcessMs(["--version"], env, runs, () => {}),
    };
  } finally {
    if (daemon.exitCode === null) daemon.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
