// Archivist statistics (archival.md §3.2, §3.3): one record per function,
// folded from the workers' runtime records (§3.1), the running configuration
// and gc's archive summary (§5.3), and the derived rates the optimiser uses.

import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { compareBytes, readJsonFile, sortedJson, writeFileAtomic } from "./files.js";
import { JsonChecker, JsonObject } from "./json.js";

/** A covered time range of an archive: `[since, until, growing]` (§5.3). */
export type ArchiveRange = readonly [since: number, until: number, growing: boolean];

/** Counters that add up across worker signatures. */
export interface Totals {
  readonly tuples: number;
  readonly bytes: number;
  readonly cpu: number;
}

export interface FunctionStats extends Totals {
  /** each `fq` (same site) or `site:fq` */
  readonly parents: readonly string[];
  readonly isRunning: boolean;
  /** `first_startup` of the current worker signature; absent before its first report */
  readonly startupTime?: number;
  readonly minEtime?: number;
  readonly maxEtime?: number;
  readonly ram?: number;
  readonly archives?: readonly ArchiveRange[];
  readonly numArcFiles?: number;
  readonly numArcBytes?: number;
  /**
   * Share of the totals from earlier worker signatures, so that a new report of
   * the current signature replaces only its own share (stored as
   * `earlier_signatures`; other readers ignore it as an unknown key).
   */
  readonly earlier?: Totals;
}

/** fq → record, for one site. */
export type SiteStats = ReadonlyMap<string, FunctionStats>;

/** The fields of a worker's runtime record (§3.1) that archival uses. */
export interface RuntimeReport {
  readonly firstStartup: number;
  readonly minEtime: number | null;
  readonly maxEtime: number | null;
  readonly totOutTuples: number;
  readonly totFullBytes: number;
  readonly totFullBytesSamples: number;
  readonly totCpu: number;
  readonly maxRam?: number;
}

/** What the running configuration says of a function. */
export interface RunningEntry {
  readonly parents: readonly string[];
  readonly isRunning: boolean;
}

/** One function's entry of gc's archive summary (§5.3). */
export interface ArchiveSummary {
  readonly times: readonly ArchiveRange[];
  readonly numFiles: number;
  readonly numBytes: number;
}

const NO_TOTALS: Totals = { tuples: 0, bytes: 0, cpu: 0 };

/** Archived size of the rows a report counts: the sampled bytes per row times the rows. */
export function reportBytes(report: RuntimeReport): number {
  if (report.totFullBytesSamples <= 0) return 0;
  return Math.round((report.totFullBytes / report.totFullBytesSamples) * report.totOutTuples);
}

/**
 * One function's record after a new report. A report of the signature the
 * record holds replaces that signature's counters; a report of a new signature
 * (another `first_startup`) starts a new share added to the previous totals, so
 * one function keeps one history across code changes.
 */
export function foldFunctionStats(
  previous: FunctionStats | undefined,
  report: RuntimeReport | undefined,
  running: RunningEntry | undefined,
  archive?: ArchiveSummary,
): FunctionStats {
  const parents = running?.parents ?? previous?.parents ?? [];
  const isRunning = running?.isRunning ?? false;
  let folded: FunctionStats = previous
    ? { ...previous, parents, isRunning }
    : { parents, isRunning, ...NO_TOTALS };
  if (report) {
    const earlier =
      previous === undefined ? NO_TOTALS
      : previous.startupTime === report.firstStartup ? (previous.earlier ?? NO_TOTALS)
      : { tuples: previous.tuples, bytes: previous.bytes, cpu: previous.cpu };
    folded = {
      ...folded,
      startupTime: report.firstStartup,
      tuples: earlier.tuples + report.totOutTuples,
      bytes: earlier.bytes + reportBytes(report),
      cpu: earlier.cpu + report.totCpu,
      minEtime: extreme(Math.min, previous?.minEtime, report.minEtime),
      maxEtime: extreme(Math.max, previous?.maxEtime, report.maxEtime),
      ram: extreme(Math.max, previous?.ram, report.maxRam),
      earlier: earlier === NO_TOTALS ? undefined : earlier,
    };
  }
  if (archive) {
    folded = { ...folded, archives: archive.times, numArcFiles: archive.numFiles, numArcBytes: archive.numBytes };
  }
  return withoutUndefined(folded);
}

/**
 * The new stats of a site: every function previously known, reporting, or in
 * the running configuration. Functions absent from the running configuration
 * are kept (their history serves if they come back) as not running.
 */
export function foldSiteStats(
  previous: SiteStats,
  reports: ReadonlyMap<string, RuntimeReport>,
  running: ReadonlyMap<string, RunningEntry>,
  archives: ReadonlyMap<string, ArchiveSummary> = new Map(),
): Map<string, FunctionStats> {
  const names = new Set([...previous.keys(), ...reports.keys(), ...running.keys()]);
  const folded = new Map<string, FunctionStats>();
  for (const fq of [...names].sort(compareBytes)) {
    folded.set(fq, foldFunctionStats(previous.get(fq), reports.get(fq), running.get(fq), archives.get(fq)));
  }
  return folded;
}

// ---- derived rates (§3.2) ----

export const DEFAULT_RECALL_SIZE = 100;
export const DEFAULT_COMPUTE_COST = 0.5;

function knownSpan(stats: FunctionStats): number | undefined {
  if (stats.minEtime === undefined || stats.maxEtime === undefined) return undefined;
  const span = stats.maxEtime - stats.minEtime;
  return span > 0 ? span : undefined;
}

/** `rs`: archived bytes per second of event time. */
export function recallSize(stats: FunctionStats): number {
  const span = knownSpan(stats);
  return span === undefined ? DEFAULT_RECALL_SIZE : stats.bytes / span;
}

/** `cc`: CPU seconds per second of event time. */
export function computeCost(stats: FunctionStats): number {
  const span = knownSpan(stats);
  return span === undefined ? DEFAULT_COMPUTE_COST : stats.cpu / span;
}

// ---- the stats file (§3.3) ----

/** Parse the content of a stats file; unknown keys are ignored, optional keys may be absent. */
export function parseSiteStats(json: unknown, path: string): Map<string, FunctionStats> {
  const check = new JsonChecker(path);
  const stats = new Map<string, FunctionStats>();
  for (const [fq, value] of Object.entries(check.object(json, "the stats file"))) {
    stats.set(fq, parseFunctionStats(check, check.object(value, fq), fq));
  }
  return stats;
}

function parseFunctionStats(check: JsonChecker, record: JsonObject, fq: string): FunctionStats {
  const optional = (key: string) => check.optionalNumber(record, key, `${key} of ${fq}`);
  const earlier = record["earlier_signatures"];
  return withoutUndefined({
    parents: check.strings(record["parents"], `parents of ${fq}`),
    isRunning: check.boolean(record["is_running"], `is_running of ${fq}`),
    startupTime: optional("startup_time"),
    minEtime: optional("min_etime"),
    maxEtime: optional("max_etime"),
    tuples: optional("tuples") ?? 0,
    bytes: optional("bytes") ?? 0,
    cpu: optional("cpu") ?? 0,
    ram: optional("ram"),
    archives: record["archives"] === undefined ? undefined : parseRanges(check, record["archives"], `archives of ${fq}`),
    numArcFiles: optional("num_arc_files"),
    numArcBytes: optional("num_arc_bytes"),
    earlier: earlier === undefined ? undefined : parseTotals(check, earlier, `earlier_signatures of ${fq}`),
  });
}

function parseTotals(check: JsonChecker, json: unknown, what: string): Totals {
  const totals = check.object(json, what);
  return {
    tuples: check.number(totals["tuples"], `tuples of ${what}`),
    bytes: check.number(totals["bytes"], `bytes of ${what}`),
    cpu: check.number(totals["cpu"], `cpu of ${what}`),
  };
}

function parseRanges(check: JsonChecker, json: unknown, what: string): ArchiveRange[] {
  const isRange = (r: unknown) =>
    Array.isArray(r) && r.length === 3 && typeof r[0] === "number" && typeof r[1] === "number" && typeof r[2] === "boolean";
  if (!Array.isArray(json) || !json.every(isRange)) throw check.wrongType(what, "an array of [since, until, growing]", json);
  return json as ArchiveRange[];
}

export function serializeSiteStats(stats: SiteStats): string {
  const object: Record<string, unknown> = {};
  for (const [fq, s] of stats) {
    object[fq] = withoutUndefined({
      parents: s.parents,
      is_running: s.isRunning,
      startup_time: s.startupTime,
      min_etime: s.minEtime,
      max_etime: s.maxEtime,
      tuples: s.tuples,
      bytes: s.bytes,
      cpu: s.cpu,
      ram: s.ram,
      archives: s.archives,
      num_arc_files: s.numArcFiles,
      num_arc_bytes: s.numArcBytes,
      earlier_signatures: s.earlier,
    });
  }
  return sortedJson(object);
}

/** The stats of a site; an absent file is an empty one. */
export function readSiteStats(path: string): Map<string, FunctionStats> {
  const json = readJsonFile(path);
  return json === undefined ? new Map() : parseSiteStats(json, path);
}

export function writeSiteStats(path: string, stats: SiteStats): void {
  writeFileAtomic(path, serializeSiteStats(stats));
}

// ---- inputs written by others: runtime records (§3.1) and gc's summary (§5.3) ----

export function parseRuntimeReport(json: unknown, path: string): RuntimeReport {
  const check = new JsonChecker(path);
  const record = check.object(json, "the runtime statistics");
  const etime = (key: string) => (record[key] === null ? null : (check.optionalNumber(record, key, key) ?? null));
  return withoutUndefined({
    firstStartup: check.number(record["first_startup"], "first_startup"),
    minEtime: etime("min_etime"),
    maxEtime: etime("max_etime"),
    totOutTuples: check.number(record["tot_out_tuples"], "tot_out_tuples"),
    totFullBytes: check.number(record["tot_full_bytes"], "tot_full_bytes"),
    totFullBytesSamples: check.number(record["tot_full_bytes_samples"], "tot_full_bytes_samples"),
    totCpu: check.number(record["tot_cpu"], "tot_cpu"),
    maxRam: check.optionalNumber(record, "max_ram", "max_ram"),
  });
}

/**
 * Every saved runtime record under `stats/v1/`, keyed by fq: the file
 * `<program>/<function>.json` (the program may span several directories).
 */
export function readRuntimeReports(root: string): Map<string, RuntimeReport> {
  const reports = new Map<string, RuntimeReport>();
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith(".json")) {
        const fq = relative(root, path).slice(0, -".json".length).split(sep).join("/");
        const json = readJsonFile(path);
        if (json !== undefined) reports.set(fq, parseRuntimeReport(json, path));
      }
    }
  };
  visit(root);
  return reports;
}

/** gc's archive summary of a site, fq → summary; an absent file is an empty one. */
export function readArchiveSummaries(path: string): Map<string, ArchiveSummary> {
  const json = readJsonFile(path);
  const summaries = new Map<string, ArchiveSummary>();
  if (json === undefined) return summaries;
  const check = new JsonChecker(path);
  for (const [fq, value] of Object.entries(check.object(json, "the archive summary"))) {
    const entry = check.object(value, fq);
    summaries.set(fq, {
      times: parseRanges(check, entry["times"], `times of ${fq}`),
      numFiles: check.number(entry["num_files"], `num_files of ${fq}`),
      numBytes: check.number(entry["num_bytes"], `num_bytes of ${fq}`),
    });
  }
  return summaries;
}

// ---- helpers ----

function extreme(
  pick: (a: number, b: number) => number,
  a: number | null | undefined,
  b: number | null | undefined,
): number | undefined {
  if (a === undefined || a === null) return b ?? undefined;
  if (b === undefined || b === null) return a;
  return pick(a, b);
}

/** Optional keys are absent rather than undefined (§3.3), also in memory so records compare equal. */
function withoutUndefined<T extends object>(object: T): T {
  const copy = { ...object };
  for (const key of Object.keys(copy) as (keyof T)[]) if (copy[key] === undefined) delete copy[key];
  return copy;
}
