// Every RaQL example of raql.md must parse: the code blocks that are programs
// and the inline snippets that are programs, expressions or types. What is not
// an example (grammar notation, messages, operators named in prose…) is listed
// with its reason in spec-snippets.ts.

import { describe, expect, it } from "vitest";
import { parseExpression, parseProgram, parseType } from "../../grammar/index.js";
import { SourceFile } from "../../grammar/source.js";
import { asSource, CODE_BLOCKS, codeBlocks, inlineSnippets, programBlocks } from "../raql-spec.js";
import { NOT_RAQL } from "./spec-snippets.js";

function parsesAsSomething(s: string): boolean {
  const text = asSource(s);
  const attempts = [() => parseExpression(text), () => parseProgram(new SourceFile("spec", text)), () => parseType(text)];
  return attempts.some((attempt) => {
    try {
      attempt();
      return true;
    } catch {
      return false;
    }
  });
}

describe("raql.md examples", () => {
  it("knows every code block", () => {
    const blocks = codeBlocks();
    expect(blocks.length).toBe(Object.keys(CODE_BLOCKS).length);
    for (const b of blocks) expect(Object.keys(CODE_BLOCKS).some((k) => b.startsWith(k)), b.slice(0, 40)).toBe(true);
  });

  it("parses the code blocks that are programs", () => {
    const programs = programBlocks();
    expect(programs.length).toBeGreaterThan(0);
    for (const p of programs) {
      const { program } = parseProgram(new SourceFile("spec.ramen", asSource(p)));
      expect(program.functions.length + program.params.length).toBeGreaterThan(0);
    }
  });

  const excluded = new Set(Object.values(NOT_RAQL).flat());
  const snippets = inlineSnippets();

  it("parses every inline snippet that is not listed as something else", () => {
    const failing = snippets.filter((s) => !excluded.has(s) && !parsesAsSomething(s));
    expect(failing).toEqual([]);
    // The bulk of the examples: hundreds of expressions, programs and types.
    expect(snippets.length - excluded.size).toBeGreaterThan(500);
  });

  it("lists only snippets that occur in raql.md and do not parse", () => {
    const present = new Set(snippets);
    for (const s of excluded) {
      expect(present.has(s), `not in raql.md: ${s}`).toBe(true);
      expect(parsesAsSomething(s), `parses, so it is an example: ${s}`).toBe(false);
    }
  });
});
