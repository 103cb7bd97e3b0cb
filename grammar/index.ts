// The public API of the grammar layer: text to AST and back. Other layers
// import from here (and from ast/types/units/source/diagnostics), never from
// the lexer, parser or printer directly.

import type { Expr, Program } from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { lex } from "./lexer.js";
import { runParser } from "./parser.js";
import { SourceFile } from "./source.js";
import type { NType } from "./types.js";

/**
 * Canonical RaQL text (`ramen fmt`, `ramen info`): printProgram(p: Program),
 * printOperation(op: Operation) and printExpr(e: Expr) give text that parses
 * back to the same AST.
 */
export { printExpr, printOperation, printProgram } from "./printer.js";

/** The text form of a type, parseable by parseType. */
export { ntypeToString as printType } from "./types.js";

/** Parses a whole program; throws RamenError on the first error; warnings are returned. */
export function parseProgram(source: SourceFile): { program: Program; warnings: Diagnostic[] } {
  const { result, warnings } = runParser("program", source, lex(source));
  return { program: result, warnings };
}

/** Parses one expression (a test expectation, a command-line condition…); throws RamenError. */
export function parseExpression(text: string, path = "<expression>"): Expr {
  const source = new SourceFile(path, text);
  return runParser("expressionOnly", source, lex(source)).result;
}

/** Parses a type: `u8?[3]`, `{a: u8; b: string?}`, `string[string]`; throws RamenError. */
export function parseType(text: string): NType {
  const source = new SourceFile("<type>", text);
  return runParser("typeOnly", source, lex(source)).result;
}
