// `ramen functions [NAME]`: the built-in functions, read from the stdlib registry.

import type { Command } from "commander";
import type { FunctionEntry } from "../../stdlib/entry.js";
import { ALL_ENTRIES, entriesOfWrittenName, entryOf } from "../../stdlib/registry.js";
import { UsageError } from "../errors.js";

const STATE_LABEL: Record<FunctionEntry["state"], string> = {
  stateless: "stateless",
  agg: "aggregate",
  seq: "sequence",
  gen: "generator",
};

/** How the function is written, from its syntax descriptor. */
export function syntaxText(e: FunctionEntry): string {
  const s = e.syntax;
  const upper = e.names[0]?.toUpperCase() ?? e.name.toUpperCase();
  switch (s.kind) {
    case "function": {
      const forms = s.arities.map((n) => (n === 0 ? upper : `${upper}(${Array.from({ length: n }, (_, i) => "x" + (i + 1)).join(", ")}${s.variadic && n === Math.max(...s.arities) ? ", …" : ""})`));
      return forms.join(" | ");
    }
    case "infix":
      return `a ${s.op} b`;
    case "prefix":
      return `${s.op} x`;
    case "postfix":
      return `x ${s.op}`;
    case "nullary":
      return s.word;
    case "keyword":
      return s.template;
  }
}

function describeEntry(e: FunctionEntry): string {
  const lines = [
    syntaxText(e),
    `  ${e.doc}`,
    `  signature: ${e.signature}`,
    `  state: ${STATE_LABEL[e.state]}${e.deterministic ? "" : ", non-deterministic"}; nulls: ${e.nullRule}`,
  ];
  if (e.names.length > 1) lines.push(`  also written: ${e.names.slice(1).map((n) => n.toUpperCase()).join(", ")}`);
  for (const ex of e.examples) lines.push(`  example: ${ex}`);
  return lines.join("\n");
}

export function registerFunctions(program: Command): void {
  program
    .command("functions")
    .description("list the built-in functions and operators, or describe one")
    .argument("[name]", "a function name or operator")
    .action((name: string | undefined) => {
      if (name === undefined) {
        const sorted = [...ALL_ENTRIES].sort((a, b) => a.name.localeCompare(b.name));
        process.stdout.write(sorted.map(describeEntry).join("\n\n") + "\n");
        return;
      }
      const found = new Set<FunctionEntry>(entriesOfWrittenName(name));
      const byName = entryOf(name.toLowerCase());
      if (byName) found.add(byName);
      for (const e of ALL_ENTRIES) {
        const s = e.syntax;
        if ((s.kind === "infix" || s.kind === "prefix" || s.kind === "postfix") && s.op.toLowerCase() === name.toLowerCase()) found.add(e);
        if (s.kind === "nullary" && s.word.toLowerCase() === name.toLowerCase()) found.add(e);
      }
      if (found.size === 0) throw new UsageError(`Unknown function "${name}" (see "ramen functions" for the list)`);
      process.stdout.write([...found].map(describeEntry).join("\n\n") + "\n");
    });
}
