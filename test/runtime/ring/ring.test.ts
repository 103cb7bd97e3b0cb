// The ring buffer in one thread: record layout, wrap-around, close, errors,
// timeouts, and a model-based property test (random interleavings of
// tryWrite / peek / release against a plain array queue).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RamenError } from "../../../grammar/diagnostics.js";
import { MessageKind, RingReader, RingWriter, createRing, type RingMessage } from "../../../runtime/ring/ring.js";

/** Bytes a payload of n bytes takes in the ring: 8 of header, the payload rounded up to 8 (ring.ts layout). */
const footprint = (n: number): number => 8 + Math.ceil(n / 8) * 8;

/** A payload whose every byte depends on its sequence number, so that any overwrite shows. */
function payloadOf(seq: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seq * 131 + i * 7 + 1) & 0xff;
  return bytes;
}

function ringOf(capacity: number): { writer: RingWriter; reader: RingReader } {
  const sab = createRing(capacity);
  return { writer: new RingWriter(sab), reader: new RingReader(sab) };
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof RamenError) return e.diagnostics[0]!.code;
    throw e;
  }
  return undefined;
}

function take(reader: RingReader): { channel: number; kind: number; payload: number[] } | undefined {
  const m = reader.peek();
  if (m === undefined) return undefined;
  const copy = { channel: m.channel, kind: m.kind, payload: [...m.payload] };
  reader.release();
  return copy;
}

describe("ring buffer records", () => {
  it("hands back channel, kind and the concatenated parts, in order", () => {
    const { writer, reader } = ringOf(1024);
    expect(writer.tryWrite(0, MessageKind.batch, [Uint8Array.of(1, 2, 3), Uint8Array.of(), Uint8Array.of(4, 5)])).toBe(true);
    expect(writer.tryWrite(65535, MessageKind.endOfReplay, [Uint8Array.of(9)])).toBe(true);
    expect(writer.tryWrite(7, 255, [])).toBe(true);
    expect(take(reader)).toEqual({ channel: 0, kind: 0, payload: [1, 2, 3, 4, 5] });
    expect(take(reader)).toEqual({ channel: 65535, kind: 1, payload: [9] });
    expect(take(reader)).toEqual({ channel: 7, kind: 255, payload: [] });
    expect(reader.peek()).toBeUndefined();
  });

  it("accepts a payload that writes itself into the ring", () => {
    const { writer, reader } = ringOf(1024);
    const payload = { byteLength: 3, writeInto: (target: Uint8Array, offset: number) => target.set([7, 8, 9], offset) };
    expect(writer.tryWrite(3, MessageKind.batch, payload)).toBe(true);
    expect(take(reader)).toEqual({ channel: 3, kind: 0, payload: [7, 8, 9] });
  });

  it("peeks the same record until it is released; payloads start 8-aligned", () => {
    const { writer, reader } = ringOf(1024);
    writer.tryWrite(1, 0, [payloadOf(1, 5)]);
    writer.tryWrite(2, 0, [payloadOf(2, 13)]);
    const first = reader.peek()!;
    expect(reader.peek()).toBe(first);
    expect(first.payload.byteOffset % 8).toBe(0);
    reader.release();
    const second = reader.peek()!;
    expect(second.channel).toBe(2);
    expect(second.payload.byteOffset % 8).toBe(0);
    expect(second.payload.byteOffset - first.payload.byteOffset).toBe(footprint(5));
  });

  it("counts used bytes as header plus padded payload", () => {
    const { writer, reader } = ringOf(1024);
    writer.tryWrite(0, 0, [new Uint8Array(1)]);
    writer.tryWrite(0, 0, [new Uint8Array(16)]);
    expect(writer.usedBytes).toBe(16 + 24);
    expect(reader.usedBytes).toBe(40);
    take(reader);
    expect(writer.usedBytes).toBe(24);
  });

  it("refuses a write when full, and accepts it once the reader frees room", () => {
    const { writer, reader } = ringOf(64);
    expect(writer.tryWrite(0, 0, [payloadOf(0, 24)])).toBe(true); // 32 bytes
    expect(writer.tryWrite(0, 0, [payloadOf(1, 24)])).toBe(true); // 32 bytes: full
    expect(writer.tryWrite(0, 0, [payloadOf(2, 1)])).toBe(false);
    expect(take(reader)!.payload).toEqual([...payloadOf(0, 24)]);
    expect(writer.tryWrite(0, 0, [payloadOf(2, 1)])).toBe(true);
    expect(take(reader)!.payload).toEqual([...payloadOf(1, 24)]);
    expect(take(reader)!.payload).toEqual([...payloadOf(2, 1)]);
  });

  it("never splits a record at the end of the ring: it starts the next lap at offset 0", () => {
    const { writer, reader } = ringOf(128);
    writer.tryWrite(0, 0, [payloadOf(0, 64)]); // [0, 72)
    writer.tryWrite(0, 0, [payloadOf(1, 24)]); // [72, 104)
    take(reader);
    // 40 bytes do not fit in [104, 128): written at [0, 40), before the unread [72, 104).
    expect(writer.tryWrite(0, 0, [payloadOf(2, 32)])).toBe(true);
    expect(writer.usedBytes).toBe(32 + 40);
    const m = reader.peek()!;
    const second = m.payload.byteOffset;
    reader.release();
    const third = reader.peek()!;
    expect(third.payload.byteOffset).toBeLessThan(second);
    expect([...third.payload]).toEqual([...payloadOf(2, 32)]);
    reader.release();
    expect(writer.usedBytes).toBe(0);
  });

  it("takes the largest record (capacity - 8 bytes) whenever the ring is empty, wherever its positions are", () => {
    for (const start of [0, 8, 56, 64, 120]) {
      const { writer, reader } = ringOf(128);
      if (start > 0) {
        writer.tryWrite(0, 0, [new Uint8Array(start - 8)]);
        take(reader);
      }
      expect(writer.tryWrite(5, 1, [payloadOf(start, 112)])).toBe(true);
      expect(writer.tryWrite(0, 0, [new Uint8Array(1)])).toBe(false);
      expect(take(reader)).toEqual({ channel: 5, kind: 1, payload: [...payloadOf(start, 112)] });
      expect(writer.tryWrite(0, 0, [payloadOf(1, 8)])).toBe(true);
      expect(take(reader)!.payload).toEqual([...payloadOf(1, 8)]);
    }
  });

  it("rejects a record as large as the ring with RQ6302, even from a blocking write", () => {
    const { writer } = ringOf(128);
    expect(codeOf(() => writer.tryWrite(0, 0, [new Uint8Array(113)]))).toBe("RQ6302");
    expect(codeOf(() => writer.write(0, 0, [new Uint8Array(60), new Uint8Array(61)]))).toBe("RQ6302");
    expect(() => writer.tryWrite(0, 0, [new Uint8Array(1000)])).toThrow("a message of 1000 bytes cannot fit in a link of 128 bytes");
    expect(writer.usedBytes).toBe(0);
  });

  it("rejects capacities that are not multiples of 8 in the allowed range with RQ6301", () => {
    expect(codeOf(() => createRing(100))).toBe("RQ6301");
    expect(codeOf(() => createRing(8))).toBe("RQ6301");
    expect(codeOf(() => createRing(2 ** 31))).toBe("RQ6301");
    expect(codeOf(() => createRing(1.5))).toBe("RQ6301");
    expect(createRing(4096).byteLength).toBe(128 + 4096);
  });

  it("refuses release without peek, out-of-range channels and kinds", () => {
    const { writer, reader } = ringOf(128);
    expect(() => reader.release()).toThrow(/without a peeked message/);
    expect(() => writer.tryWrite(65536, 0, [])).toThrow(/out of range/);
    expect(() => writer.tryWrite(0, 256, [])).toThrow(/out of range/);
    expect(() => writer.tryWrite(-1, 0, [])).toThrow(/out of range/);
  });
});

describe("ring buffer close and timeouts", () => {
  it("lets the reader drain what was written before close, then reports the end", () => {
    const { writer, reader } = ringOf(256);
    writer.tryWrite(0, 0, [payloadOf(0, 3)]);
    writer.tryWrite(0, 0, [payloadOf(1, 3)]);
    writer.close();
    writer.close();
    expect(reader.isClosed).toBe(false);
    expect(reader.wait(1000)).toBe("ready");
    take(reader);
    expect(reader.isClosed).toBe(false);
    expect(reader.wait(1000)).toBe("ready");
    take(reader);
    expect(reader.isClosed).toBe(true);
    expect(reader.wait(1000)).toBe("closed");
    expect(() => writer.tryWrite(0, 0, [])).toThrow(/closed ring/);
  });

  it("a new end on the same buffer sees the ring as it is", () => {
    const sab = createRing(256);
    new RingWriter(sab).tryWrite(4, 0, [payloadOf(4, 4)]);
    expect(take(new RingReader(sab))!.channel).toBe(4);
    const writer = new RingWriter(sab);
    expect(writer.usedBytes).toBe(0);
    writer.close();
    expect(new RingReader(sab).isClosed).toBe(true);
    expect(() => new RingWriter(sab).tryWrite(0, 0, [])).toThrow(/closed ring/);
  });

  it("times out a wait on an empty open ring, counting the time waited", async () => {
    const { reader } = ringOf(256);
    const start = performance.now();
    expect(reader.wait(30)).toBe("timeout");
    expect(performance.now() - start).toBeGreaterThanOrEqual(29);
    expect(reader.waitedMs).toBeGreaterThanOrEqual(29);
    expect(await reader.waitAsync(20)).toBe("timeout");
    expect(reader.waitedMs).toBeGreaterThanOrEqual(48);
    expect(reader.wait(0)).toBe("timeout");
  });

  it("gives up a blocking write on timeout or when asked to stop, the record unwritten", async () => {
    const { writer, reader } = ringOf(64);
    writer.tryWrite(0, 0, [new Uint8Array(48)]);
    expect(writer.write(0, 0, [new Uint8Array(16)], { timeoutMs: 30 })).toBe(false);
    expect(writer.waitedMs).toBeGreaterThanOrEqual(29);
    let polls = 0;
    const start = performance.now();
    expect(writer.write(0, 0, [new Uint8Array(16)], { shouldStop: () => ++polls > 2 })).toBe(false);
    // Polled every 100 ms at most: three polls take at least two waits, and not much more.
    expect(polls).toBe(3);
    expect(performance.now() - start).toBeGreaterThanOrEqual(190);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(await writer.writeAsync(0, 0, [new Uint8Array(16)], { timeoutMs: 20 })).toBe(false);
    expect(writer.usedBytes).toBe(56);
    take(reader);
    expect(reader.peek()).toBeUndefined();
  });
});

// ---- model-based property ----------------------------------------------------------

type Command = { op: "write"; length: number; channel: number; kind: number } | { op: "peek" } | { op: "release" };

const arbCapacity = fc.constantFrom(64, 96, 128, 256, 1000);

function arbCommands(capacity: number): fc.Arbitrary<Command[]> {
  const write = fc.record({
    op: fc.constant("write" as const),
    // Multiples of 8 too, so that records often end exactly at the end of the ring.
    length: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: capacity - 16 }), fc.integer({ min: 0, max: capacity / 8 - 2 }).map((k) => 8 * k)),
    channel: fc.integer({ min: 0, max: 65535 }),
    kind: fc.constantFrom(MessageKind.batch, MessageKind.endOfReplay),
  });
  const command = fc.oneof({ arbitrary: write, weight: 3 }, { arbitrary: fc.constant({ op: "peek" as const }), weight: 1 }, { arbitrary: fc.constant({ op: "release" as const }), weight: 2 });
  return fc.array(command, { maxLength: 80 });
}

interface Queued {
  readonly seq: number;
  readonly length: number;
  readonly channel: number;
  readonly kind: number;
}

function expectRecord(m: RingMessage | undefined, q: Queued): void {
  expect(m).toBeDefined();
  expect({ channel: m!.channel, kind: m!.kind }).toEqual({ channel: q.channel, kind: q.kind });
  expect(m!.payload).toEqual(payloadOf(q.seq, q.length));
}

describe("a reader's notes about the message it handles", () => {
  it("are seen by a new reader of the same ring for that message only", () => {
    const sab = createRing(256);
    const writer = new RingWriter(sab);
    writer.tryWrite(0, 0, [payloadOf(0, 8)]);
    writer.tryWrite(0, 0, [payloadOf(1, 8)]);
    const reader = new RingReader(sab);
    expect(reader.note).toBeUndefined();
    reader.peek();
    reader.noteEffect(0, 40);
    reader.noteEffect(1, -7);
    // The reader's thread dies here: the next reader finds the last note about the same message.
    const next = new RingReader(sab);
    expect(next.note).toStrictEqual({ effect: 1, state: -7 });
    next.release();
    expect(next.note).toBeUndefined();
    next.peek();
    next.noteEffect(3, 9);
    expect(new RingReader(sab).note).toStrictEqual({ effect: 3, state: 9 });
  });

  it("follow the message when the reader moves to the writer's next lap", () => {
    const sab = createRing(128);
    const writer = new RingWriter(sab);
    const reader = new RingReader(sab);
    writer.tryWrite(0, 0, [payloadOf(0, 64)]); // [0, 72)
    writer.tryWrite(0, 0, [payloadOf(1, 24)]); // [72, 104)
    take(reader);
    writer.tryWrite(0, 0, [payloadOf(2, 32)]); // next lap, [0, 40)
    take(reader);
    // The published read position is the old lap's end; the message read is at 0 of the new lap.
    reader.peek();
    reader.noteEffect(2, 5);
    const next = new RingReader(sab);
    expect([...next.peek()!.payload]).toEqual([...payloadOf(2, 32)]);
    expect(next.note).toStrictEqual({ effect: 2, state: 5 });
  });

  it("are not taken for a message never noted, even at position 0", () => {
    const sab = createRing(64);
    new RingWriter(sab).tryWrite(0, 0, [payloadOf(0, 8)]);
    expect(new RingReader(sab).note).toBeUndefined();
  });
});

describe("ring buffer against an array queue", () => {
  it("keeps FIFO order without loss or duplicate, fills at least half of the ring, and counts used bytes exactly", () => {
    fc.assert(
      fc.property(arbCapacity.chain((capacity) => fc.tuple(fc.constant(capacity), arbCommands(capacity))), ([capacity, commands]) => {
        const { writer, reader } = ringOf(capacity);
        const queue: Queued[] = [];
        let used = 0;
        let seq = 0;
        let peeked = false;
        for (const c of commands) {
          if (c.op === "write") {
            const size = footprint(c.length);
            const written = writer.tryWrite(c.channel, c.kind, [payloadOf(seq, c.length)]);
            // Room is guaranteed when the ring is empty, or when what it holds plus the record is at most half of it.
            if (queue.length === 0 || used + size <= capacity / 2) expect(written).toBe(true);
            if (written) {
              queue.push({ seq, length: c.length, channel: c.channel, kind: c.kind });
              used += size;
            }
            seq++;
          } else if (c.op === "peek") {
            const m = reader.peek();
            if (queue.length === 0) expect(m).toBeUndefined();
            else expectRecord(m, queue[0]!);
            peeked = m !== undefined;
          } else if (peeked) {
            reader.release();
            used -= footprint(queue.shift()!.length);
            peeked = false;
          }
          expect(writer.usedBytes).toBe(used);
          expect(used).toBeLessThanOrEqual(capacity);
        }
        for (const q of queue) {
          expectRecord(reader.peek(), q);
          reader.release();
        }
        expect(reader.peek()).toBeUndefined();
        expect(writer.tryWrite(0, 0, [payloadOf(seq, capacity - 16)])).toBe(true);
        expectRecord(reader.peek(), { seq, length: capacity - 16, channel: 0, kind: 0 });
      }),
      { numRuns: 2000 },
    );
  });
});
