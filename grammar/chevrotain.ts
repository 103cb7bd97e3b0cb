// chevrotain, loaded from the single-module bundle its package ships. The
// package's entry point is ESM that imports lodash-es file by file, several
// hundred modules that cost ~0.3 s at every start of the `ramen` command; the
// bundle of the same version loads in ~10 ms. The grammar imports chevrotain
// from here only.

import type * as ChevrotainApi from "chevrotain";
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

// the entry point is <package>/lib/src/api.js; the bundle is <package>/lib/chevrotain.mjs
const entryPoint = createRequire(import.meta.url).resolve("chevrotain");
const bundle = pathToFileURL(path.join(path.dirname(entryPoint), "..", "chevrotain.mjs")).href;
const chevrotain = (await import(bundle)) as typeof ChevrotainApi;

export const { createToken, EmbeddedActionsParser, EOF, Lexer, tokenMatcher } = chevrotain;
export type { IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from "chevrotain";
