// The examples of raql.md, as the spec tests read them: code blocks and
// inline snippets, with the text converted to what a RaQL source is.

import { readFileSync } from "node:fs";

export const SPEC = readFileSync(new URL("../../shared/spec/raql.md", import.meta.url), "utf8");

/** Sources are bytes read as latin1 (raql.md §1.1); the spec is UTF-8 text. */
export const asSource = (s: string): string => Buffer.from(s, "utf8").toString("latin1");

/** Code blocks by their first line: which are programs, and why the others are not. */
export const CODE_BLOCKS: Record<string, "program" | string> = {
  "units   :=": "grammar of units annotations",
  "type      :=": "grammar of types",
  "program     :=": "grammar of programs",
  "source :=": "grammar of FROM sources",
  "PARAMETERS min_bytes": "program",
  "select_cl  :=": "grammar of clauses",
  "FNAME [LOCALLY": "grammar of stateful calls",
  "source_spec :=": "grammar of READ",
  "stateless_fn :=": "grammar of function calls",
  "heavy.ramen:12:9:": "a diagnostic as printed",
};

const CODE_BLOCK = /^```\n([\s\S]*?)^```/gm;

export function codeBlocks(): string[] {
  return [...SPEC.matchAll(CODE_BLOCK)].map((m) => m[1]!);
}

/** Inline code outside code blocks, deduplicated, with markdown's table escape `\|` undone. */
export function inlineSnippets(): string[] {
  const prose = SPEC.replace(CODE_BLOCK, "");
  return [...new Set([...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, "|")))];
}

/** The code blocks that CODE_BLOCKS lists as programs. */
export function programBlocks(): string[] {
  const kindOf = (block: string) => CODE_BLOCKS[Object.keys(CODE_BLOCKS).find((k) => block.startsWith(k)) ?? ""];
  return codeBlocks().filter((b) => kindOf(b) === "program");
}
