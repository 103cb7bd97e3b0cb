// Sequence ("window") functions (raql.md §6.8, §6.10): LAG, moving averages,
// exponential smoothing (simple, damped Holt, damped Holt-Winters), online
// multi-linear regression, DERIVE, HYSTERESIS, REMEMBER/RECALL, SAMPLE,
// ONE OUT OF, EVERY and PAST.
//
// They keep a state over the sequence of tuples (LOCALLY or GLOBALLY, never
// IMMEDIATELY). Numeric windows live in typed arrays allocated once in init.
// SKIP NULLS is the caller's (update is not called for a NULL operand). With
// KEEP NULLS, unless an entry's doc says otherwise, a NULL operand makes the
// result NULL from then on until the state is reset (§4.10).
//
// LAG, the moving averages, SMOOTH (all variants), DERIVE and HYSTERESIS also
// have an inline form (InlineStateful, entry.ts) for SKIP NULLS over
// number-represented types: the same computation as code templates.
//
// Time arguments (DERIVE, REMEMBER, RECALL, EVERY, PAST) default to `#start`:
// the entry's `defaultTime` names the argument the checker fills with a call
// to `event_start` when the user omitted it.

import { T, type NType } from "../../grammar/types.js";
import { SECONDS, type Units } from "../../grammar/units.js";
import type {
  FunctionEntry,
  ImplCall,
  InlineRefs,
  InlineStateful,
  InlineVar,
  StatefulImpl,
  Syntax,
  TypingCall,
  TypingRule,
  UnitRule,
} from "../entry.js";
import { advanceIndex, asDouble, freshNames, fromStored, isNumberArg, skipsNulls, storageOf, toStored, zeroOf } from "../inline-state.js";
import { arg, expectNumeric } from "../typing.js";
import type { Value } from "../values.js";
import {
  concreteArg,
  constNumber,
  constantParam,
  failRange,
  listOf,
  numericNotNull,
  perTimeUnits,
  randomOf,
  rejectImmediate,
  sizeParam,
  timeArg,
  toFloat,
  unitsOfArg,
  valueKey,
  type StateMachine,
} from "./stateful-common.js";

// ---- the shape of a sequence entry -----------------------------------------------------------

function stateful<S>(impl: StateMachine<S>): StatefulImpl {
  // The registry holds states as `unknown`; each impl only ever sees its own.
  return { kind: "stateful", ...impl } as unknown as StatefulImpl;
}

interface SequenceSpec {
  readonly name: string;
  readonly names?: readonly string[];
  readonly syntax: Syntax;
  readonly signature: string;
  readonly doc: string;
  readonly examples: readonly string[];
  readonly typing: TypingRule;
  readonly units: UnitRule;
  readonly nullRule: FunctionEntry["nullRule"];
  readonly deterministic?: boolean;
  readonly defaultTime?: FunctionEntry["defaultTime"];
  readonly impl: StatefulImpl;
}

function sequence(spec: SequenceSpec): FunctionEntry {
  const typing = spec.typing;
  return {
    name: spec.name,
    names: spec.names ?? [spec.name],
    syntax: spec.syntax,
    state: "seq",
    deterministic: spec.deterministic ?? true,
    nullRule: spec.nullRule,
    signature: spec.signature,
    doc: spec.doc,
    examples: spec.examples,
    typing: (call) => {
      rejectImmediate(call);
      return typing(call);
    },
    units: spec.units,
    ...(spec.defaultTime ? { defaultTime: spec.defaultTime } : {}),
    impl: spec.impl,
  };
}

function fn(...arities: number[]): Syntax {
  return { kind: "function", arities };
}

/** A numeric operand: the result is a float, nullable iff the operand is. */
function floatOf(call: TypingCall, x: number): NType {
  expectNumeric(call, x);
  return { type: T.float, nullable: concreteArg(call, x).nullable };
}


function valueOrNull(v: number): number | null {
  return v === v ? v : null;
}

function f64(name: string, slots?: number): InlineVar {
  return slots === undefined ? { name, storage: "f64" } : { name, storage: "f64", slots };
}

function flag(name: string): InlineVar {
  return { name, storage: "bool" };
}

/** Whether every non-omitted argument is an integer or a float, read as a double inline. */
function numericArgs(call: ImplCall): boolean {
  return call.argTypes.every((t) => t === null || isNumberArg(t));
}

// ---- LAG ---------------------------------------------------------------------------------------

class LagState {
  readonly ring: Value[];
  pos = 0;
  count = 0;
  result: Value = null;
  constructor(readonly steps: number) {
    this.ring = new Array<Value>(steps).fill(null);
  }
}

const lagImpl = stateful<LagState>({
  init: (call) => new LagState(call.argTypes.length === 2 ? constNumber(call, 0) : 1),
  update(s, args) {
    const x = args[args.length - 1]!;
    if (s.steps === 0) {
      s.result = x;
      return s;
    }
    // The slot about to be overwritten holds the value `steps` updates ago.
    s.result = s.count >= s.steps ? s.ring[s.pos]! : null;
    s.ring[s.pos] = x;
    s.pos = (s.pos + 1) % s.steps;
    s.count++;
    return s;
  },
  finalize: (s) => s.result,
  inline(call) {
    const xType = call.argTypes[call.argTypes.length - 1];
    const storage = storageOf(xType);
    if (!skipsNulls(call) || storage === undefined) return undefined;
    const steps = call.argTypes.length === 2 ? constNumber(call, 0) : 1;
    const resultVars: InlineVar[] = [{ name: "result", storage }, flag("resultNull")];
    const initResult = (r: InlineRefs) => `${r.scalar("result")} = ${zeroOf(storage)}; ${r.scalar("resultNull")} = 1;`;
    const value = (r: InlineRefs) => fromStored(storage, r.scalar("result"));
    const isNull = (r: InlineRefs) => `${r.scalar("resultNull")} !== 0`;
    const x = (args: readonly string[]) => toStored(storage, args[args.length - 1]!);
    if (steps === 0) {
      return {
        vars: resultVars,
        init: initResult,
        update: (r, args) => `${r.scalar("result")} = ${x(args)}; ${r.scalar("resultNull")} = 0;`,
        value,
        isNull,
      };
    }
    return {
      vars: [...resultVars, { name: "ring", storage, slots: steps }, { name: "pos", storage: "u32" }, flag("full")],
      init: (r) => {
        const i = r.fresh("i");
        return (
          `${initResult(r)} ${r.scalar("pos")} = 0; ${r.scalar("full")} = 0; ` +
          `for (let ${i} = 0; ${i} < ${steps}; ${i}++) ${r.slot("ring", i)} = ${zeroOf(storage)};`
        );
      },
      // Once the ring is full, the slot about to be overwritten holds the value `steps` updates ago.
      update: (r, args) => {
        const [pos, full] = [r.scalar("pos"), r.scalar("full")];
        const slot = r.slot("ring", pos);
        return (
          `if (${full} !== 0) { ${r.scalar("result")} = ${slot}; ${r.scalar("resultNull")} = 0; } ` +
          `${slot} = ${x(args)}; ${advanceIndex(pos, steps)} if (${pos} === 0) ${full} = 1;`
        );
      },
      value,
      isNull,
    };
  },
});

// ---- MOVEAVG, SEASON_MOVEAVG -----------------------------------------------------------------------

/**
 * The last k·p values in a ring (zeros before the first ones), with the sum
 * of the k values of each phase (position mod p) kept up to date so that an
 * update costs O(1). Sums are recomputed exactly once per cycle of a phase
 * (bounding rounding drift) and when an infinite or NaN value leaves them.
 */
class SeasonalWindow {
  readonly ring: Float64Array;
  readonly nullInRing: Uint8Array;
  readonly sums: Float64Array;
  readonly nullsPerPhase: Int32Array;
  pushed = 0;
  result: number | null = null;
  constructor(
    readonly period: number,
    readonly count: number,
  ) {
    this.ring = new Float64Array(period * count);
    this.nullInRing = new Uint8Array(period * count);
    this.sums = new Float64Array(period);
    this.nullsPerPhase = new Int32Array(period);
  }

  /** Reads the average for the value about to be pushed, then pushes it (null = a kept NULL). */
  push(x: number | null): void {
    const size = this.ring.length;
    const phase = this.pushed % this.period;
    const slot = this.pushed % size;
    this.result = x === null || this.nullsPerPhase[phase]! > 0 ? null : this.sums[phase]! / this.count;
    const old = this.ring[slot]!;
    this.nullsPerPhase[phase]! -= this.nullInRing[slot]!;
    this.ring[slot] = x ?? 0;
    this.nullInRing[slot] = x === null ? 1 : 0;
    this.nullsPerPhase[phase]! += this.nullInRing[slot]!;
    if (slot < this.period || !Number.isFinite(old)) {
      let sum = 0;
      for (let i = phase; i < size; i += this.period) sum += this.ring[i]!;
      this.sums[phase] = sum;
    } else {
      this.sums[phase]! += (x ?? 0) - old;
    }
    this.pushed++;
  }
}

function seasonalImpl(periodArg: number | undefined, countArg: number): StatefulImpl {
  return stateful<SeasonalWindow>({
    init: (call) => new SeasonalWindow(periodArg === undefined ? 1 : constNumber(call, periodArg), constNumber(call, countArg)),
    update(s, args) {
      const x = args[countArg + 1]!;
      s.push(x === null ? null : toFloat(x));
      return s;
    },
    finalize: (s) => s.result,
    inline(call) {
      if (!skipsNulls(call) || !numericArgs(call)) return undefined;
      const period = periodArg === undefined ? 1 : constNumber(call, periodArg);
      return inlineSeasonal(period, constNumber(call, countArg), call.argTypes[countArg + 1]);
    },
  });
}

/**
 * SeasonalWindow.push for SKIP NULLS as templates: the ring of k·p values,
 * the phase sums (a scalar when p = 1), and the phase and slot indices kept
 * in [0, p) and [0, k·p) instead of the push count.
 */
function inlineSeasonal(period: number, count: number, xType: NType | null | undefined): InlineStateful {
  const size = period * count;
  const sumOf = (r: InlineRefs, phase: string) => (period === 1 ? r.scalar("sum") : r.slot("sums", phase));
  const advancePhase = (r: InlineRefs) => (period === 1 ? "" : advanceIndex(r.scalar("phase"), period) + " ");
  return {
    vars: [
      f64("ring", size),
      ...(period === 1 ? [f64("sum")] : [f64("sums", period), { name: "phase", storage: "u32" } as const]),
      { name: "slot", storage: "u32" },
      f64("result"),
      flag("has"),
    ],
    init: (r) => {
      const i = r.fresh("i");
      const sums = period === 1 ? `${r.scalar("sum")} = 0;` : `for (let ${i} = 0; ${i} < ${period}; ${i}++) ${r.slot("sums", i)} = 0; ${r.scalar("phase")} = 0;`;
      return `for (let ${i} = 0; ${i} < ${size}; ${i}++) ${r.slot("ring", i)} = 0; ${sums} ${r.scalar("slot")} = 0; ${r.scalar("result")} = 0; ${r.scalar("has")} = 0;`;
    },
    update: (r, args) => {
      const [x, phase, slot, old] = freshNames(r, "x", "phase", "slot", "old");
      const sum = sumOf(r, phase);
      const ringAt = (index: string) => r.slot("ring", index);
      return (
        `{ const ${x} = ${asDouble(xType, args[args.length - 1]!)}; ${period === 1 ? "" : `const ${phase} = ${r.scalar("phase")}; `}` +
        `const ${slot} = ${r.scalar("slot")}; ${r.scalar("result")} = ${sum} / ${count}; ${r.scalar("has")} = 1; ` +
        `const ${old} = ${ringAt(slot)}; ${ringAt(slot)} = ${x}; ` +
        // As SeasonalWindow.push: a phase's sum is recomputed once per cycle and when a non-finite value leaves it.
        `if (${slot} < ${period} || !Number.isFinite(${old})) ${recomputePhaseSum(r, sum, phase, period, count)} ` +
        `else ${sum} += ${x} - ${old}; ${advancePhase(r)}${advanceIndex(r.scalar("slot"), size)} }`
      );
    },
    value: (r) => r.scalar("result"),
    isNull: (r) => `${r.scalar("has")} === 0`,
  };
}

/** Small windows are summed without a loop. */
const UNROLLED_SUM_MAX = 16;

/**
 * Statements setting `target` to the sum of the `count` ring slots of a
 * phase (`phase` names it when period > 1), added in the order of
 * SeasonalWindow.push (from 0, so that the result is the same to the bit).
 */
function recomputePhaseSum(r: InlineRefs, target: string, phase: string, period: number, count: number): string {
  if (count <= UNROLLED_SUM_MAX) {
    let sum = "0";
    for (let j = 0; j < count; j++) sum = `(${sum} + ${r.slot("ring", period === 1 ? String(j) : `${phase} + ${j * period}`)})`;
    return `${target} = ${sum};`;
  }
  const [acc, i] = freshNames(r, "acc", "i");
  const first = period === 1 ? "0" : phase;
  return `{ let ${acc} = 0; for (let ${i} = ${first}; ${i} < ${period * count}; ${i} += ${period}) ${acc} += ${r.slot("ring", i)}; ${target} = ${acc}; }`;
}

// ---- SMOOTH and its damped Holt / Holt-Winters variants -------------------------------------------

type SmoothKind = "simple" | "holt" | "winters";

class SmoothState {
  started = false;
  sawNull = false;
  level = 0;
  trend = 0;
  cycle = 0;
  result = 0;
  constructor(
    readonly kind: SmoothKind,
    readonly seasons: Float64Array,
  ) {}
}

const SMOOTH_KIND_OF_ARITY: Record<number, SmoothKind> = { 1: "simple", 2: "simple", 4: "holt", 6: "winters" };

const smoothImpl = stateful<SmoothState>({
  init(call) {
    const kind = SMOOTH_KIND_OF_ARITY[call.argTypes.length]!;
    return new SmoothState(kind, new Float64Array(kind === "winters" ? constNumber(call, 3) : 0));
  },
  update(s, args) {
    const n = args.length;
    const xv = args[n - 1]!;
    if (xv === null) {
      s.sawNull = true;
      return s;
    }
    const x = toFloat(xv);
    if (s.kind === "simple") {
      const alpha = n === 1 ? 0.5 : toFloat(args[0]!);
      s.level = s.started ? alpha * x + (1 - alpha) * s.level : x;
      s.started = true;
      s.result = s.level;
      return s;
    }
    const alpha = toFloat(args[0]!);
    const beta = toFloat(args[1]!);
    const phi = toFloat(args[n - 2]!);
    const { level, trend } = s;
    const season = s.kind === "winters" ? s.seasons[s.cycle]! : 0;
    s.level = alpha * (x - season) + (1 - alpha) * (level + phi * trend);
    s.trend = beta * (s.level - level) + (1 - beta) * phi * trend;
    s.result = s.level + phi * s.trend;
    if (s.kind === "winters") {
      const gamma = toFloat(args[2]!);
      s.seasons[s.cycle] = gamma * (x - level - phi * trend) + (1 - gamma) * season;
      s.cycle = (s.cycle + 1) % s.seasons.length;
      s.result += s.seasons[s.cycle]!;
    }
    s.started = true;
    return s;
  },
  finalize: (s) => (s.sawNull || !s.started ? null : s.result),
  inline(call) {
    if (!skipsNulls(call) || !numericArgs(call)) return undefined;
    const n = call.argTypes.length;
    const kind = SMOOTH_KIND_OF_ARITY[n]!;
    return kind === "simple" ? inlineSimpleSmooth(call) : inlineHolt(call, kind === "winters" ? constNumber(call, 3) : 0);
  },
});

/** A numeric argument's expression as a double. */
function doubleArg(call: ImplCall, args: readonly string[], i: number): string {
  return asDouble(call.argTypes[i], args[i]!);
}

/** SMOOTH x, SMOOTH(α, x) as in smoothImpl's "simple" kind. */
function inlineSimpleSmooth(call: ImplCall): InlineStateful {
  const n = call.argTypes.length;
  return {
    vars: [f64("level"), flag("started")],
    init: (r) => `${r.scalar("level")} = 0; ${r.scalar("started")} = 0;`,
    update: (r, args) => {
      const [level, started] = [r.scalar("level"), r.scalar("started")];
      const [x, alpha] = freshNames(r, "x", "alpha");
      return (
        `{ const ${x} = ${doubleArg(call, args, n - 1)}; const ${alpha} = ${n === 1 ? "0.5" : doubleArg(call, args, 0)}; ` +
        `${level} = ${started} !== 0 ? ${alpha} * ${x} + (1 - ${alpha}) * ${level} : ${x}; ${started} = 1; }`
      );
    },
    value: (r) => r.scalar("level"),
    isNull: (r) => `${r.scalar("started")} === 0`,
  };
}

/** Damped Holt (seasons = 0) and Holt-Winters (a ring of `seasons` coefficients), as smoothImpl. */
function inlineHolt(call: ImplCall, seasons: number): InlineStateful {
  const n = call.argTypes.length;
  const winters = seasons > 0;
  return {
    vars: [
      f64("level"),
      f64("trend"),
      f64("result"),
      flag("started"),
      ...(winters ? [f64("seasons", seasons), { name: "cycle", storage: "u32" } as const] : []),
    ],
    init: (r) => {
      const i = r.fresh("i");
      const seasonal = winters ? ` ${r.scalar("cycle")} = 0; for (let ${i} = 0; ${i} < ${seasons}; ${i}++) ${r.slot("seasons", i)} = 0;` : "";
      return `${r.scalar("level")} = 0; ${r.scalar("trend")} = 0; ${r.scalar("result")} = 0; ${r.scalar("started")} = 0;${seasonal}`;
    },
    update: (r, args) => {
      const [levelVar, trendVar, resultVar] = [r.scalar("level"), r.scalar("trend"), r.scalar("result")];
      const [x, alpha, beta, phi, level, trend, season] = freshNames(r, "x", "alpha", "beta", "phi", "level", "trend", "season");
      const seasonSlot = winters ? r.slot("seasons", r.scalar("cycle")) : "";
      const head =
        `{ const ${x} = ${doubleArg(call, args, n - 1)}; const ${alpha} = ${doubleArg(call, args, 0)}; ` +
        `const ${beta} = ${doubleArg(call, args, 1)}; const ${phi} = ${doubleArg(call, args, n - 2)}; ` +
        `const ${level} = ${levelVar}; const ${trend} = ${trendVar}; ` +
        (winters ? `const ${season} = ${seasonSlot}; ` : "") +
        `${levelVar} = ${alpha} * ${winters ? `(${x} - ${season})` : x} + (1 - ${alpha}) * (${level} + ${phi} * ${trend}); ` +
        `${trendVar} = ${beta} * (${levelVar} - ${level}) + (1 - ${beta}) * ${phi} * ${trend}; ` +
        `${resultVar} = ${levelVar} + ${phi} * ${trendVar}; `;
      if (!winters) return `${head}${r.scalar("started")} = 1; }`;
      const gamma = r.fresh("gamma");
      return (
        `${head}const ${gamma} = ${doubleArg(call, args, 2)}; ` +
        `${seasonSlot} = ${gamma} * (${x} - ${level} - ${phi} * ${trend}) + (1 - ${gamma}) * ${season}; ` +
        // The result adds the coefficient of the next cycle.
        `${advanceIndex(r.scalar("cycle"), seasons)} ${resultVar} += ${seasonSlot}; ${r.scalar("started")} = 1; }`
      );
    },
    value: (r) => r.scalar("result"),
    isNull: (r) => `${r.scalar("started")} === 0`,
  };
}

/** Checks a smoothing coefficient: non-null numeric, within [0, 1] when it is a literal. */
function coefficient(call: TypingCall, i: number): void {
  numericNotNull(call, i);
  const v = arg(call, i).constValue;
  if (typeof v === "number" && !(v >= 0 && v <= 1)) failRange(call, i, "between 0 and 1");
}

const smoothTyping: TypingRule = (call) => {
  const n = call.args.length;
  if (n === 2) coefficient(call, 0);
  if (n === 4 || n === 6) {
    coefficient(call, 0);
    coefficient(call, 1);
    numericNotNull(call, n - 2);
  }
  if (n === 6) {
    coefficient(call, 2);
    sizeParam(call, 3, 1);
  }
  return floatOf(call, n - 1);
};

// ---- FIT_MULTI, SEASON_FIT_MULTI --------------------------------------------------------------------

/**
 * The last k·p observations (y, x1…xm) in a ring of rows initialised to zeros,
 * and scratch space for the normal equations, so updates allocate nothing.
 */
class FitState {
  readonly rows: Float64Array;
  readonly normal: Float64Array;
  readonly rhs: Float64Array;
  readonly beta: Float64Array;
  pushed = 0;
  sawNull = false;
  result = 0;
  constructor(
    readonly period: number,
    readonly count: number,
    readonly predictors: number,
  ) {
    this.rows = new Float64Array(period * count * (predictors + 1));
    this.normal = new Float64Array(predictors * predictors);
    this.rhs = new Float64Array(predictors);
    this.beta = new Float64Array(predictors);
  }
}

/**
 * Solves normal·beta = rhs in place (Gaussian elimination, partial pivoting).
 * Returns false when the system is singular (the fit fails).
 */
function solveInPlace(a: Float64Array, b: Float64Array, beta: Float64Array, m: number): boolean {
  let scale = 0;
  for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(a[i * m + i]!));
  if (!(scale > 0)) return false;
  const tiny = scale * 1e-12;
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * m + col]!) > Math.abs(a[pivot * m + col]!)) pivot = r;
    if (!(Math.abs(a[pivot * m + col]!) > tiny)) return false;
    if (pivot !== col) {
      for (let c = 0; c < m; c++) {
        const t = a[col * m + c]!;
        a[col * m + c] = a[pivot * m + c]!;
        a[pivot * m + c] = t;
      }
      const t = b[col]!;
      b[col] = b[pivot]!;
      b[pivot] = t;
    }
    for (let r = col + 1; r < m; r++) {
      const f = a[r * m + col]! / a[col * m + col]!;
      if (f === 0) continue;
      for (let c = col; c < m; c++) a[r * m + c]! -= f * a[col * m + c]!;
      b[r]! -= f * b[col]!;
    }
  }
  for (let r = m - 1; r >= 0; r--) {
    let v = b[r]!;
    for (let c = r + 1; c < m; c++) v -= a[r * m + c]! * beta[c]!;
    beta[r] = v / a[r * m + r]!;
  }
  return true;
}

function fitImpl(seasonal: boolean): StatefulImpl {
  const yArg = seasonal ? 2 : 1;
  return stateful<FitState>({
    init: (call) =>
      new FitState(seasonal ? constNumber(call, 0) : 1, constNumber(call, yArg - 1), call.argTypes.length - yArg - 1),
    update(s, args) {
      const y = args[yArg]!;
      if (y === null) {
        s.sawNull = true;
        return s;
      }
      const m = s.predictors;
      const width = m + 1;
      const size = s.period * s.count;
      s.normal.fill(0);
      s.rhs.fill(0);
      // Rows 1·p … k·p steps back; rows not yet observed are the initial zeros.
      for (let j = 1; j <= s.count; j++) {
        const base = (((s.pushed - j * s.period) % size) + size) % size * width;
        const yj = s.rows[base]!;
        for (let a = 0; a < m; a++) {
          const xa = s.rows[base + 1 + a]!;
          s.rhs[a]! += xa * yj;
          for (let b = 0; b < m; b++) s.normal[a * m + b]! += xa * s.rows[base + 1 + b]!;
        }
      }
      const ok = solveInPlace(s.normal, s.rhs, s.beta, m);
      let prediction = 0;
      if (ok) for (let a = 0; a < m; a++) prediction += s.beta[a]! * toFloat(args[yArg + 1 + a]!);
      s.result = Number.isFinite(prediction) ? prediction : 0;
      const row = (s.pushed % size) * width;
      s.rows[row] = toFloat(y);
      for (let a = 0; a < m; a++) s.rows[row + 1 + a] = toFloat(args[yArg + 1 + a]!);
      s.pushed++;
      return s;
    },
    finalize: (s) => (s.sawNull || s.pushed === 0 ? null : s.result),
  });
}

function fitTyping(seasonal: boolean): TypingRule {
  return (call) => {
    const yArg = seasonal ? 2 : 1;
    if (seasonal) sizeParam(call, 0, 1);
    sizeParam(call, yArg - 1, 1);
    if (call.args.length < yArg + 2) call.fail("call", "wrongArity", { name: call.fn.toUpperCase(), expected: `at least ${yArg + 2}`, got: call.args.length });
    for (let i = yArg + 1; i < call.args.length; i++) numericNotNull(call, i);
    return floatOf(call, yArg);
  };
}

// ---- DERIVE ------------------------------------------------------------------------------------------

class DeriveState {
  has = false;
  lastX = 0;
  lastT = 0;
  result: number | null = null;
}

const deriveImpl = stateful<DeriveState>({
  init: () => new DeriveState(),
  update(s, args) {
    const xv = args[0]!;
    if (xv === null) {
      // KEEP NULLS: a NULL restarts the derivative.
      s.has = false;
      s.result = null;
      return s;
    }
    const x = toFloat(xv);
    const t = toFloat(args[1]!);
    s.result = s.has ? valueOrNull((x - s.lastX) / (t - s.lastT)) : null;
    s.has = true;
    s.lastX = x;
    s.lastT = t;
    return s;
  },
  finalize: (s) => s.result,
  inline(call) {
    if (!skipsNulls(call) || !numericArgs(call)) return undefined;
    return {
      // A NaN result stands for NULL, as valueOrNull makes it.
      vars: [flag("has"), f64("lastX"), f64("lastT"), f64("result")],
      init: (r) => `${r.scalar("has")} = 0; ${r.scalar("lastX")} = 0; ${r.scalar("lastT")} = 0; ${r.scalar("result")} = NaN;`,
      update: (r, args) => {
        const [has, lastX, lastT] = [r.scalar("has"), r.scalar("lastX"), r.scalar("lastT")];
        const [x, t] = freshNames(r, "x", "t");
        return (
          `{ const ${x} = ${doubleArg(call, args, 0)}; const ${t} = ${doubleArg(call, args, 1)}; ` +
          `${r.scalar("result")} = ${has} !== 0 ? (${x} - ${lastX}) / (${t} - ${lastT}) : NaN; ${has} = 1; ${lastX} = ${x}; ${lastT} = ${t}; }`
        );
      },
      value: (r) => r.scalar("result"),
      isNull: (r) => `${r.scalar("result")} !== ${r.scalar("result")}`,
    };
  },
});

// ---- HYSTERESIS ----------------------------------------------------------------------------------------

class HysteresisState {
  ok = true;
  sawNull = false;
}

const hysteresisImpl = stateful<HysteresisState>({
  init: () => new HysteresisState(),
  update(s, args) {
    const [v, accept, max] = args;
    if (v === null || accept === null || max === null) {
      s.sawNull = true;
      return s;
    }
    const value = toFloat(v!);
    const acceptF = toFloat(accept!);
    const maxF = toFloat(max!);
    const threshold = s.ok ? maxF : acceptF;
    s.ok = maxF >= acceptF ? value <= threshold : value >= threshold;
    return s;
  },
  finalize: (s) => (s.sawNull ? null : s.ok),
  inline(call) {
    if (!skipsNulls(call) || !numericArgs(call)) return undefined;
    return {
      vars: [flag("ok")],
      init: (r) => `${r.scalar("ok")} = 1;`,
      update: (r, args) => {
        const ok = r.scalar("ok");
        const [v, accept, max, threshold] = freshNames(r, "v", "accept", "max", "threshold");
        return (
          `{ const ${v} = ${doubleArg(call, args, 0)}; const ${accept} = ${doubleArg(call, args, 1)}; const ${max} = ${doubleArg(call, args, 2)}; ` +
          `const ${threshold} = ${ok} !== 0 ? ${max} : ${accept}; ` +
          `${ok} = (${max} >= ${accept} ? ${v} <= ${threshold} : ${v} >= ${threshold}) ? 1 : 0; }`
        );
      },
      value: (r) => fromStored("bool", r.scalar("ok")),
    };
  },
});

// ---- REMEMBER, RECALL ----------------------------------------------------------------------------------

/**
 * An exact set with expiry (an acceptable replacement for rotating Bloom
 * filters, §6.10): each value maps to the time it was added (REMEMBER: last
 * added, RECALL: first added). Expired entries are swept when the map has
 * doubled since the last sweep, so memory follows the live entries.
 */
class RememberState {
  readonly addedAt = new Map<Value, number>();
  sweepAt = 1024;
  result: boolean | null = null;
  constructor(readonly duration: number) {}
}

function rememberImpl(refresh: boolean): StatefulImpl {
  return stateful<RememberState>({
    init: (call) => new RememberState(constNumber(call, 1)),
    update(s, args) {
      const x = args[2]!;
      const tv = args[3]!;
      if (x === null || tv === null) {
        // KEEP NULLS: nothing to remember at an unknown value or time.
        s.result = null;
        return s;
      }
      const t = toFloat(tv);
      const key = valueKey(x);
      const added = s.addedAt.get(key);
      s.result = added !== undefined && added > t - s.duration && added <= t;
      if (refresh || !s.result) s.addedAt.set(key, t);
      if (s.addedAt.size >= s.sweepAt) {
        for (const [k, at] of s.addedAt) if (at <= t - s.duration) s.addedAt.delete(k);
        s.sweepAt = Math.max(1024, 2 * s.addedAt.size);
      }
      return s;
    },
    finalize: (s) => s.result,
  });
}

const rememberTyping: TypingRule = (call) => {
  const fpr = constantParam(call, 0, "num") as number | undefined;
  if (fpr !== undefined && !(fpr > 0 && fpr < 1)) failRange(call, 0, "a false-positive rate between 0 and 1 (exclusive)");
  const d = constantParam(call, 1, "num") as number | undefined;
  if (d !== undefined && !(d > 0)) failRange(call, 1, "a positive duration");
  const x = concreteArg(call, 2);
  const t = timeArg(call, 3, true);
  return { type: T.bool, nullable: x.nullable || t.nullable };
};

// ---- SAMPLE ----------------------------------------------------------------------------------------------

/** Reservoir sampling (§6.10): the first n values, then value i replaces a random slot with probability n/i. */
class Reservoir {
  readonly kept: Value[] = [];
  seen = 0;
  constructor(readonly size: number) {}

  /** Offers x; returns the index it took (-1 if not kept) and, when it replaced one, which. */
  offer(x: Value, random: () => number): number {
    this.seen++;
    if (this.kept.length < this.size) {
      this.kept.push(x);
      return this.kept.length - 1;
    }
    const slot = Math.floor(random() * this.seen);
    if (slot >= this.size) return -1;
    this.kept[slot] = x;
    return slot;
  }
}

const sampleImpl = stateful<Reservoir>({
  init: (call) => new Reservoir(constNumber(call, 0)),
  update(s, args, call) {
    s.offer(args[1]!, randomOf(call));
    return s;
  },
  finalize: (s) => (s.kept.length === 0 ? null : s.kept.slice()),
});

// ---- ONE OUT OF ------------------------------------------------------------------------------------------

class OneOutOfState {
  count = 0;
  result: Value = null;
  constructor(readonly every: number) {}
}

const oneOutOfImpl = stateful<OneOutOfState>({
  init: (call) => new OneOutOfState(constNumber(call, 0)),
  update(s, args) {
    s.result = s.count % s.every === 0 ? args[1]! : null;
    s.count = (s.count + 1) % s.every;
    return s;
  },
  finalize: (s) => s.result,
});

// ---- EVERY -----------------------------------------------------------------------------------------------

class EveryState {
  has = false;
  /** SLIDING: time of the last returned value; TUMBLING: window of the last returned (or first) value */
  mark = 0;
  result: Value = null;
  constructor(
    readonly period: number,
    readonly tumbling: boolean,
  ) {}
}

const everyImpl = stateful<EveryState>({
  init: (call) => new EveryState(constNumber(call, 0), call.options.tumbling === true),
  update(s, args) {
    const x = args[1]!;
    const t = toFloat(args[2]!);
    if (s.tumbling) {
      const window = Math.trunc(t / s.period);
      s.result = s.has && window !== s.mark ? x : null;
      if (!s.has || window !== s.mark) s.mark = window;
    } else if (!s.has || t >= s.mark + s.period) {
      s.result = x;
      s.mark = t;
    } else {
      s.result = null;
    }
    s.has = true;
    return s;
  },
  finalize: (s) => s.result,
});

// ---- PAST ------------------------------------------------------------------------------------------------

/**
 * (value, time) pairs ordered by time, in two parallel arrays read from
 * `head` (dropping old pairs moves `head`; the arrays are compacted when half
 * of them is dead). An optional reservoir decides which values enter.
 */
class PastState {
  values: Value[] = [];
  times: number[] = [];
  head = 0;
  seen = 0;
  started = false;
  /** TUMBLING: the window that just closed, returned once */
  closed: Value[] | null = null;
  constructor(
    readonly duration: number,
    readonly tumbling: boolean,
    readonly sampleSize: number,
  ) {}

  get size(): number {
    return this.values.length - this.head;
  }

  dropFront(n: number): void {
    this.head += n;
    if (this.head > 32 && this.head * 2 > this.values.length) {
      this.values = this.values.slice(this.head);
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  insert(x: Value, t: number): void {
    let i = this.values.length;
    while (i > this.head && this.times[i - 1]! > t) i--;
    this.values.splice(i, 0, x);
    this.times.splice(i, 0, t);
  }

  removeAt(i: number): void {
    this.values.splice(this.head + i, 1);
    this.times.splice(this.head + i, 1);
  }

  /** Adds a value, through the reservoir when sampling (§6.10 SAMPLE … OF THE PAST). */
  add(x: Value, t: number, random: () => number): void {
    this.seen++;
    if (this.sampleSize > 0 && this.size >= this.sampleSize) {
      const slot = Math.floor(random() * this.seen);
      if (slot >= this.sampleSize) return;
      this.removeAt(slot);
    }
    this.insert(x, t);
  }

  restart(): void {
    this.values = [];
    this.times = [];
    this.head = 0;
    this.seen = 0;
  }
}

const pastImpl = stateful<PastState>({
  init: (call) => new PastState(constNumber(call, 0), call.options.tumbling === true, constNumber(call, 3, 0)),
  update(s, args, call) {
    const x = args[1]!;
    const t = toFloat(args[2]!);
    s.started = true;
    if (s.tumbling) {
      s.closed = null;
      if (s.size > 0 && Math.trunc(t / s.duration) !== Math.trunc(s.times[s.head]! / s.duration)) {
        s.closed = s.values.slice(s.head);
        s.restart();
      }
    } else {
      let expired = 0;
      while (expired < s.size && t - s.times[s.head + expired]! >= s.duration) expired++;
      s.dropFront(expired);
      if (s.size === 0) s.seen = 0;
    }
    s.add(x, t, randomOf(call));
    return s;
  },
  finalize: (s) => (s.tumbling ? s.closed : s.started ? s.values.slice(s.head) : null),
});

// ---- the entries -------------------------------------------------------------------------------------------

function lastArgUnits(units: readonly (Units | undefined)[]): Units | undefined {
  return units[units.length - 1];
}

export const entries: readonly FunctionEntry[] = [
  sequence({
    name: "lag",
    syntax: fn(1, 2),
    signature: "[uint const k,] t -> t?",
    doc: "LAG(k, x): the value of x k steps ago (k = 1 for LAG x); NULL for the first k steps. With SKIP NULLS a NULL x is not recorded and does not count as a step; with KEEP NULLS it is recorded like any value.",
    examples: ["LAG x over 1, 2, 3 gives NULL, 1, 2", "LAG(2, x) over 1, 2, 3 gives NULL, NULL, 1"],
    typing: (call) => {
      if (call.args.length === 2) sizeParam(call, 0, 0);
      const x = concreteArg(call, call.args.length - 1);
      return { type: x.type, nullable: true };
    },
    units: lastArgUnits,
    nullRule: "always",
    impl: lagImpl,
  }),
  sequence({
    name: "moveavg",
    syntax: fn(2),
    signature: "uint const k, num -> float",
    doc: "k-MOVEAVG x, k-MA x, MOVEAVG(k, x): the average of the k values preceding the current one (not including it), values not yet observed counting as 0. Equals SEASON_MOVEAVG(1, k, x). With KEEP NULLS the result is NULL while the current value or one of those k is NULL.",
    examples: ["MOVEAVG(2, x) over 1, 2, 3 gives 0, 0.5, 1.5", "MOVEAVG(1, x) over 1, 2, 3 gives 0, 1, 2"],
    typing: (call) => {
      sizeParam(call, 0, 1);
      return floatOf(call, 1);
    },
    units: unitsOfArg(1),
    nullRule: "prop",
    impl: seasonalImpl(undefined, 0),
  }),
  sequence({
    name: "season_moveavg",
    syntax: fn(3),
    signature: "uint const p, uint const k, num -> float",
    doc: "SEASON_MOVEAVG(p, k, x): the average of the k values observed p, 2p, … k·p steps before the current one (not including it), values not yet observed counting as 0.",
    examples: ["SEASON_MOVEAVG(2, 1, x) over 1, 2, 3, 4 gives 0, 0, 1, 2"],
    typing: (call) => {
      sizeParam(call, 0, 1);
      sizeParam(call, 1, 1);
      return floatOf(call, 2);
    },
    units: unitsOfArg(2),
    nullRule: "prop",
    impl: seasonalImpl(0, 1),
  }),
  sequence({
    name: "smooth",
    syntax: fn(1, 2, 4, 6),
    signature: "[α,] num -> float | α, β, φ, num -> float | α, β, γ, uint const p, φ, num -> float",
    doc: "SMOOTH x: exponential smoothing with α = 0.5. SMOOTH(α, x): s ← α·x + (1−α)·s, the first value initialising s. SMOOTH(α, β, φ, x) is SMOOTH_DAMPED_HOLT and SMOOTH(α, β, γ, p, φ, x) SMOOTH_DAMPED_HOLT_WINTER.",
    examples: ["SMOOTH(0.5, x) over 2, 4, 8 gives 2, 3, 5.5"],
    typing: smoothTyping,
    units: lastArgUnits,
    nullRule: "prop",
    impl: smoothImpl,
  }),
  sequence({
    name: "smooth_damped_holt",
    syntax: fn(4),
    signature: "float α, float β, float φ, num -> float",
    doc: "Damped Holt smoothing: level L and trend T start at 0; L' = α·x + (1−α)(L + φT), T' = β(L' − L) + (1−β)φT; the result is L' + φT'.",
    examples: ["SMOOTH_DAMPED_HOLT(0.5, 0.5, 1, x) over 2, 4 gives 1.5, 3.875"],
    typing: smoothTyping,
    units: lastArgUnits,
    nullRule: "prop",
    impl: smoothImpl,
  }),
  sequence({
    name: "smooth_damped_holt_winter",
    syntax: fn(6),
    signature: "float α, float β, float γ, uint const p, float φ, num -> float",
    doc: "Damped Holt-Winters smoothing with a season of p steps: as damped Holt on x − S[c], where the p seasonal coefficients S start at 0 and S[c] ← γ(x − L − φT) + (1−γ)S[c] before moving to the next c; the result is L' + φT' + S[c] for the next c.",
    examples: ["SMOOTH_DAMPED_HOLT_WINTER(0.5, 0.5, 0.5, 1, 1, x) over 2, 4 gives 2.5, 4.875"],
    typing: smoothTyping,
    units: lastArgUnits,
    nullRule: "prop",
    impl: smoothImpl,
  }),
  sequence({
    name: "fit_multi",
    syntax: { kind: "function", arities: [3], variadic: true },
    signature: "uint const k, num y, num x1, … -> float",
    doc: "FIT_MULTI(k, y, x1, …) = SEASON_FIT_MULTI(1, k, y, x1, …): least-squares fit of y on x1… (no intercept) over the k previous observations (all-zero observations before the first ones); the result is the prediction Σβⱼxⱼ for the current predictors, 0 if the fit fails.",
    examples: ["FIT_MULTI(2, y, x) over (y, x) = (2, 1), (4, 2), (6, 3) gives 0, 4, 6"],
    typing: fitTyping(false),
    units: unitsOfArg(1),
    nullRule: "custom",
    impl: fitImpl(false),
  }),
  sequence({
    name: "season_fit_multi",
    syntax: { kind: "function", arities: [4], variadic: true },
    signature: "uint const p, uint const k, num y, num x1, … -> float",
    doc: "SEASON_FIT_MULTI(p, k, y, x1, …): as FIT_MULTI, fitting on the k observations p, 2p, … k·p steps before the current one.",
    examples: ["SEASON_FIT_MULTI(2, 1, y, x) over (y, x) = (2, 1), (3, 1), (4, 2), (9, 3) gives 0, 0, 4, 9"],
    typing: fitTyping(true),
    units: unitsOfArg(2),
    nullRule: "custom",
    impl: fitImpl(true),
  }),
  sequence({
    name: "derive",
    syntax: fn(1, 2),
    signature: "num x [, num t] -> float?",
    doc: "DERIVE(x, t): (x − x_prev) / (t − t_prev), NULL for the first value (and when that is NaN). The time t (argument 1) defaults to #start: the checker fills it. With KEEP NULLS a NULL x restarts the state and gives NULL.",
    examples: ["DERIVE(x, t) over (x, t) = (1, 0), (3, 1), (4, 3) gives NULL, 2, 0.5"],
    typing: (call) => {
      floatOf(call, 0);
      timeArg(call, 1, false);
      return { type: T.float, nullable: true };
    },
    units: (u) => perTimeUnits(u[0], u.length > 1 ? u[1] : SECONDS),
    nullRule: "always",
    defaultTime: { index: 1 },
    impl: deriveImpl,
  }),
  sequence({
    name: "hysteresis",
    syntax: fn(3),
    signature: "num x, num accept, num max -> bool",
    doc: "HYSTERESIS(x, accept, max): true initially; becomes false once x goes beyond max (above if max ≥ accept, below otherwise) and true again once x is back to accept: with ok the previous result, threshold = max if ok else accept, and ok ← x ≤ threshold (x ≥ threshold when max < accept).",
    examples: ["HYSTERESIS(x, 5, 10) over 7, 11, 7, 5 gives true, false, false, true"],
    typing: (call) => {
      const nullable = [0, 1, 2].map((i) => expectNumeric(call, i).type.nullable).some((b) => b);
      return { type: T.bool, nullable };
    },
    units: "none",
    nullRule: "prop",
    impl: hysteresisImpl,
  }),
  sequence({
    name: "remember",
    syntax: fn(3, 4),
    signature: "float const fpr, num const d, t x [, num time] -> bool",
    doc: "REMEMBER(fpr, d, x, t): true iff x was seen within the last d seconds, i.e. added with a time in (t − d, t]; every sighting refreshes x. Exact (no false positive, fpr is accepted for compatibility). The time (argument 3) defaults to #start: the checker fills it. With KEEP NULLS a NULL x or time gives NULL.",
    examples: ["REMEMBER(0.01, 10, x, t) over (x, t) = (1, 0), (1, 5), (1, 14), (1, 30) gives false, true, true, false"],
    typing: rememberTyping,
    units: "none",
    nullRule: "custom",
    defaultTime: { index: 3 },
    impl: rememberImpl(true),
  }),
  sequence({
    name: "recall",
    syntax: fn(3, 4),
    signature: "float const fpr, num const d, t x [, num time] -> bool",
    doc: "RECALL(fpr, d, x, t): as REMEMBER, but a sighting does not refresh x: a value is recalled for d seconds after its first sighting, then forgotten (its next sighting is a new first one). The time (argument 3) defaults to #start: the checker fills it.",
    examples: ["RECALL(0.01, 10, x, t) over (x, t) = (1, 0), (1, 5), (1, 14), (1, 20) gives false, true, false, true"],
    typing: rememberTyping,
    units: "none",
    nullRule: "custom",
    defaultTime: { index: 3 },
    impl: rememberImpl(false),
  }),
  sequence({
    name: "sample",
    syntax: fn(2),
    signature: "uint const n, t -> t[]",
    doc: "SAMPLE(n, x): a uniform reservoir sample of at most n values: the first n in arrival order, then value number i replaces a uniformly chosen slot with probability n/i. NULL when nothing was kept. Items are non-null with SKIP NULLS.",
    examples: ["SAMPLE(3, x) over 1, 2 gives [1], [1; 2]"],
    typing: (call) => {
      sizeParam(call, 0, 1);
      const x = concreteArg(call, 1);
      return call.nulls === "keep" ? listOf(x, x.nullable) : listOf({ type: x.type, nullable: false }, x.nullable);
    },
    units: unitsOfArg(1),
    nullRule: "custom",
    deterministic: false,
    impl: sampleImpl,
  }),
  sequence({
    name: "one_out_of",
    syntax: { kind: "keyword", template: "ONE OUT OF n x", params: ["n", "x"] },
    signature: "uint const n, t -> t?",
    doc: "ONE OUT OF n x: x for the 1st, (n+1)th, (2n+1)th… value since the state was created, NULL otherwise. With KEEP NULLS a NULL x counts as a value.",
    examples: ["ONE OUT OF 2 x over 1, 2, 3 gives 1, NULL, 3"],
    typing: (call) => {
      sizeParam(call, 0, 1);
      const x = concreteArg(call, 1);
      return { type: x.type, nullable: true };
    },
    units: unitsOfArg(1),
    nullRule: "always",
    impl: oneOutOfImpl,
  }),
  sequence({
    name: "every",
    syntax: { kind: "keyword", template: "[ONCE] EVERY d [SLIDING|TUMBLING] x [AT TIME t]", params: ["d", "x", "at"] },
    signature: "num const d, t x, num time -> t?",
    doc: "Rate limit on event time. SLIDING (default): x for the first value, then for the first value whose time is ≥ the time of the last returned one + d. TUMBLING: NULL for the very first value, then x each time the window number trunc(t / d) differs from that of the last returned (or first) value. NULL otherwise. With KEEP NULLS a NULL x counts as a value. ONCE only reads well (`ONCE EVERY 10s`): the behaviour is the same. The time (argument 2) defaults to #start: the checker fills it.",
    examples: ["EVERY 10 SECONDS x AT TIME t over t = 0, 5, 10, 12, 21 gives x, NULL, x, NULL, x"],
    typing: (call) => {
      const d = constantParam(call, 0, "num") as number | undefined;
      if (d !== undefined && !(d > 0)) failRange(call, 0, "a positive duration");
      const x = concreteArg(call, 1);
      timeArg(call, 2, false);
      return { type: x.type, nullable: true };
    },
    units: unitsOfArg(1),
    nullRule: "always",
    defaultTime: { index: 2 },
    impl: everyImpl,
  }),
  sequence({
    name: "past",
    syntax: {
      kind: "keyword",
      template: "[SAMPLE [OF SIZE] n [OF THE]] PAST d [SLIDING|TUMBLING] [OF] x [AT TIME t]",
      params: ["d", "x", "at", "sample"],
    },
    signature: "num const d, t x, num time [, uint const n] -> t[]?",
    doc: "The values of x by increasing time. SLIDING (default): those whose time t' satisfies t − t' < d, returned at every step. TUMBLING: windows are numbered trunc(t / d); when a value falls in another window than the oldest kept one, the kept values are returned once and the window restarts with the new value; NULL otherwise. With SAMPLE n a reservoir of size n decides which values enter the window (all while fewer than n are kept). The time (argument 2) defaults to #start: the checker fills it.",
    examples: ["PAST 2 SECONDS x AT TIME t over (x, t) = (1, 0), (2, 1), (3, 2) gives [1], [1; 2], [2; 3]"],
    typing: (call) => {
      const d = constantParam(call, 0, "num") as number | undefined;
      if (d !== undefined && !(d > 0)) failRange(call, 0, "a positive duration");
      const x = concreteArg(call, 1);
      timeArg(call, 2, false);
      if (call.args[3]) sizeParam(call, 3, 1);
      return listOf(call.nulls === "keep" ? x : { type: x.type, nullable: false }, true);
    },
    units: unitsOfArg(1),
    nullRule: "always",
    deterministic: false,
    defaultTime: { index: 2 },
    impl: pastImpl,
  }),
];
