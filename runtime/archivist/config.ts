// The archivist's user configuration (archival.md §4.2): storage budget,
// recall cost and retention wishes by name pattern, read from
// `archivist/v1/config.json` and validated key by key.

import { RamenError, isRamenError } from "../../grammar/diagnostics.js";
import { parseExpression } from "../../grammar/index.js";
import { readJsonFile } from "./files.js";
import { JsonChecker, JsonObject } from "./json.js";

export const DEFAULT_SIZE_LIMIT = 1073741824;
export const DEFAULT_RECALL_COST = 1e-6;
export const DEFAULT_PERIOD = 600;

/** How far back a function's output must stay obtainable, and how often it is asked for. */
export interface Retention {
  /** seconds; 0 = no retention */
  readonly duration: number;
  /** seconds between two queries of that history */
  readonly period: number;
}

export interface RetentionRule {
  readonly pattern: string;
  readonly retention: Retention;
  /** the pattern contains `:` and is matched against `site:fq` rather than `fq` */
  readonly qualified: boolean;
  readonly regexp: RegExp;
}

export interface ArchivistConfig {
  /** bytes for all archives of the site */
  readonly sizeLimit: number;
  /** CPU-seconds equivalent to reading one archived byte */
  readonly recallCost: number;
  /** in file order: the first matching rule wins */
  readonly retentions: readonly RetentionRule[];
}

export const DEFAULT_CONFIG: ArchivistConfig = {
  sizeLimit: DEFAULT_SIZE_LIMIT,
  recallCost: DEFAULT_RECALL_COST,
  retentions: [],
};

const CONFIG_KEYS = ["size_limit", "recall_cost", "retentions"];
const RETENTION_KEYS = ["duration", "period"];

/** Validate the content of a configuration file; `path` names it in messages. */
export function parseConfig(json: unknown, path: string): ArchivistConfig {
  const check = new JsonChecker(path);
  const config = check.object(json, "the archivist configuration");
  check.onlyKeys(config, CONFIG_KEYS, "the archivist configuration");
  const sizeLimit = config["size_limit"] === undefined ? DEFAULT_SIZE_LIMIT : check.number(config["size_limit"], "size_limit");
  if (!(sizeLimit > 0)) throw check.wrongType("size_limit", "a positive number of bytes", sizeLimit);
  const recallCost =
    config["recall_cost"] === undefined ? DEFAULT_RECALL_COST : check.nonNegative(config["recall_cost"], "recall_cost");
  const retentions: RetentionRule[] = [];
  if (config["retentions"] !== undefined) {
    const entries = check.object(config["retentions"], "retentions");
    for (const [pattern, value] of Object.entries(entries)) {
      retentions.push(parseRule(check, pattern, check.object(value, `retention ${pattern}`)));
    }
  }
  return { sizeLimit, recallCost, retentions };
}

/** The configuration in a file; an absent file means the defaults, with no retention wish. */
export function readConfig(path: string): ArchivistConfig {
  const json = readJsonFile(path);
  return json === undefined ? DEFAULT_CONFIG : parseConfig(json, path);
}

function parseRule(check: JsonChecker, pattern: string, entry: JsonObject): RetentionRule {
  check.onlyKeys(entry, RETENTION_KEYS, `retention ${pattern}`);
  const regexp = compileGlob(check.path, pattern);
  if (entry["duration"] === undefined) throw RamenError.of("archivistMissingDuration", { path: check.path, pattern });
  const duration = seconds(check, entry["duration"], `duration of ${pattern}`);
  const period = entry["period"] === undefined ? DEFAULT_PERIOD : seconds(check, entry["period"], `period of ${pattern}`);
  return { pattern, retention: { duration, period }, qualified: pattern.includes(":"), regexp };
}

/** A number of seconds, or a string holding a RaQL duration literal ("1h", "2 minutes 30 seconds"). */
function seconds(check: JsonChecker, value: unknown, what: string): number {
  if (typeof value === "string") return durationLiteral(check.path, value, what);
  const n = check.number(value, what);
  if (n < 0) throw RamenError.of("archivistNegativeDuration", { path: check.path, what, value: n });
  return n;
}

function durationLiteral(path: string, text: string, what: string): number {
  const notADuration = () => RamenError.of("archivistNotADuration", { path, what, text: JSON.stringify(text) });
  let expr;
  try {
    expr = parseExpression(text);
  } catch (err) {
    if (!isRamenError(err)) throw err;
    const error = notADuration();
    throw new RamenError({ ...error.diagnostics[0]!, notes: err.diagnostics.map((d) => d.message) });
  }
  if (expr.kind !== "literal" || expr.value.tag !== "duration") throw notADuration();
  return expr.value.seconds;
}

// Patterns are globs whose only wildcards are `*` (any run, `/` included) and
// `?` (one character); bracket, brace and escape syntax of shell globs is
// rejected rather than matched literally, so that a pattern never silently
// matches nothing.
const UNSUPPORTED_GLOB_CHARS = /[[\]{}\\]/;

export function compileGlob(path: string, pattern: string): RegExp {
  const bad = (reason: string) => RamenError.of("archivistBadPattern", { path, pattern: JSON.stringify(pattern), reason });
  if (pattern === "") throw bad("it is empty");
  const unsupported = UNSUPPORTED_GLOB_CHARS.exec(pattern);
  if (unsupported) throw bad(`${unsupported[0]} is not supported (only * and ? are wildcards)`);
  const colons = pattern.split(":").length - 1;
  if (colons > 1) throw bad("it has several ':' (expected site:program/function)");
  if (colons === 1 && (pattern.startsWith(":") || pattern.endsWith(":"))) {
    throw bad("a site:program/function pattern needs both a site and a function part");
  }
  let source = "";
  for (const char of pattern) {
    source += char === "*" ? "[^]*" : char === "?" ? "." : char.replace(/[.+^$()|]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

export function ruleMatches(rule: RetentionRule, site: string, fq: string): boolean {
  return rule.regexp.test(rule.qualified ? `${site}:${fq}` : fq);
}

/** The first matching rule of the configuration, if any. */
export function findRetentionRule(config: ArchivistConfig, site: string, fq: string): RetentionRule | undefined {
  return config.retentions.find((rule) => ruleMatches(rule, site, fq));
}
