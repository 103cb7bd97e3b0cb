// Decoding of ClickHouse RowBinary (raql.md §4.13, READ … AS ROWBINARY): rows
// are the fields' values one after the other, integers and floats little-
// endian, strings and arrays prefixed by their LEB128 length, Nullable values
// by a byte (1 = NULL). Each field's decoder is chosen once from its
// ClickHouse type; bytes arrive in chunks of any size, and the bytes of an
// incomplete last row wait for the next chunk.

import { RamenError } from "../../grammar/diagnostics.js";
import type { Value } from "../../stdlib/values.js";

export interface RowBinaryField {
  readonly name: string;
  /** the column's type as ClickHouse writes it (`Nullable(UInt32)`, `Array(String)`) */
  readonly clickhouseType?: string;
}

export interface RowBinaryDecoder {
  /** The rows completed by `chunk` (with the bytes kept from previous chunks). */
  push(chunk: Uint8Array): Value[][];
  /** Bytes of an incomplete row waiting for more input. */
  readonly pendingBytes: number;
}

// Thrown when a row runs past the bytes received so far; never escapes push().
class NeedMoreBytes {}
const NEED_MORE_BYTES = new NeedMoreBytes();

// A decoder reads one value at `state.pos` and advances it.
interface State {
  bytes: Uint8Array;
  view: DataView;
  pos: number;
}
type Decode = (s: State) => Value;

function need(s: State, n: number): number {
  const at = s.pos;
  if (at + n > s.bytes.length) throw NEED_MORE_BYTES;
  s.pos = at + n;
  return at;
}

function leb128(s: State): number {
  let v = 0;
  let scale = 1;
  for (;;) {
    const b = s.bytes[need(s, 1)]!;
    v += (b & 0x7f) * scale;
    if (b < 0x80) return v;
    scale *= 128;
  }
}

const U64_BITS = 64n;

function littleEndianBytes(s: State, n: number): bigint {
  const at = need(s, n);
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(s.bytes[at + i]!);
  return v;
}

const SCALARS: Record<string, Decode> = {
  UInt8: (s) => s.bytes[need(s, 1)]!,
  Int8: (s) => s.view.getInt8(need(s, 1)),
  UInt16: (s) => s.view.getUint16(need(s, 2), true),
  Int16: (s) => s.view.getInt16(need(s, 2), true),
  UInt32: (s) => s.view.getUint32(need(s, 4), true),
  Int32: (s) => s.view.getInt32(need(s, 4), true),
  UInt64: (s) => s.view.getBigUint64(need(s, 8), true),
  Int64: (s) => s.view.getBigInt64(need(s, 8), true),
  Float32: (s) => s.view.getFloat32(need(s, 4), true),
  Float64: (s) => s.view.getFloat64(need(s, 8), true),
  String: (s) => {
    const n = leb128(s);
    const at = need(s, n);
    return latin1(s.bytes, at, at + n);
  },
  // Two little-endian u64, the high half first.
  UUID: (s) => {
    const at = need(s, 16);
    return (s.view.getBigUint64(at, true) << U64_BITS) | s.view.getBigUint64(at + 8, true);
  },
};

// Strings are byte strings (stdlib/values.ts): one char per byte.
function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let out = "";
    for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!);
    return out;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
}

function unsupported(type: string, field: string): never {
  throw RamenError.of("notSupported", { what: `the ClickHouse type ${type} (field ${field})` });
}

function decoderOf(type: string, field: string): Decode {
  const t = type.trim();
  const scalar = SCALARS[t];
  if (scalar) return scalar;
  const m = /^(\w+)\((.*)\)$/s.exec(t);
  if (!m) return unsupported(t, field);
  const [, wrapper, inner] = m as unknown as [string, string, string];
  switch (wrapper) {
    case "Nullable": {
      const value = decoderOf(inner, field);
      return (s) => (s.bytes[need(s, 1)] === 0 ? value(s) : null);
    }
    case "Array": {
      const item = decoderOf(inner, field);
      return (s) => {
        const n = leb128(s);
        const out = new Array<Value>(n);
        for (let i = 0; i < n; i++) out[i] = item(s);
        return out;
      };
    }
    case "FixedString": {
      if (!/^\s*[1-9][0-9]*\s*$/.test(inner)) return unsupported(t, field);
      const n = Number(inner);
      // 16 bytes are a u128 (IPv6 addresses); other sizes a char vector.
      if (n === 16) return (s) => littleEndianBytes(s, 16);
      return (s) => {
        const at = need(s, n);
        return Array.from(s.bytes.subarray(at, at + n));
      };
    }
  }
  return unsupported(t, field);
}

/** Throws a RamenError for a field without a ClickHouse type or of a type RaQL cannot hold. */
export function compileRowBinaryDecoder(fields: readonly RowBinaryField[]): RowBinaryDecoder {
  if (fields.length === 0) throw RamenError.of("notSupported", { what: "RowBinary without columns" });
  const decoders = fields.map((f) => (f.clickhouseType === undefined ? unsupported("(none given)", f.name) : decoderOf(f.clickhouseType, f.name)));
  const count = decoders.length;
  let pending: Uint8Array = new Uint8Array(0);
  return {
    get pendingBytes() {
      return pending.length;
    },
    push(chunk) {
      const bytes = pending.length === 0 ? chunk : concat(pending, chunk);
      const s: State = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), pos: 0 };
      const rows: Value[][] = [];
      let rowStart = 0;
      try {
        while (s.pos < bytes.length) {
          const row = new Array<Value>(count);
          for (let f = 0; f < count; f++) row[f] = decoders[f]!(s);
          rows.push(row);
          rowStart = s.pos;
        }
      } catch (e) {
        if (!(e instanceof NeedMoreBytes)) throw e;
      }
      // Copied so that the caller may reuse its chunk buffer.
      pending = bytes.slice(rowStart);
      return rows;
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
