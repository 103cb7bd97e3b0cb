// The OCaml-like notation of `.test` files (test-format.md §1): one value made
// of records, tables, lists, arrays, strings, numbers, booleans, constructors
// and pairs. Parsing yields a positioned tree; what the values mean is
// schema.ts's business. Every syntax error is a RamenError positioned on the
// file, so it prints as `<file>:<line>:<col>: <message>`.

import { Diagnostic, RamenError, diag, type MessageArgs, type MessageKey } from "../../grammar/diagnostics.js";
import { SourceFile, Span } from "../../grammar/source.js";

export type TestValue =
  | { readonly kind: "record"; readonly fields: readonly RecordEntry[]; readonly span: Span }
  /** `{ "key" => value }`; `{}` is an empty table, accepted where a record is expected */
  | { readonly kind: "table"; readonly entries: readonly TableEntry[]; readonly span: Span }
  | { readonly kind: "list"; readonly items: readonly TestValue[]; readonly span: Span }
  | { readonly kind: "array"; readonly items: readonly TestValue[]; readonly span: Span }
  /** bytes, one char per byte */
  | { readonly kind: "string"; readonly value: string; readonly span: Span }
  /** `'c'`: a byte code */
  | { readonly kind: "char"; readonly value: number; readonly span: Span }
  | { readonly kind: "int"; readonly value: bigint; readonly span: Span }
  /** written with a fraction, an exponent, or as nan/inf */
  | { readonly kind: "float"; readonly value: number; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "constructor"; readonly name: string; readonly arg?: TestValue; readonly span: Span }
  /** `(a, b, …)` with at least two items */
  | { readonly kind: "pair"; readonly items: readonly TestValue[]; readonly span: Span };

export interface RecordEntry {
  readonly name: string;
  readonly nameSpan: Span;
  readonly value: TestValue;
}

export interface TableEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: TestValue;
}

export interface ParsedTestFile {
  readonly value: TestValue;
  /** duplicated table keys */
  readonly warnings: readonly Diagnostic[];
}

/** Parses the whole file as one value; anything but blanks and comments after it is an error. */
export function parseTestFile(source: SourceFile): ParsedTestFile {
  const parser = new Parser(source);
  const value = parser.parseValue();
  parser.expectEnd();
  return { value, warnings: parser.warnings };
}

/** A short description of a value's kind, for messages ("a record", "an integer"). */
export function kindName(v: TestValue): string {
  switch (v.kind) {
    case "record":
      return "a record";
    case "table":
      return v.entries.length === 0 ? "{}" : "a table";
    case "list":
      return "a list";
    case "array":
      return "an array";
    case "string":
      return "a string";
    case "char":
      return "a char";
    case "int":
      return "an integer";
    case "float":
      return "a float";
    case "bool":
      return "a boolean";
    case "constructor":
      return v.name;
    case "pair":
      return "a pair";
  }
}

type Token =
  | { readonly kind: "punct"; readonly text: string; readonly span: Span }
  | { readonly kind: "ident"; readonly text: string; readonly span: Span }
  | { readonly kind: "string"; readonly value: string; readonly span: Span }
  | { readonly kind: "char"; readonly value: number; readonly span: Span }
  | { readonly kind: "int"; readonly value: bigint; readonly span: Span }
  | { readonly kind: "float"; readonly value: number; readonly span: Span }
  | { readonly kind: "end"; readonly span: Span };

// Sticky, matched at the lexer's position. Longest punctuation first.
const PUNCT_RE = /\[\||\|\]|=>|[{}[\]();,=]/y;
const NUMBER_RE = /-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?(?![A-Za-z0-9_.])/y;
const NON_FINITE_RE = /(-?)(nan|inf)(?![A-Za-z0-9_'])/y;
const IDENT_RE = /[A-Za-z_][A-Za-z0-9_']*/y;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\", '"': '"', "'": "'", n: "\n", r: "\r", t: "\t", b: "\b" };

class Parser {
  readonly warnings: Diagnostic[] = [];
  private pos = 0;
  private token: Token;

  constructor(private readonly source: SourceFile) {
    this.token = this.lex();
  }

  private error(key: MessageKey, args: MessageArgs, span: Span): never {
    throw RamenError.of(key, args, { source: this.source, span });
  }

  // ---- lexer ---------------------------------------------------------------------------

  private skipBlanksAndComments(): void {
    const text = this.source.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else if (text.startsWith("(*", this.pos)) this.skipComment();
      else return;
    }
  }

  // Comments nest as in OCaml; unlike OCaml, quotes inside them are not special.
  private skipComment(): void {
    const text = this.source.text;
    const start = this.pos;
    let depth = 0;
    while (this.pos < text.length) {
      if (text.startsWith("(*", this.pos)) {
        depth++;
        this.pos += 2;
      } else if (text.startsWith("*)", this.pos)) {
        depth--;
        this.pos += 2;
        if (depth === 0) return;
      } else this.pos++;
    }
    this.error("testUnterminated", { what: "comment" }, { start, end: start + 2 });
  }

  private match(re: RegExp): RegExpExecArray | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.source.text);
    if (m) this.pos = re.lastIndex;
    return m;
  }

  private lex(): Token {
    this.skipBlanksAndComments();
    const start = this.pos;
    const text = this.source.text;
    if (start >= text.length) return { kind: "end", span: { start, end: start } };
    const c = text[start]!;
    if (c === '"') return this.lexString();
    if (c === "'") return this.lexChar();
    const nonFinite = this.match(NON_FINITE_RE);
    if (nonFinite) {
      const x = nonFinite[2] === "nan" ? NaN : Infinity;
      return { kind: "float", value: nonFinite[1] === "-" ? -x : x, span: { start, end: this.pos } };
    }
    const num = this.match(NUMBER_RE);
    if (num) {
      const span = { start, end: this.pos };
      const isFloat = num[1] !== undefined || num[2] !== undefined;
      return isFloat ? { kind: "float", value: Number(num[0]), span } : { kind: "int", value: BigInt(num[0]), span };
    }
    const punct = this.match(PUNCT_RE);
    if (punct) return { kind: "punct", text: punct[0], span: { start, end: this.pos } };
    const ident = this.match(IDENT_RE);
    if (ident) return { kind: "ident", text: ident[0], span: { start, end: this.pos } };
    return this.error("testExpected", { expected: "a value", got: describeChar(c) }, { start, end: start + 1 });
  }

  private lexString(): Token {
    const text = this.source.text;
    const start = this.pos;
    let out = "";
    for (let i = start + 1; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') {
        this.pos = i + 1;
        return { kind: "string", value: out, span: { start, end: this.pos } };
      }
      if (c !== "\\") {
        out += c;
        continue;
      }
      const { code, length } = this.escape(i, "string");
      out += String.fromCharCode(code);
      i += length - 1;
    }
    return this.error("testUnterminated", { what: "string" }, { start, end: start + 1 });
  }

  private lexChar(): Token {
    const text = this.source.text;
    const start = this.pos;
    let code: number;
    let next: number;
    if (text[start + 1] === "\\") {
      const e = this.escape(start + 1, "char");
      code = e.code;
      next = start + 1 + e.length;
    } else if (start + 1 < text.length) {
      code = text.charCodeAt(start + 1);
      next = start + 2;
    } else return this.error("testUnterminated", { what: "char" }, { start, end: start + 1 });
    if (text[next] !== "'") this.error("testUnterminated", { what: "char" }, { start, end: next });
    this.pos = next + 1;
    return { kind: "char", value: code, span: { start, end: this.pos } };
  }

  /** The escape starting with the backslash at `at`: its byte and its length, backslash included. */
  private escape(at: number, what: string): { code: number; length: number } {
    const text = this.source.text;
    const e = text[at + 1];
    if (e === undefined) this.error("testUnterminated", { what }, { start: at, end: at + 1 });
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) return { code: simple.charCodeAt(0), length: 2 };
    const digits = text.slice(at + 1, at + 4);
    if (/^[0-9]{3}$/.test(digits) && Number(digits) <= 255) return { code: Number(digits), length: 4 };
    const shown = /^[0-9]/.test(e) ? "\\" + (digits.match(/^[0-9]*/)?.[0] ?? "") : "\\" + e;
    return this.error("testBadEscape", { escape: shown, what }, { start: at, end: at + shown.length });
  }

  // ---- parser --------------------------------------------------------------------------

  private advance(): Token {
    const t = this.token;
    this.token = this.lex();
    return t;
  }

  private isPunct(text: string): boolean {
    return this.token.kind === "punct" && this.token.text === text;
  }

  private expectPunct(text: string): Span {
    if (!this.isPunct(text)) this.unexpected(`'${text}'`);
    return this.advance().span;
  }

  private unexpected(expected: string): never {
    return this.error("testExpected", { expected, got: describeToken(this.token) }, this.token.span);
  }

  expectEnd(): void {
    if (this.token.kind !== "end") this.error("testTrailing", { got: describeToken(this.token) }, this.token.span);
  }

  parseValue(): TestValue {
    const t = this.token;
    switch (t.kind) {
      case "string":
      case "char":
      case "int":
      case "float":
        this.advance();
        return { kind: t.kind, value: t.value, span: t.span } as TestValue;
      case "ident":
        return this.parseWord(t);
      case "punct":
        switch (t.text) {
          case "{":
            return this.parseBraces();
          case "[":
            return this.parseSequence("list", "[", "]");
          case "[|":
            return this.parseSequence("array", "[|", "|]");
          case "(":
            return this.parseParens();
        }
    }
    return this.unexpected("a value");
  }

  private parseWord(t: Extract<Token, { kind: "ident" }>): TestValue {
    this.advance();
    if (t.text === "true" || t.text === "false") return { kind: "bool", value: t.text === "true", span: t.span };
    if (!/^[A-Z]/.test(t.text)) return this.error("testExpected", { expected: "a value", got: `'${t.text}'` }, t.span);
    if (!this.startsValue()) return { kind: "constructor", name: t.text, span: t.span };
    // A constructor's argument is a single value: `VIp (V4 1)` needs the parentheses, as in OCaml.
    const arg = this.parseAtom();
    return { kind: "constructor", name: t.text, arg, span: { start: t.span.start, end: arg.span.end } };
  }

  /** A value that can follow a constructor without parentheses (no nested constructor application). */
  private parseAtom(): TestValue {
    const t = this.token;
    if (t.kind === "ident" && /^[A-Z]/.test(t.text)) {
      this.advance();
      return { kind: "constructor", name: t.text, span: t.span };
    }
    return this.parseValue();
  }

  private startsValue(): boolean {
    const t = this.token;
    switch (t.kind) {
      case "end":
        return false;
      case "punct":
        return t.text === "{" || t.text === "[" || t.text === "[|" || t.text === "(";
      default:
        return true;
    }
  }

  private parseParens(): TestValue {
    const start = this.expectPunct("(").start;
    const items = [this.parseValue()];
    while (this.isPunct(",")) {
      this.advance();
      items.push(this.parseValue());
    }
    const end = this.expectPunct(")").end;
    // The span of a parenthesised value covers its parentheses, so messages quote it whole.
    if (items.length === 1) return { ...items[0]!, span: { start, end } };
    return { kind: "pair", items, span: { start, end } };
  }

  private parseSequence(kind: "list" | "array", open: string, close: string): TestValue {
    const start = this.expectPunct(open).start;
    const items: TestValue[] = [];
    while (!this.isPunct(close)) {
      items.push(this.parseValue());
      if (this.isPunct(";")) this.advance();
      else if (!this.isPunct(close)) this.unexpected(`';' or '${close}'`);
    }
    const end = this.advance().span.end;
    return { kind, items, span: { start, end } };
  }

  private parseBraces(): TestValue {
    const start = this.expectPunct("{").start;
    if (this.isPunct("}")) return { kind: "table", entries: [], span: { start, end: this.advance().span.end } };
    if (this.token.kind === "string") return this.parseTable(start);
    if (this.token.kind === "ident") return this.parseRecord(start);
    return this.unexpected("a field name or a string key");
  }

  private parseRecord(start: number): TestValue {
    const fields: RecordEntry[] = [];
    while (!this.isPunct("}")) {
      const name = this.token;
      if (name.kind !== "ident") return this.unexpected("a field name");
      this.advance();
      this.expectPunct("=");
      fields.push({ name: name.text, nameSpan: name.span, value: this.parseValue() });
      if (this.isPunct(";")) this.advance();
      else if (!this.isPunct("}")) this.unexpected("';' or '}'");
    }
    return { kind: "record", fields, span: { start, end: this.advance().span.end } };
  }

  private parseTable(start: number): TestValue {
    const entries: TableEntry[] = [];
    const seen = new Set<string>();
    while (!this.isPunct("}")) {
      const key = this.token;
      if (key.kind !== "string") return this.unexpected("a string key");
      this.advance();
      this.expectPunct("=>");
      const value = this.parseValue();
      if (seen.has(key.value)) {
        this.warnings.push(diag("testKeyTwice", { key: JSON.stringify(key.value) }, { source: this.source, span: key.span }));
      } else {
        seen.add(key.value);
        entries.push({ key: key.value, keySpan: key.span, value });
      }
      if (this.isPunct(";")) this.advance();
      else if (!this.isPunct("}")) this.unexpected("';' or '}'");
    }
    return { kind: "table", entries, span: { start, end: this.advance().span.end } };
  }
}

function describeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code < 32 || code > 126 ? `the byte ${code}` : `'${c}'`;
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case "end":
      return "the end of the file";
    case "punct":
    case "ident":
      return `'${t.text}'`;
    case "string":
      return "a string";
    case "char":
      return "a char";
    case "int":
      return "an integer";
    case "float":
      return "a float";
  }
}
