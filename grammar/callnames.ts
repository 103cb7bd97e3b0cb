// How a function written `NAME(args)` or `NAME x` is named in the AST: the
// registry's canonical name, else the README's keyword aggregates, else the
// lower-case written name (so the checker can report an unknown function).
// Shared by the parser and the printer, which must agree on it.

import { resolveWrittenCall } from "../stdlib/registry.js";

/** Aggregates written with a reserved word (stdlib/README.md). */
const KEYWORD_AGGREGATES: Readonly<Record<string, string>> = { and: "agg_and", or: "agg_or", all: "group" };

export function canonicalCallName(written: string, argCount: number): string {
  const lower = written.toLowerCase();
  return resolveWrittenCall(lower, argCount)?.name ?? KEYWORD_AGGREGATES[lower] ?? lower;
}
