// Solving the allocation problem with Z3 in process (archival.md §4.6): one
// WebAssembly instance per process, the reduced problem of reduced.ts part by
// part (each part's daily cost, then its share; the parts' frontiers when the
// budget binds; a large part cut by a root solved once per share of that root),
// and retries with shorter retentions while it is unsat.

import { init } from "z3-solver";
import type { Context } from "z3-solver";
import { Diagnostic, diag } from "../../grammar/diagnostics.js";
import { ArchivistConfig } from "./config.js";
import { writeFileAtomic } from "./files.js";
import { Frontier, Point, bestCombination, isUnknownRange } from "./frontier.js";
import { Goal, PartEncoding, ProblemPart, batchText, conditionPart, dailyCost, encodePart, splitProblem } from "./reduced.js";
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

/** One part's optimum under some budget; also the share chosen for a conditioned root (reduction 6). */
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
    const allPercs = problem.functions.map((f) => percs.get(f.index) ?? part.given?.get(f.index) ?? 0);
    const cost = dailyCost(problem, allPercs, part.functions);
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
 * `dailyCostBounds`, aligned with `encodings`, bound the share goal. Per part,
 * its optimum, or null when unsat (or a timeout without model): a batch found
 * unsat is solved again part by part.
 */
async function solveEach(
  problem: Problem,
  encodings: readonly PartEncoding[],
  minimise: Goal["minimise"],
  deadline: number,
  dailyCostBounds?: readonly bigint[],
): Promise<{ readonly optima: (PartOptimum | null)[]; readonly timedOut: boolean }> {
  const optima: (PartOptimum | null)[] = [];
  let timedOut = false;
  const solve = async (start: number, end: number) => {
    const goal: Goal =
      minimise === "dailyCost" ? { minimise } : { minimise, dailyCostBounds: dailyCostBounds?.slice(start, end) };
    const outcome = await solveBatch(problem, encodings.slice(start, end), goal, deadline);
    if (outcome.status === "sat") timedOut ||= outcome.timedOut;
    return outcome;
  };
  for (let start = 0; start < encodings.length; ) {
    let end = start + 1;
    // the same functions under different shares of a root (reduction 6) have the same variables
    const batched = new Set(encodings[start]!.part.functions);
    for (; end < encodings.length; end++) {
      const next = encodings[end]!.part.functions;
      if (batched.size + next.length > BATCH_FUNCTIONS || next.some((f) => batched.has(f))) break;
      for (const f of next) batched.add(f);
    }
    const outcome = await solve(start, end);
    if (outcome.status === "sat") optima.push(...outcome.value);
    else if (end - start === 1) optima.push(null);
    else {
      for (let k = start; k < end; k++) {
        const alone = await solve(k, k + 1);
        optima.push(alone.status === "sat" ? alone.value[0]! : null);
      }
    }
    start = end;
  }
  return { optima, timedOut };
}

/** Parts of at least this many functions are conditioned on a root that cuts them (reduction 6). */
export const CONDITION_FROM = 30;
/** A conditioned root has at most this many shares to try… */
const MAX_CHOICES = 4;
/** …and the whole at most this many combinations of them. */
const MAX_ALTERNATIVES = 8;

/** One way to the whole's optimum: shares chosen for some roots (reduction 6) and the parts left to solve. */
interface Alternative {
  readonly chosen: readonly PartOptimum[];
  readonly parts: readonly ProblemPart[];
}

/** The site's parts, the largest ones conditioned on a root while the alternatives stay few. */
function alternativesOf(problem: Problem, conditionFrom: number): Alternative[] {
  let alternatives: Alternative[] = [{ chosen: [], parts: [] }];
  const parts = splitProblem(problem).sort((a, b) => b.functions.length - a.functions.length);
  for (const part of parts) {
    const conditioning = part.functions.length >= conditionFrom ? conditionPart(problem, part, MAX_CHOICES) : undefined;
    if (conditioning === undefined || alternatives.length * conditioning.choices.length > MAX_ALTERNATIVES) {
      alternatives = alternatives.map((a) => ({ chosen: a.chosen, parts: [...a.parts, part] }));
      continue;
    }
    alternatives = alternatives.flatMap((a) =>
      conditioning.choices.map((choice) => ({
        chosen: [...a.chosen, { percs: new Map([[conditioning.root, choice.perc]]), share: choice.perc, dailyCost: choice.dailyCost }],
        parts: [...a.parts, ...choice.parts],
      })),
    );
  }
  return alternatives;
}

type Combination = NonNullable<ReturnType<typeof bestCombination<Point>>>;

/** Least daily cost, then least share. */
const better = (a: Combination, b: Combination | undefined) =>
  b === undefined || a.dailyCost < b.dailyCost || (a.dailyCost === b.dailyCost && a.share < b.share);

/**
 * The spec's optimum through the reduced problem (see reduced.ts, reductions
 * 5 and 6). First every part's optimum: its least daily cost, then its least
 * share at that cost. The best combination (of one alternative's chosen
 * shares and parts) is sought among the known points of the parts' frontiers
 * and optimistic stand-ins for their unknown budgets; each stand-in chosen
 * makes Z3 find the next point of that frontier, until the best combination
 * uses known points only. Parts shared by alternatives share their frontier.
 * `timeoutMs` bounds the whole; parts of at least `conditionFrom` functions
 * are conditioned.
 */
export async function solveProblem(problem: Problem, timeoutMs = SOLVER_TIMEOUT_MS, conditionFrom = CONDITION_FROM): Promise<ModelOutcome> {
  const deadline = performance.now() + timeoutMs;
  // every point chosen is known: a part's optimum or a root's share
  const outcome = (chosen: readonly Point[], timedOut: boolean): ModelOutcome => {
    const percs = problem.functions.map(() => 0);
    for (const point of chosen.filter(isPartOptimum)) for (const [f, perc] of point.percs) percs[f] = perc;
    return { status: "sat", percs, timedOut };
  };
  const alternatives = alternativesOf(problem, conditionFrom);
  const parts = [...new Set(alternatives.flatMap((a) => a.parts))];
  const whole = parts.map((part) => encodePart(problem, part, 100));
  const cheapest = await solveEach(problem, whole, "dailyCost", deadline);
  let timedOut = cheapest.timedOut;
  // a part unsat with the whole budget is unsat with any: its frontier is null
  const frontiers = new Map<ProblemPart, Frontier<PartOptimum> | null>(parts.map((part) => [part, null]));
  const feasible = parts.flatMap((_, k) => (cheapest.optima[k] ? [k] : []));
  const optima = await solveEach(
    problem,
    feasible.map((k) => whole[k]!),
    "share",
    deadline,
    feasible.map((k) => cheapest.optima[k]!.dailyCost),
  );
  timedOut ||= optima.timedOut;
  feasible.forEach((k, j) => {
    // the cheapest shares satisfy the bound: null only by a timeout without model
    const optimum = optima.optima[j] ?? cheapest.optima[k]!;
    timedOut ||= optima.optima[j] === null;
    frontiers.set(parts[k]!, new Frontier(optimum));
  });

  // the best combination of some alternative, among its frontiers' points that `keep` keeps
  const bestOf = (keep: (point: Point) => boolean) => {
    let best: { combination: Combination; alternative: Alternative } | undefined;
    for (const alternative of alternatives) {
      const options: Point[][] = alternative.chosen.map((point) => [point]);
      for (const part of alternative.parts) options.push(frontiers.get(part)?.options().filter(keep) ?? []);
      const combination = bestCombination(options);
      if (combination !== undefined && better(combination, best?.combination)) best = { combination, alternative };
    }
    return best;
  };
  let leastSharesKnown = false;
  for (;;) {
    const best = bestOf(() => true);
    // not even the optimistic stand-ins fit
    if (best === undefined) return { status: "unsat" };
    const { combination, alternative } = best;
    if (combination.chosen.every(isPartOptimum)) return outcome(combination.chosen, timedOut);
    if (performance.now() >= deadline) {
      const found = bestOf(isPartOptimum);
      return found === undefined ? { status: "unsat" } : outcome(found.combination.chosen, true);
    }
    if (!leastSharesKnown) {
      // The budget binds. Each part's frontier ends at the least share with which it is feasible.
      leastSharesKnown = true;
      const leastShares = await solveEach(problem, feasible.map((k) => whole[k]!), "share", deadline);
      timedOut ||= leastShares.timedOut;
      feasible.forEach((k, j) => {
        const least = leastShares.optima[j]?.share ?? 0; // null: a timeout without model, nothing learnt
        if (least > 0) frontiers.get(parts[k]!)!.record(least - 1, null, false);
      });
      continue;
    }
    for (const [k, range] of combination.chosen.entries()) {
      if (!isUnknownRange(range)) continue;
      const part = alternative.parts[k - alternative.chosen.length]!;
      // the next point of the frontier: the least cost under the range's highest budget
      const next = await solveBatch(problem, [encodePart(problem, part, range.highest)], { minimise: "dailyCost" }, deadline);
      // a timeout without model also ends the frontier here
      timedOut ||= next.status === "unsat" ? performance.now() >= deadline : next.timedOut;
      frontiers.get(part)!.record(range.highest, next.status === "sat" ? next.value[0]! : null, false);
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
