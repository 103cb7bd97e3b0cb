// The RaQL parser (raql.md §3–5): a chevrotain parser with embedded actions
// that builds the AST of ast.ts directly. Every operator and built-in
// function becomes a `Call` naming its registry entry (stdlib/README.md).
//
// Grammar decisions that LL(k) lookahead cannot make alone (contextual words,
// `f x` calls, casts to composite types, the functional IF) are taken by
// gates that look at the next tokens. Semantic code runs inside ACTION so
// that chevrotain's grammar recording never executes it.

import {
  EmbeddedActionsParser,
  EOF,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "./chevrotain.js";
import { resolveWrittenCall } from "../stdlib/registry.js";
import type {
  Aggregate,
  Call,
  CallOptions,
  CommitClause,
  CsvFormat,
  EventClause,
  EventTimeField,
  Expr,
  ExternalSource,
  FieldDecl,
  FlushMode,
  FunctionDef,
  GlobalDecl,
  Lifespan,
  ListenFor,
  Literal,
  NullHandling,
  Operation,
  ParamDecl,
  Program,
  ReadExternal,
  RowBinaryFormat,
  SelectItem,
  SortClause,
  Source,
  Variable,
} from "./ast.js";
import { canonicalCallName } from "./callnames.js";
import { parseClickHouseColumns } from "./clickhouse.js";
import { diag, RamenError, type Diagnostic, type MessageArgs, type MessageKey } from "./diagnostics.js";
import {
  AddrLit,
  ALL_TOKENS,
  Amp,
  AnyWord,
  Caret,
  CharLit,
  ClickHouseSchema,
  Colon,
  Comma,
  CoalesceOp,
  Concat,
  Constant,
  Dot,
  DoubleSlash,
  DurationLit,
  Eq,
  FloatLit,
  Ge,
  Gt,
  Hash,
  Identifier,
  IntLit,
  K,
  KMoveavg,
  LBrace,
  LBracket,
  Le,
  literalPayload,
  LParen,
  Lt,
  Minus,
  Ne,
  Ordinal,
  Percent,
  Pipe,
  Plus,
  Question,
  QuotedIdent,
  RBrace,
  RBracket,
  RParen,
  Semi,
  Shl,
  Shr,
  SitePattern,
  Slash,
  SourceName,
  Star,
  StringLit,
  VirtualField,
} from "./lexer.js";
import { spanUnion, type SourceFile, type Span } from "./source.js";
import { notNull, nullable, scalarTypeByName, T, type NType, type RecordField } from "./types.js";
import { normalizeUnits, type Dimension, type Units } from "./units.js";

// ---- small builders ------------------------------------------------------------------

function tokSpan(t: IToken): Span {
  return { start: t.startOffset, end: t.endOffset! + 1 };
}
function between(a: IToken | { span: Span }, b: IToken | { span: Span }): Span {
  const sa = "span" in a ? a.span : tokSpan(a);
  const sb = "span" in b ? b.span : tokSpan(b);
  return spanUnion(sa, sb);
}

interface Modifiers {
  lifespan?: Lifespan;
  nulls?: NullHandling;
}

function mkCall(fn: string, args: readonly (Expr | null)[], span: Span, extra: { nameSpan?: Span; mods?: Modifiers; options?: CallOptions } = {}): Call {
  const c: { -readonly [K in keyof Call]: Call[K] } = { kind: "call", fn, args, span };
  if (extra.mods?.lifespan) c.lifespan = extra.mods.lifespan;
  if (extra.mods?.nulls) c.nulls = extra.mods.nulls;
  if (extra.options && Object.keys(extra.options).length > 0) c.options = extra.options;
  if (extra.nameSpan) c.nameSpan = extra.nameSpan;
  return c;
}

function literalOf(t: IToken): Literal {
  const p = literalPayload(t);
  return { kind: "literal", value: p.value, nullable: p.nullable, span: tokSpan(t) };
}

function intLiteral(value: bigint, span: Span): Literal {
  return { kind: "literal", value: { tag: "int", value }, nullable: false, span };
}

function stringLiteral(value: string, span: Span): Literal {
  return { kind: "literal", value: { tag: "string", value }, nullable: false, span };
}

const VARIABLES: Record<string, Variable> = {
  in: "in",
  out: "out",
  previous: "local_last_out",
  local_last: "local_last_out",
  local_last_out: "local_last_out",
  global_last: "global_last_out",
  global_last_out: "global_last_out",
  group_state: "group_state",
  global_state: "global_state",
  param: "param",
  env: "env",
  global: "global",
  record: "record",
  sort_first: "sort_first",
  sort_smallest: "sort_smallest",
  smallest: "sort_smallest",
  sort_greatest: "sort_greatest",
  greatest: "sort_greatest",
};

/** Default aggregations of SELECT fields and CSV columns (raql.md §4.2). */
const AGGREGATIONS = new Set(["avg", "sum", "min", "max", "bitand", "bitor", "bitxor", "same"]);

const CLAUSE_LABELS = {
  select: "SELECT clause",
  from: "FROM clause",
  where: "WHERE clause",
  groupBy: "GROUP-BY",
  commit: "commit clause",
  sort: "SORT clause",
  every: "EVERY clause",
  event: "EVENT clause",
  factors: "FACTORS clause",
  read: "READ clause",
  listen: "LISTEN clause",
} as const;

type ClauseKind = keyof typeof CLAUSE_LABELS;

/** Names used in the "given twice" warning. */
const CLAUSE_WORDS: Partial<Record<ClauseKind, string>> = {
  where: "WHERE",
  groupBy: "GROUP BY",
  sort: "SORT",
  every: "EVERY",
  event: "EVENT",
  factors: "FACTORS",
};

type CommitAction =
  | { readonly kind: "commit"; readonly span: Span }
  | { readonly kind: "notify"; readonly span: Span; readonly name?: Expr }
  | { readonly kind: "flush"; readonly span: Span; readonly mode: FlushMode };

type Clause =
  | { readonly kind: "select"; readonly span: Span; readonly items: SelectItem[] }
  | { readonly kind: "from"; readonly span: Span; readonly sources: Source[] }
  | { readonly kind: "where"; readonly span: Span; readonly expr: Expr }
  | { readonly kind: "groupBy"; readonly span: Span; readonly keys: Expr[] }
  | {
      readonly kind: "commit";
      readonly span: Span;
      readonly when?: { readonly before: boolean; readonly expr: Expr; readonly span: Span };
      readonly actions: CommitAction[];
    }
  | { readonly kind: "sort"; readonly span: Span; readonly sort: SortClause }
  | { readonly kind: "every"; readonly span: Span; readonly expr: Expr }
  | { readonly kind: "event"; readonly span: Span; readonly event: EventClause }
  | { readonly kind: "factors"; readonly span: Span; readonly factors: { name: string; span: Span }[] }
  | { readonly kind: "read"; readonly span: Span; readonly source: ExternalSource; readonly format: CsvFormat | RowBinaryFormat }
  | { readonly kind: "listen"; readonly span: Span; readonly listen: ListenFields };

type ListenFields = Omit<ListenFor, "kind" | "span" | "factors">;

type Definition =
  | { readonly kind: "params"; readonly params: ParamDecl[] }
  | { readonly kind: "globals"; readonly globals: GlobalDecl[] }
  | { readonly kind: "runIf"; readonly expr: Expr; readonly span: Span }
  | { readonly kind: "function"; readonly def: FunctionDef };

/** What a parse error message says was expected: filled by the message provider. */
const NOT_ALL_INPUT = "an operator, a clause or \";\"";

// ---- expected-token descriptions --------------------------------------------------------

const TERM_STARTS = new Set<TokenType>([
  Identifier,
  AnyWord,
  QuotedIdent,
  Constant,
  IntLit,
  FloatLit,
  DurationLit,
  StringLit,
  CharLit,
  AddrLit,
  Ordinal,
  KMoveavg,
  VirtualField,
  LParen,
  LBracket,
  LBrace,
  Minus,
  K.TRUE,
  K.FALSE,
  K.NULL,
  K.NOW,
  K.RANDOM,
  K.PI,
  K.CASE,
  K.IF,
  K.CAST,
  K.NOT,
  K.IN,
  K.VARIABLE,
  K.SMALLEST,
  K.GREATEST,
  K.GROUP,
  K.ALL,
  K.IS,
  K.EVERY,
  K.END,
  K.AND,
  K.OR,
]);

function isNameToken(t: TokenType): boolean {
  return t === Identifier || t === AnyWord || (t.CATEGORIES ?? []).includes(Identifier);
}

/** "a field name, a constant or a function" rather than forty token names. */
function describeExpected(types: readonly TokenType[]): string {
  const items: string[] = [];
  const add = (s: string) => {
    if (!items.includes(s)) items.push(s);
  };
  const isTermStart = types.some(isNameToken) && types.some((t) => t === Constant || (t.CATEGORIES ?? []).includes(Constant));
  if (isTermStart) {
    add("a field name");
    add("a constant");
    add("a function");
  }
  for (const t of types) {
    if (isTermStart && (TERM_STARTS.has(t) || isNameToken(t) || (t.CATEGORIES ?? []).includes(Constant))) continue;
    if (t === EOF) add("the end of the program");
    else add(t.LABEL ?? t.name);
  }
  if (items.length === 0) return "something else";
  if (items.length === 1) return items[0]!;
  return items.slice(0, -1).join(", ") + " or " + items[items.length - 1];
}

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => describeExpected([expected]),
  buildNotAllInputParsedMessage: () => NOT_ALL_INPUT,
  buildNoViableAltMessage: ({ expectedPathsPerAlt }) => describeExpected(expectedPathsPerAlt.flatMap((alt) => alt.map((path) => path[0]!)).filter(Boolean)),
  buildEarlyExitMessage: ({ expectedIterationPaths }) => describeExpected(expectedIterationPaths.map((path) => path[0]!).filter(Boolean)),
};

function describeToken(t: IToken): string {
  const image = t.image.length > 24 ? t.image.slice(0, 21) + "..." : t.image;
  return image.replace(/\n/g, "\\n");
}

// ---- the parser -------------------------------------------------------------------------------

class RaqlParser extends EmbeddedActionsParser {
  source!: SourceFile;
  warnings: Diagnostic[] = [];
  /** where we are, for the context of diagnostics */
  functionName: string | undefined;
  clause: string | undefined;
  /** inside KAFKA options, `AND "name" =` starts the next option */
  private inKafkaOptions = false;

  /** `validate`: run chevrotain's grammar checks (ambiguities…); the tests do, the CLI need not pay for them. */
  constructor(validate: boolean) {
    super(ALL_TOKENS, { maxLookahead: 2, recoveryEnabled: false, errorMessageProvider: errorMessages, skipValidations: !validate });
    this.performSelfAnalysis();
  }

  /** Prepares a parse of `tokens`; the state of a parse that failed midway is dropped. */
  begin(source: SourceFile, tokens: IToken[]): void {
    this.source = source;
    this.warnings = [];
    this.functionName = undefined;
    this.clause = undefined;
    this.inKafkaOptions = false;
    this.input = tokens;
  }

  // ---- diagnostics ----

  context(): string | undefined {
    const parts: string[] = [];
    if (this.functionName !== undefined) parts.push(`in function ${this.functionName}`);
    if (this.clause !== undefined) parts.push(this.clause);
    return parts.length > 0 ? parts.join(", ") : undefined;
  }

  fail(key: MessageKey, args: MessageArgs, span: Span): never {
    const context = this.context();
    throw RamenError.of(key, args, { source: this.source, span, ...(context ? { context } : {}) });
  }

  private expectedWord(words: string, t: IToken): never {
    return this.fail("unexpectedToken", { expected: words, got: describeToken(t) }, tokSpan(t));
  }

  /** A contextual keyword: an identifier with that text. */
  private word(idx: number, ...words: string[]): IToken {
    const t = this.consume(idx, Identifier);
    this.ACTION(() => {
      if (!words.includes(t.image.toLowerCase())) this.expectedWord(words.map((w) => w.toUpperCase()).join(" or "), t);
    });
    return t;
  }

  private isWordAt(k: number, ...words: string[]): boolean {
    const t = this.LA(k);
    return tokenMatcher(t, AnyWord) && words.includes(t.image.toLowerCase());
  }

  private laIs(k: number, ...types: TokenType[]): boolean {
    const t = this.LA(k);
    return types.some((ty) => tokenMatcher(t, ty));
  }

  /** True when `(` at LA(k) contains a comma at its own level: a function's arguments. */
  private parenHasComma(k: number): boolean {
    if (!this.laIs(k, LParen)) return false;
    let depth = 0;
    for (let i = k; ; i++) {
      const t = this.LA(i);
      if (t.tokenType === EOF) return false;
      const ty = t.tokenType;
      if (ty === LParen || ty === LBracket || ty === LBrace) depth++;
      else if (ty === RParen || ty === RBracket || ty === RBrace) {
        if (--depth === 0) return false;
      } else if (ty === Comma && depth === 1) return true;
    }
  }

  /** The index just after a type starting at LA(k), or -1 (a token-level recogniser for cast gates). */
  private typeEnd(k: number): number {
    const t = this.LA(k);
    let i: number;
    if (tokenMatcher(t, Identifier)) {
      if (scalarTypeByName(t.image) === undefined) return -1;
      i = k + 1;
    } else if (t.tokenType === LParen) {
      i = k + 1;
      for (;;) {
        const e = this.typeEnd(i);
        if (e < 0) return -1;
        if (this.LA(e).tokenType === Semi) i = e + 1;
        else if (this.LA(e).tokenType === RParen) {
          i = e + 1;
          break;
        } else return -1;
      }
    } else if (t.tokenType === LBrace) {
      i = k + 1;
      for (;;) {
        if (!(tokenMatcher(this.LA(i), AnyWord) || this.LA(i).tokenType === QuotedIdent) || this.LA(i + 1).tokenType !== Colon) return -1;
        const e = this.typeEnd(i + 2);
        if (e < 0) return -1;
        if (this.LA(e).tokenType === Semi) {
          i = e + 1;
          if (this.LA(i).tokenType === RBrace) {
            i++;
            break;
          }
        } else if (this.LA(e).tokenType === RBrace) {
          i = e + 1;
          break;
        } else return -1;
      }
    } else return -1;
    for (;;) {
      let j = i;
      if (this.LA(j).tokenType === Question) j++;
      if (this.LA(j).tokenType !== LBracket) return j;
      const inner = this.LA(j + 1);
      if (inner.tokenType === RBracket) i = j + 2;
      else if (inner.tokenType === IntLit && this.LA(j + 2).tokenType === RBracket) i = j + 3;
      else {
        const e = this.typeEnd(j + 1);
        if (e < 0 || this.LA(e).tokenType !== RBracket) return -1;
        i = e + 1;
      }
    }
  }

  /** A type directly followed by `(`: a cast `t(e)` (`u8(x)`, `float?(s)`, `(u8; string)(1; "a")`). */
  private castAhead(): boolean {
    const e = this.typeEnd(1);
    return e >= 0 && this.LA(e).tokenType === LParen;
  }

  /** Whether the token after a name starts its one argument (`ABS x`), raql.md §5.4. */
  private argumentFollows(): boolean {
    const t = this.LA(1);
    const ty = t.tokenType;
    if (ty === LBrace) return this.LA(3).tokenType === Colon;
    if (ty === K.CASE) return !this.isWordAt(2, "sensitive");
    if (ty === K.IN) return this.LA(2).tokenType === Dot;
    if (ty === K.GROUP) return this.LA(2).tokenType !== K.BY;
    // FACTORS starts a clause: `… + avg_window FACTOR host` is no call of avg_window.
    if (ty === K.FACTORS) return false;
    if (tokenMatcher(t, Identifier) || tokenMatcher(t, Constant)) return true;
    return (
      ty === QuotedIdent ||
      ty === Ordinal ||
      ty === KMoveavg ||
      ty === VirtualField ||
      ty === LParen ||
      ty === K.TRUE ||
      ty === K.FALSE ||
      ty === K.NULL ||
      ty === K.NOW ||
      ty === K.RANDOM ||
      ty === K.PI ||
      ty === K.IF ||
      ty === K.CAST ||
      ty === K.VARIABLE ||
      ty === K.SMALLEST ||
      ty === K.GREATEST ||
      ty === K.ALL
    );
  }

  /** The index of the first token at or after LA(k) that is not a LOCALLY… or SKIP NULLS modifier. */
  private afterModifiers(k: number): number {
    let i = k;
    const ty = () => this.LA(i).tokenType;
    if (ty() === K.LOCALLY || ty() === K.GLOBALLY || ty() === K.IMMEDIATELY) i++;
    if ((ty() === K.SKIP || ty() === K.KEEP) && (this.LA(i + 1).tokenType === K.NULLS || this.LA(i + 1).tokenType === K.NULL)) i += 2;
    return i;
  }

  private modifiersAhead(): boolean {
    const ty = this.LA(1).tokenType;
    if (ty === K.LOCALLY || ty === K.GLOBALLY || ty === K.IMMEDIATELY) return true;
    return (ty === K.SKIP || ty === K.KEEP) && (this.LA(2).tokenType === K.NULLS || this.LA(2).tokenType === K.NULL);
  }

  /** `FACTORS name`: the FACTORS clause, not a field named factors (a name outside its clause, raql.md §1.2). */
  private factorsClauseAhead(): boolean {
    const next = this.LA(2);
    return this.LA(1).tokenType === K.FACTORS && (tokenMatcher(next, Identifier) || next.tokenType === QuotedIdent);
  }

  private andContinues(): boolean {
    const next = this.LA(2).tokenType;
    if (next === K.COMMIT || next === K.NOTIFY || next === K.FLUSH || next === K.KEEP) return false;
    return !(this.inKafkaOptions && next === StringLit && this.LA(3).tokenType === Eq);
  }

  private literalTrueFalseNull(t: IToken, q: IToken | undefined): Literal {
    const ty = t.tokenType;
    const value = ty === K.NULL ? ({ tag: "null" } as const) : ({ tag: "bool", value: ty === K.TRUE } as const);
    return { kind: "literal", value, nullable: q !== undefined, span: q ? between(t, q) : tokSpan(t) };
  }

  // ==== program structure (raql.md §3) ====

  program = this.RULE("program", (): Program => {
    const defs: Definition[] = [];
    const first = this.LA(1);
    this.option(1, () => defs.push(this.subrule(1, this.definition)));
    this.many(1, () => {
      this.consume(1, Semi);
      this.option(2, () => defs.push(this.subrule(2, this.definition)));
    });
    return this.ACTION(() => this.assembleProgram(defs, first));
  });

  private assembleProgram(defs: Definition[], first: IToken): Program {
    const params: ParamDecl[] = [];
    const globals: GlobalDecl[] = [];
    const functions: FunctionDef[] = [];
    let runIf: { expr: Expr; span: Span } | undefined;
    for (const d of defs) {
      switch (d.kind) {
        case "params":
          params.push(...d.params);
          break;
        case "globals":
          globals.push(...d.globals);
          break;
        case "runIf":
          if (runIf) {
            this.functionName = undefined;
            this.clause = "running condition";
            this.fail("severalRunIf", {}, d.span);
          }
          runIf = d;
          break;
        case "function":
          functions.push(d.def);
          break;
      }
    }
    const start = Number.isNaN(first.startOffset) ? 0 : first.startOffset;
    const program: { -readonly [K in keyof Program]: Program[K] } = { span: { start, end: this.source.text.length }, params, globals, functions };
    if (runIf) program.runIf = runIf.expr;
    return program;
  }

  definition = this.RULE("definition", (): Definition => {
    this.ACTION(() => {
      this.functionName = undefined;
      this.clause = undefined;
    });
    return this.or(1, [
      { ALT: () => this.subrule(1, this.parameters) },
      { ALT: () => this.subrule(2, this.declare) },
      { ALT: () => this.subrule(3, this.runIf) },
      { ALT: () => this.subrule(4, this.defineFunction) },
      {
        ALT: () => {
          const op = this.subrule(5, this.operation);
          return this.ACTION((): Definition => ({ kind: "function", def: { span: op.span, lazy: false, operation: op } }));
        },
      },
    ]);
  });

  parameters = this.RULE("parameters", (): Definition => {
    this.consume(1, K.PARAMETERS);
    this.ACTION(() => (this.clause = "parameters"));
    const params: ParamDecl[] = [this.subrule(1, this.param)];
    this.many(1, () => {
      this.or(1, [{ ALT: () => this.consume(2, Comma) }, { ALT: () => this.consume(3, K.AND) }]);
      params.push(this.subrule(2, this.param));
    });
    return { kind: "params", params };
  });

  param = this.RULE("param", (): ParamDecl => {
    const name = this.subrule(1, this.name);
    let type: NType | undefined;
    let units: Units | undefined;
    let def: Expr | undefined;
    let doc: string | undefined;
    let last: IToken | { span: Span } = name.token;
    this.option(1, {
      GATE: () => this.LA(1).tokenType !== LBrace || this.LA(3).tokenType === Colon,
      DEF: () => {
        type = this.subrule(2, this.type);
      },
    });
    this.option(2, () => {
      const u = this.subrule(3, this.units);
      units = u.units;
      last = u.end;
    });
    this.option(3, () => {
      this.consume(1, K.DEFAULTS);
      this.consume(2, K.TO);
      const value = this.subrule(4, this.term, { ARGS: [true] });
      this.ACTION(() => {
        if (!isConstantValue(value)) this.fail("unexpectedToken", { expected: "a constant", got: this.source.text.slice(value.span.start, value.span.end) }, value.span);
        def = value;
        last = value;
      });
    });
    this.option(4, () => {
      const d = this.consume(3, StringLit);
      this.ACTION(() => {
        doc = (literalPayload(d).value as { value: string }).value;
        last = d;
      });
    });
    return this.ACTION(() => {
      const p: { -readonly [K in keyof ParamDecl]: ParamDecl[K] } = { span: between(name.token, last), name: name.name };
      if (type) p.type = type;
      if (units) p.units = units;
      if (def) p.default = def;
      if (doc !== undefined) p.doc = doc;
      return p;
    });
  });

  declare = this.RULE("declare", (): Definition => {
    this.consume(1, K.DECLARE);
    this.ACTION(() => (this.clause = "DECLARE"));
    let scope: GlobalDecl["scope"] = "site";
    this.option(1, () => {
      this.consume(2, K.WITH);
      const s = this.consume(3, AnyWord);
      this.word(4, "scope");
      this.ACTION(() => {
        const w = s.image.toLowerCase();
        if (w !== "program" && w !== "site" && w !== "global") this.expectedWord("PROGRAM, SITE or GLOBAL", s);
        scope = w;
      });
    });
    const globals: GlobalDecl[] = [];
    const one = (idx: number) => {
      const n = this.subrule(idx, this.name);
      const type = this.subrule(idx + 10, this.type);
      this.ACTION(() => globals.push({ span: tokSpan(n.token), name: n.name, type, scope }));
    };
    one(1);
    this.many(1, () => {
      this.or(1, [{ ALT: () => this.consume(5, Comma) }, { ALT: () => this.consume(6, K.AND) }]);
      one(2);
    });
    return { kind: "globals", globals };
  });

  runIf = this.RULE("runIf", (): Definition => {
    let first: IToken | undefined;
    this.option(1, () => {
      first = this.consume(1, K.RUN);
    });
    const ifTok = this.consume(2, K.IF);
    this.ACTION(() => (this.clause = "running condition"));
    const expr = this.subrule(1, this.expr);
    return this.ACTION(() => ({ kind: "runIf", expr, span: between(first ?? ifTok, expr) }));
  });

  defineFunction = this.RULE("defineFunction", (): Definition => {
    const define = this.consume(1, K.DEFINE);
    let name: { name: string; token: IToken } | undefined;
    let lazy = false;
    let persistFor: Expr | undefined;
    let queryingEvery: Expr | undefined;
    let bestAfter: Expr | undefined;
    let queryingTok: IToken | undefined;
    let doc: string | undefined;
    this.many(1, () => {
      this.or(1, {
        IGNORE_AMBIGUITIES: true,
        DEF: [
          {
            GATE: () => this.isWordAt(1, "lazy"),
            ALT: () => {
              this.consume(2, Identifier);
              this.ACTION(() => (lazy = true));
            },
          },
          {
            GATE: () => this.isWordAt(1, "persist"),
            ALT: () => {
              this.consume(3, Identifier);
              this.consume(4, K.FOR);
              const v = this.subrule(1, this.immediateOrParam);
              this.ACTION(() => (persistFor = v));
            },
          },
          {
            GATE: () => this.isWordAt(1, "querying", "query"),
            ALT: () => {
              const q = this.consume(5, Identifier);
              this.consume(6, K.EVERY);
              const v = this.subrule(2, this.immediateOrParam);
              this.ACTION(() => {
                queryingEvery = v;
                queryingTok = q;
              });
            },
          },
          { GATE: () => this.isWordAt(1, "while"), ALT: () => this.consume(7, Identifier) },
          {
            GATE: () => this.isWordAt(1, "best"),
            ALT: () => {
              this.consume(8, Identifier);
              this.consume(9, K.AFTER);
              const v = this.subrule(3, this.immediateOrParam);
              this.ACTION(() => (bestAfter = v));
            },
          },
          {
            ALT: () => {
              const n = this.subrule(4, this.name);
              this.ACTION(() => {
                if (name === undefined) {
                  name = n;
                  this.functionName = n.name;
                }
              });
            },
          },
        ],
      });
    });
    this.option(1, () => {
      const d = this.consume(10, StringLit);
      this.ACTION(() => (doc = (literalPayload(d).value as { value: string }).value));
    });
    const as = this.consume(11, K.AS);
    this.ACTION(() => {
      if (name === undefined) this.fail("unexpectedToken", { expected: "a function name", got: "AS" }, tokSpan(as));
    });
    const operation = this.subrule(5, this.operation);
    return this.ACTION((): Definition => {
      const fnName = name!;
      if (queryingEvery !== undefined && persistFor === undefined) {
        this.clause = undefined;
        this.fail("incompleteRetention", {}, tokSpan(queryingTok!));
      }
      const def: { -readonly [K in keyof FunctionDef]: FunctionDef[K] } = {
        span: between(define, operation),
        name: fnName.name,
        nameSpan: tokSpan(fnName.token),
        lazy,
        operation,
      };
      if (doc !== undefined) def.doc = doc;
      if (persistFor) def.persistFor = persistFor;
      if (queryingEvery) def.queryingEvery = queryingEvery;
      if (bestAfter) def.bestAfter = bestAfter;
      return { kind: "function", def };
    });
  });

  /** A constant number or duration, or a parameter's name (PERSIST FOR, QUERYING EVERY). */
  immediateOrParam = this.RULE("immediateOrParam", (): Expr => {
    return this.or(1, [
      {
        ALT: () => {
          const t = this.or(2, [{ ALT: () => this.consume(1, IntLit) }, { ALT: () => this.consume(2, FloatLit) }, { ALT: () => this.consume(3, DurationLit) }]);
          return this.ACTION(() => this.durationLiteral(t));
        },
      },
      {
        ALT: () => {
          const n = this.subrule(1, this.name);
          return this.ACTION((): Expr => ({ kind: "field", name: n.name, span: tokSpan(n.token) }));
        },
      },
    ]);
  });

  /** A number where a duration is expected: a lone `m` is ambiguous there. */
  private durationLiteral(t: IToken): Literal {
    if (literalPayload(t).milliOnly) this.fail("ambiguousMinutes", {}, tokSpan(t));
    return literalOf(t);
  }

  /** A field, parameter, alias or function name: an identifier or a quoted name. */
  name = this.RULE("name", (): { name: string; token: IToken } => {
    const t = this.or(1, [{ ALT: () => this.consume(1, Identifier) }, { ALT: () => this.consume(2, QuotedIdent) }]);
    return this.ACTION(() => ({ name: t.tokenType === QuotedIdent ? (t.payload as string) : t.image, token: t }));
  });

  /** A name after a dot or in a record: keywords are names there. */
  anyName = this.RULE("anyName", (): { name: string; token: IToken } => {
    const t = this.or(1, [{ ALT: () => this.consume(1, AnyWord) }, { ALT: () => this.consume(2, QuotedIdent) }]);
    return this.ACTION(() => ({ name: t.tokenType === QuotedIdent ? (t.payload as string) : t.image, token: t }));
  });

  // ==== operations (raql.md §4) ====

  operation = this.RULE("operation", (): Operation => {
    const clauses: Clause[] = [];
    this.atLeastOne(1, () => clauses.push(this.subrule(1, this.clause_)));
    return this.ACTION(() => this.assembleOperation(clauses));
  });

  clause_ = this.RULE("clause", (): Clause => {
    return this.or(1, [
      { ALT: () => this.subrule(1, this.selectClause) },
      { ALT: () => this.subrule(2, this.fromClause) },
      { ALT: () => this.subrule(3, this.whereClause) },
      { ALT: () => this.subrule(4, this.groupByClause) },
      { ALT: () => this.subrule(5, this.commitClause) },
      { ALT: () => this.subrule(6, this.sortClause) },
      { ALT: () => this.subrule(7, this.everyClause) },
      { ALT: () => this.subrule(8, this.eventClause) },
      { ALT: () => this.subrule(9, this.factorsClause) },
      { ALT: () => this.subrule(10, this.readClause) },
      { ALT: () => this.subrule(11, this.listenClause) },
    ]);
  });

  private enterClause(kind: ClauseKind): void {
    this.ACTION(() => (this.clause = CLAUSE_LABELS[kind]));
  }

  selectClause = this.RULE("selectClause", (): Clause => {
    const kw = this.consume(1, K.SELECT);
    this.enterClause("select");
    const items: SelectItem[] = [this.subrule(1, this.selectItem)];
    this.many(1, () => {
      this.consume(2, Comma);
      items.push(this.subrule(2, this.selectItem));
    });
    return { kind: "select", span: this.ACTION(() => tokSpan(kw)), items };
  });

  selectItem = this.RULE("selectItem", (): SelectItem => {
    return this.or(1, [
      {
        ALT: () => {
          const star = this.consume(1, Star);
          const exclude: string[] = [];
          let last: IToken = star;
          this.many(1, () => {
            this.consume(2, Minus);
            const n = this.subrule(1, this.name);
            this.ACTION(() => {
              exclude.push(n.name);
              last = n.token;
            });
          });
          return this.ACTION((): SelectItem => ({ kind: "star", span: between(star, last), exclude }));
        },
      },
      {
        ALT: () => {
          const expr = this.subrule(2, this.expr);
          let alias: { name: string; token: IToken } | undefined;
          let doc: string | undefined;
          let aggregate: string | undefined;
          let last: IToken | { span: Span } = expr;
          this.option(3, () =>
            this.or(2, [
            {
              ALT: () => {
                this.consume(3, K.AS);
                alias = this.subrule(3, this.name);
                this.ACTION(() => (last = alias!.token));
                this.option(1, () => {
                  const d = this.consume(4, StringLit);
                  this.ACTION(() => {
                    doc = (literalPayload(d).value as { value: string }).value;
                    last = d;
                  });
                });
              },
            },
            {
              ALT: () => {
                this.consume(5, K.DOC);
                const d = this.consume(6, StringLit);
                this.ACTION(() => {
                  doc = (literalPayload(d).value as { value: string }).value;
                  last = d;
                });
              },
            },
            ]),
          );
          this.option(2, () => {
            const a = this.subrule(4, this.aggregateUsing);
            this.ACTION(() => {
              aggregate = a.name;
              last = a.token;
            });
          });
          return this.ACTION((): SelectItem => {
            const item: { -readonly [K in keyof Extract<SelectItem, { kind: "field" }>]: Extract<SelectItem, { kind: "field" }>[K] } = {
              kind: "field",
              span: between(expr, last),
              expr,
            };
            if (alias) {
              item.alias = alias.name;
              item.aliasSpan = tokSpan(alias.token);
            }
            if (doc !== undefined) item.doc = doc;
            if (aggregate !== undefined) item.aggregate = aggregate;
            return item;
          });
        },
      },
    ]);
  });

  aggregateUsing = this.RULE("aggregateUsing", (): { name: string; token: IToken } => {
    this.consume(1, K.AGGREGATES);
    this.word(2, "using");
    const fn = this.consume(3, AnyWord);
    return this.ACTION(() => {
      const n = fn.image.toLowerCase();
      if (!AGGREGATIONS.has(n)) this.fail("unknownAggregation", { name: fn.image }, tokSpan(fn));
      return { name: n, token: fn };
    });
  });

  fromClause = this.RULE("fromClause", (): Clause => {
    const kw = this.consume(1, K.FROM);
    this.enterClause("from");
    const sources: Source[] = [this.subrule(1, this.source_)];
    this.many(1, () => {
      this.or(1, [{ ALT: () => this.consume(2, Comma) }, { ALT: () => this.consume(3, K.AND) }]);
      sources.push(this.subrule(2, this.source_));
    });
    return { kind: "from", span: this.ACTION(() => tokSpan(kw)), sources };
  });

  source_ = this.RULE("source", (): Source => {
    return this.or(1, [
      {
        ALT: () => {
          const t = this.or(2, [{ ALT: () => this.consume(1, SourceName) }, { ALT: () => this.consume(2, QuotedIdent) }]);
          let site: { kind: "this" } | { kind: "glob"; pattern: string } | undefined;
          let last: IToken = t;
          this.option(1, () => {
            this.consume(3, K.ON);
            this.or(3, [
              {
                GATE: () => this.isWordAt(1, "this"),
                ALT: () => {
                  this.consume(4, Identifier);
                  last = this.word(5, "site");
                  this.ACTION(() => (site = { kind: "this" }));
                },
              },
              {
                ALT: () => {
                  this.word(6, "site", "sites");
                  const p = this.or(4, [{ ALT: () => this.consume(7, SitePattern) }, { ALT: () => this.consume(8, QuotedIdent) }]);
                  this.ACTION(() => {
                    site = { kind: "glob", pattern: p.tokenType === QuotedIdent ? (p.payload as string) : p.image };
                    last = p;
                  });
                },
              },
            ]);
          });
          return this.ACTION((): Source => {
            const text = t.tokenType === QuotedIdent ? (t.payload as string) : t.image;
            const slash = text.lastIndexOf("/");
            const s: { -readonly [K in keyof Extract<Source, { kind: "function" }>]: Extract<Source, { kind: "function" }>[K] } = {
              kind: "function",
              span: between(t, last),
              name: slash < 0 ? text : text.slice(slash + 1),
            };
            if (slash >= 0) s.program = text.slice(0, slash);
            if (site) s.site = site;
            return s;
          });
        },
      },
      {
        ALT: () => {
          const open = this.consume(9, LParen);
          const saved = this.ACTION(() => this.clause);
          const operation = this.subrule(1, this.operation);
          const close = this.consume(10, RParen);
          this.ACTION(() => (this.clause = saved));
          return this.ACTION((): Source => ({ kind: "subquery", span: between(open, close), operation }));
        },
      },
    ]);
  });

  whereClause = this.RULE("whereClause", (): Clause => {
    const kw = this.or(1, [{ ALT: () => this.consume(1, K.WHERE) }, { ALT: () => this.consume(2, K.WHEN) }]);
    this.enterClause("where");
    const expr = this.subrule(1, this.expr);
    return { kind: "where", span: this.ACTION(() => tokSpan(kw)), expr };
  });

  groupByClause = this.RULE("groupByClause", (): Clause => {
    const kw = this.consume(1, K.GROUP);
    this.consume(2, K.BY);
    this.enterClause("groupBy");
    const keys = [this.subrule(1, this.expr)];
    this.many(1, () => {
      this.consume(3, Comma);
      keys.push(this.subrule(2, this.expr));
    });
    return { kind: "groupBy", span: this.ACTION(() => tokSpan(kw)), keys };
  });

  commitClause = this.RULE("commitClause", (): Clause => {
    const start = this.LA(1);
    this.enterClause("commit");
    let when: { before: boolean; expr: Expr; span: Span } | undefined;
    const actions: CommitAction[] = [];
    this.or(1, [
      {
        ALT: () => {
          when = this.subrule(1, this.commitWhen);
          this.option(1, () => {
            const more = this.subrule(2, this.commitActions);
            this.ACTION(() => actions.push(...more));
          });
        },
      },
      {
        ALT: () => {
          const more = this.subrule(3, this.commitActions);
          this.ACTION(() => actions.push(...more));
          this.option(2, () => {
            when = this.subrule(4, this.commitWhen);
          });
        },
      },
    ]);
    return this.ACTION((): Clause => ({ kind: "commit", span: tokSpan(start), ...(when ? { when } : {}), actions }));
  });

  commitWhen = this.RULE("commitWhen", (): { before: boolean; expr: Expr; span: Span } => {
    const kw = this.or(1, [{ ALT: () => this.consume(1, K.AFTER) }, { ALT: () => this.consume(2, K.BEFORE) }]);
    const expr = this.subrule(1, this.expr);
    return this.ACTION(() => ({ before: kw.tokenType === K.BEFORE, expr, span: tokSpan(kw) }));
  });

  commitActions = this.RULE("commitActions", (): CommitAction[] => {
    const actions = [this.subrule(1, this.commitAction)];
    this.many(1, () => {
      this.or(1, [{ ALT: () => this.consume(1, Comma) }, { ALT: () => this.consume(2, K.AND) }]);
      actions.push(this.subrule(2, this.commitAction));
    });
    return actions;
  });

  commitAction = this.RULE("commitAction", (): CommitAction => {
    return this.or(1, [
      {
        ALT: () => {
          const kw = this.consume(1, K.COMMIT);
          return this.ACTION((): CommitAction => ({ kind: "commit", span: tokSpan(kw) }));
        },
      },
      {
        ALT: () => {
          const kw = this.consume(2, K.NOTIFY);
          let name: Expr | undefined;
          this.option(1, {
            // `NOTIFY EVERY 1s`, `NOTIFY FACTORS x`: a clause follows a NOTIFY without name.
            GATE: () => this.LA(1).tokenType !== K.EVERY && !this.factorsClauseAhead(),
            DEF: () => {
              name = this.subrule(1, this.expr);
            },
          });
          return this.ACTION((): CommitAction => (name ? { kind: "notify", span: between(kw, name), name } : { kind: "notify", span: tokSpan(kw) }));
        },
      },
      {
        ALT: () => {
          const kw = this.consume(3, K.FLUSH);
          return this.ACTION((): CommitAction => ({ kind: "flush", span: tokSpan(kw), mode: "flush" }));
        },
      },
      {
        ALT: () => {
          const kw = this.consume(4, K.KEEP);
          let all: IToken | undefined;
          this.option(2, () => {
            all = this.consume(5, K.ALL);
          });
          return this.ACTION((): CommitAction => ({ kind: "flush", span: between(kw, all ?? kw), mode: all ? "keep_all" : "keep" }));
        },
      },
    ]);
  });

  sortClause = this.RULE("sortClause", (): Clause => {
    const kw = this.consume(1, K.SORT);
    this.enterClause("sort");
    this.word(2, "last");
    const n = this.or(1, [{ ALT: () => this.consume(3, IntLit) }, { ALT: () => this.consume(4, FloatLit) }]);
    let until: Expr | undefined;
    const by: Expr[] = [];
    this.option(1, () => {
      this.consume(5, K.OR);
      this.word(6, "until");
      until = this.subrule(1, this.expr);
    });
    this.option(2, () => {
      this.consume(7, K.BY);
      by.push(this.subrule(2, this.expr));
      this.many(1, () => {
        this.consume(8, Comma);
        by.push(this.subrule(3, this.expr));
      });
    });
    return this.ACTION((): Clause => {
      if (n.tokenType === FloatLit) this.fail("notAnInteger", {}, tokSpan(n));
      const value = (literalPayload(n).value as { value: bigint }).value;
      if (value <= 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail("sortNotConstant", {}, tokSpan(n));
      const sort: { -readonly [K in keyof SortClause]: SortClause[K] } = { span: between(kw, by[by.length - 1] ?? until ?? n), last: Number(value), by };
      if (until) sort.until = until;
      return { kind: "sort", span: tokSpan(kw), sort };
    });
  });

  everyClause = this.RULE("everyClause", (): Clause => {
    const kw = this.consume(1, K.EVERY);
    this.enterClause("every");
    const expr = this.subrule(1, this.expr);
    return this.ACTION((): Clause => ({ kind: "every", span: tokSpan(kw), expr }));
  });

  eventClause = this.RULE("eventClause", (): Clause => {
    const kw = this.consume(1, K.EVENT);
    this.enterClause("event");
    this.or(1, [{ ALT: () => this.consume(2, K.STARTING) }, { ALT: () => this.consume(3, K.STARTS) }]);
    this.consume(4, K.AT);
    const start = this.subrule(1, this.eventField);
    let stop: EventClause["stop"];
    this.option(1, () => {
      this.or(2, [
        {
          ALT: () => {
            this.option(2, () => this.or(3, [{ ALT: () => this.consume(5, K.AND) }, { ALT: () => this.consume(6, K.WITH) }]));
            this.consume(7, K.DURATION);
            this.or(4, [
              {
                ALT: () => {
                  const t = this.or(5, [{ ALT: () => this.consume(8, DurationLit) }, { ALT: () => this.consume(9, IntLit) }, { ALT: () => this.consume(10, FloatLit) }]);
                  this.ACTION(() => {
                    const lit = this.durationLiteral(t);
                    stop = { kind: "duration", seconds: literalNumber(lit), span: lit.span };
                  });
                },
              },
              {
                ALT: () => {
                  const f = this.subrule(2, this.eventField);
                  this.ACTION(() => (stop = { kind: "duration_field", at: f }));
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            this.consume(11, K.AND);
            this.or(6, [{ ALT: () => this.consume(12, K.STOPPING) }, { ALT: () => this.consume(13, K.ENDS) }]);
            this.consume(14, K.AT);
            const f = this.subrule(3, this.eventField);
            this.ACTION(() => (stop = { kind: "stop", at: f }));
          },
        },
      ]);
    });
    return this.ACTION((): Clause => {
      const end = stop === undefined ? start.span : stop.kind === "duration" ? stop.span : stop.at.span;
      const event: { -readonly [K in keyof EventClause]: EventClause[K] } = { span: spanUnion(tokSpan(kw), end), start };
      if (stop) event.stop = stop;
      return { kind: "event", span: tokSpan(kw), event };
    });
  });

  eventField = this.RULE("eventField", (): EventTimeField => {
    const n = this.subrule(1, this.name);
    let scale = 1;
    let last: IToken = n.token;
    this.option(1, () => {
      this.consume(1, Star);
      const s = this.or(1, [{ ALT: () => this.consume(2, IntLit) }, { ALT: () => this.consume(3, FloatLit) }]);
      this.ACTION(() => {
        scale = literalNumber(literalOf(s));
        last = s;
      });
    });
    return this.ACTION(() => ({ span: between(n.token, last), field: n.name, scale }));
  });

  factorsClause = this.RULE("factorsClause", (): Clause => {
    const kw = this.consume(1, K.FACTORS);
    this.enterClause("factors");
    const factors: { name: string; span: Span }[] = [];
    const one = (idx: number) => {
      const n = this.subrule(idx, this.name);
      this.ACTION(() => factors.push({ name: n.name, span: tokSpan(n.token) }));
    };
    one(1);
    this.many(1, () => {
      this.or(1, [{ ALT: () => this.consume(2, Comma) }, { ALT: () => this.consume(3, K.AND) }]);
      one(2);
    });
    return this.ACTION((): Clause => ({ kind: "factors", span: tokSpan(kw), factors }));
  });

  // ---- READ (raql.md §4.13) ----

  readClause = this.RULE("readClause", (): Clause => {
    const kw = this.consume(1, K.READ);
    this.enterClause("read");
    let source: ExternalSource | undefined;
    let format: CsvFormat | RowBinaryFormat | undefined;
    this.or(1, [
      {
        ALT: () => {
          source = this.subrule(1, this.externalSource);
          format = this.subrule(2, this.externalFormat);
        },
      },
      {
        ALT: () => {
          format = this.subrule(3, this.externalFormat);
          source = this.subrule(4, this.externalSource);
        },
      },
    ]);
    return this.ACTION((): Clause => ({ kind: "read", span: tokSpan(kw), source: source!, format: format! }));
  });

  externalSource = this.RULE("externalSource", (): ExternalSource => {
    this.option(1, () => this.consume(1, K.FROM));
    return this.or(1, [
      {
        ALT: () => {
          const kw = this.consume(2, K.FILES);
          const path = this.subrule(1, this.expr);
          let preprocess: Expr | undefined;
          let deleteIf: Expr | undefined;
          let last: IToken | { span: Span } = path;
          this.option(2, () => {
            this.consume(3, K.PREPROCESS);
            this.consume(4, K.WITH);
            preprocess = this.subrule(2, this.expr);
            this.ACTION(() => (last = preprocess!));
          });
          this.option(3, () => {
            this.consume(5, K.THEN);
            const del = this.word(6, "delete");
            this.ACTION(() => {
              deleteIf = { kind: "literal", value: { tag: "bool", value: true }, nullable: false, span: tokSpan(del) };
              last = del;
            });
            this.option(4, () => {
              this.consume(7, K.IF);
              const cond = this.subrule(3, this.expr);
              this.ACTION(() => {
                deleteIf = cond;
                last = cond;
              });
            });
          });
          return this.ACTION((): ExternalSource => {
            const s: { -readonly [K in keyof Extract<ExternalSource, { kind: "file" }>]: Extract<ExternalSource, { kind: "file" }>[K] } = {
              kind: "file",
              span: between(kw, last),
              path,
            };
            if (preprocess) s.preprocess = preprocess;
            if (deleteIf) s.deleteIf = deleteIf;
            return s;
          });
        },
      },
      {
        ALT: () => {
          const kw = this.consume(8, K.KAFKA);
          this.word(9, "topic");
          const topic = this.subrule(4, this.expr);
          let partitions: Expr | undefined;
          const options: { name: string; value: Expr }[] = [];
          let last: IToken | { span: Span } = topic;
          this.option(5, () => {
            this.consume(10, K.PARTITIONS);
            partitions = this.subrule(5, this.term);
            this.ACTION(() => (last = partitions!));
          });
          this.option(6, () => {
            this.consume(11, K.WITH);
            this.word(12, "options");
            this.ACTION(() => (this.inKafkaOptions = true));
            const one = (idx: number) => {
              const n = this.consume(idx, StringLit);
              this.consume(idx + 1, Eq);
              const value = this.subrule(idx, this.expr);
              this.ACTION(() => {
                options.push({ name: (literalPayload(n).value as { value: string }).value, value });
                last = value;
              });
            };
            one(13);
            this.many(1, () => {
              this.or(2, [{ ALT: () => this.consume(20, Comma) }, { ALT: () => this.consume(21, K.AND) }]);
              one(15);
            });
            this.ACTION(() => (this.inKafkaOptions = false));
          });
          return this.ACTION((): ExternalSource => {
            const s: { -readonly [K in keyof Extract<ExternalSource, { kind: "kafka" }>]: Extract<ExternalSource, { kind: "kafka" }>[K] } = {
              kind: "kafka",
              span: between(kw, last),
              topic,
              options,
            };
            if (partitions) s.partitions = partitions;
            return s;
          });
        },
      },
    ]);
  });

  externalFormat = this.RULE("externalFormat", (): CsvFormat | RowBinaryFormat => {
    this.consume(1, K.AS);
    return this.or(1, [
      {
        GATE: () => this.isWordAt(1, "csv"),
        ALT: () => {
          this.consume(2, Identifier);
          return this.subrule(1, this.csvFormat);
        },
      },
      {
        ALT: () => {
          this.word(3, "rowbinary");
          const schema = this.consume(4, ClickHouseSchema);
          return this.ACTION((): RowBinaryFormat => ({ kind: "rowbinary", fields: this.clickHouseFields(schema) }));
        },
      },
    ]);
  });

  private clickHouseFields(schema: IToken): FieldDecl[] {
    return parseClickHouseColumns(schema.payload as string, schema.startOffset + 1, this.source);
  }

  csvFormat = this.RULE("csvFormat", (): CsvFormat => {
    let separator = ",";
    let sepTok: IToken | undefined;
    let nullString = "";
    let quote: string | undefined = '"';
    let escape: string | undefined;
    let vectorsOfCharsAsString = false;
    let clickhouseSyntax = false;
    this.option(1, {
      GATE: () => this.isWordAt(1, "separator"),
      DEF: () => {
        this.consume(1, Identifier);
        const s = this.subrule(1, this.oneChar);
        this.ACTION(() => {
          separator = s.char;
          sepTok = s.token;
        });
      },
    });
    this.option(2, () => {
      this.consume(2, K.NULL);
      const s = this.consume(3, StringLit);
      this.ACTION(() => (nullString = (literalPayload(s).value as { value: string }).value));
    });
    this.option(3, {
      GATE: () => this.isWordAt(1, "no", "quote"),
      DEF: () => {
        this.or(1, [
          {
            GATE: () => this.isWordAt(1, "no"),
            ALT: () => {
              this.consume(4, Identifier);
              this.word(5, "quote", "quotes");
              this.ACTION(() => (quote = undefined));
            },
          },
          {
            ALT: () => {
              this.word(6, "quote");
              this.option(4, () => this.consume(7, K.WITH));
              const q = this.subrule(2, this.oneChar);
              this.ACTION(() => (quote = q.char));
            },
          },
        ]);
      },
    });
    this.option(5, {
      GATE: () => this.isWordAt(1, "escape"),
      DEF: () => {
        this.consume(8, Identifier);
        this.option(6, () => this.consume(9, K.WITH));
        const e = this.consume(10, StringLit);
        this.ACTION(() => (escape = (literalPayload(e).value as { value: string }).value));
      },
    });
    this.option(7, {
      GATE: () => this.isWordAt(1, "vectors"),
      DEF: () => {
        this.consume(11, Identifier);
        this.consume(12, K.OF);
        this.word(13, "chars");
        this.consume(14, K.AS);
        const w = this.word(15, "string", "vector");
        this.ACTION(() => (vectorsOfCharsAsString = w.image.toLowerCase() === "string"));
      },
    });
    this.option(8, {
      GATE: () => this.isWordAt(1, "clickhouse"),
      DEF: () => {
        this.consume(16, Identifier);
        this.word(17, "syntax");
        this.ACTION(() => (clickhouseSyntax = true));
      },
    });
    const fields = this.or(2, [
      {
        ALT: () => {
          const schema = this.consume(18, ClickHouseSchema);
          return this.ACTION(() => this.clickHouseFields(schema));
        },
      },
      {
        ALT: () => {
          this.consume(19, LParen);
          const list = [this.subrule(3, this.fieldDecl)];
          this.many(1, () => {
            this.consume(20, Comma);
            list.push(this.subrule(4, this.fieldDecl));
          });
          this.consume(21, RParen);
          return list;
        },
      },
    ]);
    return this.ACTION((): CsvFormat => {
      if (sepTok && separator === nullString) this.fail("csvSeparator", {}, tokSpan(sepTok));
      const f: { -readonly [K in keyof CsvFormat]: CsvFormat[K] } = {
        kind: "csv",
        separator,
        nullString,
        vectorsOfCharsAsString,
        clickhouseSyntax,
        fields,
      };
      if (quote !== undefined) f.quote = quote;
      if (escape !== undefined) f.escape = escape;
      return f;
    });
  });

  /** A char literal or a one-character string (CSV separator and quote). */
  oneChar = this.RULE("oneChar", (): { char: string; token: IToken } => {
    const t = this.or(1, [{ ALT: () => this.consume(1, CharLit) }, { ALT: () => this.consume(2, StringLit) }]);
    return this.ACTION(() => {
      const v = literalPayload(t).value;
      const char = v.tag === "char" ? String.fromCharCode(v.value) : (v as { value: string }).value;
      if (char.length !== 1) this.fail("csvSeparator", {}, tokSpan(t));
      return { char, token: t };
    });
  });

  fieldDecl = this.RULE("fieldDecl", (): FieldDecl => {
    const n = this.subrule(1, this.name);
    const type = this.subrule(2, this.type);
    let units: Units | undefined;
    let doc: string | undefined;
    let aggregate: string | undefined;
    this.option(1, () => {
      units = this.subrule(3, this.units).units;
    });
    this.option(2, () => {
      const d = this.consume(1, StringLit);
      this.ACTION(() => (doc = (literalPayload(d).value as { value: string }).value));
    });
    this.option(3, () => {
      aggregate = this.subrule(4, this.aggregateUsing).name;
    });
    return this.ACTION((): FieldDecl => {
      const f: { -readonly [K in keyof FieldDecl]: FieldDecl[K] } = { span: tokSpan(n.token), name: n.name, type };
      if (units) f.units = units;
      if (doc !== undefined) f.doc = doc;
      if (aggregate !== undefined) f.aggregate = aggregate;
      return f;
    });
  });

  // ---- LISTEN (raql.md §4.14) ----

  listenClause = this.RULE("listenClause", (): Clause => {
    const kw = this.consume(1, K.LISTEN);
    this.enterClause("listen");
    this.option(1, () => this.consume(2, K.FOR));
    const proto = this.consume(3, Identifier);
    let address: string | undefined;
    let port: number | undefined;
    let transport: "udp" | "tcp" = "udp";
    this.option(2, {
      GATE: () => this.LA(1).tokenType === K.ON || this.laIs(1, Star, LBracket, AddrLit),
      DEF: () => {
        this.option(3, () => this.consume(4, K.ON));
        this.or(1, [
          {
            ALT: () => {
              this.consume(5, Star);
              this.ACTION(() => (address = "*"));
            },
          },
          {
            ALT: () => {
              this.consume(6, LBracket);
              const inner = this.or(2, [{ ALT: () => this.consume(7, Star) }, { ALT: () => this.consume(8, AddrLit) }]);
              this.consume(9, RBracket);
              this.ACTION(() => (address = inner.tokenType === Star ? "[*]" : inner.image));
            },
          },
          {
            ALT: () => {
              const a = this.consume(10, AddrLit);
              this.ACTION(() => (address = a.image));
            },
          },
        ]);
        this.option(4, () => {
          this.consume(11, Colon);
          const p = this.consume(12, IntLit);
          this.ACTION(() => {
            const v = (literalPayload(p).value as { value: bigint }).value;
            if (v > 65535n) this.fail("intOutOfRange", { min: 0, max: 65535 }, tokSpan(p));
            port = Number(v);
          });
        });
      },
    });
    this.option(5, {
      GATE: () => this.isWordAt(1, "proto", "udp", "tcp"),
      DEF: () => {
        this.option(6, { GATE: () => this.isWordAt(1, "proto"), DEF: () => this.consume(13, Identifier) });
        const t = this.word(14, "udp", "tcp");
        this.ACTION(() => (transport = t.image.toLowerCase() as "udp" | "tcp"));
      },
    });
    return this.ACTION((): Clause => {
      const word = proto.image.toLowerCase();
      const protocol = word === "netflowv5" ? "netflow" : word;
      if (protocol !== "collectd" && protocol !== "netflow" && protocol !== "graphite") this.fail("unknownProtocol", {}, tokSpan(proto));
      const listen: { -readonly [K in keyof ListenFields]: ListenFields[K] } = { protocol, transport };
      if (address !== undefined) listen.address = address;
      if (port !== undefined) listen.port = port;
      return { kind: "listen", span: tokSpan(kw), listen };
    });
  });

  private assembleOperation(clauses: Clause[]): Operation {
    const first = clauses[0]!;
    const last = clauses[clauses.length - 1]!;
    const span = spanUnion(first.span, clauseEnd(last));
    const seen = new Map<ClauseKind, Clause>();
    let select: Clause & { kind: "select" } | undefined;
    const from: Source[] = [];
    const commits: (Clause & { kind: "commit" })[] = [];
    const clauseSpans: Partial<Record<string, Span>> = {};
    for (const c of clauses) {
      this.clause = CLAUSE_LABELS[c.kind];
      switch (c.kind) {
        case "select":
          if (select) this.fail("severalSelect", {}, c.span);
          select = c;
          if (c.items.filter((i) => i.kind === "star").length > 1) this.fail("severalStars", {}, c.items.filter((i) => i.kind === "star")[1]!.span);
          break;
        case "from":
          from.push(...c.sources);
          break;
        case "commit":
          commits.push(c);
          break;
        case "read":
        case "listen":
          if (seen.has(c.kind)) this.fail("clauseMix", { detail: `two ${c.kind === "read" ? "READ" : "LISTEN"} clauses` }, c.span);
          break;
        default: {
          const word = CLAUSE_WORDS[c.kind];
          if (word && seen.has(c.kind)) {
            const context = this.functionName === undefined ? {} : { context: `in function ${this.functionName}` };
            this.warnings.push(diag("clauseTwice", { clause: word }, { source: this.source, span: c.span, ...context }));
          }
        }
      }
      seen.set(c.kind, c);
      clauseSpans[c.kind] ??= c.span;
    }
    const get = <C extends ClauseKind>(k: C) => seen.get(k) as (Clause & { kind: C }) | undefined;
    const commit = commits.length > 0 ? this.mergeCommits(commits) : undefined;
    const event = get("event")?.event;
    const factors = get("factors")?.factors;
    const read = get("read");
    const listen = get("listen");
    const aggregateKinds: ClauseKind[] = ["select", "from", "where", "groupBy", "commit", "sort", "every"];
    const mixed = (main: Clause, others: ClauseKind[]) => {
      const other = clauses.find((c) => others.includes(c.kind));
      if (other) {
        this.clause = undefined;
        this.fail("clauseMix", { detail: `${main.kind === "read" ? "READ" : "LISTEN"} cannot go with ${clauseWord(other.kind)}` }, other.span);
      }
    };
    if (listen) {
      mixed(listen, [...aggregateKinds, "event", "read"]);
      const op: { -readonly [K in keyof ListenFor]: ListenFor[K] } = { kind: "listen", span, ...listen.listen };
      if (factors) op.factors = factors;
      return op;
    }
    if (read) {
      mixed(read, aggregateKinds);
      const op: { -readonly [K in keyof ReadExternal]: ReadExternal[K] } = { kind: "read", span, source: read.source, format: read.format };
      if (event) op.event = event;
      if (factors) op.factors = factors;
      return op;
    }
    const op: { -readonly [K in keyof Aggregate]: Aggregate[K] } = { kind: "aggregate", span, from, clauseSpans };
    if (select) op.select = select.items;
    const where = get("where");
    if (where) op.where = where.expr;
    const groupBy = get("groupBy");
    if (groupBy) op.groupBy = groupBy.keys;
    if (commit) op.commit = commit;
    const sort = get("sort");
    if (sort) op.sort = sort.sort;
    const every = get("every");
    if (every) op.every = every.expr;
    if (event) op.event = event;
    if (factors) op.factors = factors;
    return op;
  }

  private mergeCommits(commits: (Clause & { kind: "commit" })[]): CommitClause {
    this.clause = CLAUSE_LABELS.commit;
    let when: { before: boolean; expr: Expr; span: Span } | undefined;
    let flush: FlushMode | undefined;
    let sawCommit: Span | undefined;
    const notifications: { span: Span; name?: Expr }[] = [];
    for (const c of commits) {
      if (c.when) {
        if (when) this.fail("severalCommitConditions", {}, c.when.span);
        when = c.when;
      }
      for (const a of c.actions) {
        if (a.kind === "flush") {
          if (flush !== undefined) this.fail("severalFlush", {}, a.span);
          flush = a.mode;
        } else if (a.kind === "notify") notifications.push(a.name ? { span: a.span, name: a.name } : { span: a.span });
        else sawCommit ??= a.span;
      }
    }
    if (sawCommit && !when && flush === undefined && notifications.length === 0) this.fail("loneCommit", {}, sawCommit);
    const span = commits.map((c) => c.span).reduce(spanUnion);
    const clause: { -readonly [K in keyof CommitClause]: CommitClause[K] } = { span, before: when?.before ?? false, flush: flush ?? "flush", notifications };
    if (when) clause.when = when.expr;
    return clause;
  }

  // ==== types and units (raql.md §2.2, §1.5) ====

  type = this.RULE("type", (): NType => {
    let t = this.subrule(1, this.typeBase);
    this.many(1, () => {
      let itemNullable = false;
      this.option(1, () => {
        this.consume(1, Question);
        itemNullable = true;
      });
      const dim = this.subrule(2, this.typeDims);
      this.ACTION(() => {
        const item: NType = { type: t.type, nullable: itemNullable || t.nullable };
        t = notNull(dim.kind === "vector" ? T.vector(dim.n, item) : dim.kind === "list" ? T.list(item) : T.map(dim.key, item));
      });
    });
    this.option(2, () => {
      this.consume(2, Question);
      this.ACTION(() => (t = nullable(t.type)));
    });
    return t;
  });

  typeDims = this.RULE("typeDims", (): { kind: "vector"; n: number } | { kind: "list" } | { kind: "map"; key: NType } => {
    this.consume(1, LBracket);
    let dims: { kind: "vector"; n: number } | { kind: "list" } | { kind: "map"; key: NType } = { kind: "list" };
    this.option(1, () => (dims = this.or(1, [
      {
        ALT: () => {
          const n = this.consume(2, IntLit);
          return this.ACTION(() => {
            const v = (literalPayload(n).value as { value: bigint }).value;
            if (v < 1n || v > 0xffffffffn) this.fail("emptyVectorDims", {}, tokSpan(n));
            return { kind: "vector" as const, n: Number(v) };
          });
        },
      },
      {
        ALT: () => {
          const f = this.consume(3, FloatLit);
          return this.ACTION(() => this.fail("notAnInteger", {}, tokSpan(f)));
        },
      },
      { ALT: () => ({ kind: "map" as const, key: this.subrule(1, this.type) }) },
    ])));
    this.consume(4, RBracket);
    return dims;
  });

  typeBase = this.RULE("typeBase", (): NType => {
    return this.or(1, [
      {
        ALT: () => {
          const t = this.consume(1, Identifier);
          return this.ACTION(() => {
            const s = scalarTypeByName(t.image);
            if (!s) this.fail("noSuchType", { name: t.image }, tokSpan(t));
            return notNull(s);
          });
        },
      },
      {
        ALT: () => {
          this.consume(3, LParen);
          const items = [this.subrule(1, this.type)];
          this.many(1, () => {
            this.consume(4, Semi);
            items.push(this.subrule(2, this.type));
          });
          this.consume(5, RParen);
          return this.ACTION(() => (items.length === 1 ? items[0]! : notNull(T.tuple(items))));
        },
      },
      {
        ALT: () => {
          this.consume(6, LBrace);
          const fields: RecordField[] = [];
          const one = (idx: number) => {
            const n = this.subrule(idx, this.anyName);
            this.consume(idx + 6, Colon);
            const type = this.subrule(idx + 2, this.type);
            this.ACTION(() => fields.push({ name: n.name, type }));
          };
          one(3);
          this.many(2, () => {
            this.consume(7, Semi);
            this.option(2, { GATE: () => this.LA(1).tokenType !== RBrace, DEF: () => one(4) });
          });
          this.consume(8, RBrace);
          return this.ACTION(() => notNull(T.record(fields)));
        },
      },
      {
        ALT: () => {
          const open = this.consume(9, LBracket);
          return this.ACTION(() => this.fail("noSuchType", { name: "[" }, tokSpan(open)));
        },
      },
    ]);
  });

  units = this.RULE("units", (): { units: Units; end: IToken } => {
    this.consume(1, LBrace);
    const dims: { dim: Dimension; token: IToken }[] = [];
    this.option(1, () => {
      dims.push(this.subrule(1, this.unit));
      this.many(1, () => {
        this.or(1, [{ ALT: () => this.consume(2, Star) }, { ALT: () => this.consume(3, Dot) }]);
        dims.push(this.subrule(2, this.unit));
      });
    });
    const end = this.consume(4, RBrace);
    return this.ACTION(() => {
      const { units, mixed } = normalizeUnits(dims.map((d) => d.dim));
      if (mixed !== undefined) {
        // Point at the occurrence that contradicts the first one.
        const same = dims.filter((d) => d.dim.name === mixed);
        this.fail("unitsMixRelative", { dim: mixed }, tokSpan(same.find((d) => d.dim.relative !== same[0]!.dim.relative)!.token));
      }
      return { units, end };
    });
  });

  unit = this.RULE("unit", (): { dim: Dimension; token: IToken } => {
    const n = this.consume(1, AnyWord);
    let relative = false;
    let exponent = 1;
    this.option(1, () => {
      this.consume(2, LParen);
      this.word(3, "rel");
      this.consume(4, RParen);
      relative = true;
    });
    this.option(2, () => {
      this.consume(5, Caret);
      const e = this.or(1, [{ ALT: () => this.consume(6, IntLit) }, { ALT: () => this.consume(7, FloatLit) }]);
      this.ACTION(() => (exponent = literalNumber(literalOf(e))));
    });
    return this.ACTION(() => ({ dim: { name: n.image, exponent, relative }, token: n }));
  });

  // ==== expressions (raql.md §5) ====

  expr = this.RULE("expr", (): Expr => {
    let e = this.subrule(1, this.andExpr);
    this.many(1, () => {
      const op = this.consume(1, K.OR);
      const r = this.subrule(2, this.andExpr);
      this.ACTION(() => (e = mkCall("or", [e, r], between(e, r), { nameSpan: tokSpan(op) })));
    });
    return e;
  });

  andExpr = this.RULE("andExpr", (): Expr => {
    let e = this.subrule(1, this.cmpExpr);
    this.many(1, {
      GATE: () => this.andContinues(),
      DEF: () => {
        const op = this.consume(1, K.AND);
        const r = this.subrule(2, this.cmpExpr);
        this.ACTION(() => (e = mkCall("and", [e, r], between(e, r), { nameSpan: tokSpan(op) })));
      },
    });
    return e;
  });

  cmpExpr = this.RULE("cmpExpr", (): Expr => {
    let e = this.subrule(1, this.addExpr);
    this.many(1, () => {
      this.or(1, [
        {
          ALT: () => {
            const op = this.or(2, [
              { ALT: () => this.consume(1, Eq) },
              { ALT: () => this.consume(2, Ne) },
              { ALT: () => this.consume(3, Lt) },
              { ALT: () => this.consume(4, Le) },
              { ALT: () => this.consume(5, Gt) },
              { ALT: () => this.consume(6, Ge) },
            ]);
            const r = this.subrule(2, this.addExpr);
            this.ACTION(() => (e = mkCall(COMPARISONS.get(op.tokenType)!, [e, r], between(e, r), { nameSpan: tokSpan(op) })));
          },
        },
        {
          ALT: () => {
            const op = this.consume(7, K.IN);
            const r = this.subrule(3, this.addExpr);
            this.ACTION(() => (e = mkCall("in", [e, r], between(e, r), { nameSpan: tokSpan(op) })));
          },
        },
        {
          ALT: () => {
            const not = this.consume(8, K.NOT);
            this.or(3, [
              {
                ALT: () => {
                  this.consume(9, K.IN);
                  const r = this.subrule(4, this.addExpr);
                  this.ACTION(() => {
                    const span = between(e, r);
                    e = mkCall("not", [mkCall("in", [e, r], span, { nameSpan: tokSpan(not) })], span, { nameSpan: tokSpan(not) });
                  });
                },
              },
              {
                ALT: () => {
                  const like = this.subrule(5, this.likeTail, { ARGS: [e] });
                  this.ACTION(() => (e = mkCall("not", [like], like.span, { nameSpan: tokSpan(not) })));
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            const like = this.subrule(6, this.likeTail, { ARGS: [e] });
            this.ACTION(() => (e = like));
          },
        },
        {
          ALT: () => {
            const op = this.or(4, [{ ALT: () => this.consume(10, K.STARTS) }, { ALT: () => this.consume(11, K.ENDS) }]);
            this.consume(12, K.WITH);
            const r = this.subrule(7, this.addExpr);
            this.ACTION(() => (e = mkCall(op.tokenType === K.STARTS ? "starts_with" : "ends_with", [e, r], between(e, r), { nameSpan: tokSpan(op) })));
          },
        },
      ]);
    });
    return e;
  });

  /** `[CASE SENSITIVE] LIKE "pattern"` after its left operand. */
  likeTail = this.RULE("likeTail", (left?: Expr): Call => {
    let caseSensitive = false;
    this.option(1, () => {
      this.consume(1, K.CASE);
      this.word(2, "sensitive");
      caseSensitive = true;
    });
    const op = this.consume(3, K.LIKE);
    const pattern = this.subrule(1, this.addExpr);
    return this.ACTION(() => {
      if (pattern.kind !== "literal" || pattern.value.tag !== "string") this.fail("likeNotConstant", {}, pattern.span);
      return mkCall("like", [left!, pattern], between(left!, pattern), { nameSpan: tokSpan(op), options: caseSensitive ? { caseSensitive: true } : {} });
    });
  });

  addExpr = this.RULE("addExpr", (): Expr => {
    let e = this.subrule(1, this.mulExpr);
    this.many(1, () => {
      const op = this.or(1, [
        { ALT: () => this.consume(1, Plus) },
        { ALT: () => this.consume(2, Minus) },
        { ALT: () => this.consume(3, Concat) },
        { ALT: () => this.consume(4, CoalesceOp) },
      ]);
      const r = this.subrule(2, this.mulExpr);
      this.ACTION(() => (e = mkCall(ADDITIVE.get(op.tokenType)!, [e, r], between(e, r), { nameSpan: tokSpan(op) })));
    });
    return e;
  });

  mulExpr = this.RULE("mulExpr", (): Expr => {
    let e = this.subrule(1, this.bitExpr);
    this.many(1, () => {
      const op = this.or(1, [
        { ALT: () => this.consume(1, Star) },
        { ALT: () => this.consume(2, Slash) },
        { ALT: () => this.consume(3, DoubleSlash) },
        { ALT: () => this.consume(4, Percent) },
      ]);
      const r = this.subrule(2, this.bitExpr);
      this.ACTION(() => (e = mkCall(MULTIPLICATIVE.get(op.tokenType)!, [e, r], between(e, r), { nameSpan: tokSpan(op) })));
    });
    return e;
  });

  bitExpr = this.RULE("bitExpr", (): Expr => {
    let e = this.subrule(1, this.powExpr);
    this.many(1, () => {
      const op = this.or(1, [
        { ALT: () => this.consume(1, Amp) },
        { ALT: () => this.consume(2, Pipe) },
        { ALT: () => this.consume(3, Hash) },
        { ALT: () => this.consume(4, Shl) },
        { ALT: () => this.consume(5, Shr) },
      ]);
      const r = this.subrule(2, this.powExpr);
      this.ACTION(() => (e = mkCall(BITWISE.get(op.tokenType)!, [e, r], between(e, r), { nameSpan: tokSpan(op) })));
    });
    return e;
  });

  powExpr = this.RULE("powExpr", (): Expr => {
    const base = this.subrule(1, this.unaryExpr);
    let e = base;
    this.option(1, () => {
      const op = this.consume(1, Caret);
      const exponent = this.subrule(2, this.powExpr);
      this.ACTION(() => (e = mkCall("pow", [base, exponent], between(base, exponent), { nameSpan: tokSpan(op) })));
    });
    return e;
  });

  unaryExpr = this.RULE("unaryExpr", (): Expr => {
    return this.or(1, {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            const op = this.consume(1, K.NOT);
            const x = this.subrule(1, this.unaryExpr);
            return this.ACTION(() => mkCall("not", [x], between(op, x), { nameSpan: tokSpan(op) }));
          },
        },
        {
          ALT: () => {
            const op = this.consume(2, Minus);
            const x = this.subrule(2, this.unaryExpr);
            return this.ACTION(() => mkCall("neg", [x], between(op, x), { nameSpan: tokSpan(op) }));
          },
        },
        {
          GATE: () => this.LA(2).tokenType === K.OF,
          ALT: () => {
            const op = this.or(2, [{ ALT: () => this.consume(3, K.BEGIN) }, { ALT: () => this.consume(4, K.END) }]);
            this.consume(5, K.OF);
            const x = this.subrule(3, this.unaryExpr);
            return this.ACTION(() => mkCall(op.tokenType === K.END ? "end_of" : "begin_of", [x], between(op, x), { nameSpan: tokSpan(op) }));
          },
        },
        {
          ALT: () => {
            const x = this.subrule(4, this.term);
            let result = x;
            this.option(1, {
              GATE: () => this.LA(2).tokenType === K.NULL || (this.LA(2).tokenType === K.NOT && this.LA(3).tokenType === K.NULL),
              DEF: () => {
                const is = this.consume(6, K.IS);
                let not = false;
                this.option(2, () => {
                  this.consume(7, K.NOT);
                  not = true;
                });
                const end = this.consume(8, K.NULL);
                this.ACTION(() => (result = mkCall(not ? "is_not_null" : "is_null", [x], between(x, end), { nameSpan: tokSpan(is) })));
              },
            });
            return result;
          },
        },
      ],
    });
  });

  /** A level-10 term with its postfixes (`.f`, `[i]`, `{units}`, `PERCENTILE x`). */
  term = this.RULE("term", (noCall?: boolean): Expr => {
    let e = this.subrule(1, this.primary, { ARGS: [noCall ?? false] });
    // `{a: …}` after a term is not its units (a record literal never follows a term).
    this.many(1, {
      GATE: () => this.LA(1).tokenType !== LBrace || this.LA(3).tokenType !== Colon,
      DEF: () => this.or(1, [
        {
          ALT: () => {
            this.consume(1, Dot);
            const n = this.or(2, [{ ALT: () => this.subrule(2, this.anyName) }, { ALT: () => this.virtualName(2) }]);
            this.ACTION(() => {
              const index = stringLiteral(n.name, tokSpan(n.token));
              e = mkCall("get", [index, e], between(e, n.token), { nameSpan: tokSpan(n.token) });
            });
          },
        },
        {
          ALT: () => {
            const open = this.consume(3, LBracket);
            const index = this.subrule(3, this.expr);
            const close = this.consume(4, RBracket);
            this.ACTION(() => (e = mkCall("get", [index, e], between(e, close), { nameSpan: tokSpan(open) })));
          },
        },
        {
          ALT: () => {
            const u = this.subrule(4, this.units);
            this.ACTION(() => {
              if (e.kind === "tuple" || e.kind === "record") this.fail("unitsOnCompound", {}, e.span);
              e = { kind: "units", expr: e, units: u.units, span: between(e, u.end) };
            });
          },
        },
        {
          ALT: () => {
            const op = this.consume(5, K.PERCENTILE);
            const mods = this.subrule(5, this.modifiers);
            const x = this.subrule(6, this.term);
            this.ACTION(() => (e = mkCall("percentile", [e, x], between(e, x), { nameSpan: tokSpan(op), mods })));
          },
        },
      ]),
    });
    return e;
  });

  private virtualName(idx: number): { name: string; token: IToken } {
    const t = this.consume(idx + 20, VirtualField);
    return this.ACTION(() => ({ name: t.image, token: t }));
  }

  modifiers = this.RULE("modifiers", (): Modifiers => {
    const mods: Modifiers = {};
    this.option(1, () => {
      const t = this.or(1, [{ ALT: () => this.consume(1, K.LOCALLY) }, { ALT: () => this.consume(2, K.GLOBALLY) }, { ALT: () => this.consume(3, K.IMMEDIATELY) }]);
      this.ACTION(() => (mods.lifespan = t.tokenType === K.LOCALLY ? "locally" : t.tokenType === K.GLOBALLY ? "globally" : "immediately"));
    });
    this.option(2, {
      GATE: () => this.LA(2).tokenType === K.NULLS || this.LA(2).tokenType === K.NULL,
      DEF: () => {
        const t = this.or(2, [{ ALT: () => this.consume(4, K.SKIP) }, { ALT: () => this.consume(5, K.KEEP) }]);
        this.or(3, [{ ALT: () => this.consume(6, K.NULLS) }, { ALT: () => this.consume(7, K.NULL) }]);
        this.ACTION(() => (mods.nulls = t.tokenType === K.SKIP ? "skip" : "keep"));
      },
    });
    return mods;
  });

  /** `(a, b, …)` of a function call. */
  callArgs = this.RULE("callArgs", (): { args: Expr[]; close: IToken } => {
    this.consume(1, LParen);
    const args: Expr[] = [];
    this.option(1, () => {
      args.push(this.subrule(1, this.expr));
      this.many(1, () => {
        this.consume(2, Comma);
        args.push(this.subrule(2, this.expr));
      });
    });
    const close = this.consume(3, RParen);
    return { args, close };
  });

  primary = this.RULE("primary", (noCall?: boolean): Expr => {
    return this.or(1, {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.castAhead(), ALT: () => this.subrule(1, this.castExpr) },
        {
          ALT: () => {
            const t = this.or(2, [
              { ALT: () => this.consume(1, IntLit) },
              { ALT: () => this.consume(2, FloatLit) },
              { ALT: () => this.consume(3, DurationLit) },
              { ALT: () => this.consume(4, StringLit) },
              { ALT: () => this.consume(5, CharLit) },
              { ALT: () => this.consume(6, AddrLit) },
            ]);
            return this.ACTION(() => literalOf(t));
          },
        },
        {
          ALT: () => {
            const t = this.or(3, [{ ALT: () => this.consume(7, K.TRUE) }, { ALT: () => this.consume(8, K.FALSE) }, { ALT: () => this.consume(9, K.NULL) }]);
            let q: IToken | undefined;
            this.option(1, {
              GATE: () => this.LA(1).startOffset === t.endOffset! + 1,
              DEF: () => {
                q = this.consume(10, Question);
              },
            });
            return this.ACTION(() => this.literalTrueFalseNull(t, q));
          },
        },
        {
          ALT: () => {
            const t = this.or(4, [{ ALT: () => this.consume(11, K.NOW) }, { ALT: () => this.consume(12, K.RANDOM) }, { ALT: () => this.consume(13, K.PI) }]);
            return this.ACTION(() => mkCall(t.image.toLowerCase(), [], tokSpan(t), { nameSpan: tokSpan(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.consume(14, VirtualField);
            return this.ACTION((): Expr => {
              const w = t.image.toLowerCase();
              if (w === "#start" || w === "#stop") return mkCall(w === "#start" ? "event_start" : "event_stop", [], tokSpan(t), { nameSpan: tokSpan(t) });
              return { kind: "field", name: t.image, span: tokSpan(t) };
            });
          },
        },
        { ALT: () => this.subrule(2, this.ordinalExpr) },
        {
          ALT: () => {
            const k = this.consume(15, KMoveavg);
            const mods = this.subrule(3, this.modifiers);
            const x = this.subrule(4, this.term);
            return this.ACTION(() => {
              const kLit = intLiteral((literalPayload(k).value as { value: bigint }).value, tokSpan(k));
              return mkCall("moveavg", [kLit, x], between(k, x), { nameSpan: tokSpan(k), mods });
            });
          },
        },
        { ALT: () => this.subrule(5, this.parenExpr) },
        { ALT: () => this.subrule(6, this.vectorExpr) },
        { ALT: () => this.subrule(7, this.recordExpr) },
        { ALT: () => this.subrule(8, this.caseExpr) },
        { ALT: () => this.subrule(9, this.ifExpr) },
        {
          ALT: () => {
            const kw = this.consume(16, K.CAST);
            this.consume(17, LParen);
            const x = this.subrule(10, this.expr);
            this.consume(18, K.AS);
            const to = this.subrule(11, this.type);
            const close = this.consume(19, RParen);
            return this.ACTION((): Expr => ({ kind: "cast", to, expr: x, span: between(kw, close) }));
          },
        },
        {
          GATE: () => this.laIs(1, K.IN, K.VARIABLE) || this.LA(2).tokenType === Dot,
          ALT: () => this.subrule(12, this.variableExpr),
        },
        { GATE: () => this.LA(2).tokenType !== Dot, ALT: () => this.subrule(13, this.largestFamily) },
        {
          GATE: () => this.LA(2).tokenType !== Dot,
          ALT: () => {
            const kw = this.consume(20, K.GREATEST);
            const mods = this.subrule(14, this.modifiers);
            const a = this.subrule(15, this.callArgs);
            return this.ACTION(() => this.buildCall(kw, a.args, between(kw, a.close), mods));
          },
        },
        {
          // `SAMPLE(n, x)` is the function; `SAMPLE (n) OF THE PAST …` the window.
          GATE: () => this.LA(1).tokenType === K.PAST || !this.parenHasComma(this.afterModifiers(2)),
          ALT: () => this.subrule(16, this.pastExpr),
        },
        { ALT: () => this.subrule(17, this.everyExpr) },
        { ALT: () => this.subrule(18, this.topExpr) },
        {
          GATE: () => this.LA(2).tokenType === K.VARIABLE && this.LA(2).image.toLowerCase() === "out" && this.LA(3).tokenType === K.OF,
          ALT: () => {
            const kw = this.consume(21, K.ONE);
            this.consume(22, K.VARIABLE);
            this.consume(23, K.OF);
            const mods = this.subrule(19, this.modifiers);
            const n = this.subrule(20, this.term, { ARGS: [true] });
            const x = this.subrule(21, this.term);
            return this.ACTION(() => mkCall("one_out_of", [n, x], between(kw, x), { nameSpan: tokSpan(kw), mods }));
          },
        },
        { ALT: () => this.subrule(22, this.peekExpr) },
        {
          GATE: () => this.LA(2).tokenType === K.FROM,
          ALT: () => {
            const kw = this.consume(24, K.INDEX);
            this.consume(25, K.FROM);
            const which = this.or(5, [{ ALT: () => this.consume(26, K.END) }, { ALT: () => this.word(27, "start") }]);
            const a = this.subrule(23, this.callArgs);
            return this.ACTION(() => mkCall(which.tokenType === K.END ? "index_from_end" : "index", a.args, between(kw, a.close), { nameSpan: tokSpan(kw) }));
          },
        },
        {
          GATE: () => this.startsTermAt(2),
          ALT: () => {
            const kw = this.consume(28, K.CHANGED);
            const x = this.subrule(24, this.term);
            return this.ACTION(() => mkCall("changed", [x], between(kw, x), { nameSpan: tokSpan(kw) }));
          },
        },
        {
          GATE: () => this.LA(1).tokenType !== K.GROUP || this.LA(2).tokenType !== K.BY,
          ALT: () => {
            const kw = this.or(6, [
              { ALT: () => this.consume(29, K.GROUP) },
              { ALT: () => this.consume(30, K.ALL) },
              { ALT: () => this.consume(31, K.AND) },
              { ALT: () => this.consume(32, K.OR) },
            ]);
            const mods = this.subrule(25, this.modifiers);
            // `COUNT (x)`: parentheses after a function name are its arguments.
            return this.or(7, { IGNORE_AMBIGUITIES: true, DEF: [
              {
                ALT: () => {
                  const a = this.subrule(26, this.callArgs);
                  return this.ACTION(() => this.buildCall(kw, a.args, between(kw, a.close), mods));
                },
              },
              {
                ALT: () => {
                  const x = this.subrule(27, this.term);
                  return this.ACTION(() => this.buildCall(kw, [x], between(kw, x), mods));
                },
              },
            ] });
          },
        },
        {
          ALT: () => {
            const t = this.consume(33, QuotedIdent);
            return this.ACTION((): Expr => ({ kind: "field", name: t.payload as string, span: tokSpan(t) }));
          },
        },
        { ALT: () => this.subrule(28, this.identifierExpr, { ARGS: [noCall ?? false] }) },
      ],
    });
  });

  private startsTermAt(k: number): boolean {
    const t = this.LA(k);
    if (tokenMatcher(t, Identifier) || tokenMatcher(t, Constant)) return true;
    return TERM_STARTS.has(t.tokenType) && t.tokenType !== Minus;
  }

  castExpr = this.RULE("castExpr", (): Expr => {
    const first = this.LA(1);
    const to = this.subrule(1, this.type);
    const x = this.subrule(2, this.parenExpr);
    return this.ACTION((): Expr => ({ kind: "cast", to, expr: x, span: { start: first.startOffset, end: this.LA(0).endOffset! + 1 } }));
  });

  ordinalExpr = this.RULE("ordinalExpr", (): Expr => {
    const o = this.consume(1, Ordinal);
    return this.or(1, [
      {
        ALT: () => {
          const op = this.consume(2, K.PERCENTILE);
          const mods = this.subrule(1, this.modifiers);
          const x = this.subrule(2, this.term);
          return this.ACTION(() => mkCall("percentile", [intLiteral(o.payload as bigint, tokSpan(o)), x], between(o, x), { nameSpan: tokSpan(op), mods }));
        },
      },
      {
        ALT: () => {
          const x = this.subrule(3, this.term);
          return this.ACTION(() => mkCall("get", [intLiteral((o.payload as bigint) - 1n, tokSpan(o)), x], between(o, x), { nameSpan: tokSpan(o) }));
        },
      },
    ]);
  });

  /** `()`, `(e)`, `(e1; e2; …)`. */
  parenExpr = this.RULE("parenExpr", (): Expr => {
    const open = this.consume(1, LParen);
    const items: Expr[] = [];
    this.option(1, () => {
      items.push(this.subrule(1, this.expr));
      this.many(1, () => {
        this.consume(2, Semi);
        this.option(2, { GATE: () => this.LA(1).tokenType !== RParen, DEF: () => items.push(this.subrule(2, this.expr)) });
      });
    });
    const close = this.consume(3, RParen);
    return this.ACTION((): Expr => {
      if (items.length === 1) return items[0]!;
      return { kind: "tuple", items, span: between(open, close) };
    });
  });

  vectorExpr = this.RULE("vectorExpr", (): Expr => {
    const open = this.consume(1, LBracket);
    const items: Expr[] = [];
    this.option(1, () => {
      items.push(this.subrule(1, this.expr));
      this.many(1, () => {
        this.consume(2, Semi);
        this.option(2, { GATE: () => this.LA(1).tokenType !== RBracket, DEF: () => items.push(this.subrule(2, this.expr)) });
      });
    });
    const close = this.consume(3, RBracket);
    return this.ACTION((): Expr => ({ kind: "vector", items, span: between(open, close) }));
  });

  recordExpr = this.RULE("recordExpr", (): Expr => {
    const open = this.consume(1, LBrace);
    const fields: { name: string; value: Expr; span: Span }[] = [];
    const one = (idx: number) => {
      const n = this.subrule(idx, this.anyName);
      this.consume(idx + 1, Colon);
      const value = this.subrule(idx + 2, this.expr);
      this.ACTION(() => fields.push({ name: n.name, value, span: between(n.token, value) }));
    };
    one(1);
    this.many(1, () => {
      this.consume(5, Semi);
      this.option(1, { GATE: () => this.LA(1).tokenType !== RBrace, DEF: () => one(6) });
    });
    const close = this.consume(10, RBrace);
    return this.ACTION((): Expr => ({ kind: "record", fields, span: between(open, close) }));
  });

  caseExpr = this.RULE("caseExpr", (): Expr => {
    const kw = this.consume(1, K.CASE);
    const branches: { when: Expr; then: Expr }[] = [];
    let otherwise: Expr | undefined;
    this.atLeastOne(1, () => {
      this.consume(2, K.WHEN);
      const when = this.subrule(1, this.expr);
      this.consume(3, K.THEN);
      const then = this.subrule(2, this.expr);
      branches.push({ when, then });
    });
    this.option(1, () => {
      this.consume(4, K.ELSE);
      otherwise = this.subrule(3, this.expr);
    });
    const end = this.consume(5, K.END);
    return this.ACTION((): Expr => (otherwise ? { kind: "case", branches, else: otherwise, span: between(kw, end) } : { kind: "case", branches, span: between(kw, end) }));
  });

  ifExpr = this.RULE("ifExpr", (): Expr => {
    return this.or(1, {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.parenHasComma(2),
          ALT: () => {
            const kw = this.consume(1, K.IF);
            const a = this.subrule(1, this.callArgs);
            return this.ACTION((): Expr => {
              if (a.args.length < 2 || a.args.length > 3) this.fail("wrongArity", { name: "IF", expected: "2 or 3", got: a.args.length }, between(kw, a.close));
              const [when, then, otherwise] = a.args as [Expr, Expr, Expr | undefined];
              const span = between(kw, a.close);
              return otherwise ? { kind: "case", branches: [{ when, then }], else: otherwise, span } : { kind: "case", branches: [{ when, then }], span };
            });
          },
        },
        {
          ALT: () => {
            const kw = this.consume(2, K.IF);
            const when = this.subrule(2, this.expr);
            this.consume(3, K.THEN);
            const then = this.subrule(3, this.expr);
            let otherwise: Expr | undefined;
            this.option(1, () => {
              this.consume(4, K.ELSE);
              otherwise = this.subrule(4, this.expr);
            });
            return this.ACTION((): Expr => {
              const span = between(kw, otherwise ?? then);
              return otherwise ? { kind: "case", branches: [{ when, then }], else: otherwise, span } : { kind: "case", branches: [{ when, then }], span };
            });
          },
        },
      ],
    });
  });

  /** `in`, `out.x`, `previous.'y'`, `smallest.#count`… */
  variableExpr = this.RULE("variableExpr", (): Expr => {
    const v = this.or(1, [
      { ALT: () => this.consume(1, K.IN) },
      { ALT: () => this.consume(2, K.VARIABLE) },
      { ALT: () => this.consume(3, K.SMALLEST) },
      { ALT: () => this.consume(4, K.GREATEST) },
    ]);
    let field: { name: string; token: IToken } | undefined;
    this.option(1, () => {
      this.consume(5, Dot);
      field = this.or(2, [{ ALT: () => this.subrule(1, this.anyName) }, { ALT: () => this.virtualName(6) }]);
    });
    return this.ACTION((): Expr => {
      const variable = VARIABLES[v.image.toLowerCase()];
      if (variable === undefined) this.fail("unknownVariable", { name: v.image }, tokSpan(v));
      if (!field) return { kind: "variable", variable, span: tokSpan(v) };
      return { kind: "field", variable, name: field.name, span: between(v, field.token) };
    });
  });

  /** `LARGEST [BUT b] [UP TO] n x [BY k1, …]` and SMALLEST, LATEST, OLDEST, EARLIER. */
  largestFamily = this.RULE("largestFamily", (): Expr => {
    const kw = this.or(1, [
      { ALT: () => this.consume(1, K.LARGEST) },
      { ALT: () => this.consume(2, K.SMALLEST) },
      { ALT: () => this.consume(3, K.LATEST) },
      { ALT: () => this.consume(4, K.OLDEST) },
      { ALT: () => this.consume(5, K.EARLIER) },
    ]);
    const mods = this.subrule(1, this.modifiers);
    let but: Expr | null = null;
    let upTo = false;
    const keys: Expr[] = [];
    this.option(1, () => {
      this.consume(6, K.BUT);
      but = this.subrule(2, this.term, { ARGS: [true] });
    });
    this.option(2, () => {
      this.consume(7, K.UP);
      this.consume(8, K.TO);
      upTo = true;
    });
    const n = this.subrule(3, this.term, { ARGS: [true] });
    const x = this.subrule(4, this.term);
    this.option(3, {
      GATE: () => kw.tokenType === K.LARGEST || kw.tokenType === K.SMALLEST,
      DEF: () => {
        this.consume(9, K.BY);
        keys.push(this.subrule(5, this.expr));
        this.many(1, () => {
          this.consume(10, Comma);
          keys.push(this.subrule(6, this.expr));
        });
      },
    });
    return this.ACTION(() => {
      const fn = kw.image.toLowerCase();
      if (fn === "earlier" && but !== null) this.fail("unexpectedToken", { expected: "a constant", got: "BUT" }, (but as Expr).span);
      const end = keys.length > 0 ? keys[keys.length - 1]! : x;
      const options: CallOptions = upTo ? { upTo: true } : {};
      if (fn === "largest" || fn === "smallest") {
        const by: Expr | null = keys.length === 0 ? null : keys.length === 1 ? keys[0]! : { kind: "tuple", items: keys, span: between(keys[0]!, keys[keys.length - 1]!) };
        return mkCall(fn, [n, but, x, by], between(kw, end), { nameSpan: tokSpan(kw), mods, options });
      }
      return mkCall(fn, [n, but, x], between(kw, end), { nameSpan: tokSpan(kw), mods, options });
    });
  });

  /** `[SAMPLE [OF SIZE] m [OF THE]] PAST d [SLIDING|TUMBLING] [OF] x [AT TIME t]` */
  pastExpr = this.RULE("pastExpr", (): Expr => {
    let sample: Expr | null = null;
    let first: IToken | undefined;
    let mods: Modifiers = {};
    this.option(1, {
      GATE: () => this.LA(1).tokenType === K.SAMPLE,
      DEF: () => {
        first = this.consume(1, K.SAMPLE);
        mods = this.subrule(1, this.modifiers);
        this.option(2, {
          GATE: () => this.isWordAt(2, "size"),
          DEF: () => {
            this.consume(2, K.OF);
            this.consume(3, Identifier);
          },
        });
        sample = this.subrule(2, this.term, { ARGS: [true] });
        this.option(3, {
          GATE: () => this.isWordAt(2, "the"),
          DEF: () => {
            this.consume(4, K.OF);
            this.consume(5, Identifier);
          },
        });
      },
    });
    const kw = this.consume(6, K.PAST);
    this.option(4, {
      GATE: () => first === undefined,
      DEF: () => {
        mods = this.subrule(3, this.modifiers);
      },
    });
    const d = this.subrule(4, this.term, { ARGS: [true] });
    let tumbling: boolean | undefined;
    this.option(5, () => {
      const t = this.or(1, [{ ALT: () => this.consume(7, K.SLIDING) }, { ALT: () => this.consume(8, K.TUMBLING) }]);
      this.ACTION(() => (tumbling = t.tokenType === K.TUMBLING));
    });
    this.option(6, () => this.consume(9, K.OF));
    const x = this.subrule(5, this.term);
    const at = this.subrule(6, this.atTime);
    return this.ACTION(() =>
      mkCall("past", [d, x, at, sample], between(first ?? kw, at ?? x), {
        nameSpan: tokSpan(kw),
        mods,
        options: tumbling === undefined ? {} : { tumbling },
      }),
    );
  });

  /** `[AT TIME t]`, null when absent. */
  atTime = this.RULE("atTime", (): Expr | null => {
    let t: Expr | null = null;
    this.option(1, {
      GATE: () => this.isWordAt(2, "time"),
      DEF: () => {
        this.consume(1, K.AT);
        this.consume(2, Identifier);
        t = this.subrule(1, this.expr);
      },
    });
    return t;
  });

  /** `[ONCE] EVERY d [SLIDING|TUMBLING] x [AT TIME t]` and `EVERY(d, tumbling, [t,] x)`. */
  everyExpr = this.RULE("everyExpr", (): Expr => {
    return this.or(1, {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.parenHasComma(2),
          ALT: () => {
            const kw = this.consume(1, K.EVERY);
            const a = this.subrule(1, this.callArgs);
            return this.ACTION(() => {
              const span = between(kw, a.close);
              if (a.args.length < 3 || a.args.length > 4) this.fail("wrongArity", { name: "EVERY", expected: "3 or 4", got: a.args.length }, span);
              const [d, tumbling] = a.args as [Expr, Expr];
              if (tumbling.kind !== "literal" || tumbling.value.tag !== "bool") this.fail("tumblingNotConstant", {}, tumbling.span);
              const x = a.args[a.args.length - 1]!;
              const at = a.args.length === 4 ? a.args[2]! : null;
              return mkCall("every", [d, x, at], span, { nameSpan: tokSpan(kw), options: { tumbling: tumbling.value.value } });
            });
          },
        },
        {
          ALT: () => {
            let once: IToken | undefined;
            this.option(1, () => {
              once = this.consume(2, K.ONCE);
            });
            const kw = this.consume(3, K.EVERY);
            const mods = this.subrule(2, this.modifiers);
            const d = this.subrule(3, this.term, { ARGS: [true] });
            let tumbling: boolean | undefined;
            this.option(2, () => {
              const t = this.or(2, [{ ALT: () => this.consume(4, K.SLIDING) }, { ALT: () => this.consume(5, K.TUMBLING) }]);
              this.ACTION(() => (tumbling = t.tokenType === K.TUMBLING));
            });
            const x = this.subrule(4, this.term);
            const at = this.subrule(5, this.atTime);
            return this.ACTION(() => {
              const options: { -readonly [K in keyof CallOptions]: CallOptions[K] } = {};
              if (tumbling !== undefined) options.tumbling = tumbling;
              if (once) options.once = true;
              return mkCall("every", [d, x, at], between(once ?? kw, at ?? x), { nameSpan: tokSpan(kw), mods, options });
            });
          },
        },
      ],
    });
  });

  /** `LIST TOP …`, `IS x IN TOP …`, `RANK OF x IN TOP …` */
  topExpr = this.RULE("topExpr", (): Expr => {
    let x: Expr | undefined;
    let mode: "list" | "membership" | "rank" = "list";
    const first = this.or(1, {
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.LA(2).tokenType === K.TOP,
          ALT: () => {
            const kw = this.consume(1, K.LIST);
            this.consume(2, K.TOP);
            return kw;
          },
        },
        {
          ALT: () => {
            const kw = this.consume(3, K.IS);
            x = this.subrule(1, this.addExpr);
            this.consume(4, K.IN);
            this.consume(5, K.TOP);
            this.ACTION(() => (mode = "membership"));
            return kw;
          },
        },
        {
          GATE: () => this.LA(2).tokenType === K.OF,
          ALT: () => {
            const kw = this.consume(6, K.RANK);
            this.consume(7, K.OF);
            x = this.subrule(2, this.addExpr);
            this.consume(8, K.IN);
            this.consume(9, K.TOP);
            this.ACTION(() => (mode = "rank"));
            return kw;
          },
        },
      ],
    });
    const mods = this.subrule(3, this.modifiers);
    const n = this.subrule(4, this.term, { ARGS: [true] });
    let over: Expr | null = null;
    let by: Expr | null = null;
    let forD: Expr | null = null;
    let above: Expr | null = null;
    let last: IToken | { span: Span } = n;
    this.option(1, () => {
      this.consume(10, K.OVER);
      over = this.subrule(5, this.term, { ARGS: [true] });
    });
    this.option(2, {
      GATE: () => mode === "list",
      DEF: () => {
        x = this.subrule(6, this.term);
        this.ACTION(() => (last = x!));
      },
    });
    this.option(3, () => {
      this.consume(11, K.BY);
      by = this.subrule(7, this.expr);
      this.ACTION(() => (last = by!));
    });
    const at = this.subrule(8, this.atTime);
    this.ACTION(() => {
      if (at) last = at;
    });
    this.option(4, () => {
      this.consume(12, K.FOR);
      this.option(5, {
        GATE: () => this.isWordAt(1, "the"),
        DEF: () => {
          this.consume(13, Identifier);
          this.word(14, "last");
        },
      });
      forD = this.subrule(9, this.expr);
      this.ACTION(() => (last = forD!));
    });
    this.option(6, () => {
      this.consume(15, K.ABOVE);
      above = this.subrule(10, this.expr);
      const s = this.consume(16, K.SIGMAS);
      this.ACTION(() => (last = s));
    });
    return this.ACTION(() =>
      mkCall("top", [n, over, x!, by, at, forD, above], between(first, last), { nameSpan: tokSpan(first), mods, options: { topMode: mode } }),
    );
  });

  /** `PEEK t [LITTLE|BIG ENDIAN] x` */
  peekExpr = this.RULE("peekExpr", (): Expr => {
    const kw = this.consume(1, K.PEEK);
    const typeTok = this.consume(2, Identifier);
    let bigEndian: boolean | undefined;
    this.option(1, {
      GATE: () => this.isWordAt(1, "little", "big") && this.isWordAt(2, "endian"),
      DEF: () => {
        const e = this.consume(3, Identifier);
        this.consume(4, Identifier);
        this.ACTION(() => (bigEndian = e.image.toLowerCase() === "big"));
      },
    });
    const x = this.subrule(1, this.term);
    return this.ACTION(() => {
      const t = scalarTypeByName(typeTok.image);
      if (!t) this.fail("noSuchType", { name: typeTok.image }, tokSpan(typeTok));
      if (t.tag !== "int") this.fail("peekNotInteger", {}, tokSpan(typeTok));
      const options: { -readonly [K in keyof CallOptions]: CallOptions[K] } = { peekType: notNull(t) };
      if (bigEndian !== undefined) options.bigEndian = bigEndian;
      return mkCall("peek", [x], between(kw, x), { nameSpan: tokSpan(kw), options });
    });
  });

  /** A name: a field, or a call `f(a, b)`, `f x`, `F GLOBALLY x`. */
  identifierExpr = this.RULE("identifierExpr", (noCall?: boolean): Expr => {
    const t = this.consume(1, Identifier);
    let call: Expr | undefined;
    // An OPTION rather than an empty alternative: chevrotain's lookahead
    // analysis ignores empty alternatives, which would hide the bare name.
    this.option(1, {
      GATE: () =>
        this.LA(1).tokenType === LParen ||
        this.modifiersAhead() ||
        (this.LA(1).tokenType === LBracket && resolveWrittenCall(t.image, 1) !== undefined) ||
        (!noCall && this.argumentFollows()),
      DEF: () => {
        call = this.or(1, {
          IGNORE_AMBIGUITIES: true,
          DEF: [
            {
              ALT: () => {
                const a = this.subrule(1, this.callArgs);
                return this.ACTION(() => this.buildCall(t, a.args, between(t, a.close), {}));
              },
            },
            {
              GATE: () => this.modifiersAhead(),
              ALT: () => {
                const mods = this.subrule(2, this.modifiers);
                return this.or(2, {
                  IGNORE_AMBIGUITIES: true,
                  DEF: [
                    {
                      ALT: () => {
                        const a = this.subrule(3, this.callArgs);
                        return this.ACTION(() => this.buildCall(t, a.args, between(t, a.close), mods));
                      },
                    },
                    {
                      ALT: () => {
                        const x = this.subrule(4, this.term);
                        return this.ACTION(() => this.buildCall(t, [x], between(t, x), mods));
                      },
                    },
                  ],
                });
              },
            },
            {
              GATE: () => this.LA(1).tokenType === LBracket,
              ALT: () => {
                const v = this.subrule(5, this.vectorExpr);
                return this.ACTION(() => this.buildCall(t, [v], between(t, v), {}));
              },
            },
            {
              ALT: () => {
                const x = this.subrule(6, this.term);
                return this.ACTION(() => this.buildCall(t, [x], between(t, x), {}));
              },
            },
          ],
        });
      },
    });
    return this.ACTION((): Expr => call ?? { kind: "field", name: t.image, span: tokSpan(t) });
  });

  /**
   * A call written `NAME(args)` or `NAME x`: the registry gives the canonical
   * name; unknown names stay as written (lower-case) for the checker to report.
   */
  private buildCall(nameTok: IToken, args: Expr[], span: Span, mods: Modifiers): Expr {
    const written = nameTok.image.toLowerCase();
    const nameSpan = tokSpan(nameTok);
    const entry = resolveWrittenCall(written, args.length);
    if (!entry && args.length === 1 && Object.keys(mods).length === 0) {
      const scalar = scalarTypeByName(written);
      if (scalar) return { kind: "cast", to: notNull(scalar), expr: args[0]!, span };
    }
    const fn = canonicalCallName(written, args.length);
    checkConstantArguments(this, fn, args, span);
    return mkCall(fn, args, span, { nameSpan, mods });
  }

  // ==== entry points for a whole text ====

  expressionOnly = this.RULE("expressionOnly", (): Expr => this.subrule(1, this.expr));

  typeOnly = this.RULE("typeOnly", (): NType => this.subrule(1, this.type));
}

// ---- parse-time checks of constant arguments (raql.md §7.2) ----------------------------

function checkConstantArguments(p: RaqlParser, fn: string, args: readonly Expr[], span: Span): void {
  switch (fn) {
    case "coalesce":
      if (args.length < 2) p.fail("coalesceArity", {}, span);
      return;
    case "get": {
      const index = args[0];
      if (index?.kind !== "literal") return;
      const v = index.value;
      if (v.tag === "int") {
        if (v.value < 0n) p.fail("getNegative", {}, index.span);
      } else if (v.tag !== "string" && v.tag !== "null") p.fail("getIndexKind", {}, index.span);
      return;
    }
    case "chr": {
      const n = args[0];
      if (n?.kind === "literal" && n.value.tag === "int" && (n.value.value < 0n || n.value.value > 255n)) p.fail("chrOutOfRange", {}, n.span);
      return;
    }
    case "histogram": {
      for (const a of args.slice(1)) {
        if (a.kind !== "literal" || (a.value.tag !== "int" && a.value.tag !== "float")) p.fail("histogramNotConstant", {}, a.span);
      }
      const n = args[3];
      if (n?.kind === "literal" && literalNumber(n) <= 0) p.fail("histogramSize", {}, n.span);
      return;
    }
  }
}

function literalNumber(l: Literal): number {
  const v = l.value;
  switch (v.tag) {
    case "int":
      return Number(v.value);
    case "float":
      return v.value;
    case "duration":
      return v.seconds;
    default:
      return NaN;
  }
}

/** Parameter defaults: literals and composites of literals (raql.md §3.2). */
function isConstantValue(e: Expr): boolean {
  switch (e.kind) {
    case "literal":
      return true;
    case "vector":
    case "tuple":
      return e.items.every(isConstantValue);
    case "record":
      return e.fields.every((f) => isConstantValue(f.value));
    case "units":
      return isConstantValue(e.expr);
    default:
      return false;
  }
}

function clauseEnd(c: Clause): Span {
  switch (c.kind) {
    case "select":
      return c.items[c.items.length - 1]!.span;
    case "from":
      return c.sources[c.sources.length - 1]!.span;
    case "where":
    case "every":
      return c.expr.span;
    case "groupBy":
      return c.keys[c.keys.length - 1]!.span;
    case "commit": {
      const last = c.actions[c.actions.length - 1];
      const ends = [c.span, ...(c.when ? [c.when.expr.span] : []), ...(last ? [last.span] : [])];
      return ends.reduce(spanUnion);
    }
    case "sort":
      return c.sort.span;
    case "event":
      return c.event.span;
    case "factors":
      return c.factors[c.factors.length - 1]!.span;
    case "read":
      return c.source.span;
    case "listen":
      return c.span;
  }
}

function clauseWord(k: ClauseKind): string {
  return CLAUSE_WORDS[k] ?? (k === "select" ? "SELECT" : k === "from" ? "FROM" : k === "commit" ? "a commit clause" : k.toUpperCase());
}

const COMPARISONS = new Map<TokenType, string>([
  [Eq, "eq"],
  [Ne, "ne"],
  [Lt, "lt"],
  [Le, "le"],
  [Gt, "gt"],
  [Ge, "ge"],
]);
const ADDITIVE = new Map<TokenType, string>([
  [Plus, "add"],
  [Minus, "sub"],
  [Concat, "concat"],
  [CoalesceOp, "coalesce"],
]);
const MULTIPLICATIVE = new Map<TokenType, string>([
  [Star, "mul"],
  [Slash, "div"],
  [DoubleSlash, "idiv"],
  [Percent, "mod"],
]);
const BITWISE = new Map<TokenType, string>([
  [Amp, "band"],
  [Pipe, "bor"],
  [Hash, "bxor"],
  [Shl, "shl"],
  [Shr, "shr"],
]);

// ---- running the parser -------------------------------------------------------------------

let instance: RaqlParser | undefined;

/** The parser is built once per process: chevrotain's grammar analysis is expensive. */
function parser(): RaqlParser {
  instance ??= new RaqlParser(false);
  return instance;
}

/** Builds a parser with chevrotain's grammar validations on; throws if the grammar is ambiguous. */
export function validateGrammar(): void {
  new RaqlParser(true);
}

type Entry = "program" | "expressionOnly" | "typeOnly";

/** Runs one entry rule over the tokens of `source`; throws RamenError on the first error. */
export function runParser<E extends Entry>(entry: E, source: SourceFile, tokens: IToken[]): { result: ReturnType<RaqlParser[E]>; warnings: Diagnostic[] } {
  const p = parser();
  p.begin(source, tokens);
  const result = (p[entry] as () => ReturnType<RaqlParser[E]>)();
  const err = p.errors[0];
  if (err) throw syntaxError(p, err, source);
  return { result, warnings: p.warnings };
}

function syntaxError(p: RaqlParser, err: IRecognitionException, source: SourceFile): RamenError {
  const t = err.token;
  const context = p.context();
  const extra = { source, ...(context ? { context } : {}) };
  if (t.tokenType === EOF || Number.isNaN(t.startOffset)) {
    const end = source.text.length;
    return RamenError.of("unexpectedEnd", { expected: err.message }, { ...extra, span: { start: Math.max(0, end - 1), end } });
  }
  // A reserved word where a name was wanted (`DEFINE keep AS …`): say how to use it anyway.
  const word = t.image.toLowerCase();
  const previous = (err as { previousToken?: IToken }).previousToken;
  const wantsName = /name/.test(err.message) || previous?.image.toUpperCase() === "DEFINE";
  const reserved = wantsName && RESERVED_NAMES.has(word) ? { hint: `${word} is a reserved word: quote it ('${t.image}') to use it as a name` } : {};
  return RamenError.of("unexpectedToken", { expected: err.message, got: describeToken(t) }, { ...extra, ...reserved, span: tokSpan(t) });
}

/** Words that are never names unless quoted (raql.md §1.2). */
const RESERVED_NAMES = new Set([
  ..."true false null keep all as top group now random pi second minute hour day".split(" "),
  ..."in out previous local_last local_last_out global_last global_last_out group_state global_state".split(" "),
  ..."sort_first sort_smallest smallest sort_greatest greatest param env global record unknown".split(" "),
]);
