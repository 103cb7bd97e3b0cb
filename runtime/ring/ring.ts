// Links (cli-runtime.md §1.3): single-producer single-consumer ring buffers
// in a SharedArrayBuffer, carrying messages between two threads.
//
// Public API (one writer thread and one reader thread per ring):
//   createRing(capacityBytes): SharedArrayBuffer
//   new RingWriter(sab): tryWrite / write / writeAsync (channel, kind, payload) → boolean,
//     close(), waitedMs, payloadBytes, usedBytes, capacity
//   new RingReader(sab): peek(): RingMessage | undefined, release(), wait(ms) / waitAsync(ms)
//     → "ready" | "timeout" | "closed", isClosed, waitedMs, usedBytes, capacity,
//     note / noteEffect(effect, state): how far a reader got in handling the peeked message
// A payload is either a list of byte parts, written one after the other, or
// a PayloadWriter that writes itself straight into the ring (an Arrow
// EncodedMessage is one: see batches.ts).
//
// Layout. 128 bytes of Int32 counters, the write side's and the read side's
// on different cache lines, then `capacity` bytes of records. A record is an
// 8-byte header (u32 payload length, u16 channel, u8 kind, u8 zero) and the
// payload, padded to a multiple of 8 bytes, so that payloads start 8-aligned
// (Arrow buffers need it). A record is always contiguous: the reader hands
// out its payload as a view of the ring, without copying.
//
// Positions. WRITE_POS and READ_POS are in [0, 2·capacity): an offset in the
// data area plus `capacity` on odd laps. Equal positions mean empty; equal
// offsets on different laps mean full. When a record does not fit before the
// end of the data area, the writer starts the next lap at offset 0 and
// stores where the previous lap stopped in WRAP_AT (the skip marker, kept in
// the header rather than in the data area so that a record written at 0 in
// an empty ring may cover the old lap's end: any record smaller than the
// capacity fits once the ring is empty). A reader on the previous lap that
// reaches WRAP_AT continues at offset 0 of the writer's lap. The writer
// cannot start another lap before the reader has left the previous one, so
// one WRAP_AT is enough.
//
// Waiting. Each side has a "waiting" flag; a side that finds nothing to do
// raises its flag, checks again, then Atomics.wait()s on the flag while it
// is raised. The other side, after publishing its position, lowers the flag
// and notifies only when it finds it raised: without waiters a write is
// two atomic loads and a store (three with a wrap).

import { performance } from "node:perf_hooks";
import { RamenError } from "../../grammar/diagnostics.js";

/** What a record holds. Only these two kinds exist (archival.md §1.3). */
export const MessageKind = {
  /** One Arrow IPC record-batch message (batches.ts). */
  batch: 0,
  /** EndOfReplay{channel, replayerId} (archival.md §6.4); the channel is the record's. */
  endOfReplay: 1,
} as const;

/** See RingReader.note. */
export interface HandlingNote {
  readonly effect: number;
  readonly state: number;
}

/** Default capacity of a link (supervisor option --link-size). */
export const DEFAULT_RING_CAPACITY = 8 * 1024 * 1024;
/** Bytes of counters before the records. */
export const RING_HEADER_BYTES = 128;
/** Capacities are multiples of 8 in [MIN_RING_CAPACITY, MAX_RING_CAPACITY] (positions < 2·capacity fit an Int32). */
export const MIN_RING_CAPACITY = 64;
export const MAX_RING_CAPACITY = 2 ** 30;
/**
 * Bytes of a record's header: a payload of n bytes takes RECORD_HEADER_BYTES + n rounded up to 8 in
 * the ring, which must be less than the capacity (so that a record written at offset 0 of a new lap
 * never ends that lap too).
 */
export const RECORD_HEADER_BYTES = 8;

// Int32 indices of the counters. Written by the writer: WRITE_POS, WRAP_AT, CLOSED,
// WRITER_WAITING (raised); by the reader: READ_POS, READER_WAITING (raised), and its
// notes about the message it handles (NOTE_*, see RingReader.note).
const WRITE_POS = 0;
const WRAP_AT = 1;
const CLOSED = 2;
const READER_WAITING = 3;
const READ_POS = 16;
const WRITER_WAITING = 17;
/** Which of the two note slots is current; each slot: message position + 1, effect, state. */
const NOTE_CURRENT = 18;
const NOTE_SLOTS = 20;
const NOTE_SLOT_SIZE = 4;

/** Longest single Atomics.wait of a blocking write, so that shouldStop is polled. */
const STOP_POLL_MS = 100;

const pad8 = (n: number): number => (n + 7) & ~7;

/** The bytes a payload of `payloadLength` bytes takes in a ring, header included. */
export const recordSize = (payloadLength: number): number => RECORD_HEADER_BYTES + pad8(payloadLength);

/** A payload that writes itself at `offset` of `target` (exactly byteLength bytes). */
export interface PayloadWriter {
  readonly byteLength: number;
  writeInto(target: Uint8Array, offset: number): void;
}

export type Payload = readonly Uint8Array[] | PayloadWriter;

export interface RingMessage {
  readonly channel: number;
  readonly kind: number;
  /** A view of the ring, valid until release(). */
  readonly payload: Uint8Array;
}

export type WaitResult = "ready" | "timeout" | "closed";

export interface WriteOptions {
  /** Give up (return false) after this long without room; no limit by default. */
  readonly timeoutMs?: number;
  /** Polled at least every 100 ms while blocked; true gives up (returns false). */
  readonly shouldStop?: () => boolean;
}

// Atomics.waitAsync is in Node 20 but in TypeScript's ES2024 library, not ES2022's.
type WaitAsync = (
  typedArray: Int32Array,
  index: number,
  value: number,
  timeout?: number,
) => { async: false; value: "not-equal" | "timed-out" } | { async: true; value: Promise<"ok" | "timed-out"> };
const waitAsync: WaitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** A fresh, empty ring of `capacityBytes` bytes of records (plus the header). */
export function createRing(capacityBytes: number = DEFAULT_RING_CAPACITY): SharedArrayBuffer {
  if (!Number.isInteger(capacityBytes) || capacityBytes % 8 !== 0 || capacityBytes < MIN_RING_CAPACITY || capacityBytes > MAX_RING_CAPACITY) {
    throw RamenError.of("linkBadSize", { size: capacityBytes, min: MIN_RING_CAPACITY, max: MAX_RING_CAPACITY });
  }
  return new SharedArrayBuffer(RING_HEADER_BYTES + capacityBytes);
}

/** Bytes of records not yet released in the ring, as seen from any thread (neither end is needed). */
export function ringUsedBytes(sab: SharedArrayBuffer): number {
  return usedBytesOf(new Int32Array(sab, 0, RING_HEADER_BYTES >> 2), sab.byteLength - RING_HEADER_BYTES);
}

function usedBytesOf(c: Int32Array, cap: number): number {
  const r = Atomics.load(c, READ_POS);
  const w = Atomics.load(c, WRITE_POS);
  const wrapAt = Atomics.load(c, WRAP_AT);
  const rLap = r >= cap ? cap : 0;
  const wLap = w >= cap ? cap : 0;
  return rLap === wLap ? w - r : wrapAt - (r - rLap) + (w - wLap);
}

/** What both ends share: views of the ring and the fill level. */
abstract class RingEnd {
  readonly capacity: number;
  /** Milliseconds spent blocked (writer: ring full, `wait out`; reader: ring empty, `wait in`). */
  waitedMs = 0;
  protected readonly counters: Int32Array;
  protected readonly bytes: Uint8Array;
  protected readonly words32: Uint32Array;
  protected readonly words16: Uint16Array;

  constructor(readonly sab: SharedArrayBuffer) {
    const capacity = sab.byteLength - RING_HEADER_BYTES;
    if (capacity < MIN_RING_CAPACITY || capacity % 8 !== 0) throw new Error(`internal: a buffer of ${sab.byteLength} bytes is not a ring`);
    this.capacity = capacity;
    this.counters = new Int32Array(sab, 0, RING_HEADER_BYTES >> 2);
    this.bytes = new Uint8Array(sab, RING_HEADER_BYTES, capacity);
    this.words32 = new Uint32Array(sab, RING_HEADER_BYTES, capacity >> 2);
    this.words16 = new Uint16Array(sab, RING_HEADER_BYTES, capacity >> 1);
  }

  /**
   * Bytes of records not yet released by the reader (replayers yield above half the capacity:
   * archival.md §6.4). A snapshot: exact from either end when the other is idle.
   */
  get usedBytes(): number {
    return usedBytesOf(this.counters, this.capacity);
  }

  /** Lowers the other side's waiting flag and wakes it, if it is raised. */
  protected wake(flag: number): void {
    if (Atomics.load(this.counters, flag) !== 0) {
      Atomics.store(this.counters, flag, 0);
      Atomics.notify(this.counters, flag);
    }
  }
}

function payloadLength(payload: Payload): number {
  if (!Array.isArray(payload)) return (payload as PayloadWriter).byteLength;
  const parts = payload as readonly Uint8Array[];
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i]!.byteLength;
  return n;
}

export class RingWriter extends RingEnd {
  /** This side's copies of the counters it alone writes. */
  private writePos: number;
  /** Payload bytes of every record written (`bytes out` of the function writing). */
  payloadBytes = 0;

  /** The published write position: it moves with every record written (a state for RingReader.noteEffect). */
  get position(): number {
    return this.writePos;
  }
  private wrapAt: number;
  private closed: boolean;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.writePos = Atomics.load(this.counters, WRITE_POS);
    this.wrapAt = Atomics.load(this.counters, WRAP_AT);
    this.closed = Atomics.load(this.counters, CLOSED) !== 0;
  }

  /**
   * Appends one record if there is room now; false when the ring is full.
   * Throws RamenError linkMessageTooLarge when the record could never fit
   * (recordSize(payload length) >= capacity).
   */
  tryWrite(channel: number, kind: number, payload: Payload): boolean {
    if (this.closed) throw new Error("internal: write to a closed ring");
    if ((channel & 0xffff) !== channel || (kind & 0xff) !== kind) throw new Error(`internal: channel ${channel} or kind ${kind} out of range`);
    const length = payloadLength(payload);
    const size = recordSize(length);
    const cap = this.capacity;
    if (size >= cap) throw RamenError.of("linkMessageTooLarge", { size: length, capacity: cap });

    const w = this.writePos;
    const wLap = w >= cap ? cap : 0;
    const wOff = w - wLap;
    const r = Atomics.load(this.counters, READ_POS);
    let rLap = r >= cap ? cap : 0;
    let rOff = r - rLap;
    // While the reader's published position is on the previous lap, WRAP_AT is still its
    // way out: this lap must not end (a lap ends when a record wraps or ends exactly at cap).
    const mayEndLap = rLap === wLap;
    if (!mayEndLap && rOff === this.wrapAt) {
      // The reader has read all of the previous lap: it is at the start of ours.
      rLap = wLap;
      rOff = 0;
    }

    let at: number;
    if (rLap !== wLap) {
      // Unread: [rOff, wrapAt) of the previous lap and [0, wOff) of ours; room: [wOff, rOff).
      if (wOff + size > rOff) return false;
      at = wOff;
    } else if (wOff + size < cap || (wOff + size === cap && mayEndLap)) {
      at = wOff;
    } else if (mayEndLap && (rOff === wOff || size <= rOff)) {
      // Wrap: [0, size) of the next lap must not overlap the unread [rOff, wOff).
      at = 0;
    } else {
      return false;
    }

    this.words32[at >> 2] = length;
    this.words16[(at + 4) >> 1] = channel;
    this.bytes[at + 6] = kind;
    this.bytes[at + 7] = 0;
    const payloadAt = at + RECORD_HEADER_BYTES;
    if (Array.isArray(payload)) {
      let offset = payloadAt;
      for (const part of payload as readonly Uint8Array[]) {
        this.bytes.set(part, offset);
        offset += part.byteLength;
      }
    } else {
      (payload as PayloadWriter).writeInto(this.bytes, payloadAt);
    }

    const end = at + size;
    let next: number;
    if (at === 0 && wOff !== 0) {
      this.setWrapAt(wOff);
      next = (cap - wLap) + end;
    } else if (end === cap) {
      this.setWrapAt(cap);
      next = cap - wLap;
    } else {
      next = wLap + end;
    }
    this.writePos = next;
    this.payloadBytes += length;
    Atomics.store(this.counters, WRITE_POS, next);
    this.wake(READER_WAITING);
    return true;
  }

  /**
   * Appends one record, blocking the thread (Atomics.wait) while the ring is
   * full. False when it gave up (timeout or shouldStop), the record unwritten.
   */
  write(channel: number, kind: number, payload: Payload, opts: WriteOptions = {}): boolean {
    if (this.tryWrite(channel, kind, payload)) return true;
    const deadline = performance.now() + (opts.timeoutMs ?? Infinity);
    for (;;) {
      const start = performance.now();
      const remaining = deadline - start;
      if (remaining <= 0 || opts.shouldStop?.()) return this.giveUp();
      if (this.raiseFlagThenTry(channel, kind, payload)) return true;
      Atomics.wait(this.counters, WRITER_WAITING, 1, Math.min(remaining, STOP_POLL_MS));
      this.waitedMs += performance.now() - start;
    }
  }

  /** write() for the main thread: waits with Atomics.waitAsync instead of blocking. */
  async writeAsync(channel: number, kind: number, payload: Payload, opts: WriteOptions = {}): Promise<boolean> {
    if (this.tryWrite(channel, kind, payload)) return true;
    const deadline = performance.now() + (opts.timeoutMs ?? Infinity);
    for (;;) {
      const start = performance.now();
      const remaining = deadline - start;
      if (remaining <= 0 || opts.shouldStop?.()) return this.giveUp();
      if (this.raiseFlagThenTry(channel, kind, payload)) return true;
      const waited = waitAsync(this.counters, WRITER_WAITING, 1, Math.min(remaining, STOP_POLL_MS));
      if (waited.async) await waited.value;
      this.waitedMs += performance.now() - start;
    }
  }

  /** No more records: the reader sees the end once it has read those already written. Idempotent. */
  close(): void {
    this.closed = true;
    Atomics.store(this.counters, CLOSED, 1);
    this.wake(READER_WAITING);
  }

  private giveUp(): false {
    Atomics.store(this.counters, WRITER_WAITING, 0);
    return false;
  }

  private setWrapAt(offset: number): void {
    this.wrapAt = offset;
    Atomics.store(this.counters, WRAP_AT, offset);
  }

  /** Raises the waiting flag and tries again, so that a release between the two is not missed. */
  private raiseFlagThenTry(channel: number, kind: number, payload: Payload): boolean {
    Atomics.store(this.counters, WRITER_WAITING, 1);
    if (!this.tryWrite(channel, kind, payload)) return false;
    Atomics.store(this.counters, WRITER_WAITING, 0);
    return true;
  }
}

export class RingReader extends RingEnd {
  /** This side's copy of READ_POS, possibly moved to the writer's lap ahead of it (see WRAP_AT). */
  private readPos: number;
  private current: RingMessage | undefined = undefined;
  private currentSize = 0;

  constructor(sab: SharedArrayBuffer) {
    super(sab);
    this.readPos = Atomics.load(this.counters, READ_POS);
  }

  /** The oldest unreleased record, or undefined when the ring is empty. The same record until release(). */
  peek(): RingMessage | undefined {
    if (this.current !== undefined) return this.current;
    const cap = this.capacity;
    const w = Atomics.load(this.counters, WRITE_POS);
    let r = this.readPos;
    if (r === w) return undefined;
    const wLap = w >= cap ? cap : 0;
    let rLap = r >= cap ? cap : 0;
    if (rLap !== wLap && r - rLap === Atomics.load(this.counters, WRAP_AT)) {
      r = this.readPos = rLap = wLap;
      if (r === w) return undefined;
    }
    const at = r - rLap;
    const length = this.words32[at >> 2]!;
    const size = recordSize(length);
    if (at + size > cap) throw new Error(`internal: corrupt ring record of ${length} bytes at offset ${at}`);
    this.currentSize = size;
    this.current = {
      channel: this.words16[(at + 4) >> 1]!,
      kind: this.bytes[at + 6]!,
      payload: new Uint8Array(this.sab, RING_HEADER_BYTES + at + RECORD_HEADER_BYTES, length),
    };
    return this.current;
  }

  /**
   * The last note of a reader of this ring — this one or a previous one,
   * whose thread died — about the peeked message: which of the effects of
   * handling it (records written downstream, archive appends) it was about to
   * run, and a state that this effect changes (its output ring's write
   * position…). Effects before it were done; it was done if the state moved.
   * Undefined when the note is about another message. The note lives in the
   * ring, which outlives the reader's thread, in two slots: a slot is filled,
   * then made current by one atomic store, so a thread killed at any instant
   * leaves a whole note.
   */
  get note(): HandlingNote | undefined {
    if (this.peek() === undefined) return undefined;
    const slot = NOTE_SLOTS + NOTE_SLOT_SIZE * Atomics.load(this.counters, NOTE_CURRENT);
    const c = this.counters;
    return c[slot] === this.readPos + 1 ? { effect: c[slot + 1]!, state: c[slot + 2]! } : undefined;
  }

  /** Notes that effect number `effect` of handling the peeked message is about to run, the state it changes being `state` (an int32). */
  noteEffect(effect: number, state: number): void {
    if (this.current === undefined) throw new Error("internal: noteEffect() without a peeked message");
    const c = this.counters;
    const next = 1 - Atomics.load(c, NOTE_CURRENT);
    const slot = NOTE_SLOTS + NOTE_SLOT_SIZE * next;
    c[slot] = this.readPos + 1;
    c[slot + 1] = effect;
    c[slot + 2] = state;
    Atomics.store(c, NOTE_CURRENT, next);
  }

  /** Frees the peeked record (its payload view must no longer be used). */
  release(): void {
    if (this.current === undefined) throw new Error("internal: release() without a peeked message");
    const cap = this.capacity;
    // Position cap is already offset 0 of the odd lap; 2·cap is offset 0 of the even one.
    let next = this.readPos + this.currentSize;
    if (next === 2 * cap) next = 0;
    this.readPos = next;
    this.current = undefined;
    Atomics.store(this.counters, READ_POS, next);
    // A blocked writer is woken once a quarter of the ring is free, not at every release: a writer
    // woken for one record would block again at once, costing a wake-up per message. An empty
    // ring always wakes it (any record fits then); its waits are bounded anyway (STOP_POLL_MS).
    if (Atomics.load(this.counters, WRITER_WAITING) !== 0 && this.usedBytes <= this.capacity - (this.capacity >> 2)) this.wake(WRITER_WAITING);
  }

  /** Whether the writer has closed the ring and every record has been released. */
  get isClosed(): boolean {
    // CLOSED first: a writer stores its last position before closing.
    return Atomics.load(this.counters, CLOSED) !== 0 && this.current === undefined && this.peek() === undefined;
  }

  /** Blocks the thread (Atomics.wait) until a record is there ("ready"), the end ("closed") or the timeout. */
  wait(timeoutMs: number): WaitResult {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const start = performance.now();
      const state = this.raiseFlagUnlessDone(deadline - start);
      if (state !== undefined) return state;
      Atomics.wait(this.counters, READER_WAITING, 1, deadline - start);
      this.waitedMs += performance.now() - start;
    }
  }

  /** wait() for the main thread, with Atomics.waitAsync. */
  async waitAsync(timeoutMs: number): Promise<WaitResult> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const start = performance.now();
      const state = this.raiseFlagUnlessDone(deadline - start);
      if (state !== undefined) return state;
      const waited = waitAsync(this.counters, READER_WAITING, 1, deadline - start);
      if (waited.async) await waited.value;
      this.waitedMs += performance.now() - start;
    }
  }

  /** The outcome if there is one already; else raises the waiting flag (checking again after raising it). */
  private raiseFlagUnlessDone(remainingMs: number): WaitResult | undefined {
    const ready = this.readiness();
    if (ready !== undefined) return ready;
    if (remainingMs <= 0) {
      Atomics.store(this.counters, READER_WAITING, 0);
      return "timeout";
    }
    Atomics.store(this.counters, READER_WAITING, 1);
    const readyNow = this.readiness();
    if (readyNow !== undefined) Atomics.store(this.counters, READER_WAITING, 0);
    return readyNow;
  }

  private readiness(): "ready" | "closed" | undefined {
    const closed = Atomics.load(this.counters, CLOSED) !== 0;
    if (this.peek() !== undefined) return "ready";
    return closed ? "closed" : undefined;
  }
}
