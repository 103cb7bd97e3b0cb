// The ring buffer between two threads: a worker_threads Worker on one side
// (running the built dist/ files: `npm run build` comes before the tests),
// the test's thread on the other.

import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { RingReader, RingWriter, createRing } from "../../../runtime/ring/ring.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const RING_JS = path.join(REPO, "dist/runtime/ring/ring.js");

/**
 * A worker running `body` with `ring` (the module ring.ts built), `workerData`
 * and `parentPort` in scope. Resolves with the worker's first posted message;
 * rejects if it fails or exits without one.
 */
function runWorker<T>(body: string, workerData: unknown): { done: Promise<T>; failed: () => unknown } {
  if (!existsSync(RING_JS)) throw new Error(`${RING_JS} is missing: run "npm run build" before these tests`);
  const code = `
    const { workerData, parentPort } = require("node:worker_threads");
    import(${JSON.stringify(pathToFileURL(RING_JS).href)}).then((ring) => { ${body} });`;
  const worker = new Worker(code, { eval: true, workerData });
  let failure: unknown;
  let replied = false;
  const done = new Promise<T>((resolve, reject) => {
    worker.once("message", (m: T) => {
      replied = true;
      resolve(m);
    });
    worker.once("error", (e) => reject((failure = e)));
    worker.once("exit", (code) => {
      if (!replied) reject((failure ??= new Error(`worker exited with code ${code} before replying`)));
    });
  });
  return { done, failed: () => failure };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The payload of message `seq`: the sequence number (u32, little endian) then a pattern of it.
// The workers' code writes the same bytes (PATTERN_JS).
const PATTERN_JS = "((seq * 131 + i * 7 + 1) & 0xff)";
function expectedByte(seq: number, i: number): number {
  return (seq * 131 + i * 7 + 1) & 0xff;
}

function checkPayload(seq: number, payload: Uint8Array, length: number): string | undefined {
  if (payload.byteLength !== length) return `message ${seq}: ${payload.byteLength} bytes instead of ${length}`;
  const got = payload[0]! | (payload[1]! << 8) | (payload[2]! << 16) | (payload[3]! * 2 ** 24);
  if (got !== seq) return `message ${got} instead of ${seq}`;
  for (let i = 4; i < length; i++) if (payload[i] !== expectedByte(seq, i)) return `message ${seq}: byte ${i} is ${payload[i]}`;
  return undefined;
}

// Writes messages 0..lengths.length-1, each in 1 to 3 parts, with blocking writes, then closes.
const PRODUCER = `
  const { sab, lengths } = workerData;
  const writer = new ring.RingWriter(sab);
  for (let seq = 0; seq < lengths.length; seq++) {
    const length = lengths[seq];
    const bytes = new Uint8Array(length);
    new DataView(bytes.buffer).setUint32(0, seq, true);
    for (let i = 4; i < length; i++) bytes[i] = ${PATTERN_JS};
    const cut1 = seq % 3 === 0 ? length : (length / 3) | 0;
    const cut2 = seq % 3 === 2 ? (length / 2) | 0 : cut1;
    const parts = [bytes.subarray(0, cut1), bytes.subarray(cut1, Math.max(cut1, cut2)), bytes.subarray(Math.max(cut1, cut2))];
    if (!writer.write(seq & 0xffff, seq & 1, parts)) throw new Error("write gave up");
  }
  writer.close();
  parentPort.postMessage({ waitedMs: writer.waitedMs });`;

/** Lengths of 4 bytes (the sequence number) to `max`, from a fixed-seed LCG. */
function randomLengths(count: number, max: number): Int32Array {
  const lengths = new Int32Array(count);
  let seed = 20240531;
  for (let i = 0; i < count; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    lengths[i] = 4 + (seed % (max - 3));
  }
  return lengths;
}

describe("ring buffer between threads", () => {
  it("delivers 100k messages of random sizes from a worker in order, without loss or duplicate", async () => {
    const lengths = randomLengths(100_000, 2000);
    // 16 KiB: many wrap-arounds, and a writer often blocked on a full ring.
    const sab = createRing(16 * 1024);
    const reader = new RingReader(sab);
    const producer = runWorker<{ waitedMs: number }>(PRODUCER, { sab, lengths });
    let seq = 0;
    let bytes = 0;
    for (;;) {
      const m = reader.peek();
      if (m === undefined) {
        if (producer.failed() !== undefined) throw producer.failed();
        if ((await reader.waitAsync(1000)) === "closed") break;
        continue;
      }
      if (seq >= lengths.length) expect.fail(`message ${seq} was never written`);
      const problem = checkPayload(seq, m.payload, lengths[seq]!) ?? (m.channel !== (seq & 0xffff) || m.kind !== (seq & 1) ? `message ${seq}: channel ${m.channel}, kind ${m.kind}` : undefined);
      if (problem !== undefined) expect.fail(problem);
      bytes += 8 + Math.ceil(m.payload.byteLength / 8) * 8;
      reader.release();
      seq++;
    }
    expect(seq).toBe(lengths.length);
    expect(reader.isClosed).toBe(true);
    // Every byte went through the ring several times over: it wrapped around.
    expect(bytes).toBeGreaterThan(100 * 16 * 1024);
    await producer.done;
  }, 20_000);

  it("blocks a worker's writes on a slow reader, drops nothing, and counts the time blocked", async () => {
    const count = 150;
    const lengths = new Int32Array(count).fill(400); // 408 bytes each: 10 fit in 4 KiB
    const sab = createRing(4096);
    const reader = new RingReader(sab);
    const producer = runWorker<{ waitedMs: number }>(PRODUCER, { sab, lengths });
    let seq = 0;
    let maxUsed = 0;
    const start = performance.now();
    for (;;) {
      if (reader.peek() === undefined) {
        if (producer.failed() !== undefined) throw producer.failed();
        if ((await reader.waitAsync(1000)) === "closed") break;
        continue;
      }
      maxUsed = Math.max(maxUsed, reader.usedBytes);
      await sleep(2);
      const problem = checkPayload(seq, reader.peek()!.payload, 400);
      if (problem !== undefined) expect.fail(problem);
      reader.release();
      seq++;
    }
    const elapsed = performance.now() - start;
    expect(seq).toBe(count);
    // The writer filled the ring (a blocked writer is woken once a quarter of it is free again).
    expect(maxUsed).toBeGreaterThan(4096 / 2);
    const { waitedMs } = await producer.done;
    // The writer was ahead by 10 messages at most, so it blocked; how long depends on the machine's load.
    expect(waitedMs).toBeGreaterThan(0);
    expect(waitedMs).toBeLessThan(elapsed);
  }, 20_000);

  it("blocks the main thread's async writes on a slow reader in a worker that waits with Atomics.wait", async () => {
    const count = 100;
    const sab = createRing(2048);
    const writer = new RingWriter(sab);
    const consumer = runWorker<{ received: number; problems: string[]; closed: boolean }>(
      `const reader = new ring.RingReader(workerData.sab);
       const sleep = new Int32Array(new SharedArrayBuffer(4));
       const problems = [];
       let received = 0;
       for (;;) {
         const state = reader.wait(5000);
         if (state !== "ready") { parentPort.postMessage({ received, problems, closed: state === "closed" }); break; }
         const m = reader.peek();
         if (m.payload.length !== 300 || m.payload[0] !== (received & 0xff) || m.payload[299] !== (received & 0xff) || m.channel !== received)
           problems.push("message " + received + " wrong");
         Atomics.wait(sleep, 0, 0, 2);
         reader.release();
         received++;
       }`,
      { sab },
    );
    for (let seq = 0; seq < count; seq++) {
      expect(await writer.writeAsync(seq, 0, [new Uint8Array(300).fill(seq & 0xff)], { timeoutMs: 5000 })).toBe(true);
    }
    writer.close();
    expect(await consumer.done).toEqual({ received: count, problems: [], closed: true });
    expect(writer.waitedMs).toBeGreaterThan(50);
  }, 20_000);

  it("wakes a reader blocked in a worker when the writer closes the ring", async () => {
    const sab = createRing(1024);
    const started = new Int32Array(new SharedArrayBuffer(4));
    const waiter = runWorker<{ state: string; ms: number }>(
      `const reader = new ring.RingReader(workerData.sab);
       Atomics.store(workerData.started, 0, 1);
       Atomics.notify(workerData.started, 0);
       const start = performance.now();
       const state = reader.wait(10000);
       parentPort.postMessage({ state, ms: performance.now() - start });`,
      { sab, started },
    );
    while (Atomics.load(started, 0) === 0) await sleep(5);
    await sleep(100);
    new RingWriter(sab).close();
    const { state, ms } = await waiter.done;
    expect(state).toBe("closed");
    expect(ms).toBeGreaterThanOrEqual(50);
    expect(ms).toBeLessThan(5000);
  });
});
