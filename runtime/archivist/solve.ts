// Solving the allocation problem with Z3 in process (archival.md §4.6): one
// WebAssembly instance per process, the reduced problem of reduced.ts part by
// part (each part's daily cost, then its share; the parts' frontiers when the
// budget binds), and retries with shorter retentions while it is unsat.

import { init } from "z3-solver";
import type { Context } from "z3-solver";
import { Diagnostic, diag } from "../../grammar/diagnostics.js";
import { ArchivistConfig } from "./config.js";
import { writeFileAtomic } from "./files.js";
import { Frontier, Point, bestCombination, isUnknownRange } from "./frontier.js";
import { Goal, PartEncoding, batchText, dailyCost, encodePart, splitProblem } from "./reduced.js";
import { Problem, Selection, emitSmt2, formulate } from "./smt2.js";

export const SOLVER_TIMEOUT_MS = 90_000;
/** Each retry multiplies the retentions by this factor, while the ratio stays at least MIN_RETRY_RATIO. */
export const RETRY_FACTOR = 0.5;
export const MIN_RETRY_RATIO = 1e-3;

export type ModelOutcome =
  | { readonly status: "sat"; readonly percs: readonly number[]; readonly timedOut: boolean }
  | { readonly status: "unsat" };

type ArchivistContext = Context<"archivist">;

let context: Promise<ArchivistContext> | undefined;
// The WebAssembly Z3 runs one asynchronous call at a time: solves queue here.
let queue: Promise<unknown> = Promise.resolve();

function archivistContext(): Promise<ArchivistContext> {
  context ??= init().then(({ Context }) => Context("archivist"));
  return context;
}

type CheckOutcome<T> = { readonly status: "sat"; readonly value: T; readonly timedOut: boolean } | { readonly status: "unsat" };

/** Z3's answer: unsat (or a timeout without model), or a model, as text, of an optimum or (unknown: timeout) of a guess. */
type Check = { readonly status: "unsat" } | { readonly status: "sat" | "unknown"; readonly model: string };

/**
 * Run Z3 on an SMT2 text. The model is read as text and every Z3 object is
 * released explicitly: wrappers left to the garbage collector are released by
 * finalizers at any time, possibly during a later check running on Z3's
 * thread, and that race corrupted Z3's heap ("memory access out of bounds").
 */
function check(text: string, timeoutMs: number): Promise<Check> {
  const run = async (): Promise<Check> => {
    const Z3 = await archivistContext();
    const opt = new Z3.Optimize();
    try {
      opt.set("timeout", Math.max(1, Math.round(timeoutMs)));
      opt.fromString(text);
      const result = await opt.check();
      if (result === "unsat") return { status: "unsat" };
      let model;
      try {
        model = opt.model();
      } catch {
        return { status: "unsat" }; // unknown and no model: nothing to use
      }
      try {
        return { status: result, model: model.sexpr() };
      } finally {
        model.release();
      }
    } finally {
      opt.release();
    }
  };
  const outcome = queue.then(run, run);
  queue = outcome.catch(() => undefined);
  return outcome;
}

/** The Boolean and integer constants of a model's text; a constant absent from it may take any value (false, 0). */
function modelValues(model: string): Map<string, boolean | number> {
  const values = new Map<string, boolean | number>();
  for (const [, name, value] of model.matchAll(/\(define-fun (\S+) \(\) (?:Bool|Int)\s+(true|false|\d+|\(- \d+\))\)/g)) {
    values.set(name!, value === "true" ? true : value === "false" ? false : Number(value!.replace(/[()\s]/g, "")));
  }
  return values;
}

/**
 * Z3 on the spec's text as it is (emitSmt2): the shares `perc_f` of its
 * answer. After a timeout, the guess is used only if it is feasible.
 */
export async function solveSpecText(problem: Problem, timeoutMs = SOLVER_TIMEOUT_MS): Promise<ModelOutcome> {
  const outcome = await check(emitSmt2(problem, new Date(0)), timeoutMs);
  if (outcome.status === "unsat") return outcome;
  const values = modelValues(outcome.model);
  const percs = problem.functions.map((f) => Number(values.get(`perc_${f.index}`) ?? 0));
  const feasible = percs.reduce((a, b) => a + b, 0) <= 100 && percs.every((p) => p >= 0 && p <= 100) && dailyCost(problem, percs) !== undefined;
  if (outcome.status === "unknown" && !feasible) return { status: "unsat" };
  return { status: "sat", percs, timedOut: outcome.status === "unknown" };
}

/** One part's optimum under some budget. */
interface PartOptimum extends Point {
  /** function index → perc, for the functions of the part */
  readonly percs: ReadonlyMap<number, number>;
}

const isPartOptimum = (point: Point): point is PartOptimum => !isUnknownRange(point);

/**
 * Several parts solved in one Z3 run (see batchText): each part's shares and
 * figures. After a timeout, the guess is used only if every part's shares are
 * feasible, within its budget and its cost bound.
 */
async function solveBatch(problem: Problem, encodings: readonly PartEncoding[], goal: Goal, deadline: number): Promise<CheckOutcome<PartOptimum[]>> {
  const outcome = await check(batchText(encodings, goal), deadline - performance.now());
  if (outcome.status === "unsat") return outcome;
  const values = modelValues(outcome.model);
  const optima: PartOptimum[] = [];
  for (const [k, { part, shareVariables, budget }] of encodings.entries()) {
    const percs = new Map(part.functions.map((f) => [f, 0]));
    for (const { name, f, threshold } of shareVariables) {
      if (values.get(name) === true) percs.set(f, Math.max(percs.get(f)!, threshold));
    }
    let share = 0;
    for (const p of percs.values()) share += p;
    // a model of Z3 satisfies the feasibility constraints, which are the spec's (reduction 3)
    const cost = dailyCost(problem, problem.functions.map((f) => percs.get(f.index) ?? 0), part.functions);
    const bound = goal.minimise === "share" ? goal.dailyCostBounds?.[k] : undefined;
    if (cost === undefined || share > budget || (bound !== undefined && cost > bound)) return { status: "unsat" };
    optima.push({ percs, share, dailyCost: cost });
  }
  return { status: "sat", value: optima, timedOut: outcome.status === "unknown" };
}

/** Parts solved together in one Z3 run hold at most this many functions (a larger part is alone). */
const BATCH_FUNCTIONS = 12;

/**
 * Every part under `goal`, consecutive small parts batched (one Z3 run costs
 * at least ~10 ms; one run for large parts together is slower than one each).
 * `dailyCostBounds`, aligned with `encodings`, bound the share goal.
 */
async function solveAll(
  problem: Problem,
  encodings: readonly PartEncoding[],
  minimise: Goal["minimise"],
  deadline: number,
  dailyCostBounds?: readonly bigint[],
): Promise<CheckOutcome<PartOptimum[]>> {
  const optima: PartOptimum[] = [];
  let timedOut = false;
  for (let start = 0; start < encodings.length; ) {
    let end = start + 1;
    let size = encodings[start]!.part.functions.length;
    while (end < encodings.length && size + encodings[end]!.part.functions.length <= BATCH_FUNCTIONS) {
      size += encodings[end++]!.part.functions.length;
    }
    const goal: Goal =
      minimise === "dailyCost" ? { minimise } : { minimise, dailyCostBounds: dailyCostBounds?.slice(start, end) };
    const outcome = await solveBatch(problem, encodings.slice(start, end), goal, deadline);
    if (outcome.status === "unsat") return outcome;
    optima.push(...outcome.value);
    timedOut ||= outcome.timedOut;
    start = end;
  }
  return { status: "sat", value: optima, timedOut };
}

/**
 * The spec's optimum through the reduced problem (see reduced.ts, reduction
 * 5). First every part's optimum: its least daily cost, then its least share
 * at that cost. When they do not fit the budget together, the best
 * combination is sought among the known points of the parts' frontiers and
 * optimistic stand-ins for their unknown budgets; each stand-in chosen makes
 * Z3 find the next point of that frontier, until the best combination uses
 * known points only. `timeoutMs` bounds the whole.
 */
export async function solveProblem(problem: Problem, timeoutMs = SOLVER_TIMEOUT_MS): Promise<ModelOutcome> {
  const deadline = performance.now() + timeoutMs;
  const outcome = (chosen: readonly PartOptimum[], timedOut: boolean): ModelOutcome => {
    const percs = problem.functions.map(() => 0);
    for (const point of chosen) for (const [f, perc] of point.percs) percs[f] = perc;
    return { status: "sat", percs, timedOut };
  };
  const parts = splitProblem(problem);
  const whole = parts.map((part) => encodePart(problem, part, 100));
  const cheapest = await solveAll(problem, whole, "dailyCost", deadline);
  if (cheapest.status === "unsat") return cheapest;
  const dailyCostBounds = cheapest.value.map((p) => p.dailyCost);
  // the cheapest shares satisfy the bounds: unsat only by a timeout without model
  const optima = await solveAll(problem, whole, "share", deadline, dailyCostBounds);
  if (optima.status === "unsat") return outcome(cheapest.value, true);
  let timedOut = cheapest.timedOut || optima.timedOut;
  if (optima.value.reduce((total, p) => total + p.share, 0) <= 100) return outcome(optima.value, timedOut);

  // The budget binds. Each part's frontier ends at the least share with which it is feasible.
  const leastShares = await solveAll(problem, whole, "share", deadline);
  if (leastShares.status === "unsat") return leastShares; // a timeout without model: no frontier is bounded
  timedOut ||= leastShares.timedOut;
  const frontiers = optima.value.map((optimum, k) => {
    const frontier = new Frontier(optimum);
    const least = leastShares.value[k]!.share;
    if (least > 0) frontier.record(least - 1, null, false);
    return frontier;
  });
  for (;;) {
    const best = bestCombination(frontiers.map((f) => f.options()));
    // not even the optimistic stand-ins fit
    if (best === undefined) return { status: "unsat" };
    const known = best.chosen.filter(isPartOptimum);
    if (known.length === frontiers.length) return outcome(known, timedOut);
    if (performance.now() >= deadline) {
      const feasible = bestCombination(frontiers.map((f) => f.options().filter(isPartOptimum)));
      return feasible === undefined ? { status: "unsat" } : outcome(feasible.chosen, true);
    }
    for (const [k, range] of best.chosen.entries()) {
      if (!isUnknownRange(range)) continue;
      // the next point of the frontier: the least cost under the range's highest budget
      const next = await solveBatch(problem, [encodePart(problem, parts[k]!, range.highest)], { minimise: "dailyCost" }, deadline);
      // a timeout without model also ends the frontier here
      timedOut ||= next.status === "unsat" ? performance.now() >= deadline : next.timedOut;
      frontiers[k]!.record(range.highest, next.status === "sat" ? next.value[0]! : null, false);
    }
  }
}

/** The script written to `allocations.smt2`, runnable with the `z3` binary. */
export function smt2Script(body: string): string {
  return `(set-option :produce-models true)\n${body}(check-sat)\n(get-model)\n`;
}

export function writeSmt2Script(path: string, body: string): void {
  writeFileAtomic(path, smt2Script(body));
}

export interface SolveOptions {
  /** date written in the SMT2 comment header */
  readonly now: Date;
  readonly timeoutMs?: number;
}

/** The last problem tried, its SMT2 body and the diagnostics of every attempt. */
export interface SolveAttempts {
  readonly problem: Problem;
  /** the problem as SMT2, without the preamble and commands of `allocations.smt2` */
  readonly smt2: string;
  readonly diagnostics: readonly Diagnostic[];
}

export type Unsatisfiable = SolveAttempts & { readonly kind: "unsatisfiable" };

export type SolveResult = (SolveAttempts & { readonly kind: "solved"; readonly percs: readonly number[] }) | Unsatisfiable;

/**
 * Solve with the configured retentions, then, while unsat, with every
 * retention multiplied by 0.5, 0.25, … down to MIN_RETRY_RATIO. When all
 * fail, the result is `unsatisfiable` and its last diagnostic the error.
 */
export async function solveWithRetries(
  selection: Selection,
  config: ArchivistConfig,
  options: SolveOptions,
): Promise<SolveResult> {
  const diagnostics: Diagnostic[] = [...selection.warnings];
  const attempt = async (ratio: number) => {
    const { problem, errors } = formulate(selection, config, ratio);
    const smt2 = emitSmt2(problem, options.now);
    const outcome = await solveProblem(problem, options.timeoutMs);
    return { problem, errors, smt2, outcome };
  };
  let { problem, errors, smt2, outcome } = await attempt(1);
  for (let ratio = RETRY_FACTOR; outcome.status === "unsat" && ratio >= MIN_RETRY_RATIO; ratio *= RETRY_FACTOR) {
    diagnostics.push(diag("archivistRetry", { ratio }));
    ({ problem, errors, smt2, outcome } = await attempt(ratio));
  }
  // Costs too large matter for the problem whose answer is used: the last one.
  diagnostics.push(...errors);
  if (outcome.status === "unsat") {
    diagnostics.push(diag("archivistUnsatisfiable"));
    return { kind: "unsatisfiable", problem, smt2, diagnostics };
  }
  if (outcome.timedOut) diagnostics.push(diag("archivistSolverTimeout"));
  return { kind: "solved", problem, smt2, percs: outcome.percs, diagnostics };
}
