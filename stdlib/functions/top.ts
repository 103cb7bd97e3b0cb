// Functions keeping the "best" values of a sequence (raql.md §6.8, §6.10):
// LARGEST, SMALLEST, LATEST, OLDEST, EARLIER, which keep exactly the n most
// extreme values by a key, and TOP (LIST TOP / IS x IN TOP / RANK OF x IN TOP),
// the approximate heavy hitters of the Space-Saving algorithm.

import { T, ntypeToString, type NType } from "../../grammar/types.js";
import { compareValues } from "../compare.js";
import type { FunctionEntry, ImplCall, StatefulImpl, TypingCall, TypingRule } from "../entry.js";
import { arg, expectNotNull, expectNumeric } from "../typing.js";
import type { Value } from "../values.js";
import {
  concreteArg,
  constNumber,
  constantParam,
  failRange,
  listOf,
  rejectImmediate,
  sizeParam,
  timeArg,
  toFloat,
  unitsOfArg,
  valueKey,
} from "./stateful-common.js";

// ---- LARGEST, SMALLEST, LATEST, OLDEST, EARLIER ----------------------------------------------------

interface Kept {
  readonly value: Value;
  /** the BY keys (a tuple is compared lexicographically), x itself without BY; unused when by arrival */
  readonly key: Value;
  /** arrival counter: the key of LATEST/OLDEST, and the tie-breaker of equal keys */
  readonly seq: number;
}

type KeyKind = "value" | "arrival";

/**
 * The n kept entries, sorted ascending by (key, arrival). "Greatest" keepers
 * (LARGEST, LATEST) keep the n greatest, the others (SMALLEST, OLDEST) the n
 * smallest; the result drops the b most extreme and lists the rest from the
 * least to the most extreme.
 */
class KeptValues {
  readonly kept: Kept[] = [];
  arrivals = 0;
  constructor(
    readonly size: number,
    readonly but: number,
    readonly upTo: boolean,
    readonly keyKind: KeyKind,
    readonly keepGreatest: boolean,
  ) {}

  compare(a: Kept, b: Kept): number {
    if (this.keyKind === "value") {
      const c = compareValues(a.key, b.key);
      if (c !== 0) return c;
    }
    return a.seq - b.seq;
  }

  add(value: Value, key: Value): void {
    const entry: Kept = { value, key, seq: this.arrivals++ };
    const kept = this.kept;
    if (kept.length === this.size) {
      if (this.keepGreatest ? this.compare(entry, kept[0]!) <= 0 : this.compare(entry, kept[kept.length - 1]!) >= 0) return;
    }
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(kept[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, entry);
    if (kept.length > this.size) {
      if (this.keepGreatest) kept.shift();
      else kept.pop();
    }
  }

  result(): Value {
    const kept = this.kept;
    if (this.upTo ? kept.length <= this.but : kept.length < this.size) return null;
    const out: Value[] = [];
    if (this.keepGreatest) for (let i = 0; i < kept.length - this.but; i++) out.push(kept[i]!.value);
    else for (let i = kept.length - 1; i >= this.but; i--) out.push(kept[i]!.value);
    return out;
  }
}

function keptImpl(keyKind: KeyKind, keepGreatest: boolean, xArg: number): StatefulImpl {
  const impl = {
    kind: "stateful" as const,
    init: (call: ImplCall) =>
      new KeptValues(constNumber(call, 0), constNumber(call, 1, 0), call.options.upTo === true, keyKind, keepGreatest),
    update(s: KeptValues, args: readonly Value[]) {
      const x = args[xArg]!;
      const by = keyKind === "value" ? args[3] : undefined;
      s.add(x, by === undefined || by === null ? x : by);
      return s;
    },
    finalize: (s: KeptValues) => s.result(),
  };
  // The registry holds states as `unknown`; this impl only ever sees its own.
  return impl as unknown as StatefulImpl;
}

function keptTyping(withBy: boolean): TypingRule {
  return (call) => {
    rejectImmediate(call);
    const n = sizeParam(call, 0, 1);
    if (call.args[1]) {
      const b = sizeParam(call, 1, 0);
      if (n !== undefined && b !== undefined && b >= n) failRange(call, 1, `less than n (${n})`);
    }
    const x = concreteArg(call, 2);
    if (withBy && call.args[3]) {
      const by = arg(call, 3);
      expectNotNull(call, 3);
      if (by.type.type.tag === "tuple") {
        for (const item of by.type.type.items) {
          if (item.nullable) call.fail(3, "mustNotBeNullable", { what: by.text }, [`expected: non-nullable keys, got: ${ntypeToString(by.type)}`]);
        }
      }
    } else if (x.type.tag === "map") {
      call.fail(2, "notAggregatable", { what: arg(call, 2).text }, ["expected: a comparable value, got: a map"]);
    }
    return listOf(call.nulls === "keep" ? x : { type: x.type, nullable: false }, true);
  };
}

interface KeptSpec {
  readonly name: string;
  readonly template: string;
  readonly params: readonly string[];
  readonly signature: string;
  readonly doc: string;
  readonly examples: readonly string[];
  readonly withBy: boolean;
  readonly impl: StatefulImpl;
}

function keptEntry(spec: KeptSpec): FunctionEntry {
  return {
    name: spec.name,
    names: [spec.name],
    syntax: { kind: "keyword", template: spec.template, params: spec.params },
    state: "seq",
    deterministic: true,
    nullRule: "always",
    signature: spec.signature,
    doc: spec.doc,
    examples: spec.examples,
    typing: keptTyping(spec.withBy),
    units: unitsOfArg(2),
    impl: spec.impl,
  };
}

const KEPT_NULLS =
  "NULL while fewer than n values were kept, unless UP TO is given (then NULL only while at most b were kept). With SKIP NULLS the items are non-null; with KEEP NULLS a NULL x takes a place like any value.";

// ---- TOP: Space-Saving heavy hitters ------------------------------------------------------------------

interface Tracked {
  readonly value: Value;
  readonly key: Value;
  weight: number;
  overestimation: number;
  /** position in the min-heap of weights */
  index: number;
  /** creation order, to break ties between equal weights */
  readonly seq: number;
}

const LN2 = Math.LN2;
const DEFAULT_DECAY_SECONDS = 3600;
// Inflation factors grow exponentially with time; past this, every weight is
// rescaled so that the factor is back to 1 (ratios between weights unchanged).
const MAX_INFLATION = 2 ** 64;

/**
 * Space-Saving with `capacity` tracked entries (§6.10). Entries are in a
 * binary min-heap by weight (weights only grow, so an addition sifts down) and
 * in a map by value, so each addition costs O(log m).
 */
class TopState {
  readonly heap: Tracked[] = [];
  readonly byKey = new Map<Value, Tracked>();
  created = 0;
  t0: number | null = null;
  /** the value of the last update, for IS x IN TOP / RANK OF x IN TOP */
  lastKey: Value = null;
  lastWasNull = false;
  started = false;
  /** with FOR / AT TIME: half of the decay duration, in seconds */
  halfLife = 0;
  sigmas = 0;
  constructor(
    readonly size: number,
    readonly capacity: number,
    readonly decays: boolean,
  ) {}

  add(value: Value, weight: number, time: number | null): void {
    if (this.decays && time !== null) {
      if (this.t0 === null) this.t0 = time;
      let factor = Math.exp(((time - this.t0) * LN2) / this.halfLife);
      if (factor > MAX_INFLATION) {
        for (const e of this.heap) {
          e.weight /= factor;
          e.overestimation /= factor;
        }
        this.t0 = time;
        factor = 1;
      }
      weight *= factor;
    }
    const key = valueKey(value);
    this.lastKey = key;
    const tracked = this.byKey.get(key);
    if (tracked) {
      tracked.weight += weight;
      this.siftDown(tracked.index);
      return;
    }
    if (this.heap.length < this.capacity) {
      const e: Tracked = { value, key, weight, overestimation: 0, index: this.heap.length, seq: this.created++ };
      this.heap.push(e);
      this.byKey.set(key, e);
      this.siftUp(e.index);
      return;
    }
    // Evict the lightest: the newcomer inherits its weight as overestimation.
    const lightest = this.heap[0]!;
    this.byKey.delete(lightest.key);
    const e: Tracked = { value, key, weight: lightest.weight + weight, overestimation: lightest.weight, index: 0, seq: this.created++ };
    this.heap[0] = e;
    this.byKey.set(key, e);
    this.siftDown(0);
  }

  private lighter(a: Tracked, b: Tracked): boolean {
    return a.weight < b.weight || (a.weight === b.weight && a.seq > b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    a.index = j;
    b.index = i;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.lighter(this.heap[i]!, this.heap[parent]!)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.lighter(this.heap[l]!, this.heap[m]!)) m = l;
      if (r < n && this.lighter(this.heap[r]!, this.heap[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /** The kept top entries, heaviest first (§6.10). */
  top(): Tracked[] {
    const sorted = this.heap.slice().sort((a, b) => b.weight - a.weight || a.seq - b.seq);
    let kept = sorted.slice(0, this.size);
    const next = sorted[this.size];
    if (next) kept = kept.filter((e) => e.weight - e.overestimation >= next.weight);
    if (this.sigmas > 0 && this.heap.length > 0) {
      let mean = 0;
      for (const e of this.heap) mean += e.weight;
      mean /= this.heap.length;
      let variance = 0;
      for (const e of this.heap) variance += (e.weight - mean) ** 2;
      const threshold = mean + this.sigmas * Math.sqrt(variance / this.heap.length);
      kept = kept.filter((e) => e.weight >= threshold);
    }
    return kept;
  }
}

// Arguments of the `top` Call: [n, over, x, by, at, for, above].
const TOP_N = 0;
const TOP_OVER = 1;
const TOP_X = 2;
const TOP_BY = 3;
const TOP_AT = 4;
const TOP_FOR = 5;
const TOP_ABOVE = 6;

const topImpl = {
  kind: "stateful" as const,
  init(call: ImplCall): TopState {
    const n = Math.floor(constNumber(call, TOP_N));
    const capacity = Math.max(n, Math.floor(constNumber(call, TOP_OVER, 10 * n)));
    const decays = call.argTypes[TOP_AT] != null || call.argTypes[TOP_FOR] != null;
    return new TopState(n, capacity, decays);
  },
  update(s: TopState, args: readonly Value[], call: ImplCall): TopState {
    const x = args[TOP_X]!;
    // An omitted BY (no argument type) weighs 1; a present one may be NULL with KEEP NULLS.
    const w = call.argTypes[TOP_BY] ? args[TOP_BY]! : 1;
    s.started = true;
    // KEEP NULLS: a NULL value or weight is not tracked and the result is NULL.
    s.lastWasNull = x === null || w === null;
    if (s.lastWasNull) return s;
    const at = args[TOP_AT];
    const forD = args[TOP_FOR];
    s.halfLife = (forD === undefined || forD === null ? DEFAULT_DECAY_SECONDS : toFloat(forD)) / 2;
    const above = args[TOP_ABOVE];
    s.sigmas = above === undefined || above === null ? 0 : toFloat(above);
    s.add(x, toFloat(w), at === undefined || at === null ? null : toFloat(at));
    return s;
  },
  finalize(s: TopState, call: ImplCall): Value {
    const mode = call.options.topMode ?? "list";
    if (s.lastWasNull) return null;
    if (mode === "list") return s.top().map((e) => e.value);
    if (!s.started) return null;
    const rank = s.top().findIndex((e) => e.key === s.lastKey);
    if (mode === "membership") return rank >= 0;
    return rank >= 0 ? rank + 1 : null;
  },
};

const topTyping: TypingRule = (call: TypingCall) => {
  rejectImmediate(call);
  const n = constantParam(call, TOP_N, "num") as number | undefined;
  if (n !== undefined && !(n >= 1)) failRange(call, TOP_N, "at least 1");
  if (call.args[TOP_OVER]) {
    const m = constantParam(call, TOP_OVER, "num") as number | undefined;
    if (m !== undefined && n !== undefined && !(m >= n)) failRange(call, TOP_OVER, `at least n (${n})`);
  }
  const x = concreteArg(call, TOP_X);
  let weightNullable = false;
  if (call.args[TOP_BY]) weightNullable = expectNumeric(call, TOP_BY).type.nullable;
  for (const i of [TOP_FOR, TOP_ABOVE]) {
    if (call.args[i]) {
      expectNumeric(call, i);
      expectNotNull(call, i);
    }
  }
  if (call.args[TOP_AT]) timeArg(call, TOP_AT, false);
  const propagated = x.nullable || weightNullable;
  switch (call.options?.topMode ?? "list") {
    case "list":
      return listOf({ type: x.type, nullable: false }, call.nulls === "keep" && propagated);
    case "membership":
      return { type: T.bool, nullable: propagated } satisfies NType;
    case "rank":
      return { type: T.u32, nullable: true };
  }
};

// ---- the entries ------------------------------------------------------------------------------------------

export const entries: readonly FunctionEntry[] = [
  keptEntry({
    name: "largest",
    template: "LARGEST [BUT b] [UP TO] n x [BY e1, …]",
    params: ["n", "b", "x", "by"],
    signature: "uint const n, uint const b, t x, keys -> t[]?",
    doc: `The n largest values by key (the BY keys compared lexicographically, x itself without BY; equal keys: the later value is larger), minus the b largest, in ascending order. ${KEPT_NULLS}`,
    examples: ["LARGEST 2 x over 3, 1, 4, 1, 5 gives NULL, [1; 3], [3; 4], [3; 4], [4; 5]", "LARGEST BUT 1 2 x over 3, 1, 4 gives NULL, [1], [3]"],
    withBy: true,
    impl: keptImpl("value", true, 2),
  }),
  keptEntry({
    name: "smallest",
    template: "SMALLEST [BUT b] [UP TO] n x [BY e1, …]",
    params: ["n", "b", "x", "by"],
    signature: "uint const n, uint const b, t x, keys -> t[]?",
    doc: `The n smallest values by key, minus the b smallest, in descending order. ${KEPT_NULLS}`,
    examples: ["SMALLEST 2 x over 3, 1, 4 gives NULL, [3; 1], [3; 1]"],
    withBy: true,
    impl: keptImpl("value", false, 2),
  }),
  keptEntry({
    name: "latest",
    template: "LATEST [BUT b] [UP TO] n x",
    params: ["n", "b", "x"],
    signature: "uint const n, uint const b, t x -> t[]?",
    doc: `The n most recent values, minus the b most recent, oldest first. ${KEPT_NULLS}`,
    examples: ["LATEST 3 x over 1, 2, 3, 4 gives NULL, NULL, [1; 2; 3], [2; 3; 4]", "LATEST 1 x = [x]"],
    withBy: false,
    impl: keptImpl("arrival", true, 2),
  }),
  keptEntry({
    name: "oldest",
    template: "OLDEST [BUT b] [UP TO] n x",
    params: ["n", "b", "x"],
    signature: "uint const n, uint const b, t x -> t[]?",
    doc: `The n first values of the state (kept forever), minus the b oldest, newest first (from the least to the most extreme). ${KEPT_NULLS}`,
    examples: ["OLDEST 2 x over 1, 2, 3 gives NULL, [2; 1], [2; 1]"],
    withBy: false,
    impl: keptImpl("arrival", false, 2),
  }),
  keptEntry({
    name: "earlier",
    template: "EARLIER [UP TO] n x",
    params: ["n", "b", "x"],
    signature: "uint const n, t x -> t[]?",
    doc: `= LATEST n x (without BUT): the n most recent values, oldest first. ${KEPT_NULLS}`,
    examples: ["EARLIER 2 x over 1, 2, 3 gives NULL, [1; 2], [2; 3]"],
    withBy: false,
    impl: keptImpl("arrival", true, 2),
  }),
  {
    name: "top",
    names: ["top"],
    syntax: {
      kind: "keyword",
      template:
        "(LIST TOP | IS x IN TOP | RANK OF x IN TOP) n [OVER m] x [BY w] [AT TIME t] [FOR [THE LAST] d] [ABOVE s SIGMAS]",
      params: ["n", "over", "x", "by", "at", "for", "above"],
    },
    state: "seq",
    deterministic: true,
    nullRule: "custom",
    signature: "num const n, num const m, t x, num w, num t, num d, num s -> t[] | bool | u32?",
    doc:
      "Approximate heavy hitters (Space-Saving over m = OVER tracked entries, default 10 × n). Adding x with weight w (default 1) multiplied by exp((t − t0)·ln 2 / (d/2)), t0 being the time of the first value: a tracked x gains that weight; otherwise it is tracked with it while fewer than m entries exist, else it replaces the lightest entry (weight v), getting weight v + w and overestimation v. " +
      "The top: the n heaviest entries, keeping, when an (n+1)th of weight c exists, only those whose weight − overestimation ≥ c, and with ABOVE s SIGMAS only those whose weight ≥ mean + s·σ of the tracked entries' weights. " +
      "LIST TOP returns them heaviest first, IS x IN TOP whether the current x is among them, RANK OF x IN TOP its 1-based rank (NULL if absent). No decay without AT TIME nor FOR; FOR d alone decays by #start (argument 4, filled by the checker), AT TIME t alone with d = 1 hour. With KEEP NULLS a NULL x or w is not tracked and gives NULL.",
    examples: ["LIST TOP 1 x over a, b, b gives [a], [a], [b]", "RANK OF x IN TOP 2 x over a, b, b gives 1, 2, 1"],
    typing: topTyping,
    units: "none",
    defaultTime: { index: TOP_AT, onlyWith: TOP_FOR },
    impl: topImpl as unknown as StatefulImpl,
  },
];
