// Templates of contact commands (cli-runtime.md §1.8): `${var}` is replaced by
// a notification parameter or a variable of the message, `${var|filter|…}`
// converts or escapes it on the way.

import { hostname as osHostname } from "node:os";
import { diag } from "../../grammar/diagnostics.js";
import { floatToShortest, formatDate } from "../../stdlib/format.js";
import { type Notification, parseDecimal } from "./notification.js";

/** A variable's value; null when it has none (`stop` of an opening message, an unknown event time). */
export type TemplateValue = string | number | bigint | boolean | null;

/** The value of a variable, undefined when there is no such variable. */
export type TemplateLookup = (variable: string) => TemplateValue | undefined;

export interface TemplateLog {
  warning(message: string): void;
}

/** What a message says about its incident. */
export interface MessageContext {
  readonly notification: Notification;
  readonly incidentId: string;
  readonly firing: boolean;
  /** times in UNIX seconds */
  readonly start: number;
  readonly stop: number | null;
  readonly now: number;
  readonly hostname?: string;
}

/**
 * The variables of a message: the notification's parameters first (they are
 * what the user's program named), then name, incident_id, start, stop, now,
 * site, worker, firing, certainty, test and hostname.
 */
export function messageVariables(ctx: MessageContext): TemplateLookup {
  const n = ctx.notification;
  const builtins: Record<string, TemplateValue> = {
    name: n.name,
    incident_id: ctx.incidentId,
    start: ctx.start,
    stop: ctx.stop,
    now: ctx.now,
    site: n.site,
    worker: n.worker,
    firing: ctx.firing,
    certainty: n.certainty,
    test: n.test,
    hostname: ctx.hostname ?? osHostname(),
  };
  return (variable) =>
    Object.hasOwn(n.parameters, variable) ? n.parameters[variable] : Object.hasOwn(builtins, variable) ? builtins[variable] : undefined;
}

/** `s` as one POSIX shell word: single quotes, each `'` written `'\''`. */
export function shellQuote(s: string): string {
  return "'" + s.replaceAll("'", "'\\''") + "'";
}

/** `s` as an SQL string literal: single quotes, each `'` doubled. */
export function sqlQuote(s: string): string {
  return "'" + s.replaceAll("'", "''") + "'";
}

/** A value as it appears in a template without filter; null is empty. */
export function valueText(v: TemplateValue): string {
  if (v === null) return "";
  if (typeof v === "number") return floatToShortest(v);
  return String(v);
}

function toNumber(v: TemplateValue): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return v === null ? undefined : parseDecimal(v);
}

/** A filter's result, or undefined when it cannot convert the value. */
type Filter = (v: TemplateValue) => TemplateValue | undefined;

const FILTERS: Readonly<Record<string, Filter>> = {
  shell: (v) => shellQuote(valueText(v)),
  json: (v) => (typeof v === "bigint" ? v.toString() : typeof v === "number" && !Number.isFinite(v) ? "null" : JSON.stringify(v)),
  sql: (v) => {
    if (v === null) return "NULL";
    if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
    if (typeof v === "bigint" || (typeof v === "number" && Number.isFinite(v))) return valueText(v);
    return sqlQuote(valueText(v));
  },
  /** truncated toward zero; a bigint so that large integers print in full */
  int: (v) => {
    if (v === null || typeof v === "bigint") return v;
    const x = toNumber(v);
    return x !== undefined && Number.isFinite(x) ? BigInt(Math.trunc(x)) : undefined;
  },
  /** a UNIX time as local `YYYY-MM-DDTHH:MM:SS` (cli-runtime.md §3.2) */
  date: (v) => {
    if (v === null) return null;
    const x = toNumber(v);
    return x !== undefined && Number.isFinite(x) ? formatDate(x) : undefined;
  },
};

const PLACEHOLDER = /\$\{([^}|]*)((?:\|[^}|]*)*)\}/g;

/**
 * `template` with each `${var|filter…}` replaced. An unknown variable, an
 * unknown filter or a value a filter cannot convert expands to `??var??`,
 * with a warning.
 */
export function expandTemplate(template: string, lookup: TemplateLookup, log: TemplateLog): string {
  return template.replace(PLACEHOLDER, (_whole, rawName: string, rawFilters: string) => {
    const variable = rawName.trim();
    const unknown = `??${variable}??`;
    let value = lookup(variable);
    if (value === undefined) {
      log.warning(diag("templateUnknownVariable", { variable, template }).message);
      return unknown;
    }
    const filters = rawFilters === "" ? [] : rawFilters.slice(1).split("|").map((f) => f.trim());
    for (const filter of filters) {
      const apply = Object.hasOwn(FILTERS, filter) ? FILTERS[filter] : undefined;
      if (apply === undefined) {
        log.warning(diag("templateUnknownFilter", { filter, template }).message);
        return unknown;
      }
      const converted = apply(value);
      if (converted === undefined) {
        log.warning(diag("templateFilterFailed", { filter, value: JSON.stringify(valueText(value)), variable, template }).message);
        return unknown;
      }
      value = converted;
    }
    return valueText(value);
  });
}
