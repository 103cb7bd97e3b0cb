// The printer's contract: for any AST the parser can produce, parsing the
// printed text gives the same AST back (spans aside).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseExpression, parseProgram, printExpr, printProgram } from "../../grammar/index.js";
import { SourceFile } from "../../grammar/source.js";
import { arbExpr, arbProgram, stripSpans } from "./ast-arbitraries.js";

describe("parse(print(ast)) = ast", () => {
  it("for expressions of every kind", () => {
    fc.assert(
      fc.property(arbExpr, (e) => {
        const text = printExpr(e);
        expect(stripSpans(parseExpression(text)), text).toEqual(stripSpans(e));
      }),
      { numRuns: 1500 },
    );
  });

  it("for whole programs", () => {
    fc.assert(
      fc.property(arbProgram, (p) => {
        const text = printProgram(p);
        expect(stripSpans(parseProgram(new SourceFile("printed.ramen", text)).program), text).toEqual(stripSpans(p));
      }),
      { numRuns: 400 },
    );
  });
});
