// The archivist (archival.md §3–4) as a library for `ramen archivist` and the
// supervisor: fold statistics, compute allocations in memory, or do either on
// the files of a state directory.

import { Allocations, allocationShifts, allocationsFromModel, readAllocations, writeAllocations } from "./allocations.js";
import { ArchivistConfig, Retention, readConfig } from "./config.js";
import { archivistPaths } from "./files.js";
import { persistRetentions } from "./persist.js";
import { selectFunctions } from "./smt2.js";
import { solveWithRetries, writeSmt2Script, type SolveAttempts, type Unsatisfiable } from "./solve.js";
import {
  RunningEntry,
  SiteStats,
  foldSiteStats,
  readArchiveSummaries,
  readRuntimeReports,
  readSiteStats,
  writeSiteStats,
} from "./stats.js";

export type { Allocations } from "./allocations.js";
export { readAllocations, writeAllocations } from "./allocations.js";
export type { ArchivistConfig, Retention, RetentionRule } from "./config.js";
export { DEFAULT_CONFIG, parseConfig, readConfig } from "./config.js";
export type { ArchivistPaths } from "./files.js";
export { archivistPaths } from "./files.js";
export { persistRetentions } from "./persist.js";
export type { Problem, SelectedFunction } from "./smt2.js";
export type { FunctionStats, RunningEntry, RuntimeReport, SiteStats } from "./stats.js";
export { foldSiteStats, parseSiteStats, readSiteStats } from "./stats.js";

export interface AllocationInput {
  readonly config: ArchivistConfig;
  readonly stats: SiteStats;
  readonly site: string;
  /** fq → retention of the function's `PERSIST FOR` clause, parameters replaced */
  readonly persistRetentions?: ReadonlyMap<string, Retention>;
  /** the allocations in force, to report large shifts */
  readonly previous?: Allocations;
  /** date of the SMT2 comment header (default: now) */
  readonly now?: Date;
  readonly timeoutMs?: number;
}

/**
 * `diagnostics` holds what the archivist logs: warnings (missing statistics,
 * retries, timeout, large shifts) and errors that do not stop it (costs too
 * large). When unsatisfiable, the last one is the error and the previous
 * allocations stay in force.
 */
export type AllocationResult = (SolveAttempts & { readonly kind: "solved"; readonly allocations: Allocations }) | Unsatisfiable;

export async function computeAllocations(input: AllocationInput): Promise<AllocationResult> {
  const selection = selectFunctions(input);
  const solved = await solveWithRetries(selection, input.config, {
    now: input.now ?? new Date(),
    timeoutMs: input.timeoutMs,
  });
  if (solved.kind === "unsatisfiable") return solved;
  const allocations = allocationsFromModel(solved.problem, solved.percs, input.config);
  const shifts = input.previous ? allocationShifts(input.previous, allocations) : [];
  return {
    kind: "solved",
    allocations,
    smt2: solved.smt2,
    problem: solved.problem,
    diagnostics: [...solved.diagnostics, ...shifts],
  };
}

export interface StateDirOptions {
  /** compute and return, write nothing */
  readonly dryRun?: boolean;
}

/**
 * `ramen archivist --stats`: fold the saved runtime records, the running
 * configuration (from the supervisor or `running-config.json`, given by the
 * caller) and gc's archive summary into the site's stats file.
 */
export function refreshStats(
  stateDir: string,
  site: string,
  running: ReadonlyMap<string, RunningEntry>,
  options: StateDirOptions = {},
): SiteStats {
  const paths = archivistPaths(stateDir, site);
  const stats = foldSiteStats(
    readSiteStats(paths.stats),
    readRuntimeReports(paths.runtimeStats),
    running,
    readArchiveSummaries(paths.summary),
  );
  if (!options.dryRun) writeSiteStats(paths.stats, stats);
  return stats;
}

export interface AllocateOptions extends StateDirOptions {
  readonly now?: Date;
  readonly timeoutMs?: number;
}

/**
 * `ramen archivist --allocs`: read the configuration, the stats, the
 * `PERSIST FOR` retentions of the running configuration and the previous
 * allocations, solve, write `allocations.smt2` and, when solved, the
 * allocations. Unsatisfiable: the allocations file is left as it was.
 */
export async function allocate(stateDir: string, site: string, options: AllocateOptions = {}): Promise<AllocationResult> {
  const paths = archivistPaths(stateDir, site);
  const persist = persistRetentions(stateDir);
  const result = await computeAllocations({
    config: readConfig(paths.config),
    stats: readSiteStats(paths.stats),
    site,
    persistRetentions: persist.retentions,
    previous: readAllocations(paths.allocs),
    now: options.now,
    timeoutMs: options.timeoutMs,
  });
  if (!options.dryRun) writeSmt2Script(paths.smt2, result.smt2);
  if (!options.dryRun && result.kind === "solved") writeAllocations(paths.allocs, result.allocations);
  // the source's errors come first: the last diagnostic of an unsatisfiable result stays its error
  return { ...result, diagnostics: [...persist.diagnostics, ...result.diagnostics] };
}
