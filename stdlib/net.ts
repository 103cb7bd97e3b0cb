// Network and hardware addresses (raql.md §1.4, §6.5): parsing from text,
// printing, and the operations on CIDRs. Values follow stdlib/values.ts: an
// IPv4 is an unsigned 32-bit number, an IPv6 an unsigned 128-bit bigint, an
// Ethernet address a 48-bit number, a CIDR `{ ip, len }` whose `ip` says the
// family. Parsers return undefined on malformed text; callers decide which
// error to report.

import type { Cidr } from "./values.js";

const IP4_MAX_LEN = 32;
const IP6_MAX_LEN = 128;
const IP6_ALL_ONES = (1n << 128n) - 1n;

// ---- IPv4 -----------------------------------------------------------------------

const IP4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `192.168.1.10` → 3232235786; leading zeros are decimal, not octal. */
export function parseIp4(text: string): number | undefined {
  const m = IP4_RE.exec(text);
  if (!m) return undefined;
  let ip = 0;
  for (let i = 1; i <= 4; i++) {
    const byte = Number(m[i]);
    if (byte > 255) return undefined;
    ip = ip * 256 + byte;
  }
  return ip;
}

export function ip4ToString(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

// ---- IPv6 -----------------------------------------------------------------------

const HEX_GROUP_RE = /^[0-9A-Fa-f]{1,4}$/;

/**
 * Every text form of RFC 4291 §2.2: eight groups, `::` for one run of zero
 * groups, and a trailing dotted quad (`::ffff:1.2.3.4`). No zone index.
 */
export function parseIp6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  // With `::`, at least one group must be elided; without it, exactly eight are needed.
  if (halves.length === 2 ? head.length + tail.length > 7 : head.length !== 8) return undefined;
  const groups = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  let ip = 0n;
  for (const g of groups) ip = (ip << 16n) | BigInt(g);
  return ip;
}

// Groups of one side of `::`; a dotted quad may end the address and counts as two groups.
function parseGroups(part: string, endsAddress: boolean): number[] | undefined {
  if (part === "") return [];
  const fields = part.split(":");
  const groups: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (endsAddress && i === fields.length - 1 && f.includes(".")) {
      const ip4 = parseIp4(f);
      if (ip4 === undefined) return undefined;
      groups.push(ip4 >>> 16, ip4 & 0xffff);
    } else if (HEX_GROUP_RE.test(f)) {
      groups.push(parseInt(f, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/**
 * RFC 5952 §4 canonical text: lower-case hex without leading zeros, the
 * longest run of two or more zero groups (the first one on a tie) as `::`.
 * (The optional mixed notation of §5 for IPv4-mapped addresses is not used.)
 */
export function ip6ToString(ip: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((ip >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return hex(groups.slice(0, bestStart)) + "::" + hex(groups.slice(bestStart + bestLen));
}

// ---- both families -----------------------------------------------------------------

/** An ip of either family: IPv4 first, so a dotted quad is never read as IPv6. */
export function parseIp(text: string): number | bigint | undefined {
  return parseIp4(text) ?? parseIp6(text);
}

export function ipToString(ip: number | bigint): string {
  return typeof ip === "number" ? ip4ToString(ip) : ip6ToString(ip);
}

export function ipFamily(ip: number | bigint): 4 | 6 {
  return typeof ip === "number" ? 4 : 6;
}

// ---- CIDR -------------------------------------------------------------------------

const CIDR_RE = /^([^/]+)\/(\d{1,3})$/;

function ip4Mask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (IP4_MAX_LEN - len)) >>> 0;
}

function ip6Mask(len: number): bigint {
  return (IP6_ALL_ONES << BigInt(IP6_MAX_LEN - len)) & IP6_ALL_ONES;
}

/** The network with its address bits past the prefix cleared. */
export function maskCidr(c: Cidr): Cidr {
  const ip = typeof c.ip === "number" ? (c.ip & ip4Mask(c.len)) >>> 0 : c.ip & ip6Mask(c.len);
  return ip === c.ip ? c : { ip, len: c.len };
}

function parseCidrOf(text: string, parseAddress: (text: string) => number | bigint | undefined, maxLen: number): Cidr | undefined {
  const m = CIDR_RE.exec(text);
  if (!m) return undefined;
  const ip = parseAddress(m[1]!);
  const len = Number(m[2]);
  if (ip === undefined || len > maxLen) return undefined;
  return maskCidr({ ip, len });
}

/** `10.1.2.3/8` → 10.0.0.0/8 (CIDRs are kept masked, so equal networks are equal values). */
export function parseCidr4(text: string): Cidr | undefined {
  return parseCidrOf(text, parseIp4, IP4_MAX_LEN);
}

export function parseCidr6(text: string): Cidr | undefined {
  return parseCidrOf(text, parseIp6, IP6_MAX_LEN);
}

export function parseCidr(text: string): Cidr | undefined {
  return parseCidr4(text) ?? parseCidr6(text);
}

export function cidrToString(c: Cidr): string {
  return ipToString(maskCidr(c).ip) + "/" + c.len;
}

/** `ip IN cidr`; an address is never in a network of the other family. */
export function cidrContains(c: Cidr, ip: number | bigint): boolean {
  if (typeof c.ip === "number") {
    if (typeof ip !== "number") return false;
    const mask = ip4Mask(c.len);
    return ((ip & mask) >>> 0) === ((c.ip & mask) >>> 0);
  }
  if (typeof ip !== "bigint") return false;
  const mask = ip6Mask(c.len);
  return (ip & mask) === (c.ip & mask);
}

/** `BEGIN OF c`: the first address of the network. */
export function cidrFirst(c: Cidr): number | bigint {
  return maskCidr(c).ip;
}

/** `END OF c`: the last address of the network. */
export function cidrLast(c: Cidr): number | bigint {
  if (typeof c.ip === "number") return (c.ip | ~ip4Mask(c.len)) >>> 0;
  return c.ip | (~ip6Mask(c.len) & IP6_ALL_ONES);
}

// ---- Ethernet ----------------------------------------------------------------------

const ETH_RE = /^([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2}):([0-9A-Fa-f]{1,2})$/;

/** `00:1a:2b:3c:4d:5e` → the 48-bit number (first byte most significant). */
export function parseEth(text: string): number | undefined {
  const m = ETH_RE.exec(text);
  if (!m) return undefined;
  let eth = 0;
  for (let i = 1; i <= 6; i++) eth = eth * 256 + parseInt(m[i]!, 16);
  return eth;
}

export function ethToString(eth: number): string {
  let out = "";
  for (let i = 5; i >= 0; i--) {
    const byte = Math.floor(eth / 2 ** (8 * i)) % 256;
    out += (i === 5 ? "" : ":") + (byte < 16 ? "0" : "") + byte.toString(16);
  }
  return out;
}
