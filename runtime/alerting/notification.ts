// Notification records (cli-runtime.md §1.8, §6.9): how one is made from a
// name and string parameters, and the journal they are appended to.

import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Diagnostic, diag } from "../../grammar/diagnostics.js";

/**
 * One notification, field for field the JSON line of the journal. Times are
 * UNIX seconds.
 */
export interface Notification {
  readonly site: string;
  /** the fq name of the sending function, or `CLI` */
  readonly worker: string;
  readonly sent_time: number;
  /** the start of the tuple's event time; null when unknown (`ramen notify`) */
  readonly event_time: number | null;
  readonly name: string;
  /** delivered once, never opens an incident (`ramen notify --test`) */
  readonly test: boolean;
  readonly firing: boolean;
  /** 0 to 1 */
  readonly certainty: number;
  /** seconds before an incident's opening message is sent */
  readonly debounce: number;
  /** seconds after the event time after which an incident closes by itself; 0: never */
  readonly timeout: number;
  readonly parameters: Readonly<Record<string, string>>;
}

/** What a sender knows; firing, certainty, debounce and timeout come from the parameters. */
export interface NotificationInput {
  readonly site: string;
  readonly worker: string;
  readonly sent_time: number;
  readonly event_time: number | null;
  readonly name: string;
  readonly test?: boolean;
  /** the output fields rendered as strings, plus the given parameters */
  readonly parameters: Readonly<Record<string, string>>;
}

export const NOTIFICATION_DEFAULTS = { firing: true, certainty: 0.5, debounce: 0, timeout: 0 } as const;

type Interpreted = keyof typeof NOTIFICATION_DEFAULTS;

// A strict decimal number: Number() would also take "", "0x10" or "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `text` as a decimal number (surrounding spaces allowed), undefined if it is not one. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : undefined;
}

const INTERPRETERS: Record<Interpreted, { expected: string; parse(text: string): boolean | number | undefined }> = {
  firing: {
    expected: "a boolean (true or false)",
    parse: (text) => {
      const t = text.trim().toLowerCase();
      return t === "true" ? true : t === "false" ? false : undefined;
    },
  },
  certainty: {
    expected: "a number between 0 and 1",
    parse: (text) => {
      const x = parseDecimal(text);
      return x !== undefined && x >= 0 && x <= 1 ? x : undefined;
    },
  },
  debounce: { expected: "a non-negative number of seconds", parse: nonNegativeSeconds },
  timeout: { expected: "a non-negative number of seconds", parse: nonNegativeSeconds },
};

function nonNegativeSeconds(text: string): number | undefined {
  const x = parseDecimal(text);
  return x !== undefined && Number.isFinite(x) && x >= 0 ? x : undefined;
}

function interpretedName(parameter: string): Interpreted | undefined {
  const lower = parameter.toLowerCase();
  return Object.hasOwn(INTERPRETERS, lower) ? (lower as Interpreted) : undefined;
}

/**
 * The notification of `input`: parameters named firing, certainty, debounce
 * or timeout (in any case) set those fields and leave the parameters; a value
 * that does not parse stays an ordinary parameter, with a warning (§6.9).
 */
export function makeNotification(input: NotificationInput): { notification: Notification; warnings: Diagnostic[] } {
  const settings: { firing: boolean; certainty: number; debounce: number; timeout: number } = { ...NOTIFICATION_DEFAULTS };
  const warnings: Diagnostic[] = [];
  const kept: [string, string][] = [];
  for (const [parameter, value] of Object.entries(input.parameters)) {
    const field = interpretedName(parameter);
    if (field === undefined) {
      kept.push([parameter, value]);
      continue;
    }
    const interpreter = INTERPRETERS[field];
    const parsed = interpreter.parse(value);
    if (parsed === undefined) {
      warnings.push(diag("notificationBadValue", { name: input.name, parameter, value, expected: interpreter.expected }));
      kept.push([parameter, value]);
    } else {
      (settings as Record<Interpreted, boolean | number>)[field] = parsed;
    }
  }
  const notification: Notification = {
    site: input.site,
    worker: input.worker,
    sent_time: input.sent_time,
    event_time: input.event_time !== null && Number.isFinite(input.event_time) ? input.event_time : null,
    name: input.name,
    test: input.test ?? false,
    ...settings,
    // fromEntries defines own properties, so even a field named __proto__ stays a parameter
    parameters: Object.fromEntries(kept),
  };
  return { notification, warnings };
}

/** `alerting/notifications.jsonl` of a state directory (§1.5). */
export function notificationsJournal(stateDir: string): string {
  return join(stateDir, "alerting", "notifications.jsonl");
}

/** Appends `n` as one JSON line to `file`, creating its directory. */
export function appendToJournal(file: string, n: Notification): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, JSON.stringify(n) + "\n");
}
