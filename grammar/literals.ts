// Text forms of network and hardware addresses (raql.md §1.4): the small pure
// conversions the lexer needs to turn a literal into its value, and the
// canonical text the printer writes back. Parsing functions return undefined
// when the text is not a valid address, so the lexer can try another form.

/** `192.168.1.10` → 3232235786; undefined unless exactly four decimal bytes. */
export function parseIp4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const byte = Number(p);
    if (byte > 255) return undefined;
    value = value * 256 + byte;
  }
  return value;
}

/**
 * Any RFC 4291 text form of an IPv6 address: eight hex groups, `::`
 * compression, and a trailing dotted quad (`::ffff:1.2.3.4`).
 */
export function parseIp6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = groupsOf(halves[0]!);
  if (head === undefined) return undefined;
  if (halves.length === 1) return head.length === 8 ? fromGroups(head) : undefined;
  const tail = groupsOf(halves[1]!);
  if (tail === undefined || head.length + tail.length > 7) return undefined;
  const zeros: number[] = new Array<number>(8 - head.length - tail.length).fill(0);
  return fromGroups([...head, ...zeros, ...tail]);
}

// The 16-bit groups of one side of `::`; a trailing dotted quad counts as two groups.
function groupsOf(text: string): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === parts.length - 1 && p.includes(".")) {
      const v4 = parseIp4(p);
      if (v4 === undefined) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
    } else {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
      groups.push(parseInt(p, 16));
    }
  }
  return groups;
}

function fromGroups(groups: readonly number[]): bigint {
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  return value;
}

/** `00:1a:2b:3c:4d:5e` → its 48-bit value; exactly six groups of two hex digits. */
export function parseEth(text: string): number | undefined {
  const parts = text.split(":");
  if (parts.length !== 6) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^[0-9A-Fa-f]{2}$/.test(p)) return undefined;
    value = value * 256 + parseInt(p, 16);
  }
  return value;
}

export function formatIp4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** RFC 5952: lower-case hex, leading zeros dropped, the longest run (≥ 2) of zero groups as `::`. */
export function formatIp6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
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
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return hex(groups.slice(0, bestStart)) + "::" + hex(groups.slice(bestStart + bestLen));
}

export function formatEth(value: number): string {
  const bytes: string[] = [];
  for (let i = 5; i >= 0; i--) bytes.push((Math.floor(value / 2 ** (8 * i)) % 256).toString(16).padStart(2, "0"));
  return bytes.join(":");
}
