// The one registry of built-in functions and operators. Families live in
// stdlib/functions/*.ts; this module only gathers them and answers lookups.

import type { FunctionEntry } from "./entry.js";
import { entries as aggregates } from "./functions/aggregates.js";
import { entries as math } from "./functions/math.js";
import { entries as misc } from "./functions/misc.js";
import { entries as network } from "./functions/network.js";
import { entries as operators } from "./functions/operators.js";
import { entries as strings } from "./functions/strings.js";
import { entries as time } from "./functions/time.js";
import { entries as top } from "./functions/top.js";
import { entries as windows } from "./functions/windows.js";

export const ALL_ENTRIES: readonly FunctionEntry[] = [
  ...operators,
  ...math,
  ...strings,
  ...time,
  ...network,
  ...misc,
  ...aggregates,
  ...windows,
  ...top,
];

const byName = new Map<string, FunctionEntry>();
const byWrittenName = new Map<string, FunctionEntry[]>();
const byOperator = new Map<string, FunctionEntry>();

for (const e of ALL_ENTRIES) {
  if (byName.has(e.name)) throw new Error(`internal: duplicate registry entry ${e.name}`);
  byName.set(e.name, e);
  if (e.syntax.kind === "function") {
    for (const n of e.names) {
      const key = n.toLowerCase();
      const list = byWrittenName.get(key) ?? [];
      list.push(e);
      byWrittenName.set(key, list);
    }
  }
  if (e.syntax.kind === "infix" || e.syntax.kind === "prefix" || e.syntax.kind === "postfix") {
    byOperator.set(`${e.syntax.kind}:${e.syntax.op.toLowerCase()}`, e);
  }
}

/** The entry of a canonical name (the `fn` of a Call node). */
export function entryOf(name: string): FunctionEntry | undefined {
  return byName.get(name);
}

/**
 * The entries a user-written function name (any case) may designate with
 * `NAME(args)` syntax; several when the arity decides (`MIN x` is the
 * aggregate, `MIN(a, b)` is LEAST).
 */
export function entriesOfWrittenName(name: string): readonly FunctionEntry[] {
  return byWrittenName.get(name.toLowerCase()) ?? [];
}

/** The entry for `NAME(args)` with `argCount` arguments, if the name and arity are known. */
export function resolveWrittenCall(name: string, argCount: number): FunctionEntry | undefined {
  return entriesOfWrittenName(name).find((e) => e.syntax.kind === "function" && acceptsArity(e, argCount, name));
}

/** Whether `e` accepts `argCount` arguments; `writtenName` applies the entry's per-synonym minimum. */
export function acceptsArity(e: FunctionEntry, argCount: number, writtenName?: string): boolean {
  if (e.syntax.kind !== "function") return false;
  const { arities, variadic, minArgsByName } = e.syntax;
  const minForName = writtenName === undefined ? undefined : minArgsByName?.[writtenName.toLowerCase()];
  if (minForName !== undefined && argCount < minForName) return false;
  return arities.includes(argCount) || (variadic === true && argCount >= Math.max(...arities));
}

/** The entry of an operator, e.g. operatorEntry("infix", "+"). */
export function operatorEntry(kind: "infix" | "prefix" | "postfix", op: string): FunctionEntry | undefined {
  return byOperator.get(`${kind}:${op.toLowerCase()}`);
}

/** Every name usable with function-call syntax, lower-case. */
export function functionNames(): readonly string[] {
  return [...byWrittenName.keys()];
}
