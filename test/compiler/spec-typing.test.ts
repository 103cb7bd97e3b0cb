// Every RaQL example of raql.md type-checks through the real checker: each
// inline snippet that parses as an expression is placed in a small program
// that gives it a context (by default a parent `src` reading its free field
// names, and the snippet as a SELECT field); the snippets that parse as
// programs or clauses, and the program code blocks, are typed as programs.
// The contexts, the errors the spec announces and the snippets that are not
// examples are listed, with reasons, in spec-typing-cases.ts.

import { describe, expect, it } from "vitest";
import { checkProgram, describeProgram, schemaOfProgram, type ProgramIR, type ProgramSchema } from "../../compiler/index.js";
import { walkExpr } from "../../grammar/ast.js";
import { formatDiagnostic, isRamenError, type Diagnostic, type MessageKey } from "../../grammar/diagnostics.js";
import { parseExpression, parseProgram } from "../../grammar/index.js";
import { SourceFile } from "../../grammar/source.js";
import { NOT_RAQL } from "../grammar/spec-snippets.js";
import { asSource, inlineSnippets, programBlocks } from "../raql-spec.js";
import { CLAUSES, CONTEXTS, type Context, EXPECTED_ERRORS, EXPECTED_TYPES, EXPECTED_WARNINGS, NOT_EXPRESSIONS } from "./spec-typing-cases.js";

/** Free names of the spec's placeholders are numbers unless the context says otherwise (§6 legend: x is num). */
const DEFAULT_FIELD_TYPE = "float";
const SNIPPET = "<e>";

const parsesAs = (parse: () => unknown): boolean => {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
};

/** Input fields the expression reads: bare names (resolved to `in` when nothing else matches) and `in.x`. */
function inputFieldsOf(text: string): string[] {
  const names = new Set<string>();
  walkExpr(parseExpression(text), (e) => {
    if (e.kind === "field" && (e.variable === undefined || e.variable === "in") && !e.name.startsWith("#")) names.add(e.name);
  });
  return [...names];
}

/** `x u32?, s string` → the field names and types of a CSV declaration, names quoted so that keywords and type names are fields. */
function declaredFields(decls: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const decl of decls.split(/,\s*/)) {
    const space = decl.indexOf(" ");
    fields.set(decl.slice(0, space), decl.slice(space + 1));
  }
  return fields;
}

function contextOf(snippet: string): Context {
  const given = CONTEXTS[snippet] ?? {};
  return typeof given === "string" ? { fields: given } : given;
}

/** The program that types `snippet` (an expression) in its context. */
function programFor(snippet: string): string {
  const context = contextOf(snippet);
  const text = asSource(snippet);
  const fields = new Map<string, string>(inputFieldsOf(text).map((name) => [name, DEFAULT_FIELD_TYPE]));
  for (const [name, type] of declaredFields(context.fields ?? "")) if (name) fields.set(name, type);
  const parts: string[] = [];
  if (context.params) parts.push(context.params);
  if (context.declare) parts.push(context.declare);
  if (fields.size > 0) {
    const decls = [...fields].map(([name, type]) => `'${name}' ${type}`).join(", ");
    parts.push(`DEFINE src AS READ FROM FILE "f.csv" AS CSV (${decls})`);
  }
  const operation = context.operation ?? (fields.size > 0 ? `FROM src SELECT (${SNIPPET}) AS v` : `YIELD (${SNIPPET}) AS v`);
  parts.push(`DEFINE f AS ${operation.replace(SNIPPET, text)}`);
  return parts.join(";\n") + ";\n";
}

function check(program: string): { ir: ProgramIR; warnings: Diagnostic[] } {
  return checkProgram({ source: new SourceFile("spec.ramen", program), programName: "spec", resolveProgram: () => undefined });
}

/** The diagnostics of a failing check, or the empty list. */
function errorsOf(program: string): Diagnostic[] {
  try {
    check(program);
    return [];
  } catch (err) {
    if (isRamenError(err)) return [...err.diagnostics];
    throw err;
  }
}

const explained = (program: string, diagnostics: readonly Diagnostic[]): string =>
  program + diagnostics.map(formatDiagnostic).join("\n");

const notRaql = new Set(Object.values(NOT_RAQL).flat());
const notExpressions = new Set(Object.values(NOT_EXPRESSIONS).flat());
const snippets = inlineSnippets().filter((s) => !notRaql.has(s));
const expressions = snippets.filter((s) => parsesAs(() => parseExpression(asSource(s))));
/** A lone name is a word of the prose (a type, a unit, a placeholder): as an expression it is only a field reference. */
const isLoneName = (s: string): boolean => {
  const e = parseExpression(asSource(s));
  return e.kind === "field" && e.variable === undefined;
};
const examples = expressions.filter((s) => !notExpressions.has(s) && !isLoneName(s));

describe("raql.md inline expressions type-check", () => {
  const valid = examples.filter((s) => !(s in EXPECTED_ERRORS));

  it("types every expression the spec presents as valid", () => {
    const failures = valid.flatMap((s) => {
      const program = programFor(s);
      const errors = errorsOf(program);
      return errors.length === 0 ? [] : [explained(program, errors)];
    });
    expect(failures).toEqual([]);
    expect(valid.length).toBeGreaterThan(250);
  });

  it("gives the result types the spec states", () => {
    for (const [snippet, type] of Object.entries(EXPECTED_TYPES)) {
      const { ir } = check(programFor(snippet));
      const output = describeProgram(ir).functions.find((f) => f.name === "f")!.output;
      expect(output.find((o) => o.name === "v")?.type, snippet).toBe(type);
    }
  });

  it("warns as the spec says", () => {
    for (const [snippet, key] of Object.entries(EXPECTED_WARNINGS)) {
      const { warnings } = check(programFor(snippet));
      expect(warnings.map((w) => w.key), snippet).toContain(key);
    }
  });

  it("rejects the expressions the spec presents as errors, with the spec's message", () => {
    for (const [snippet, key] of Object.entries(EXPECTED_ERRORS)) {
      const program = programFor(snippet);
      const errors = errorsOf(program);
      expect(errors.map((d) => d.key), explained(program, errors)).toContain(key satisfies MessageKey);
    }
  });
});

describe("raql.md programs and clauses type-check", () => {
  const programs = snippets.filter((s) => !expressions.includes(s) && parsesAs(() => parseProgram(new SourceFile("spec", asSource(s)))));

  it("gives every inline program or clause a context or a reason", () => {
    const unknown = programs.filter((s) => !(s in CLAUSES) && !notExpressions.has(s));
    expect(unknown).toEqual([]);
  });

  for (const [snippet, template] of Object.entries(CLAUSES)) {
    it(`types ${snippet}`, () => {
      const program = template.replace(SNIPPET, asSource(snippet));
      const errors = errorsOf(program);
      expect(errors, explained(program, errors)).toEqual([]);
    });
  }

  it("types the program code blocks (§3.7 reads ../collect/netflow)", () => {
    const netflow = checkProgram({
      source: new SourceFile("collect.ramen", "DEFINE netflow AS LISTEN FOR NETFLOW;"),
      programName: "demo/collect",
      resolveProgram: () => undefined,
    });
    const resolve = (name: string): ProgramSchema | undefined => (name === "demo/collect" ? schemaOfProgram(netflow.ir) : undefined);
    const blocks = programBlocks();
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      expect(() => checkProgram({ source: new SourceFile("example.ramen", asSource(block)), programName: "demo/example", resolveProgram: resolve })).not.toThrow();
    }
  });
});

describe("the lists of spec-typing-cases.ts", () => {
  const present = new Set(snippets);
  it("name only snippets of raql.md", () => {
    const listed = [...notExpressions, ...Object.keys(CONTEXTS), ...Object.keys(CLAUSES), ...Object.keys(EXPECTED_ERRORS), ...Object.keys(EXPECTED_TYPES), ...Object.keys(EXPECTED_WARNINGS)];
    expect(listed.filter((s) => !present.has(s))).toEqual([]);
  });
});
