// Links between functions (cli-runtime.md §1.3): ring buffers of records in
// shared memory (ring.ts) and Arrow record batches through them (batches.ts).

export {
  DEFAULT_RING_CAPACITY,
  MAX_RING_CAPACITY,
  MIN_RING_CAPACITY,
  MessageKind,
  type Payload,
  type PayloadWriter,
  RECORD_HEADER_BYTES,
  RING_HEADER_BYTES,
  RingReader,
  type RingMessage,
  RingWriter,
  type WaitResult,
  type WriteOptions,
  createRing,
  recordSize,
} from "./ring.js";
export { readBatch, writeBatch, writeBatchAsync } from "./batches.js";
