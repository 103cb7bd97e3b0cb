// Times of `--since` / `--until` (cli-runtime.md §7), as UNIX times in
// seconds. Dates without a zone are in local time (TZ). Unlike RaQL's
// PARSE_TIME, `HH:MM`, `midnight` and `noon` mean today (not the next such
// moment), fractions of seconds are kept, and relative times are accepted.

import { RamenError } from "../../grammar/diagnostics.js";

const RELATIVE_UNITS: Readonly<Record<string, number>> = {
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
  mon: 30 * 86_400,
  y: 365 * 86_400,
};

const DECIMAL = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const TIMESTAMP_RE = new RegExp(`^${DECIMAL}$`);
const RELATIVE_RE = new RegExp(`^([-+])\\s*(${DECIMAL})\\s*(s|min|mon|m|h|d|w|y)$`);
// YYYY-MM-DD, then optionally a blank or T, HH:MM, :SS with a fraction, and a zone.
const ISO_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?(Z|[-+]\d{2}:\d{2})?)?$/i;
const DMY_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const MDY_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const CLOCK_RE = /^(\d{1,2}):(\d{2})$/;
const NAMED_HOURS: Readonly<Record<string, number>> = { midnight: 0, noon: 12 };

interface DateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  /** with its fraction */
  readonly second: number;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isValid(t: DateTime): boolean {
  return t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= daysInMonth(t.year, t.month) && t.hour <= 23 && t.minute <= 59 && t.second < 60;
}

function localTime(t: DateTime): number {
  const d = new Date(0);
  // setFullYear, unlike the Date constructor, does not map years 0–99 to 19xx.
  d.setFullYear(t.year, t.month - 1, t.day);
  d.setHours(t.hour, t.minute, 0, 0);
  return d.getTime() / 1000 + t.second;
}

function utcTime(t: DateTime): number {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, 0, 0);
  return d.getTime() / 1000 + t.second;
}

/** Seconds to subtract from a zoned time to get UTC: `+02:00` → 7200; undefined for an invalid offset. */
function zoneOffset(zone: string): number | undefined {
  if (zone.toUpperCase() === "Z") return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone[0] === "-" ? -1 : 1) * (hours * 3600 + minutes * 60);
}

/** Today (in local time, relative to `now`) at the given hour and minute. */
function today(now: number, hour: number, minute: number): number {
  const d = new Date(now * 1000);
  d.setHours(hour, minute, 0, 0);
  return d.getTime() / 1000;
}

function parseOrUndefined(text: string, now: number): number | undefined {
  const s = text.trim();
  const lower = s.toLowerCase();
  if (lower === "now") return now;
  if (lower in NAMED_HOURS) return today(now, NAMED_HOURS[lower]!, 0);
  if (TIMESTAMP_RE.test(s)) return Number(s);
  let m = RELATIVE_RE.exec(s);
  if (m) return now + (m[1] === "-" ? -1 : 1) * Number(m[2]) * RELATIVE_UNITS[m[3]!]!;
  if ((m = CLOCK_RE.exec(s))) {
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    return hour <= 23 && minute <= 59 ? today(now, hour, minute) : undefined;
  }
  let date: DateTime | undefined;
  let zone: string | undefined;
  if ((m = ISO_RE.exec(s))) {
    date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0) };
    zone = m[7];
  } else if ((m = DMY_RE.exec(s))) {
    date = { year: Number(m[3]), month: Number(m[2]), day: Number(m[1]), hour: 0, minute: 0, second: 0 };
  } else if ((m = MDY_RE.exec(s))) {
    date = { year: Number(m[3]), month: Number(m[1]), day: Number(m[2]), hour: 0, minute: 0, second: 0 };
  }
  if (date === undefined || !isValid(date)) return undefined;
  if (zone === undefined) return localTime(date);
  const offset = zoneOffset(zone);
  return offset === undefined ? undefined : utcTime(date) - offset;
}

/**
 * The UNIX time (seconds) of a `--since` / `--until` argument, `now` being
 * the current time in seconds; `Cannot parse time "<text>"` otherwise.
 */
export function parseTime(text: string, now: number): number {
  const t = parseOrUndefined(text, now);
  if (t === undefined) throw RamenError.of("badTime", { text });
  return t;
}

/** `--since must be before --until` unless since < until. */
export function checkTimeRange(since: number, until: number): void {
  if (!(since < until)) throw RamenError.of("sinceNotBeforeUntil");
}
