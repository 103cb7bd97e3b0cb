// Groups ordered by one key, for commit conditions of the form
// `in-expression OP out-expression` (raql.md §4.6 step 8): instead of
// re-evaluating the condition for every group on each input tuple, the
// groups whose key is the most likely to satisfy it are looked at first, and
// the search stops at the first one that does not. A binary heap of group
// numbers with each group's position, so that a group's key can change and a
// group can leave in O(log n).

type Key = number | bigint;

export class GroupHeap {
  /** group numbers, heap-ordered */
  private readonly heap: number[] = [];
  /** key of each group in the heap, by group number (unboxed when every key is a number) */
  private keys: Key[] | Float64Array;
  /** position in `heap` of each group, -1 when absent */
  private positions = new Int32Array(16).fill(-1);

  /** sign 1: least key on top; -1: greatest key on top. `numbers`: every key is a JS number. */
  constructor(
    private readonly sign: 1 | -1,
    numbers = false,
  ) {
    this.keys = numbers ? new Float64Array(16) : [];
  }

  get size(): number {
    return this.heap.length;
  }

  /** The group on top (the heap must not be empty). */
  top(): number {
    return this.heap[0]!;
  }

  /** The key of the group on top. */
  topKey(): Key {
    return this.keys[this.heap[0]!]!;
  }

  has(group: number): boolean {
    return group < this.positions.length && this.positions[group]! >= 0;
  }

  /** Inserts `group` with `key`, or moves it to its place for its new key. */
  set(group: number, key: Key): void {
    if (group >= this.positions.length) {
      const size = Math.max(group + 1, this.positions.length * 2);
      const grown = new Int32Array(size).fill(-1);
      grown.set(this.positions);
      this.positions = grown;
      if (this.keys instanceof Float64Array) {
        const keys = new Float64Array(size);
        keys.set(this.keys);
        this.keys = keys;
      }
    }
    let at = this.positions[group]!;
    // Most tuples leave their group's key as it was (a time window's end).
    if (at >= 0 && this.keys[group] === key) return;
    (this.keys as Key[])[group] = key;
    if (at < 0) {
      at = this.heap.length;
      this.heap.push(group);
      this.positions[group] = at;
    }
    this.siftDown(this.siftUp(at));
  }

  remove(group: number): void {
    if (!this.has(group)) return;
    const at = this.positions[group]!;
    this.positions[group] = -1;
    const last = this.heap.pop()!;
    if (at === this.heap.length) return;
    this.heap[at] = last;
    this.positions[last] = at;
    this.siftDown(this.siftUp(at));
  }

  /** Whether the group at position i must be above the one at position j. */
  private before(i: number, j: number): boolean {
    const a = this.keys[this.heap[i]!]!;
    const b = this.keys[this.heap[j]!]!;
    return this.sign > 0 ? a < b : a > b;
  }

  private swap(i: number, j: number): void {
    const gi = this.heap[i]!;
    const gj = this.heap[j]!;
    this.heap[i] = gj;
    this.heap[j] = gi;
    this.positions[gj] = i;
    this.positions[gi] = j;
  }

  private siftUp(at: number): number {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.before(at, parent)) break;
      this.swap(at, parent);
      at = parent;
    }
    return at;
  }

  private siftDown(at: number): void {
    const n = this.heap.length;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.before(right, left) ? right : left;
      if (!this.before(child, at)) return;
      this.swap(at, child);
      at = child;
    }
  }
}
