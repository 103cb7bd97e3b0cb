// Groups found by a key made of numbers (GROUP BY over non-nullable ints of
// up to 32 bits, floats, chars, ip4…): an open-addressing hash table with
// linear probing, whose keys live in a Float64Array by group number. Looking
// up or inserting a key allocates nothing, unlike a Map keyed by a string or
// nested Maps: generated code writes the key's parts into `probe`, then calls
// find() and, for a new group, insert().

const EMPTY = -1;

export class GroupTable {
  /** the parts of the key to find or insert, written by the caller */
  readonly probe: Float64Array;
  /** group number per slot, EMPTY when free */
  private slots: Int32Array;
  private mask: number;
  /** key parts of each group, `arity` per group */
  private keys: Float64Array;
  /** hash of each group's key */
  private hashes: Int32Array;
  private count = 0;
  /** hash of the probe, from the last find() */
  private probeHash = 0;
  private readonly bits = new Int32Array(2);
  private readonly bitsAsFloat = new Float64Array(this.bits.buffer);

  constructor(private readonly arity: number) {
    this.probe = new Float64Array(arity);
    this.slots = new Int32Array(64).fill(EMPTY);
    this.mask = 63;
    this.keys = new Float64Array(16 * arity);
    this.hashes = new Int32Array(16);
  }

  get size(): number {
    return this.count;
  }

  /** The group whose key equals the probe, or -1. */
  find(): number {
    const probe = this.probe;
    let h = 0x9e3779b9 | 0;
    for (let p = 0; p < this.arity; p++) {
      // -0 and 0 are the same key; the bits of the double are hashed.
      const v = probe[p]! === 0 ? 0 : probe[p]!;
      probe[p] = v;
      this.bitsAsFloat[0] = v;
      h = Math.imul(h ^ this.bits[0]!, 0x85ebca6b);
      h = Math.imul(h ^ this.bits[1]!, 0xc2b2ae35);
      h ^= h >>> 15;
    }
    this.probeHash = h;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const g = this.slots[s]!;
      if (g === EMPTY) return -1;
      if (this.hashes[g] === h && this.sameKey(g)) return g;
    }
  }

  /** Makes the probe (just looked up by find(), absent) the key of `group`. */
  insert(group: number): void {
    if ((this.count + 1) * 2 > this.slots.length) this.resize(this.slots.length * 2);
    if (group >= this.hashes.length) this.growGroups(group + 1);
    this.keys.set(this.probe, group * this.arity);
    this.hashes[group] = this.probeHash;
    let s = this.probeHash & this.mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & this.mask;
    this.slots[s] = group;
    this.count++;
  }

  /** Removes `group` (which must be in the table), shifting back the entries that followed it. */
  remove(group: number): void {
    const mask = this.mask;
    let s = this.hashes[group]! & mask;
    while (this.slots[s] !== group) s = (s + 1) & mask;
    // Backward-shift deletion: no tombstones, so lookups stay short.
    let hole = s;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const g = this.slots[j]!;
      if (g === EMPTY) break;
      const home = this.hashes[g]! & mask;
      // The entry at j may move to the hole when its home is not within (hole, j].
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        this.slots[hole] = g;
        hole = j;
      }
    }
    this.slots[hole] = EMPTY;
    this.count--;
  }

  private sameKey(group: number): boolean {
    const base = group * this.arity;
    for (let p = 0; p < this.arity; p++) {
      const a = this.keys[base + p]!;
      const b = this.probe[p]!;
      if (a !== b && !(a !== a && b !== b)) return false;
    }
    return true;
  }

  private resize(slotCount: number): void {
    const old = this.slots;
    this.slots = new Int32Array(slotCount).fill(EMPTY);
    this.mask = slotCount - 1;
    for (let s = 0; s < old.length; s++) {
      const g = old[s]!;
      if (g === EMPTY) continue;
      let t = this.hashes[g]! & this.mask;
      while (this.slots[t] !== EMPTY) t = (t + 1) & this.mask;
      this.slots[t] = g;
    }
  }

  private growGroups(minGroups: number): void {
    const groups = Math.max(minGroups, this.hashes.length * 2);
    const keys = new Float64Array(groups * this.arity);
    keys.set(this.keys);
    this.keys = keys;
    const hashes = new Int32Array(groups);
    hashes.set(this.hashes);
    this.hashes = hashes;
  }
}
