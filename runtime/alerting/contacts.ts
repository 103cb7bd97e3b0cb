// The contacts file `alerting/contacts.json` (cli-runtime.md §1.5, §1.8):
// `{"contacts": [{"name": "ops", "via": {"Exec": "<command template>"}}]}`.
// It is read at each delivery so that edits apply at once; a faulty contact
// is reported and skipped, the others still get the message.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Diagnostic, diag } from "../../grammar/diagnostics.js";

export interface Contact {
  readonly name: string;
  /** the command template, run by `/bin/sh -c` once expanded */
  readonly exec: string;
}

/** Ramen's other kinds of contacts, not carried over yet (§1.8 [N]). */
const UNSUPPORTED_VIAS = new Set(["SysLog", "Sqlite", "Kafka"]);

/** `alerting/contacts.json` of a state directory (§1.5). */
export function contactsFile(stateDir: string): string {
  return join(stateDir, "alerting", "contacts.json");
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === undefined) return "nothing";
  return x === null ? "null" : Array.isArray(x) ? "an array" : typeof x === "object" ? "an object" : `${typeof x} ${JSON.stringify(x)}`;
}

/** The usable contacts of `file` and the problems found; no file means no contact. */
export function readContacts(file: string): { contacts: Contact[]; errors: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { contacts: [], errors: [] };
    return { contacts: [], errors: [diag("alerterContactsUnreadable", { path: file, reason: (e as Error).message })] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { contacts: [], errors: [diag("alerterBadContacts", { path: file, reason: `not valid JSON: ${(e as Error).message}` })] };
  }
  const bad = badContacts(file);
  if (!isObject(json) || !Array.isArray(json["contacts"])) {
    return { contacts: [], errors: [bad('expected an object {"contacts": [...]}')] };
  }
  const errors: Diagnostic[] = Object.keys(json)
    .filter((k) => k !== "contacts")
    .map((k) => bad(`unknown key ${JSON.stringify(k)} (allowed: contacts)`));
  const contacts: Contact[] = [];
  json["contacts"].forEach((entry: unknown, i: number) => {
    const parsed = parseContact(file, entry, i);
    if ("exec" in parsed) contacts.push(parsed);
    else errors.push(parsed);
  });
  return { contacts, errors };
}

function badContacts(file: string): (reason: string) => Diagnostic {
  return (reason) => diag("alerterBadContacts", { path: file, reason });
}

/** The contact of one entry of the list, or what is wrong with it. */
function parseContact(file: string, entry: unknown, index: number): Contact | Diagnostic {
  const bad = badContacts(file);
  if (!isObject(entry)) return bad(`contact #${index + 1} must be an object, got ${describe(entry)}`);
  const name = entry["name"];
  if (typeof name !== "string") return bad(`contact #${index + 1}: name must be a string, got ${describe(name)}`);
  const via = entry["via"];
  const kinds = isObject(via) ? Object.keys(via) : [];
  if (!isObject(via) || kinds.length !== 1) {
    return bad(`contact ${name}: via must be an object with one key such as {"Exec": "<command>"}, got ${JSON.stringify(via) ?? "nothing"}`);
  }
  const kind = kinds[0]!;
  if (UNSUPPORTED_VIAS.has(kind)) return diag("alerterUnsupportedContact", { path: file, contact: name, via: kind });
  if (kind !== "Exec") return bad(`contact ${name}: unknown kind of contact ${JSON.stringify(kind)} (known: Exec)`);
  const exec = via[kind];
  if (typeof exec !== "string") return bad(`contact ${name}: Exec must be a command string, got ${describe(exec)}`);
  return { name, exec };
}
