// Shared fixtures of the alerting tests: a logger that records, notifications
// with defaults, temporary state directories with a contacts file.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Notification } from "../../../runtime/alerting/index.js";

export interface RecordingLog {
  readonly lines: { level: "info" | "warning" | "error"; message: string }[];
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** messages of one level */
  of(level: "info" | "warning" | "error"): string[];
}

export function recordingLog(): RecordingLog {
  const lines: RecordingLog["lines"] = [];
  return {
    lines,
    info: (message) => lines.push({ level: "info", message }),
    warning: (message) => lines.push({ level: "warning", message }),
    error: (message) => lines.push({ level: "error", message }),
    of: (level) => lines.filter((l) => l.level === level).map((l) => l.message),
  };
}

export function notification(over: Partial<Notification> = {}): Notification {
  return {
    site: "site1",
    worker: "prog/f",
    sent_time: 1000,
    event_time: 1000,
    name: "disk full",
    test: false,
    firing: true,
    certainty: 0.5,
    debounce: 0,
    timeout: 0,
    parameters: {},
    ...over,
  };
}

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ramen-alerting-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes a contacts file with one Exec contact per entry. */
export function writeContacts(file: string, contacts: readonly { name: string; exec: string }[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ contacts: contacts.map((c) => ({ name: c.name, via: { Exec: c.exec } })) }));
}

/** The lines of a file written by contact commands; none when it does not exist. */
export function linesOf(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
}
