// FORMAT_TIME and PARSE_TIME (raql.md §6.3), in the local time zone of the
// process (TZ). Node's Date does the calendar arithmetic; no library needed.

import { floatToShortest } from "./format.js";

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** Day of the year of a local date, January 1st being 0. */
function dayOfYear(d: Date): number {
  return Math.round((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(d.getFullYear(), 0, 1)) / 86_400_000);
}

/**
 * Replaces in `fmt` (bytes): `%Y` year, `%m` month 01–12, `%d` day 01–31,
 * `%H` hour 00–23, `%M` minute, `%S` seconds with two decimals on 5 chars
 * (`05.25`), `%j` day of the year from 0, `%u` day of the week from 0 =
 * Sunday, `%s` the timestamp as a float, `%n` newline, `%t` tab; any other
 * text, including other `%` sequences, is copied.
 */
export function formatTime(fmt: string, t: number): string {
  const whole = Math.floor(t);
  const fraction = t - whole;
  const d = new Date(whole * 1000);
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i];
    if (c !== "%" || i + 1 >= fmt.length) {
      out += c;
      continue;
    }
    const spec = fmt[++i];
    switch (spec) {
      case "Y":
        out += d.getFullYear();
        break;
      case "m":
        out += pad2(d.getMonth() + 1);
        break;
      case "d":
        out += pad2(d.getDate());
        break;
      case "H":
        out += pad2(d.getHours());
        break;
      case "M":
        out += pad2(d.getMinutes());
        break;
      case "S":
        out += (d.getSeconds() + fraction).toFixed(2).padStart(5, "0");
        break;
      case "j":
        out += dayOfYear(d);
        break;
      case "u":
        out += d.getDay();
        break;
      case "s":
        out += floatToShortest(t);
        break;
      case "n":
        out += "\n";
        break;
      case "t":
        out += "\t";
        break;
      default:
        out += "%" + spec;
    }
  }
  return out;
}

// ---- PARSE_TIME ---------------------------------------------------------------------

const CLOCK_RE = /^(\d{1,2}):(\d{2}) ?(am|pm)?$/;
const NAMED_TIMES: ReadonlyMap<string, number> = new Map([
  ["midnight", 0],
  ["noon", 12],
  ["teatime", 16],
]);
const NUMBER_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/;
const DMY_DOTS_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})$/;
const MDY_SLASHES_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})$/;
const ISO_DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const ISO_DATE_TIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A 2-digit year means 20YY. */
function fullYear(text: string): number {
  return text.length === 2 ? 2000 + Number(text) : Number(text);
}

/** The UNIX time of a local date and time, or null if the fields are out of range. */
function localTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const d = new Date(0);
  d.setFullYear(year, month - 1, day);
  d.setHours(hour, minute, second, 0);
  return d.getTime() / 1000;
}

/** Today at hour:minute (local), or tomorrow if that moment is already past. */
function nextClockTime(hour: number, minute: number, now: number): number {
  const d = new Date(now * 1000);
  d.setHours(hour, minute, 0, 0);
  if (d.getTime() / 1000 < now) {
    d.setDate(d.getDate() + 1);
    d.setHours(hour, minute, 0, 0);
  }
  return d.getTime() / 1000;
}

/**
 * PARSE_TIME: the UNIX time of a date/time text in the local time zone
 * (case-insensitive, whole text), or null. Forms, tried in this order:
 * `HH:MM[am|pm]`, `midnight`, `noon`, `teatime` (the next such moment, today
 * or tomorrow), `now`, a bare number (a UNIX timestamp), `DD.MM.YYYY`,
 * `MM/DD/YYYY` (a 2-digit year means 20YY), `YYYY-MM-DD`,
 * `YYYY-MM-DD HH:MM[:SS[.frac]]` (separator blank or T), fractional seconds
 * rounded to the nearest second. The `MMDDYYYY` form of the specification is
 * all digits, so the bare number, tried before it, always takes it: such a
 * text is read as a timestamp.
 */
export function parseTime(text: string, now: number): number | null {
  const s = text.toLowerCase();
  let m = CLOCK_RE.exec(s);
  if (m) {
    let hour = Number(m[1]);
    const minute = Number(m[2]);
    if (m[3] !== undefined) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (m[3] === "pm" ? 12 : 0);
    }
    if (hour > 23 || minute > 59) return null;
    return nextClockTime(hour, minute, now);
  }
  const named = NAMED_TIMES.get(s);
  if (named !== undefined) return nextClockTime(named, 0, now);
  if (s === "now") return now;
  if (NUMBER_RE.test(s)) return Number(s);
  if ((m = DMY_DOTS_RE.exec(s))) return localTime(fullYear(m[3]!), Number(m[2]), Number(m[1]));
  if ((m = MDY_SLASHES_RE.exec(s))) return localTime(fullYear(m[3]!), Number(m[1]), Number(m[2]));
  if ((m = ISO_DATE_RE.exec(s))) return localTime(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = ISO_DATE_TIME_RE.exec(s))) {
    const seconds = m[6] === undefined ? 0 : Number(m[6]);
    const whole = Math.floor(seconds);
    const t = localTime(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), whole);
    // Rounding may carry into the next minute (…:59.6), which plain addition handles.
    return t === null ? null : t + Math.round(seconds - whole);
  }
  return null;
}
