// Collects the diagnostics of one check: errors are gathered (as many
// independent ones as possible) and thrown together at the end; warnings are
// returned with the result.

import { Diagnostic, MessageArgs, MessageKey, RamenError, diag } from "../grammar/diagnostics.js";
import type { SourceFile, Span } from "../grammar/source.js";

export interface Where {
  readonly span?: Span;
  /** "in function per_host, WHERE clause" */
  readonly context?: string;
  readonly notes?: readonly string[];
  readonly hint?: string;
}

export class Reporter {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  constructor(readonly source: SourceFile) {}

  error(key: MessageKey, args: MessageArgs, where: Where): void {
    this.errors.push(diag(key, args, { source: this.source, ...where }));
  }

  warn(key: MessageKey, args: MessageArgs, where: Where): void {
    this.warnings.push(diag(key, args, { source: this.source, ...where }));
  }

  /** A point to come back to with `rollback`, to drop the diagnostics of a trial. */
  mark(): { errors: number; warnings: number } {
    return { errors: this.errors.length, warnings: this.warnings.length };
  }

  rollback(m: { errors: number; warnings: number }): void {
    this.errors.length = m.errors;
    this.warnings.length = m.warnings;
  }

  /** Throws every error collected so far, in source order. */
  throwIfErrors(): void {
    if (this.errors.length === 0) return;
    const sorted = [...this.errors].sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0));
    throw new RamenError(sorted);
  }

  /** The source text of a span, for messages ("bytes_opt must not be nullable"). */
  text(span: Span): string {
    return this.source.text.slice(span.start, span.end);
  }
}

/** "in function f, WHERE clause" */
export function contextOf(functionName: string | undefined, clause: string | undefined): string | undefined {
  if (functionName === undefined) return clause === undefined ? undefined : "in " + clause;
  return "in function " + functionName + (clause === undefined ? "" : ", " + clause);
}

/** Lists names for messages: "a, b, c" (or "nothing"). */
export function listNames(names: readonly string[]): string {
  return names.length === 0 ? "nothing" : names.join(", ");
}

/** "1, 2, 4 or 6" */
export function listAlternatives(items: readonly (string | number)[]): string {
  const s = items.map(String);
  if (s.length <= 1) return s.join("");
  return s.slice(0, -1).join(", ") + " or " + s[s.length - 1];
}

/** Edit distance counting a transposition of neighbours as one edit, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    rows.push(row);
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `name` (case-insensitively), if close enough to be
 * a plausible typo: at most a third of the name's length in edits.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: readonly string[]): string | undefined {
  const c = closestName(name, candidates);
  return c === undefined ? undefined : `did you mean ${c}?`;
}
