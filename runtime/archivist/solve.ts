// Solving the allocation problem with Z3 in process (archival.md §4.6): one
// WebAssembly instance per process, the lexicographic objectives of the SMT2
// text, and retries with shorter retentions while the problem is unsat.

import { init } from "z3-solver";
import type { Context } from "z3-solver";
import { Diagnostic, diag } from "../../grammar/diagnostics.js";
import { ArchivistConfig } from "./config.js";
import { writeFileAtomic } from "./files.js";
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

/**
 * Solve an SMT2 body (no preamble nor `check-sat`) declaring `perc_0` …
 * `perc_{n−1}`. A timeout with a model counts as sat (flagged `timedOut`);
 * without one, as unsat.
 */
export function solveSmt2(body: string, numFunctions: number, timeoutMs = SOLVER_TIMEOUT_MS): Promise<ModelOutcome> {
  const run = async (): Promise<ModelOutcome> => {
    const Z3 = await archivistContext();
    const opt = new Z3.Optimize();
    try {
      opt.set("timeout", timeoutMs);
      opt.fromString(body);
      const result = await opt.check();
      if (result === "unsat") return { status: "unsat" };
      let model;
      try {
        model = opt.model();
      } catch {
        return { status: "unsat" }; // unknown and no model: nothing to use
      }
      // After a timeout the model may be a partial guess: use it only if it satisfies every constraint.
      if (result === "unknown") {
        const assertions = opt.assertions();
        for (let i = 0; i < assertions.length(); i++) {
          if (!Z3.isTrue(model.eval(assertions.get(i), true))) return { status: "unsat" };
        }
      }
      const percs: number[] = [];
      for (let f = 0; f < numFunctions; f++) {
        const value = model.eval(Z3.Int.const(`perc_${f}`), true);
        percs.push(Number(Z3.isIntVal(value) ? value.value() : 0));
      }
      return { status: "sat", percs, timedOut: result === "unknown" };
    } finally {
      opt.release();
    }
  };
  const outcome = queue.then(run, run);
  queue = outcome.catch(() => undefined);
  return outcome;
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
    // Z3 also gets the share domains: the same optima, found much faster (see shareDomains).
    const solverText = emitSmt2(problem, options.now, { shareDomains: true });
    const outcome = await solveSmt2(solverText, problem.functions.length, options.timeoutMs);
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
