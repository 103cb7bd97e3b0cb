// The allocation problem (archival.md §4.3–4.5): which functions take part,
// their retentions, the constants per function and duration, and the SMT2
// text given to Z3 (and saved for operators to re-run).

import { Diagnostic, diag } from "../../grammar/diagnostics.js";
import { ArchivistConfig, Retention, findRetentionRule } from "./config.js";
import { compareBytes } from "./files.js";
import { FunctionStats, SiteStats, computeCost, recallSize } from "./stats.js";

/** The retention of functions without parents when the configuration has none at all (§4.3.3). */
export const DEFAULT_ROOT_RETENTION: Retention = { duration: 3600, period: 600 };
/** A cost larger than any real one: what recomputing a function without parents costs (§4.4). */
export const INVALID_COST = "99999999999999999999";
const INVALID_COST_VALUE = 1e20; // exactly 10^20 in float64: a value this large has more digits than INVALID

export interface ProblemInput {
  readonly config: ArchivistConfig;
  readonly stats: SiteStats;
  /** this instance's site: stats records and parents without a site belong to it */
  readonly site: string;
  /** fq → retention from the function's `PERSIST FOR` clause, parameters already replaced */
  readonly persistRetentions?: ReadonlyMap<string, Retention>;
}

export type RetentionSource = "config" | "persist" | "default";

export interface SelectedFunction {
  /** position in the byte order of `site:fq`, the `f` of `perc_f` */
  readonly index: number;
  readonly site: string;
  readonly fq: string;
  /** `site:fq` */
  readonly name: string;
  readonly stats: FunctionStats;
  /** indices of the parents, ascending, without duplicates */
  readonly parents: readonly number[];
  /** rs: bytes per second of event time */
  readonly recallSize: number;
  /** cc: CPU seconds per second of event time */
  readonly computeCost: number;
  /** absent, or with duration 0: no retention */
  readonly retention?: Retention;
  readonly retentionSource?: RetentionSource;
}

export interface Selection {
  readonly site: string;
  readonly functions: readonly SelectedFunction[];
  readonly warnings: readonly Diagnostic[];
}

/** Constants of one function (§4.4), per duration index. */
export interface FunctionConstants {
  /** percent of the budget needed to hold each duration */
  readonly need: readonly number[];
  /** cost of reading each duration from the archive */
  readonly recall: readonly number[];
  /** own cost of recomputing each duration */
  readonly recompute: readonly number[];
  /** index in `durations` of the function's retention, if it has one */
  readonly retained?: number;
  /** queries per day; 0 without retention */
  readonly queriesPerDay: number;
}

export interface Problem {
  readonly site: string;
  readonly sizeLimit: number;
  readonly recallCost: number;
  /** every retention duration was multiplied by this (1, or less when retrying, §4.6) */
  readonly ratio: number;
  /** the distinct positive retention durations in use, ascending */
  readonly durations: readonly number[];
  readonly functions: readonly SelectedFunction[];
  /** same order as `functions` */
  readonly constants: readonly FunctionConstants[];
}

interface WorkerName {
  readonly site: string;
  readonly fq: string;
}

/** A parent as written in the stats: `fq` of this site, or `site:fq`. */
function workerName(ref: string, site: string): WorkerName {
  const colon = ref.indexOf(":");
  return colon < 0 ? { site, fq: ref } : { site: ref.slice(0, colon), fq: ref.slice(colon + 1) };
}

const NO_STATS: FunctionStats = { parents: [], isRunning: false, tuples: 0, bytes: 0, cpu: 0 };

/**
 * The functions taking part (§4.3.1): every running one and, transitively, all
 * their parents; a parent without a stats record gets an empty one and a
 * warning. Then each gets its retention (§4.3.2, §4.3.3).
 */
export function selectFunctions(input: ProblemInput): Selection {
  const { site, stats } = input;
  const warnings: Diagnostic[] = [];
  const included = new Map<string, { worker: WorkerName; stats: FunctionStats; parentNames: string[] }>();
  const pending: { worker: WorkerName; child?: string }[] = [];
  for (const [fq, record] of stats) if (record.isRunning) pending.push({ worker: { site, fq } });
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { worker, child } = next;
    const name = `${worker.site}:${worker.fq}`;
    if (included.has(name)) continue;
    let record = worker.site === site ? stats.get(worker.fq) : undefined;
    if (record === undefined) {
      // only parents can lack a record: running functions come from the stats
      warnings.push(diag("archivistMissingStats", { name, child: child! }));
      record = NO_STATS;
    }
    const parents = record.parents.map((ref) => workerName(ref, worker.site));
    included.set(name, { worker, stats: record, parentNames: parents.map((p) => `${p.site}:${p.fq}`) });
    for (const parent of parents) pending.push({ worker: parent, child: name });
  }

  const names = [...included.keys()].sort(compareBytes);
  const indexOf = new Map(names.map((name, index) => [name, index]));
  const hasRetentionRules = input.config.retentions.length > 0;
  const functions = names.map((name, index): SelectedFunction => {
    const { worker, stats: record, parentNames } = included.get(name)!;
    const parents = [...new Set(parentNames.map((p) => indexOf.get(p)!))].sort((a, b) => a - b);
    const chosen = chooseRetention(input, worker, parents.length === 0, hasRetentionRules);
    return {
      index,
      site: worker.site,
      fq: worker.fq,
      name,
      stats: record,
      parents,
      recallSize: recallSize(record),
      computeCost: computeCost(record),
      ...chosen,
    };
  });
  return { site, functions, warnings };
}

function chooseRetention(
  input: ProblemInput,
  worker: WorkerName,
  isRoot: boolean,
  hasRetentionRules: boolean,
): { retention?: Retention; retentionSource?: RetentionSource } {
  const rule = findRetentionRule(input.config, worker.site, worker.fq);
  if (rule) return { retention: rule.retention, retentionSource: "config" };
  const persisted = worker.site === input.site ? input.persistRetentions?.get(worker.fq) : undefined;
  if (persisted) return { retention: persisted, retentionSource: "persist" };
  if (!hasRetentionRules && isRoot) return { retention: DEFAULT_ROOT_RETENTION, retentionSource: "default" };
  return {};
}

/**
 * The problem for the selected functions with every retention duration
 * multiplied by `ratio`, and an error per cost too large for the encoding.
 * Constants are float64 expressions evaluated left to right, then `ceil` (§4.4).
 */
export function formulate(
  selection: Selection,
  config: ArchivistConfig,
  ratio = 1,
): { problem: Problem; errors: Diagnostic[] } {
  const scaled = (f: SelectedFunction) => (f.retention ? f.retention.duration * ratio : 0);
  const durations = [...new Set(selection.functions.map(scaled).filter((d) => d > 0))].sort((a, b) => a - b);
  const { sizeLimit, recallCost } = config;
  const errors: Diagnostic[] = [];
  const constants = selection.functions.map((f): FunctionConstants => {
    const rs = f.recallSize;
    const cc = f.computeCost;
    const need = durations.map((d) => Math.ceil((d * rs * 100) / sizeLimit));
    const recall = durations.map((d) => Math.ceil(recallCost * rs * d));
    const recompute = durations.map((d) => Math.ceil(cc * d));
    durations.forEach((d, i) => {
      const tooLarge = (what: string, value: number) =>
        errors.push(diag("archivistCostTooLarge", { what, name: f.name, duration: d, value: String(value) }));
      if (!(recall[i]! < INVALID_COST_VALUE)) tooLarge("recall cost", recall[i]!);
      if (!(recompute[i]! < INVALID_COST_VALUE)) tooLarge("recompute cost", recompute[i]!);
    });
    const duration = scaled(f);
    if (duration <= 0) return { need, recall, recompute, queriesPerDay: 0 };
    return {
      need,
      recall,
      recompute,
      retained: durations.indexOf(duration),
      queriesPerDay: Math.ceil(86400 / Math.max(1, f.retention!.period)),
    };
  });
  const problem: Problem = {
    site: selection.site,
    sizeLimit,
    recallCost,
    ratio,
    durations,
    functions: selection.functions,
    constants,
  };
  return { problem, errors };
}

/** The exact decimal value of a float64 integer (no exponent notation, which SMT2 lacks). */
export function integerText(value: number): string {
  return Number.isFinite(value) ? BigInt(value).toString() : INVALID_COST;
}

const perc = (f: number) => `perc_${f}`;
const cost = (f: number, i: number) => `cost_${f}_${i}`;
const sum = (terms: readonly string[]) => `(+ 0${terms.map((t) => " " + t).join("")})`;

/**
 * The problem as SMT2 (§4.5): comment header, declarations with bounds, the
 * budget, the cost definitions, the feasibility constraints, then the two
 * objectives in priority order. No preamble nor `check-sat` (see solve.ts).
 */
export function emitSmt2(problem: Problem, generatedAt: Date): string {
  const { functions, constants, durations } = problem;
  const lines = header(problem, generatedAt);
  for (const f of functions) {
    const costs = durations.map((_, i) => ` (declare-const ${cost(f.index, i)} Int)`).join("");
    lines.push(`(declare-const ${perc(f.index)} Int) (assert (<= 0 ${perc(f.index)} 100))${costs}`);
  }
  lines.push(`(assert (<= ${sum(functions.map((f) => perc(f.index)))} 100))`);
  for (const f of functions) {
    const c = constants[f.index]!;
    durations.forEach((_, i) => {
      const recompute =
        f.parents.length === 0
          ? INVALID_COST
          : `(+ ${integerText(c.recompute[i]!)}${f.parents.map((p) => " " + cost(p, i)).join("")})`;
      const recall = integerText(c.recall[i]!);
      lines.push(
        `(assert (= ${cost(f.index, i)} (ite (>= ${perc(f.index)} ${integerText(c.need[i]!)}) ${recall} ${recompute})))`,
      );
    });
  }
  const retained = functions.filter((f) => constants[f.index]!.retained !== undefined);
  for (const f of retained) lines.push(`(assert (< ${cost(f.index, constants[f.index]!.retained!)} ${INVALID_COST}))`);
  const dailyCosts = retained.map((f) => {
    const c = constants[f.index]!;
    return `(* ${c.queriesPerDay} ${cost(f.index, c.retained!)})`;
  });
  lines.push(`(minimize ${sum(dailyCosts)})`);
  lines.push(`(minimize ${sum(functions.map((f) => perc(f.index)))})`);
  return lines.join("\n") + "\n";
}

function header(problem: Problem, generatedAt: Date): string[] {
  const lines = [
    `; Archive allocations of site ${problem.site}, generated ${generatedAt.toISOString()}`,
    `; size_limit = ${problem.sizeLimit} bytes, recall_cost = ${problem.recallCost} CPU-s per byte` +
      (problem.ratio === 1 ? "" : `, retentions multiplied by ${problem.ratio}`),
    `; D: ${problem.durations.map((d, i) => `${i} = ${d} s`).join("  ") || "none"}`,
  ];
  for (const f of problem.functions) {
    const c = problem.constants[f.index]!;
    const retention =
      c.retained === undefined
        ? "none"
        : `${problem.durations[c.retained]} s every ${f.retention!.period} s (${f.retentionSource})`;
    lines.push(
      `; ${f.index} = ${f.name}  rs = ${f.recallSize.toPrecision(6)} B/s  cc = ${f.computeCost.toPrecision(6)} CPU-s/s  retention = ${retention}`,
    );
  }
  return lines;
}
