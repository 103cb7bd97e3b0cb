// Aggregate functions (raql.md §6.7, §6.10): MIN, MAX, SUM, AVG, AND, OR,
// BITAND/BITOR/BITXOR, FIRST, LAST, COUNT, GROUP, HISTOGRAM, DISTINCT.
//
// Each keeps a mutable state object updated once per aggregated value
// (nothing is allocated per update for the numeric ones). The same state
// machinery serves IMMEDIATELY mode: `immediate` folds the items of one
// list through init/update/finalize, applying SKIP/KEEP NULLS per item.
//
// NULL rules (§6.10): SKIP NULLS is applied by the caller (update is not
// called for a NULL operand); with KEEP NULLS a NULL reaches update and the
// value aggregates answer NULL from then on until the state is reset.
//
// The numeric ones also have an inline form (InlineStateful, entry.ts): the
// same computation as code templates, for SKIP NULLS over number-represented
// types, which generated code splices into its loops.

import { T, isInt, type NType } from "../../grammar/types.js";
import { compareValues } from "../compare.js";
import type {
  FunctionEntry,
  ImplCall,
  InlineStorage,
  InlineVar,
  StatefulImpl,
  Syntax,
  TypingCall,
  TypingRule,
  UnitRule,
} from "../entry.js";
import {
  asDouble,
  fromStored,
  greatestStored,
  isNumberArg,
  leastStored,
  skipsNulls,
  storageOf,
  toStored,
  zeroOf,
} from "../inline-state.js";
import { inlineWrap, numKind, wrapBig, wrapSmall, type NumKind } from "../ints.js";
import { arg, isIntLike, isNumericLike } from "../typing.js";
import type { Value } from "../values.js";
import {
  CompensatedSum,
  concreteOperand,
  inlineCompensatedAdd,
  inlineCompensatedTotal,
  failNotAggregatable,
  failRange,
  itemCallOf,
  listOf,
  operandOf,
  toFloat,
  unitsOfArg,
  valueKey,
  type Operand,
  type StateMachine,
} from "./stateful-common.js";

// ---- the shape of an aggregate entry -------------------------------------------------------

/** Adds the immediate mode to a state machine aggregating argument `x`. */
function withImmediate<S>(impl: StateMachine<S>, x = 0): StatefulImpl {
  const immediate = (args: readonly Value[], call: ImplCall): Value => {
    const list = args[x];
    if (list === null || list === undefined) return null;
    const itemCall = itemCallOf(call, x);
    const itemArgs = args.slice();
    let state = impl.init(itemCall);
    for (const item of list as readonly Value[]) {
      if (item === null && call.nulls === "skip") continue;
      itemArgs[x] = item;
      state = impl.update(state, itemArgs, itemCall);
    }
    return impl.finalize(state, itemCall);
  };
  // The registry holds states as `unknown`; each impl only ever sees its own.
  return { kind: "stateful", ...impl, immediate } as unknown as StatefulImpl;
}

function f64(name: string): InlineVar {
  return { name, storage: "f64" };
}

function flag(name: string): InlineVar {
  return { name, storage: "bool" };
}

interface AggregateSpec {
  readonly name: string;
  readonly names?: readonly string[];
  readonly syntax?: Syntax;
  readonly signature: string;
  readonly doc: string;
  readonly examples: readonly string[];
  readonly typing: TypingRule;
  readonly units: UnitRule;
  readonly nullRule?: FunctionEntry["nullRule"];
  readonly alias?: (x: string) => string;
  readonly impl: StatefulImpl;
}

function aggregate(spec: AggregateSpec): FunctionEntry {
  const alias = spec.alias;
  return {
    name: spec.name,
    names: spec.names ?? [spec.name],
    syntax: spec.syntax ?? { kind: "function", arities: [1] },
    state: "agg",
    deterministic: true,
    nullRule: spec.nullRule ?? "prop",
    signature: spec.signature,
    doc: spec.doc,
    examples: spec.examples,
    typing: spec.typing,
    units: spec.units,
    ...(alias ? { defaultAlias: (x: string) => alias(x) } : {}),
    impl: spec.impl,
  };
}

const MODIFIERS = "[LOCALLY|GLOBALLY|IMMEDIATELY] [SKIP NULLS|KEEP NULLS]";

/**
 * Result nullability of value aggregates (§6.7): NULL when nothing, or a kept
 * NULL, was aggregated — which an empty list also causes in immediate mode.
 */
function valueNullable(op: Operand): boolean {
  return op.item.nullable || op.listNullable || op.mayBeEmpty;
}

/** COUNT, HISTOGRAM: only a kept NULL (or a NULL list) makes them NULL; nothing aggregated is 0. */
function countNullable(call: TypingCall, op: Operand): boolean {
  return op.listNullable || (call.nulls === "keep" && op.item.nullable);
}

function numericOperand(call: TypingCall, op: Operand, accept: (t: NType) => boolean, expected: string): NType {
  const t = concreteOperand(call, 0, op);
  if (!accept(t)) failNotAggregatable(call, 0, op.immediate ? `a list or vector of ${expected}` : expected);
  return t;
}

// ---- SUM, AVG --------------------------------------------------------------------------------

class SumState {
  count = 0;
  sawNull = false;
  readonly floats = new CompensatedSum();
  small = 0;
  big = 0n;
  constructor(readonly kind: NumKind) {}
}

const sumImpl = withImmediate<SumState>({
  init: (call) => new SumState(numKind(call.resultType)),
  update(s, args) {
    const x = args[0]!;
    if (x === null) {
      s.sawNull = true;
      return s;
    }
    s.count++;
    const k = s.kind;
    if (k.kind === "float") s.floats.add(x as number);
    else if (k.kind === "small") s.small = wrapSmall(s.small + (x as number), k.signed, k.width);
    else s.big = wrapBig(s.big + (x as bigint), k.signed, k.width);
    return s;
  },
  finalize(s) {
    if (s.sawNull || s.count === 0) return null;
    const k = s.kind.kind;
    return k === "float" ? s.floats.total : k === "small" ? s.small : s.big;
  },
  inline(call) {
    const t = call.resultType;
    const storage = storageOf(t);
    if (!skipsNulls(call) || storage === undefined) return undefined;
    if (t.type.tag === "float") {
      return {
        vars: [f64("sum"), f64("comp"), flag("has")],
        init: (r) => `${r.scalar("sum")} = 0; ${r.scalar("comp")} = 0; ${r.scalar("has")} = 0;`,
        update: (r, [x]) => `${inlineCompensatedAdd(r, x!)} ${r.scalar("has")} = 1;`,
        value: inlineCompensatedTotal,
        isNull: (r) => `${r.scalar("has")} === 0`,
      };
    }
    if (t.type.tag !== "int") return undefined;
    const shape = t.type;
    return {
      vars: [{ name: "sum", storage }, flag("has")],
      init: (r) => `${r.scalar("sum")} = ${zeroOf(storage)}; ${r.scalar("has")} = 0;`,
      update: (r, [x]) => `${r.scalar("sum")} = ${inlineWrap(`${r.scalar("sum")} + ${x!}`, shape)}; ${r.scalar("has")} = 1;`,
      value: (r) => r.scalar("sum"),
      isNull: (r) => `${r.scalar("has")} === 0`,
    };
  },
});

class AvgState {
  count = 0;
  sawNull = false;
  readonly sum = new CompensatedSum();
}

const avgImpl = withImmediate<AvgState>({
  init: () => new AvgState(),
  update(s, args) {
    const x = args[0]!;
    if (x === null) s.sawNull = true;
    else {
      s.count++;
      s.sum.add(toFloat(x));
    }
    return s;
  },
  finalize: (s) => (s.sawNull || s.count === 0 ? null : s.sum.total / s.count),
  inline(call) {
    const xType = call.argTypes[0];
    if (!skipsNulls(call) || !isNumberArg(xType)) return undefined;
    return {
      vars: [f64("sum"), f64("comp"), f64("count")],
      init: (r) => `${r.scalar("sum")} = 0; ${r.scalar("comp")} = 0; ${r.scalar("count")} = 0;`,
      update: (r, [x]) => `${inlineCompensatedAdd(r, asDouble(xType, x!))} ${r.scalar("count")} += 1;`,
      value: (r) => `(${inlineCompensatedTotal(r)} / ${r.scalar("count")})`,
      isNull: (r) => `${r.scalar("count")} === 0`,
    };
  },
});

// ---- MIN, MAX, FIRST, LAST: keep one value ------------------------------------------------

class KeptValue {
  has = false;
  sawNull = false;
  value: Value = null;
}

/**
 * Which value FIRST, LAST, MIN and MAX keep, for their inline form. MIN and
 * MAX start from the greatest (least) value of the order, so that the first
 * value replaces it without testing whether one was kept.
 */
type KeepRule = "first" | "last" | "min" | "max";

/** Keeps the value for which `replaces(new, kept)` holds last. */
function keepOne(replaces: (x: Value, kept: Value) => boolean, rule: KeepRule): StatefulImpl {
  return withImmediate<KeptValue>({
    init: () => new KeptValue(),
    update(s, args) {
      const x = args[0]!;
      if (x === null) s.sawNull = true;
      else if (!s.has || replaces(x, s.value)) {
        s.value = x;
        s.has = true;
      }
      return s;
    },
    finalize: (s) => (s.sawNull || !s.has ? null : s.value),
    inline(call) {
      const storage = storageOf(call.argTypes[0]);
      if (!skipsNulls(call) || storage === undefined) return undefined;
      const start = rule === "min" ? greatestStored(storage) : rule === "max" ? leastStored(storage) : zeroOf(storage);
      return {
        vars: [{ name: "kept", storage }, flag("has")],
        init: (r) => `${r.scalar("kept")} = ${start}; ${r.scalar("has")} = 0;`,
        update: (r, [x]) => {
          const [kept, has] = [r.scalar("kept"), r.scalar("has")];
          const v = r.fresh("x");
          const keep =
            rule === "first"
              ? `if (${has} === 0) ${kept} = ${v};`
              : rule === "last"
                ? `${kept} = ${v};`
                : `if (${rule === "min" ? inlineLess(storage, v, kept) : inlineLess(storage, kept, v)}) ${kept} = ${v};`;
          return `{ const ${v} = ${toStored(storage, x!)}; ${keep} ${has} = 1; }`;
        },
        value: (r) => fromStored(storage, r.scalar("kept")),
        isNull: (r) => `${r.scalar("has")} === 0`,
      };
    },
  });
}

/**
 * Whether `a` replaces `b` as the kept value when `less(a, b)`, inline over
 * stored values (NaN is smaller than every number). Also true when both are
 * NaN, which changes no value and saves a test.
 */
function inlineLess(storage: InlineStorage, a: string, b: string): string {
  return storage === "f64" ? `(${a} < ${b} || ${a} !== ${a})` : `${a} < ${b}`;
}

// Numbers compare directly on the hot path; the shared total order (NaN first,
// then composites lexicographically) decides everything else.
function less(a: Value, b: Value): boolean {
  if (typeof a === "number" && typeof b === "number" && a === a && b === b) return a < b;
  return compareValues(a, b) < 0;
}

const anyOperand: TypingRule = (call) => {
  const op = operandOf(call, 0);
  const t = concreteOperand(call, 0, op);
  if (t.type.tag === "map") failNotAggregatable(call, 0, "a comparable value");
  return { type: t.type, nullable: valueNullable(op) };
};

// ---- AND, OR, BITAND, BITOR, BITXOR: folds ------------------------------------------------------

class BoolFold {
  count = 0;
  sawNull = false;
  acc = false;
}

function boolFold(isAnd: boolean): StatefulImpl {
  return withImmediate<BoolFold>({
    init: () => {
      const s = new BoolFold();
      s.acc = isAnd;
      return s;
    },
    update(s, args) {
      const x = args[0]!;
      if (x === null) s.sawNull = true;
      else {
        s.count++;
        s.acc = isAnd ? s.acc && (x as boolean) : s.acc || (x as boolean);
      }
      return s;
    },
    finalize: (s) => (s.sawNull || s.count === 0 ? null : s.acc),
    inline(call) {
      if (!skipsNulls(call) || call.argTypes[0]?.type.tag !== "bool") return undefined;
      return {
        vars: [flag("acc"), flag("has")],
        init: (r) => `${r.scalar("acc")} = ${isAnd ? 1 : 0}; ${r.scalar("has")} = 0;`,
        update: (r, [x]) => `if (${isAnd ? "!" : ""}${x!}) ${r.scalar("acc")} = ${isAnd ? 0 : 1}; ${r.scalar("has")} = 1;`,
        value: (r) => fromStored("bool", r.scalar("acc")),
        isNull: (r) => `${r.scalar("has")} === 0`,
      };
    },
  });
}

const boolOperand: TypingRule = (call) => {
  const op = operandOf(call, 0);
  numericOperand(call, op, (t) => t.type.tag === "bool", "booleans");
  return { type: T.bool, nullable: valueNullable(op) };
};

type BitOp = "and" | "or" | "xor";

class BitFold {
  count = 0;
  sawNull = false;
  small = 0;
  big = 0n;
  constructor(readonly op: BitOp, readonly kind: NumKind) {}
}

function bitFold(op: BitOp): StatefulImpl {
  return withImmediate<BitFold>({
    init: (call) => new BitFold(op, numKind(call.resultType)),
    update(s, args) {
      const x = args[0]!;
      if (x === null) {
        s.sawNull = true;
        return s;
      }
      const first = s.count++ === 0;
      if (s.kind.kind === "big") {
        const v = x as bigint;
        s.big = first ? v : s.op === "and" ? s.big & v : s.op === "or" ? s.big | v : s.big ^ v;
      } else {
        const v = x as number;
        const r = first ? v : s.op === "and" ? s.small & v : s.op === "or" ? s.small | v : s.small ^ v;
        // JS bit operators answer signed 32-bit; only u32 needs the unsigned view back.
        s.small = s.kind.kind === "small" && !s.kind.signed && s.kind.width === 32 ? r >>> 0 : r;
      }
      return s;
    },
    finalize: (s) => (s.sawNull || s.count === 0 ? null : s.kind.kind === "big" ? s.big : s.small),
    inline(call) {
      const t = call.resultType;
      const storage = storageOf(t);
      if (!skipsNulls(call) || storage === undefined || t.type.tag !== "int") return undefined;
      const jsOp = op === "and" ? "&" : op === "or" ? "|" : "^";
      // As in update: only u32 needs the unsigned view of JS's signed 32-bit results.
      const folded = (acc: string, x: string) => (storage === "u32" ? `((${acc} ${jsOp} ${x}) >>> 0)` : `(${acc} ${jsOp} ${x})`);
      return {
        vars: [{ name: "acc", storage }, flag("has")],
        init: (r) => `${r.scalar("acc")} = ${zeroOf(storage)}; ${r.scalar("has")} = 0;`,
        update: (r, [x]) => {
          const [acc, has] = [r.scalar("acc"), r.scalar("has")];
          return `${acc} = ${has} === 0 ? ${x!} : ${folded(acc, x!)}; ${has} = 1;`;
        },
        value: (r) => r.scalar("acc"),
        isNull: (r) => `${r.scalar("has")} === 0`,
      };
    },
  });
}

const intOperand: TypingRule = (call) => {
  const op = operandOf(call, 0);
  const t = numericOperand(call, op, (t) => isIntLike(t.type), "integers");
  return { type: t.type, nullable: valueNullable(op) };
};

// ---- COUNT ---------------------------------------------------------------------------------------

class CountState {
  count = 0;
  sawNull = false;
}

const countImpl = withImmediate<CountState>({
  init: () => new CountState(),
  update(s, args) {
    const x = args[0]!;
    if (x === null) s.sawNull = true;
    else if (x !== false) s.count = (s.count + 1) >>> 0;
    return s;
  },
  finalize: (s) => (s.sawNull ? null : s.count),
  // Any operand type: only booleans are read.
  inline(call) {
    if (!skipsNulls(call)) return undefined;
    const isBool = call.argTypes[0]?.type.tag === "bool";
    return {
      vars: [{ name: "count", storage: "u32" }],
      init: (r) => `${r.scalar("count")} = 0;`,
      update: (r, [x]) => `${isBool ? `if (${x!}) ` : ""}${r.scalar("count")} = (${r.scalar("count")} + 1) >>> 0;`,
      value: (r) => r.scalar("count"),
    };
  },
});

// ---- GROUP ---------------------------------------------------------------------------------------

class GroupState {
  readonly items: Value[] = [];
}

const groupImpl = withImmediate<GroupState>({
  init: () => new GroupState(),
  update(s, args) {
    s.items.push(args[0]!);
    return s;
  },
  finalize(s, call) {
    if (s.items.length === 0) return call.resultType.nullable ? null : [];
    // Most recent first; a fresh array since earlier results must not change.
    const out = new Array<Value>(s.items.length);
    for (let i = 0, j = s.items.length - 1; j >= 0; i++, j--) out[i] = s.items[j]!;
    return out;
  },
});

const groupTyping: TypingRule = (call) => {
  const op = operandOf(call, 0);
  const t = concreteOperand(call, 0, op);
  return call.nulls === "keep"
    ? listOf(t, op.listNullable)
    : listOf({ type: t.type, nullable: false }, op.listNullable || t.nullable);
};

// ---- HISTOGRAM -----------------------------------------------------------------------------------

class HistogramState {
  sawNull = false;
  readonly counts: Uint32Array;
  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly buckets: number,
  ) {
    this.counts = new Uint32Array(buckets + 2);
  }
}

const histogramImpl = withImmediate<HistogramState>({
  init: (call) => {
    const [, lo, hi, n] = call.constants;
    return new HistogramState(toFloat(lo!), toFloat(hi!), toFloat(n!));
  },
  update(s, args) {
    const x = args[0]!;
    if (x === null) {
      s.sawNull = true;
      return s;
    }
    const v = toFloat(x);
    let bucket: number;
    if (v < s.lo) bucket = 0;
    else if (v >= s.hi || v !== v) bucket = s.buckets + 1;
    // Rounding may put a value just below hi one bucket too far.
    else bucket = Math.min(s.buckets, 1 + Math.floor(((v - s.lo) * s.buckets) / (s.hi - s.lo)));
    s.counts[bucket]!++;
    return s;
  },
  finalize: (s) => (s.sawNull ? null : Array.from(s.counts)),
});

const histogramTyping: TypingRule = (call) => {
  const op = operandOf(call, 0);
  numericOperand(call, op, (t) => isNumericLike(t.type), "numerics");
  const bounds: number[] = [];
  for (const i of [1, 2, 3]) {
    const a = arg(call, i);
    if (!a.isConstant || a.constValue === undefined || a.constValue === null) call.fail(i, "histogramNotConstant");
    if (i < 3 && !isNumericLike(a.type.type)) call.fail(i, "typeMismatch", { what: a.text, expected: "numeric" }, [`expected: float, got: ${a.type.type.tag}`]);
    bounds.push(Number(a.constValue as number | bigint));
  }
  const [lo, hi, n] = bounds as [number, number, number];
  const nArg = arg(call, 3);
  if (!isInt(nArg.type.type) && nArg.type.type.tag !== "flexint") call.fail(3, "typeMismatch", { what: nArg.text, expected: "an unsigned integer" });
  if (!(n > 0)) call.fail(3, "histogramSize");
  if (!(lo < hi)) failRange(call, 2, `greater than the lower bound ${lo}`);
  return { type: T.vector(n + 2, { type: T.u32, nullable: false }), nullable: countNullable(call, op) };
};

// ---- DISTINCT ------------------------------------------------------------------------------------

class DistinctState {
  readonly seen = new Set<Value>();
  /** whether the last aggregated value was new; null before any */
  lastWasNew: boolean | null = null;
}

const distinctImpl = withImmediate<DistinctState>({
  init: () => new DistinctState(),
  update(s, args) {
    const key = valueKey(args[0]!);
    s.lastWasNew = !s.seen.has(key);
    if (s.lastWasNew) s.seen.add(key);
    return s;
  },
  finalize: (s) => s.lastWasNew,
});

// ---- the entries ---------------------------------------------------------------------------------

export const entries: readonly FunctionEntry[] = [
  aggregate({
    name: "min",
    signature: "t -> t",
    doc: "Smallest aggregated value (any comparable type; NaN is smaller than every number). NULL while nothing was aggregated.",
    examples: ["MIN [3; 1; 2] = 1", "MIN x over 3, 1, 2 gives 3, 1, 1"],
    typing: anyOperand,
    units: unitsOfArg(0),
    alias: (x) => "min_" + x,
    impl: keepOne(less, "min"),
  }),
  aggregate({
    name: "max",
    signature: "t -> t",
    doc: "Largest aggregated value (any comparable type). NULL while nothing was aggregated.",
    examples: ["MAX [3; 1; 2] = 3", "MAX x over 1, 3, 2 gives 1, 3, 3"],
    typing: anyOperand,
    units: unitsOfArg(0),
    alias: (x) => "max_" + x,
    impl: keepOne((x, kept) => less(kept, x), "max"),
  }),
  aggregate({
    name: "sum",
    signature: "num -> type of x",
    doc: "Sum of the aggregated values. Integer sums wrap around at the width of x; float sums are compensated (Kahan–Babuška–Neumaier), so they are exact as long as the result fits. `SUM 1` counts tuples.",
    examples: ["SUM [1.0; 1e100; 1.0; -1e100] = 2", "SUM [250u8; 10u8] = 4", "SUM [1u8?; 2u8?; NULL] = 3"],
    typing: (call) => {
      const op = operandOf(call, 0);
      const t = numericOperand(call, op, (t) => isNumericLike(t.type), "numerics");
      return { type: t.type, nullable: valueNullable(op) };
    },
    units: unitsOfArg(0),
    alias: (x) => "sum_" + x,
    impl: sumImpl,
  }),
  aggregate({
    name: "avg",
    signature: "num -> float",
    doc: "Arithmetic mean of the aggregated values (compensated summation).",
    examples: ["AVG [1; 2; 4] = 2.3333333333333335"],
    typing: (call) => {
      const op = operandOf(call, 0);
      numericOperand(call, op, (t) => isNumericLike(t.type), "numerics");
      return { type: T.float, nullable: valueNullable(op) };
    },
    units: unitsOfArg(0),
    alias: (x) => "avg_" + x,
    impl: avgImpl,
  }),
  aggregate({
    name: "agg_and",
    names: ["and"],
    syntax: { kind: "keyword", template: `AND ${MODIFIERS} x`, params: ["x"] },
    signature: "bool -> bool",
    doc: "True iff every aggregated value is true (the aggregate AND, not the three-valued operator).",
    examples: ["AND [true; false] = false", "AND [true; true] = true"],
    typing: boolOperand,
    units: "none",
    alias: (x) => "and_" + x,
    impl: boolFold(true),
  }),
  aggregate({
    name: "agg_or",
    names: ["or"],
    syntax: { kind: "keyword", template: `OR ${MODIFIERS} x`, params: ["x"] },
    signature: "bool -> bool",
    doc: "True iff some aggregated value is true.",
    examples: ["OR [false; true] = true", "OR [false; false] = false"],
    typing: boolOperand,
    units: "none",
    alias: (x) => "or_" + x,
    impl: boolFold(false),
  }),
  aggregate({
    name: "bitand",
    signature: "int -> type of x",
    doc: "Bitwise AND of the aggregated integers.",
    examples: ["BITAND [12u8; 10u8] = 8"],
    typing: intOperand,
    units: "none",
    impl: bitFold("and"),
  }),
  aggregate({
    name: "bitor",
    signature: "int -> type of x",
    doc: "Bitwise OR of the aggregated integers.",
    examples: ["BITOR [12u8; 10u8] = 14"],
    typing: intOperand,
    units: "none",
    impl: bitFold("or"),
  }),
  aggregate({
    name: "bitxor",
    signature: "int -> type of x",
    doc: "Bitwise XOR of the aggregated integers.",
    examples: ["BITXOR [12u8; 10u8] = 6"],
    typing: intOperand,
    units: "none",
    impl: bitFold("xor"),
  }),
  aggregate({
    name: "first",
    signature: "t -> t",
    doc: "First aggregated value.",
    examples: ["FIRST [3; 1; 2] = 3"],
    typing: anyOperand,
    units: unitsOfArg(0),
    alias: (x) => "first_" + x,
    impl: keepOne(() => false, "first"),
  }),
  aggregate({
    name: "last",
    signature: "t -> t",
    doc: "Last aggregated value.",
    examples: ["LAST [3; 1; 2] = 2"],
    typing: anyOperand,
    units: unitsOfArg(0),
    alias: (x) => "last_" + x,
    impl: keepOne(() => true, "last"),
  }),
  aggregate({
    name: "count",
    signature: "t -> u32",
    doc: "Number of aggregated values; for booleans, number of true values. 0 when nothing was aggregated; with KEEP NULLS a NULL makes it NULL until reset.",
    examples: ["COUNT [true; false; true] = 2", "COUNT [1; 5; 7] = 3"],
    typing: (call) => {
      const op = operandOf(call, 0);
      concreteOperand(call, 0, op);
      return { type: T.u32, nullable: countNullable(call, op) };
    },
    units: "dimensionless",
    impl: countImpl,
  }),
  aggregate({
    name: "group",
    names: ["group", "all"],
    signature: "t -> t[]",
    doc: "All aggregated values as a list, most recent first. With SKIP NULLS the items are non-null and the list is NULL when nothing was aggregated (if x is nullable); with KEEP NULLS the items keep x's nullability and NULL items are kept.",
    examples: ["GROUP x over 1, 2, 3 gives [1], [2; 1], [3; 2; 1]"],
    typing: groupTyping,
    units: unitsOfArg(0),
    alias: (x) => x,
    nullRule: "custom",
    impl: groupImpl,
  }),
  aggregate({
    name: "histogram",
    syntax: { kind: "function", arities: [4] },
    signature: "num, float const, float const, uint const n -> u32[n+2]",
    doc: "HISTOGRAM(x, lo, hi, n): counts of x in n equal buckets over [lo, hi), bucket 0 counting x < lo and bucket n+1 counting x ≥ hi (and NaN).",
    examples: ["HISTOGRAM(x, 0, 10, 2) over 1, 7, 12, -1 gives [0; 1; 0; 0], [0; 1; 1; 0], [0; 1; 1; 1], [1; 1; 1; 1]"],
    typing: histogramTyping,
    units: "dimensionless",
    alias: (x) => x + "_histogram",
    nullRule: "custom",
    impl: histogramImpl,
  }),
  aggregate({
    name: "distinct",
    signature: "t -> bool",
    doc: "True iff the value was never aggregated before in this state (an exact set of the values). With KEEP NULLS, NULL is one such value.",
    examples: ["DISTINCT x over 1, 2, 1 gives true, true, false"],
    typing: (call) => {
      const op = operandOf(call, 0);
      concreteOperand(call, 0, op);
      return { type: T.bool, nullable: valueNullable(op) };
    },
    units: "none",
    impl: distinctImpl,
  }),
];
