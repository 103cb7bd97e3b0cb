// Structural comparison, equality and hashing of run-time values
// (raql.md §2.6): numbers by value, strings bytewise, false < true, ips and
// cidrs by (family, address[, length]), vectors/lists/tuples/records
// lexicographically. Used by comparisons, IN, GREATEST/LEAST, PERCENTILE and
// HASH so they all agree on one order.

import { isCidr, type Value } from "./values.js";

function family(ip: number | bigint): number {
  return typeof ip === "number" ? 4 : 6;
}

function compareScalars(a: number | bigint | string | boolean, b: number | bigint | string | boolean): number {
  if (typeof a === "number" && typeof b === "number") {
    // NaN sorts first and equals itself here so that the order is total (sorting, GREATEST).
    if (a !== a) return b !== b ? 0 : -1;
    if (b !== b) return 1;
  } else if (typeof a !== typeof b) {
    // Only values of type `ip` mix representations: an ip4 (number) sorts before an ip6 (bigint).
    return typeof a === "number" ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A total order over values of one type: negative, zero or positive. NULL
 * sorts before everything (it only matters inside composites, where items may
 * be NULL; top-level NULLs are handled by the null rules of each function).
 */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (Array.isArray(a)) {
    const bs = b as readonly Value[];
    const n = Math.min(a.length, bs.length);
    for (let i = 0; i < n; i++) {
      const c = compareValues(a[i]!, bs[i]!);
      if (c !== 0) return c;
    }
    return a.length - bs.length;
  }
  if (a instanceof Map) {
    const bm = b as Map<Value, Value>;
    if (a.size !== bm.size) return a.size - bm.size;
    return compareValues([...a.entries()].flat(), [...bm.entries()].flat());
  }
  if (isCidr(a as Value)) {
    const ac = a as { ip: number | bigint; len: number };
    const bc = b as { ip: number | bigint; len: number };
    return family(ac.ip) - family(bc.ip) || compareScalars(ac.ip, bc.ip) || ac.len - bc.len;
  }
  return compareScalars(a as number | bigint | string | boolean, b as number | bigint | string | boolean);
}

/** Equality as `=` sees it: like compareValues, except that NaN equals nothing (IEEE 754). */
export function equalValues(a: Value, b: Value): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalValues(a[i]!, b[i]!)) return false;
    return true;
  }
  return compareValues(a, b) === 0;
}

// ---- hashing ------------------------------------------------------------------------

// Two independent 32-bit FNV-1a lanes make a 64-bit hash without bigint
// arithmetic per byte; the scratch buffer reads float bits without allocating.
const scratch = new DataView(new ArrayBuffer(8));
let lo = 0;
let hi = 0;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function mix(byte: number): void {
  lo = Math.imul(lo ^ byte, 0x01000193);
  hi = Math.imul(hi ^ byte, 0x01000193) ^ (lo >>> 15);
}

function mix32(x: number): void {
  mix(x & 0xff);
  mix((x >>> 8) & 0xff);
  mix((x >>> 16) & 0xff);
  mix(x >>> 24);
}

function mixValue(v: Value): void {
  if (v === null) return mix(0);
  switch (typeof v) {
    case "boolean":
      return mix(v ? 2 : 1);
    case "number":
      // Hashing the double keeps 1 (an integer) and 1.0 (a float) equal, as they compare equal.
      mix(3);
      scratch.setFloat64(0, v === 0 ? 0 : v); // -0 = 0
      mix32(scratch.getUint32(0));
      return mix32(scratch.getUint32(4));
    case "bigint": {
      // Integers a double holds exactly hash as numbers, so 1u64 = 1u8 = 1.0 hash alike.
      if (v >= -MAX_SAFE && v <= MAX_SAFE) return mixValue(Number(v));
      mix(4);
      let x = v < 0n ? -v : v;
      mix(v < 0n ? 1 : 0);
      do {
        mix32(Number(x & 0xffffffffn));
        x >>= 32n;
      } while (x > 0n);
      return;
    }
    case "string":
      mix(5);
      mix32(v.length);
      for (let i = 0; i < v.length; i++) mix(v.charCodeAt(i));
      return;
  }
  if (Array.isArray(v)) {
    mix(6);
    mix32(v.length);
    for (const item of v) mixValue(item);
    return;
  }
  if (v instanceof Map) {
    mix(7);
    mix32(v.size);
    for (const [k, x] of v) {
      mixValue(k);
      mixValue(x);
    }
    return;
  }
  const cidr = v as { ip: number | bigint; len: number };
  mix(8);
  mixValue(cidr.ip);
  mix(cidr.len);
}

/** A deterministic signed 64-bit hash of any value (same on every run and machine). */
export function hashValue(v: Value): bigint {
  lo = 0x811c9dc5;
  hi = 0x050c5d1f;
  mixValue(v);
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}
