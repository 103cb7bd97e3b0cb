// From the solver's shares to bytes of archive per function (archival.md §4.7),
// and the allocations file that gc and the supervisor read.

import { Diagnostic, diag } from "../../grammar/diagnostics.js";
import { ArchivistConfig, findRetentionRule } from "./config.js";
import { compareBytes, readJsonFile, sortedJson, writeFileAtomic } from "./files.js";
import { JsonChecker } from "./json.js";
import { Problem } from "./smt2.js";

/** fq → bytes of archive, for the functions of one site, keys in byte order. */
export type Allocations = Readonly<Record<string, number>>;

/** A change of allocation larger than this fraction of the larger value is reported. */
export const ALLOCATION_SHIFT_WARNING = 0.5;

/**
 * Bytes per function of the problem's site: each share of the model scaled so
 * that the shares split the whole budget. When the model holds nothing (no
 * retention applies yet, e.g. functions without statistics), every running
 * function with a configured retention gets an equal share, so that it starts
 * archiving and its size gets measured.
 */
export function allocationsFromModel(problem: Problem, percs: readonly number[], config: ArchivistConfig): Allocations {
  let shares = percs;
  if (sum(shares) === 0) {
    shares = problem.functions.map((f) => {
      const rule = f.stats.isRunning ? findRetentionRule(config, f.site, f.fq) : undefined;
      return rule !== undefined && rule.retention.duration > 0 ? 1 : 0;
    });
  }
  const total = sum(shares);
  const allocations: Record<string, number> = {};
  const local = problem.functions.filter((f) => f.site === problem.site).sort((a, b) => compareBytes(a.fq, b.fq));
  for (const f of local) {
    // Math.round rounds halves up, as the spec asks, on these non-negative values.
    allocations[f.fq] = total === 0 ? 0 : Math.round((shares[f.index]! * problem.sizeLimit) / total);
  }
  return allocations;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** A warning per function whose allocation moves by more than half of the larger value. */
export function allocationShifts(previous: Allocations, next: Allocations): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const [fq, to] of Object.entries(next)) {
    const from = previous[fq];
    if (from === undefined) continue;
    const larger = Math.max(from, to);
    if (larger > 0 && Math.abs(to - from) > ALLOCATION_SHIFT_WARNING * larger) {
      warnings.push(diag("archivistAllocationShift", { name: fq, from, to }));
    }
  }
  return warnings;
}

export function parseAllocations(json: unknown, path: string): Allocations {
  const check = new JsonChecker(path);
  const allocations: Record<string, number> = {};
  for (const [fq, bytes] of Object.entries(check.object(json, "the allocations file"))) {
    allocations[fq] = check.nonNegative(bytes, `allocation of ${fq}`);
  }
  return allocations;
}

/** The allocations of a site, or undefined when none were computed yet. */
export function readAllocations(path: string): Allocations | undefined {
  const json = readJsonFile(path);
  return json === undefined ? undefined : parseAllocations(json, path);
}

/** Replace the whole file: functions no longer included disappear from it. */
export function writeAllocations(path: string, allocations: Allocations): void {
  writeFileAtomic(path, sortedJson(allocations));
}
