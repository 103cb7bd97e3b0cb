// The RaQL lexer (raql.md §1): turns a source into chevrotain tokens for the
// parser. It is written by hand rather than with chevrotain's Lexer because
// several literals are context-dependent (negative numbers, multi-part
// durations with an optional `,`/`and` between parts, the minutes/milli `m`,
// program names in FROM, ClickHouse column lists) and because values are
// computed here, once, with exact arithmetic.
//
// Words: a few keywords are reserved (they can never be a bare field name);
// "soft" keywords belong to the Identifier category, so they are names except
// where the grammar expects the keyword; every other word the grammar
// recognises only in one position (`AT TIME`, `SORT LAST`, CSV options…) is a
// plain Identifier that the parser checks by its text.

import { createToken, Lexer, type IToken, type TokenType } from "./chevrotain.js";
import type { LiteralValue } from "./ast.js";
import { RamenError } from "./diagnostics.js";
import { parseEth, parseIp4, parseIp6 } from "../stdlib/net.js";
import type { SourceFile, Span } from "./source.js";
import { intFits, intRange, type IntWidth } from "./types.js";

// ---- token types ------------------------------------------------------------------

function token(name: string, label: string, categories?: TokenType[]): TokenType {
  return createToken({ name, pattern: Lexer.NA, label, ...(categories ? { categories } : {}) });
}

/** Any word: names in name positions (aliases, DEFINE, fields after a dot) may be keywords. */
export const AnyWord = token("AnyWord", "a name");
export const Identifier = token("Identifier", "a name", [AnyWord]);
export const QuotedIdent = token("QuotedIdent", "a quoted name");
/** Category of scalar literal tokens, for messages ("a constant"). */
export const Constant = token("Constant", "a constant");

export const IntLit = token("IntLit", "an integer", [Constant]);
export const FloatLit = token("FloatLit", "a number", [Constant]);
export const DurationLit = token("DurationLit", "a duration", [Constant]);
export const StringLit = token("StringLit", "a string", [Constant]);
export const CharLit = token("CharLit", "a character", [Constant]);
export const AddrLit = token("AddrLit", "an address", [Constant]);
/** `1st`, `90th`: payload is N */
export const Ordinal = token("Ordinal", "an ordinal");
/** `5-MOVEAVG`, `3-MA`: payload is the int literal k */
export const KMoveavg = token("KMoveavg", "k-MOVEAVG");
/** `#start`, `#stop`, `#count`, and `#x` after a dot */
export const VirtualField = token("VirtualField", "a virtual field");
/** A program/function name in FROM (`../q/f`, `p#_/f`), lexed as one word */
export const SourceName = token("SourceName", "a function name");
/** A site glob after ON SITE */
export const SitePattern = token("SitePattern", "a site name");
/** The ClickHouse "names and types" text between parentheses; payload is the inner text */
export const ClickHouseSchema = token("ClickHouseSchema", "a ClickHouse column list");

function punct(name: string, text: string): TokenType {
  return token(name, `"${text}"`);
}
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");
export const Semi = punct("Semi", ";");
export const Comma = punct("Comma", ",");
export const Colon = punct("Colon", ":");
export const Dot = punct("Dot", ".");
export const Star = punct("Star", "*");
export const Slash = punct("Slash", "/");
export const DoubleSlash = punct("DoubleSlash", "//");
export const Percent = punct("Percent", "%");
export const Caret = punct("Caret", "^");
export const Plus = punct("Plus", "+");
export const Minus = punct("Minus", "-");
export const Concat = punct("Concat", "||");
export const CoalesceOp = punct("CoalesceOp", "|?");
export const Pipe = punct("Pipe", "|");
export const Amp = punct("Amp", "&");
export const Hash = punct("Hash", "#");
export const Shl = punct("Shl", "<<");
export const Shr = punct("Shr", ">>");
export const Eq = punct("Eq", "=");
export const Ne = punct("Ne", "<>");
export const Lt = punct("Lt", "<");
export const Le = punct("Le", "<=");
export const Gt = punct("Gt", ">");
export const Ge = punct("Ge", ">=");
export const Question = punct("Question", "?");

// Reserved keywords: never a bare field name (raql.md §1.2, plus the words
// that end or separate clauses and so must not be read as a name).
const RESERVED_WORDS = {
  TRUE: ["true"],
  FALSE: ["false"],
  NULL: ["null"],
  NULLS: ["nulls"],
  NOW: ["now"],
  RANDOM: ["random"],
  PI: ["pi"],
  KEEP: ["keep"],
  ALL: ["all"],
  AS: ["as"],
  TOP: ["top"],
  GROUP: ["group"],
  BY: ["by"],
  SELECT: ["select", "yield"],
  FROM: ["from"],
  WHERE: ["where"],
  WHEN: ["when"],
  COMMIT: ["commit"],
  AFTER: ["after"],
  BEFORE: ["before"],
  FLUSH: ["flush"],
  NOTIFY: ["notify"],
  SORT: ["sort"],
  EVERY: ["every"],
  EVENT: ["event"],
  LISTEN: ["listen"],
  READ: ["read"],
  DEFINE: ["define"],
  PARAMETERS: ["parameter", "parameters"],
  DECLARE: ["declare"],
  RUN: ["run"],
  IF: ["if"],
  THEN: ["then"],
  ELSE: ["else"],
  END: ["end"],
  CASE: ["case"],
  CAST: ["cast"],
  NOT: ["not"],
  AND: ["and"],
  OR: ["or"],
  IS: ["is"],
  IN: ["in"],
  LIKE: ["like"],
  STARTS: ["starts"],
  ENDS: ["ends"],
  STARTING: ["starting"],
  STOPPING: ["stopping", "stops", "ending"],
  WITH: ["with"],
  ON: ["on"],
  DOC: ["doc"],
  AGGREGATES: ["aggregate", "aggregates"],
  LOCALLY: ["locally"],
  GLOBALLY: ["globally"],
  IMMEDIATELY: ["immediately"],
  SKIP: ["skip"],
  OF: ["of"],
  OVER: ["over"],
  FOR: ["for"],
  AT: ["at"],
  ABOVE: ["above"],
  SIGMAS: ["sigmas"],
  BUT: ["but"],
  TO: ["to"],
  SLIDING: ["sliding"],
  TUMBLING: ["tumbling"],
  PERCENTILE: ["percentile"],
  DEFAULTS: ["default", "defaults"],
  PREPROCESS: ["preprocess", "preprocessed"],
  PARTITIONS: ["partition", "partitions"],
  FILES: ["file", "files"],
  KAFKA: ["kafka"],
  SMALLEST: ["smallest"],
  GREATEST: ["greatest"],
  VARIABLE: [
    "out",
    "previous",
    "local_last",
    "local_last_out",
    "global_last",
    "global_last_out",
    "group_state",
    "global_state",
    "param",
    "env",
    "global",
    "record",
    "sort_first",
    "sort_smallest",
    "sort_greatest",
    "unknown",
  ],
} as const;

// Soft keywords: names everywhere except where their keyword syntax applies.
const SOFT_WORDS = {
  DURATION: ["duration"],
  LIST: ["list"],
  RANK: ["rank"],
  ONE: ["one"],
  BEGIN: ["begin"],
  PAST: ["past"],
  SAMPLE: ["sample"],
  LARGEST: ["largest"],
  LATEST: ["latest"],
  OLDEST: ["oldest"],
  EARLIER: ["earlier"],
  PEEK: ["peek"],
  CHANGED: ["changed"],
  ONCE: ["once"],
  UP: ["up"],
  INDEX: ["index"],
  // raql.md §1.2 lists FACTOR(S) among the words recognised only in their position (`PARAMETER factor float`).
  FACTORS: ["factor", "factors"],
} as const;

type ReservedName = keyof typeof RESERVED_WORDS;
type SoftName = keyof typeof SOFT_WORDS;

const keywordByWord = new Map<string, TokenType>();
const softTokens = new Set<TokenType>();

function keywords<N extends string>(table: Record<N, readonly string[]>, soft: boolean): Record<N, TokenType> {
  const out = {} as Record<N, TokenType>;
  for (const name of Object.keys(table) as N[]) {
    const words = table[name];
    const label = name === "VARIABLE" ? "a variable" : words.map((w) => w.toUpperCase()).join(" or ");
    const t = token(name, label, soft ? [Identifier] : [AnyWord]);
    for (const w of words) keywordByWord.set(w, t);
    if (soft) softTokens.add(t);
    out[name] = t;
  }
  return out;
}

export const K: Record<ReservedName | SoftName, TokenType> = {
  ...keywords<ReservedName>(RESERVED_WORDS, false),
  ...keywords<SoftName>(SOFT_WORDS, true),
};

export const ALL_TOKENS: TokenType[] = [
  AnyWord,
  Identifier,
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
  SourceName,
  SitePattern,
  ClickHouseSchema,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Semi,
  Comma,
  Colon,
  Dot,
  Star,
  Slash,
  DoubleSlash,
  Percent,
  Caret,
  Plus,
  Minus,
  Concat,
  CoalesceOp,
  Pipe,
  Amp,
  Hash,
  Shl,
  Shr,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Question,
  ...Object.values(K),
];

/** True for words that cannot be written as a bare field name (printers quote them). */
export function isKeywordWord(word: string): boolean {
  const lower = word.toLowerCase();
  return keywordByWord.has(lower) || BARE_DURATIONS.has(lower);
}

// ---- token payloads ------------------------------------------------------------------

export interface LiteralPayload {
  readonly value: LiteralValue;
  /** a `?` directly followed the literal */
  readonly nullable: boolean;
  /** a number scaled by a lone `m`: an error where a duration is expected (raql.md §1.4) */
  readonly milliOnly?: boolean;
}

export type RaqlToken = IToken & { payload?: unknown };

export function literalPayload(t: IToken): LiteralPayload {
  return t.payload as LiteralPayload;
}

// ---- the scanner ------------------------------------------------------------------------

const UNIT_SECONDS = new Map<string, number>([
  ["s", 1],
  ["sec", 1],
  ["secs", 1],
  ["second", 1],
  ["seconds", 1],
  ["min", 60],
  ["mins", 60],
  ["minute", 60],
  ["minutes", 60],
  ["h", 3600],
  ["hour", 3600],
  ["hours", 3600],
  ["d", 86400],
  ["day", 86400],
  ["days", 86400],
]);

/** A bare singular unit word is one of that unit (`PAST MINUTE`). */
const BARE_DURATIONS = new Map<string, number>([
  ["second", 1],
  ["minute", 60],
  ["hour", 3600],
  ["day", 86400],
]);

/** Multiplier of a scale suffix: 10^pow10 × 2^pow2. */
interface Scale {
  readonly pow10: number;
  readonly pow2: number;
}
const SCALE_WORDS = new Map<string, Scale>([
  ["pico", { pow10: -12, pow2: 0 }],
  ["micro", { pow10: -6, pow2: 0 }],
  ["milli", { pow10: -3, pow2: 0 }],
  ["kilo", { pow10: 3, pow2: 0 }],
  ["mega", { pow10: 6, pow2: 0 }],
  ["giga", { pow10: 9, pow2: 0 }],
]);
const MICRO_SIGN = "\u00b5";
const UTF8_MICRO_SIGN = "\u00c2\u00b5";
// Letter forms are case-sensitive; `m` alone is handled apart (minutes or milli).
const SCALE_LETTERS = new Map<string, Scale>([
  ["p", { pow10: -12, pow2: 0 }],
  [MICRO_SIGN, { pow10: -6, pow2: 0 }],
  ["m", { pow10: -3, pow2: 0 }],
  ["k", { pow10: 3, pow2: 0 }],
  ["M", { pow10: 6, pow2: 0 }],
  ["G", { pow10: 9, pow2: 0 }],
  ["Ki", { pow10: 0, pow2: 10 }],
  ["Mi", { pow10: 0, pow2: 20 }],
  ["Gi", { pow10: 0, pow2: 30 }],
  ["Ti", { pow10: 0, pow2: 40 }],
]);

const CHAR_NAMES = new Map<string, number>([
  ["alarm", 7],
  ["backspace", 8],
  ["delete", 127],
  ["esc", 27],
  ["linefeed", 10],
  ["newline", 10],
  ["page", 12],
  ["return", 13],
  ["space", 32],
  ["tab", 9],
  ["vtab", 11],
]);

const INT_SUFFIX = /([iIuU])(128|8|16|24|32|40|48|56|64)(?![A-Za-z0-9_])/y;
const ORDINAL_SUFFIX = /(st|nd|rd|th)(?![A-Za-z0-9_])/iy;
const MOVEAVG_SUFFIX = /-(moveavg|ma)(?![A-Za-z0-9_])/iy;
const IP4 = /[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?![0-9A-Za-z_.])/y;
const ADDRESS_RUN = /[0-9A-Fa-f:.]+/y;
const DECIMAL = /([0-9][0-9_]*)(?:\.([0-9][0-9_]*)?)?(?:[eE]([+-]?[0-9]+))?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const LETTERS = /[A-Za-z]*/y;
const CLICKHOUSE_HEAD = /\(\s*columns\s+format\s+version/iy;

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** An exact decimal number: num × 10^exp. */
interface Exact {
  num: bigint;
  exp: number;
}

function exactAdd(a: Exact, b: Exact): Exact {
  const exp = Math.min(a.exp, b.exp);
  return { num: a.num * 10n ** BigInt(a.exp - exp) + b.num * 10n ** BigInt(b.exp - exp), exp };
}
function exactIsInteger(x: Exact): boolean {
  return x.exp >= 0 || x.num % 10n ** BigInt(-x.exp) === 0n;
}
function exactToBigInt(x: Exact): bigint {
  return x.exp >= 0 ? x.num * 10n ** BigInt(x.exp) : x.num / 10n ** BigInt(-x.exp);
}
function exactToNumber(x: Exact): number {
  // Going through the decimal text gives the correctly rounded double.
  return Number(`${x.num}e${x.exp}`);
}

/** What follows a number: a scale, a unit, both, or the ambiguous `m`. */
interface Suffix {
  readonly end: number;
  readonly scale?: Scale;
  readonly unit?: number;
  readonly ambiguousM?: boolean;
}

/** One number of a literal with its suffix. */
interface Part {
  readonly value: Exact;
  readonly suffix: Suffix;
}

/** The state of a FROM list, where names are lexed as program/function paths. */
interface FromList {
  readonly depth: number;
  phase: "expect" | "subquery" | "after" | "on" | "this" | "site";
}

// Tokens after which a `-` is the subtraction operator, not the sign of a literal.
const ENDS_OPERAND = new Set<TokenType>([
  QuotedIdent,
  IntLit,
  FloatLit,
  DurationLit,
  StringLit,
  CharLit,
  AddrLit,
  VirtualField,
  RParen,
  RBracket,
  RBrace,
  Question,
  K.TRUE,
  K.FALSE,
  K.NULL,
  K.NOW,
  K.RANDOM,
  K.PI,
  K.END,
  K.VARIABLE,
]);

// Words of keyword phrases that an expression follows (`AT TIME -1`, `SORT
// LAST 3`), with the token that comes before them in the phrase.
const PHRASE_ENDS: Readonly<Record<string, (before: IToken | undefined) => boolean>> = {
  time: (b) => b?.tokenType === K.AT,
  last: (b) => b?.tokenType === K.SORT || b?.image.toLowerCase() === "the",
  size: (b) => b?.tokenType === K.OF,
  topic: (b) => b?.tokenType === K.KAFKA,
  until: (b) => b?.tokenType === K.OR,
};

function endsOperand(t: IToken | undefined, before: IToken | undefined): boolean {
  if (t === undefined) return false;
  if (t.tokenType === Identifier && PHRASE_ENDS[t.image.toLowerCase()]?.(before)) return false;
  return ENDS_OPERAND.has(t.tokenType) || t.tokenType === Identifier || softTokens.has(t.tokenType);
}

class Scanner {
  private readonly text: string;
  private pos = 0;
  private depth = 0;
  private readonly tokens: RaqlToken[] = [];
  private readonly fromLists: FromList[] = [];

  constructor(private readonly source: SourceFile) {
    this.text = source.text;
  }

  run(): RaqlToken[] {
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.text.length) break;
      const list = this.currentFromList();
      if (list && (list.phase === "expect" || list.phase === "site") && this.scanFromName(list)) continue;
      const t = this.scanToken();
      this.afterToken(t);
    }
    return this.tokens;
  }

  // ---- helpers ----

  private fail(key: Parameters<typeof RamenError.of>[0], args: Record<string, string | number | bigint>, span: Span): never {
    throw RamenError.of(key, args, { source: this.source, span });
  }

  private push(type: TokenType, start: number, end: number, payload?: unknown): RaqlToken {
    const t: RaqlToken = {
      image: this.text.slice(start, end),
      startOffset: start,
      endOffset: end - 1,
      tokenType: type,
      tokenTypeIdx: type.tokenTypeIdx!,
    };
    if (payload !== undefined) t.payload = payload;
    this.tokens.push(t);
    this.pos = end;
    return t;
  }

  /** A literal token, with the `?` marker folded in when it directly follows. */
  private pushLiteral(type: TokenType, start: number, end: number, value: LiteralValue, milliOnly = false): RaqlToken {
    const nullable = this.text[end] === "?";
    const payload: LiteralPayload = milliOnly ? { value, nullable, milliOnly } : { value, nullable };
    return this.push(type, start, nullable ? end + 1 : end, payload);
  }

  private skipBlanks(): void {
    const text = this.text;
    for (;;) {
      const c = text[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else if (c === "-" && text[this.pos + 1] === "-") {
        while (this.pos < text.length && text[this.pos] !== "\n") this.pos++;
      } else return;
    }
  }

  private previous(): RaqlToken | undefined {
    return this.tokens[this.tokens.length - 1];
  }

  // ---- FROM lists ----

  private currentFromList(): FromList | undefined {
    while (this.fromLists.length > 0 && this.fromLists[this.fromLists.length - 1]!.depth > this.depth) this.fromLists.pop();
    const top = this.fromLists[this.fromLists.length - 1];
    return top && top.depth === this.depth ? top : undefined;
  }

  /** In a FROM list, names are paths (`../q/f`, `p#s/f`); after ON SITE, globs. */
  private scanFromName(list: FromList): boolean {
    const text = this.text;
    const start = this.pos;
    const c = text[start]!;
    if (c === "'") {
      this.scanQuoted(start);
      list.phase = "after";
      return true;
    }
    if (list.phase === "site") {
      const m = /[A-Za-z0-9_*-]+/y;
      m.lastIndex = start;
      const found = m.exec(text);
      list.phase = "after";
      if (!found) return false;
      this.push(SitePattern, start, start + found[0].length);
      return true;
    }
    if (c === "(") {
      list.phase = "subquery";
      return false;
    }
    const m = /[A-Za-z_./][A-Za-z0-9_./#*]*/y;
    m.lastIndex = start;
    const found = m.exec(text);
    // `READ AS CSV (…) FROM FILE …`: the external source, not a parent.
    if (!found || /^(files?|kafka)$/i.test(found[0])) {
      this.fromLists.pop();
      return false;
    }
    this.push(SourceName, start, start + found[0].length);
    list.phase = "after";
    return true;
  }

  private afterToken(t: RaqlToken): void {
    const type = t.tokenType;
    const list = this.currentFromList();
    if (list) {
      if (list.phase === "subquery") {
        if (type === RParen) list.phase = "after";
      } else if (list.phase === "after") {
        if (type === Comma || type === K.AND) list.phase = "expect";
        else if (type === K.ON) list.phase = "on";
        else this.fromLists.pop();
      } else if (list.phase === "on") {
        const word = t.image.toLowerCase();
        if (word === "this") list.phase = "this";
        else if (word === "site" || word === "sites") list.phase = "site";
        else this.fromLists.pop();
      } else if (list.phase === "this") {
        if (t.image.toLowerCase() === "site") list.phase = "after";
        else this.fromLists.pop();
      }
    }
    if (type === K.FROM) {
      const before = this.tokens[this.tokens.length - 2];
      const beforeType = before?.tokenType;
      if (beforeType !== Dot && beforeType !== K.READ && beforeType !== K.INDEX) this.fromLists.push({ depth: this.depth, phase: "expect" });
    }
  }

  // ---- tokens ----

  private scanToken(): RaqlToken {
    const text = this.text;
    const start = this.pos;
    const c = text[start]!;
    const next = text[start + 1];
    if (c === '"') return this.scanString(start);
    if (c === "'") return this.scanQuoted(start);
    if (c === "#") {
      if (next === "\\") return this.scanChar(start);
      WORD.lastIndex = start + 1;
      const w = WORD.exec(text);
      if (w) {
        const word = w[0].toLowerCase();
        if (this.previous()?.tokenType === Dot || word === "start" || word === "stop" || word === "count") {
          return this.push(VirtualField, start, start + 1 + w[0].length);
        }
      }
      return this.push(Hash, start, start + 1);
    }
    if (isDigit(c) || (c === "-" && isDigit(next) && !endsOperand(this.previous(), this.tokens[this.tokens.length - 2]))) {
      return this.scanAddress(start) ?? this.scanNumber(start);
    }
    if (c === ":" || /[A-Fa-f]/.test(c)) {
      const addr = this.scanAddress(start);
      if (addr) return addr;
    }
    if (/[A-Za-z_]/.test(c)) return this.scanWord(start);
    return this.scanPunctuation(start, c, next);
  }

  private scanPunctuation(start: number, c: string, next: string | undefined): RaqlToken {
    const two = c + (next ?? "");
    switch (two) {
      case "||":
        return this.push(Concat, start, start + 2);
      case "|?":
        return this.push(CoalesceOp, start, start + 2);
      case "//":
        return this.push(DoubleSlash, start, start + 2);
      case "<<":
        return this.push(Shl, start, start + 2);
      case ">>":
        return this.push(Shr, start, start + 2);
      case "<=":
        return this.push(Le, start, start + 2);
      case ">=":
        return this.push(Ge, start, start + 2);
      case "<>":
      case "!=":
        return this.push(Ne, start, start + 2);
    }
    switch (c) {
      case "(": {
        CLICKHOUSE_HEAD.lastIndex = start;
        if (CLICKHOUSE_HEAD.test(this.text)) return this.scanClickHouse(start);
        this.depth++;
        return this.push(LParen, start, start + 1);
      }
      case ")":
        this.depth = Math.max(0, this.depth - 1);
        return this.push(RParen, start, start + 1);
      case "[":
        return this.push(LBracket, start, start + 1);
      case "]":
        return this.push(RBracket, start, start + 1);
      case "{":
        return this.push(LBrace, start, start + 1);
      case "}":
        return this.push(RBrace, start, start + 1);
      case ";":
        return this.push(Semi, start, start + 1);
      case ",":
        return this.push(Comma, start, start + 1);
      case ":":
        return this.push(Colon, start, start + 1);
      case ".":
        return this.push(Dot, start, start + 1);
      case "*":
        return this.push(Star, start, start + 1);
      case "/":
        return this.push(Slash, start, start + 1);
      case "%":
        return this.push(Percent, start, start + 1);
      case "^":
        return this.push(Caret, start, start + 1);
      case "+":
        return this.push(Plus, start, start + 1);
      case "-":
        return this.push(Minus, start, start + 1);
      case "|":
        return this.push(Pipe, start, start + 1);
      case "&":
        return this.push(Amp, start, start + 1);
      case "=":
        return this.push(Eq, start, start + 1);
      case "<":
        return this.push(Lt, start, start + 1);
      case ">":
        return this.push(Gt, start, start + 1);
      case "?":
        return this.push(Question, start, start + 1);
    }
    const shown = Buffer.from(c, "latin1").toString("utf8");
    return this.fail("unknownCharacter", { char: JSON.stringify(shown) }, { start, end: start + 1 });
  }

  private scanWord(start: number): RaqlToken {
    WORD.lastIndex = start;
    const word = WORD.exec(this.text)![0];
    const end = start + word.length;
    const lower = word.toLowerCase();
    const bare = BARE_DURATIONS.get(lower);
    if (bare !== undefined) return this.pushLiteral(DurationLit, start, end, { tag: "duration", seconds: bare });
    return this.push(keywordByWord.get(lower) ?? Identifier, start, end);
  }

  private scanQuoted(start: number): RaqlToken {
    const text = this.text;
    let name = "";
    let i = start + 1;
    for (;;) {
      if (i >= text.length) this.fail("unterminatedString", {}, { start, end: text.length });
      const c = text[i]!;
      if (c === "'") {
        if (text[i + 1] === "'") {
          name += "'";
          i += 2;
          continue;
        }
        break;
      }
      name += c;
      i++;
    }
    return this.push(QuotedIdent, start, i + 1, name);
  }

  private scanString(start: number): RaqlToken {
    const text = this.text;
    let value = "";
    let i = start + 1;
    for (;;) {
      if (i >= text.length) this.fail("unterminatedString", {}, { start, end: text.length });
      const c = text[i]!;
      if (c === '"') break;
      if (c !== "\\") {
        value += c;
        i++;
        continue;
      }
      const e = text[i + 1];
      const simple = e === undefined ? undefined : ({ "\\": "\\", '"': '"', "'": "'", n: "\n", t: "\t", r: "\r", b: "\b" } as Record<string, string>)[e];
      if (simple !== undefined) {
        value += simple;
        i += 2;
        continue;
      }
      const dec = /[0-9]{3}/y;
      dec.lastIndex = i + 1;
      if (dec.test(text)) {
        const code = Number(text.slice(i + 1, i + 4));
        if (code <= 255) {
          value += String.fromCharCode(code);
          i += 4;
          continue;
        }
      }
      const hex = /x[0-9A-Fa-f]{2}/y;
      hex.lastIndex = i + 1;
      if (hex.test(text)) {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      const shown = text.slice(i, Math.min(i + 2, text.length));
      this.fail("badStringEscape", { escape: shown }, { start: i, end: i + 2 });
    }
    return this.pushLiteral(StringLit, start, i + 1, { tag: "string", value });
  }

  private scanChar(start: number): RaqlToken {
    const text = this.text;
    const q = start + 2;
    if (q >= text.length) this.fail("badCharEscape", {}, { start, end: q });
    let code: number;
    let end: number;
    if (isIdentChar(text[q])) {
      const run = /[A-Za-z0-9_]+/y;
      run.lastIndex = q;
      const word = run.exec(text)![0];
      end = q + word.length;
      const named = CHAR_NAMES.get(word.toLowerCase());
      if (named !== undefined) code = named;
      else if (/^[0-7]{3}$/.test(word)) code = parseInt(word, 8);
      else if (/^x[0-9A-Fa-f]+$/i.test(word)) code = parseInt(word.slice(1), 16);
      else if (word.length === 1) code = word.charCodeAt(0);
      else return this.fail("badCharEscape", {}, { start, end });
      if (code > 255) this.fail("badCharEscape", {}, { start, end });
    } else {
      code = text.charCodeAt(q);
      end = q + 1;
      if (isIdentChar(text[end])) this.fail("badCharEscape", {}, { start, end: end + 1 });
    }
    return this.pushLiteral(CharLit, start, end, { tag: "char", value: code });
  }

  private scanClickHouse(start: number): RaqlToken {
    const text = this.text;
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return this.push(ClickHouseSchema, start, i + 1, text.slice(start + 1, i));
    }
    return this.fail("unexpectedEnd", { expected: '")" closing the column list' }, { start, end: text.length });
  }

  // ---- addresses ----

  /** IPv6, Ethernet, IPv4 and CIDR literals; undefined when the text is not one. */
  private scanAddress(start: number): RaqlToken | undefined {
    const text = this.text;
    if (text[start] === "-") return undefined;
    ADDRESS_RUN.lastIndex = start;
    let run = ADDRESS_RUN.exec(text)![0];
    if (run.includes(":")) {
      run = run.replace(/\.+$/, "");
      if (!isIdentChar(text[start + run.length])) {
        const ip6 = parseIp6(run);
        if (ip6 !== undefined) return this.addressOrCidr(start, start + run.length, 128, (len) => ({ tag: "cidr6", ip: ip6, len }), { tag: "ip6", value: ip6 });
        const eth = parseEth(run);
        if (eth !== undefined) return this.pushLiteral(AddrLit, start, start + run.length, { tag: "eth", value: eth });
      }
    }
    IP4.lastIndex = start;
    const m = IP4.exec(text);
    if (!m) return undefined;
    const ip4 = parseIp4(m[0]);
    if (ip4 === undefined) return undefined;
    return this.addressOrCidr(start, start + m[0].length, 32, (len) => ({ tag: "cidr4", ip: ip4, len }), { tag: "ip4", value: ip4 });
  }

  // `addr/len` directly after the address is a CIDR; an address divided by an
  // integer is never what was meant (raql.md §1.4), so it is rejected.
  private addressOrCidr(start: number, end: number, maxLen: number, cidr: (len: number) => LiteralValue, ip: LiteralValue): RaqlToken {
    const text = this.text;
    let i = end;
    while (text[i] === " " || text[i] === "\t") i++;
    if (text[i] === "/" && text[i + 1] !== "/") {
      let j = i + 1;
      while (text[j] === " " || text[j] === "\t") j++;
      const digits = /[0-9]+/y;
      digits.lastIndex = j;
      const d = digits.exec(text);
      if (d) {
        const len = Number(d[0]);
        const stop = j + d[0].length;
        const glued = i === end && j === i + 1;
        if (glued && len <= maxLen && !isIdentChar(text[stop])) return this.pushLiteral(AddrLit, start, stop, cidr(len));
        // Divided by an integer (not by another address or a float).
        if (glued || !/[0-9A-Za-z_.:]/.test(text[stop] ?? "")) this.fail("ipDividedByInt", { max: maxLen }, { start, end: stop });
      }
    }
    return this.pushLiteral(AddrLit, start, end, ip);
  }

  // ---- numbers and durations ----

  private scanNumber(start: number): RaqlToken {
    const text = this.text;
    const negative = text[start] === "-";
    const q = negative ? start + 1 : start;
    const radix = /0([xXoObB])/y;
    radix.lastIndex = q;
    if (radix.test(text)) return this.scanRadixInt(start, q, negative);

    const first = this.scanDecimal(q);
    const afterDigits = first.end;
    if (first.isInt) {
      INT_SUFFIX.lastIndex = afterDigits;
      const w = INT_SUFFIX.exec(text);
      if (w) {
        const value = negative ? -exactToBigInt(first.value) : exactToBigInt(first.value);
        return this.suffixedInt(start, afterDigits + w[0].length, value, w[1]!.toLowerCase() === "i", Number(w[2]) as IntWidth);
      }
      if (!negative) {
        ORDINAL_SUFFIX.lastIndex = afterDigits;
        const o = ORDINAL_SUFFIX.exec(text);
        if (o) return this.ordinal(start, afterDigits + o[0].length, exactToBigInt(first.value), o[1]!.toLowerCase());
        MOVEAVG_SUFFIX.lastIndex = afterDigits;
        const k = MOVEAVG_SUFFIX.exec(text);
        if (k) {
          const value: LiteralValue = { tag: "int", value: exactToBigInt(first.value) };
          return this.push(KMoveavg, start, afterDigits + k[0].length, { value, nullable: false } satisfies LiteralPayload);
        }
      }
    }

    const parts: Part[] = [{ value: first.value, suffix: this.scanSuffix(afterDigits) }];
    // Further parts of a duration: `1h 30min`, `2 minutes, 3 seconds and 400 milliseconds`.
    while (hasUnit(parts[parts.length - 1]!.suffix)) {
      const more = this.scanNextPart(parts[parts.length - 1]!.suffix.end);
      if (!more) break;
      parts.push(more);
    }
    const end = parts[parts.length - 1]!.suffix.end;
    const span = { start, end };
    const only = parts[0]!;
    if (parts.length === 1 && only.suffix.unit === undefined) {
      // A plain number, maybe scaled (a lone `m` is the milli scale here).
      const scale = only.suffix.ambiguousM ? SCALE_LETTERS.get("m")! : only.suffix.scale;
      const value = scale ? applyScale(only.value, scale) : only.value;
      const milliOnly = only.suffix.ambiguousM === true;
      if (first.isInt && exactIsInteger(value)) {
        const n = exactToBigInt(value);
        return this.plainInt(start, end, negative ? -n : n, milliOnly);
      }
      // Negated after conversion so that `-0.0` keeps its sign.
      const x = exactToNumber(value);
      return this.pushLiteral(FloatLit, start, end, { tag: "float", value: negative ? -x : x }, milliOnly);
    }
    if (negative) this.fail("negativeDuration", {}, span);
    const minutesMeant = parts.some((p) => p.suffix.unit === 1 || p.suffix.unit === 3600);
    let total: Exact = { num: 0n, exp: 0 };
    for (const p of parts) {
      if (p.suffix.ambiguousM && !minutesMeant) this.fail("ambiguousMinutes", {}, span);
      const unit = p.suffix.ambiguousM ? 60 : p.suffix.unit!;
      const scaled = p.suffix.scale ? applyScale(p.value, p.suffix.scale) : p.value;
      total = exactAdd(total, { num: scaled.num * BigInt(unit), exp: scaled.exp });
    }
    return this.pushLiteral(DurationLit, start, end, { tag: "duration", seconds: exactToNumber(total) });
  }

  private scanDecimal(at: number): { value: Exact; isInt: boolean; end: number } {
    const text = this.text;
    DECIMAL.lastIndex = at;
    const m = DECIMAL.exec(text)!;
    let end = at + m[0].length;
    const intDigits = m[1]!.replace(/_/g, "");
    let fracDigits = (m[2] ?? "").replace(/_/g, "");
    let hasDot = m[0].includes(".");
    // `15042.` is a float, but in `1.x` the dot is not part of the number.
    if (hasDot && m[2] === undefined && m[3] === undefined && /[A-Za-z_]/.test(text[end] ?? "")) {
      end--;
      hasDot = false;
      fracDigits = "";
    }
    const exp = (m[3] === undefined ? 0 : Number(m[3])) - fracDigits.length;
    return { value: { num: BigInt(intDigits + fracDigits), exp }, isInt: !hasDot && m[3] === undefined, end };
  }

  private scanRadixInt(start: number, q: number, negative: boolean): RaqlToken {
    const text = this.text;
    const kind = text[q + 1]!.toLowerCase();
    const digitsRe = kind === "x" ? /[0-9A-Fa-f_]+/y : kind === "o" ? /[0-7_]+/y : /[01_]+/y;
    digitsRe.lastIndex = q + 2;
    const d = digitsRe.exec(text);
    if (!d || d[0].replace(/_/g, "") === "") return this.fail("unexpectedToken", { expected: "digits", got: text.slice(start, q + 2) }, { start, end: q + 2 });
    let value = BigInt("0" + kind + d[0].replace(/_/g, ""));
    if (negative) value = -value;
    const afterDigits = q + 2 + d[0].length;
    INT_SUFFIX.lastIndex = afterDigits;
    const w = INT_SUFFIX.exec(text);
    if (w) return this.suffixedInt(start, afterDigits + w[0].length, value, w[1]!.toLowerCase() === "i", Number(w[2]) as IntWidth);
    return this.plainInt(start, afterDigits, value, false);
  }

  private suffixedInt(start: number, end: number, value: bigint, signed: boolean, width: IntWidth): RaqlToken {
    if (!intFits(value, signed, width)) {
      const { min, max } = intRange(signed, width);
      this.fail("intOutOfRange", { min, max }, { start, end });
    }
    return this.pushLiteral(IntLit, start, end, { tag: "int", value, signed, width });
  }

  private plainInt(start: number, end: number, value: bigint, milliOnly: boolean): RaqlToken {
    if (!intFits(value, true, 128) && !intFits(value, false, 128)) {
      this.fail("intOutOfRange", { min: intRange(true, 128).min, max: intRange(false, 128).max }, { start, end });
    }
    return this.pushLiteral(IntLit, start, end, { tag: "int", value }, milliOnly);
  }

  private ordinal(start: number, end: number, n: bigint, suffix: string): RaqlToken {
    const span = { start, end };
    if (n === 0n) this.fail("nthZero", {}, span);
    const lastTwo = n % 100n;
    const last = n % 10n;
    const expected = lastTwo >= 11n && lastTwo <= 13n ? "th" : last === 1n ? "st" : last === 2n ? "nd" : last === 3n ? "rd" : "th";
    if (suffix !== expected) this.fail("nthBadSuffix", { suffix, n }, span);
    return this.push(Ordinal, start, end, n);
  }

  /**
   * The scale and/or unit after a number. Letter forms (`k`, `ms`, `5h`) must
   * be glued to the number; word forms (`2 minutes`, `400 milliseconds`) may
   * follow blanks, which keeps `LATEST 3 k` meaning the field k.
   */
  private scanSuffix(at: number): Suffix {
    const text = this.text;
    let i = at;
    while (text[i] === " " || text[i] === "\t") i++;
    const glued = i === at;
    let prefix = "";
    if (text.startsWith(UTF8_MICRO_SIGN, i)) {
      prefix = MICRO_SIGN;
      i += UTF8_MICRO_SIGN.length;
    } else if (text[i] === MICRO_SIGN) {
      prefix = MICRO_SIGN;
      i++;
    }
    LETTERS.lastIndex = i;
    const letters = LETTERS.exec(text)![0];
    const end = i + letters.length;
    if (prefix + letters === "" || text[end] === "_") return { end: at };
    const parsed = decomposeSuffix(prefix, letters);
    if (!parsed || (!glued && !parsed.wordForm)) return { end: at };
    return { ...parsed.suffix, end };
  }

  /** The next part of a multi-part duration, if one follows; it must have a unit. */
  private scanNextPart(at: number): Part | undefined {
    const text = this.text;
    let i = at;
    const skip = () => {
      while (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r") i++;
    };
    skip();
    if (text[i] === ",") {
      i++;
      skip();
    } else if (/^and(?![A-Za-z0-9_])/i.test(text.slice(i, i + 4))) {
      i += 3;
      skip();
    }
    if (!isDigit(text[i])) return undefined;
    const n = this.scanDecimal(i);
    const suffix = this.scanSuffix(n.end);
    if (!hasUnit(suffix)) return undefined;
    return { value: n.value, suffix };
  }
}

function hasUnit(s: Suffix): boolean {
  return s.unit !== undefined || s.ambiguousM === true;
}

function applyScale(x: Exact, s: Scale): Exact {
  return { num: x.num * (1n << BigInt(s.pow2)), exp: x.exp + s.pow10 };
}

/** Splits `ms`, `milliseconds`, `µs`, `min`, `k`… into scale and unit. */
function decomposeSuffix(prefix: string, letters: string): { suffix: Omit<Suffix, "end">; wordForm: boolean } | undefined {
  const whole = prefix + letters;
  const lower = whole.toLowerCase();
  if (prefix === "") {
    const unit = UNIT_SECONDS.get(lower);
    if (unit !== undefined) return { suffix: { unit }, wordForm: lower.length >= 3 };
    if (whole === "m") return { suffix: { ambiguousM: true }, wordForm: false };
    const scaleWord = SCALE_WORDS.get(lower);
    if (scaleWord) return { suffix: { scale: scaleWord }, wordForm: true };
    for (const [word, scale] of SCALE_WORDS) {
      if (lower.startsWith(word)) {
        const unit = UNIT_SECONDS.get(lower.slice(word.length));
        if (unit !== undefined) return { suffix: { scale, unit }, wordForm: true };
      }
    }
  }
  const letter = SCALE_LETTERS.get(whole);
  if (letter) return { suffix: { scale: letter }, wordForm: false };
  for (const [symbol, scale] of SCALE_LETTERS) {
    if (whole.startsWith(symbol)) {
      const unit = UNIT_SECONDS.get(whole.slice(symbol.length).toLowerCase());
      if (unit !== undefined) return { suffix: { scale, unit }, wordForm: false };
    }
  }
  return undefined;
}

/**
 * Whether `text` starts with a word that, after a number and a blank, would be
 * read as its scale or unit (`3 kilo`, `2 minutes`): printers must not put
 * such a word right after a number.
 */
export function startsWithNumberSuffix(text: string): boolean {
  const m = /^[A-Za-z]+(?![A-Za-z0-9_])/.exec(text);
  const parsed = m ? decomposeSuffix("", m[0]) : undefined;
  return parsed !== undefined && parsed.wordForm;
}

/** The tokens of a source; throws RamenError on the first lexical error. */
export function lex(source: SourceFile): RaqlToken[] {
  return new Scanner(source).run();
}
