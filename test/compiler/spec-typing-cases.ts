// The contexts in which spec-typing.test.ts types the examples of raql.md,
// written from the prose around each snippet, and the snippets it does not
// type, with the reason. A snippet absent from CONTEXTS reads its free names
// as float input fields (the §6 legend's `num`) in `SELECT (<e>) AS v`.

import type { MessageKey } from "../../grammar/diagnostics.js";

/** Where a snippet is typed; `<e>` in `operation` stands for the snippet. */
export interface Context {
  /** fields of the parent `src` as `name type` pairs separated by commas; other free names are float */
  readonly fields?: string;
  /** PARAMETER definitions of the program */
  readonly params?: string;
  /** DECLARE definitions of the program */
  readonly declare?: string;
  /** the operation of the function under test, instead of `FROM src SELECT (<e>) AS v` */
  readonly operation?: string;
}

const INTS = "a i32, b i32";
const STRINGS = "a string, b string";
const BOOLS = "a bool, b bool";
const NULLABLE_X = "x float?";
const LIST_X = "x float[]";
const OUTPUT_X = { fields: "x float", operation: "FROM src SELECT x, (<e>) AS v" };
const MAP_NAME = { declare: "DECLARE name string[string]", fields: "key string, value string" };
const WINDOW_K = { params: "PARAMETER k DEFAULT TO 3" };
const SAMPLE_N = { params: "PARAMETER n DEFAULT TO 3" };

/** Snippet → context (a string is the fields alone). */
export const CONTEXTS: Record<string, Context | string> = {
  // §1.4, §5.3
  "a | b": INTS,
  "a & b": INTS,
  "a # b": INTS,
  "a << b": INTS,
  "a >> b": INTS,
  "a << (-b)": INTS,
  // §2.4: "with x : u8"
  "x + 1": "x u8",
  "x + 1u8": "x u8",
  // §2.1: bool converts explicitly
  "IF b THEN 1 ELSE 0": "b bool",
  // §2.2 accesses: v a vector, l a list, t a tuple, r a record, m a map
  "v[i]": "v float[3], i u32",
  "GET(i, v)": "v float[3], i u32",
  "1st v": "v float[3]",
  "l[i]": "l float[], i u32",
  "GET(i, l)": "l float[], i u32",
  "1st t": "t (u16; string?)",
  "2nd t": "t (u16; string?)",
  "t[0]": "t (u16; string?)",
  "r.f": "r {f: u8; g: string}",
  'GET("f", r)': "r {f: u8; g: string}",
  "m[k]": { declare: "DECLARE m string[string]", fields: "k string" },
  "GET(k, m)": { declare: "DECLARE m string[string]", fields: "k string" },
  // §2.3, §6.6: IS NULL, FORCE and COALESCE's first arguments are nullable
  "x IS NULL": NULLABLE_X,
  "x IS NOT NULL": NULLABLE_X,
  "FORCE x": NULLABLE_X,
  "COALESCE(x, 0)": NULLABLE_X,
  "e1 |? e2": "e1 float?",
  // §3.2: the declaration example's parameter
  "param.threshold": { params: 'PARAMETER threshold float {bytes} DEFAULTS TO 1000 "alert level"' },
  // §3.3: a map global
  "name[key]": MAP_NAME,
  "GET(key, name)": MAP_NAME,
  "MAPADD(name, key, value)": MAP_NAME,
  "MAPADD(m, k, v)": { declare: "DECLARE m string[string]", fields: "k string, v string" },
  // §4.2 default aliases: p and r are records with a field x; AND/OR aggregate bools
  "p.x": "p {x: u8}",
  "r.x": "r {x: u8}",
  "AND x": "x bool",
  "OR x": "x bool",
  "90th PERCENTILE x": LIST_X,
  // §4.2: a bare name matching an earlier alias is out.name
  "out.name": { fields: "x float", operation: "FROM src SELECT x AS name, (<e>) AS v" },
  "out.x": OUTPUT_X,
  // §4.12: previous/global_last_out and CHANGED read fields of the output
  "previous.x": OUTPUT_X,
  "global_last_out.x": OUTPUT_X,
  "CHANGED x": OUTPUT_X,
  "x <> previous.x": OUTPUT_X,
  // §5.1
  "NOT x": "x bool",
  "NOT a = b": BOOLS,
  "(NOT a) = b": BOOLS,
  "a OR b": BOOLS,
  "a AND b": BOOLS,
  "BEGIN OF x": "x cidr4",
  "END OF x": "x cidr4",
  // §5.2: the field x / record r of `in` as a value
  'GET("x", in)': "x float",
  'GET("f", GET("r", in))': "r {f: u8}",
  "e.name": "e {name: string}",
  "e[i]": "e float[], i u32",
  "GET(i, e)": "e float[], i u32",
  "1st e": "e (u8; u16; u32; u64)",
  "2nd e": "e (u8; u16; u32; u64)",
  "3rd e": "e (u8; u16; u32; u64)",
  "4th e": "e (u8; u16; u32; u64)",
  "IF(c, a)": "c bool",
  "IF(c, a, b)": "c bool",
  "u8[4](v)": "v u32[4]",
  // §5.3: IN on strings, cidr bounds, u32/u128 to ip
  "a IN b": STRINGS,
  "NOT (a IN b)": STRINGS,
  "BEGIN OF c": "c cidr",
  "END OF c": "c cidr",
  "ip(u32)": "u32 u32",
  "ip(u128)": "u128 u128",
  // §5.4, §6.3: strings and chars
  "length x": "x string",
  "LENGTH x": "x string",
  "LOWER s": "s string",
  "UPPER s": "s string",
  "BASENAME s": "s string",
  "PARSE_TIME s": "s string",
  "a || b": STRINGS,
  "SUBSTRING(s, a, b)": "s string, a i32, b i32",
  "INDEX(s, c)": "s string, c char",
  "INDEX FROM START(s, c)": "s string, c char",
  "INDEX FROM END(s, c)": "s string, c char",
  "CHR n": "n u8",
  "UUID_OF_U128 x": "x u128",
  's LIKE "p"': "s string",
  's NOT LIKE "p"': "s string",
  "a STARTS WITH b": STRINGS,
  "a ENDS WITH b": STRINGS,
  "SPLIT(sep, s)": "sep string, s string",
  "SPARKLINE v": "v float[5]",
  "FORMAT_TIME(fmt, t)": "fmt string",
  // §6.5: addresses
  "COUNTRYCODE ip": "ip ip",
  "COUNTRY_CODE ip": "ip ip",
  "IPFAMILY ip": "ip ip",
  "IP_FAMILY ip": "ip ip",
  "ip IN cidr": "ip ip, cidr cidr",
  // §6.6: structure
  "GET(i, x)": "x float[], i u32",
  "x[i]": "x float[], i u32",
  "VARIANT(name)": "name string",
  "p PERCENTILE x": { params: "PARAMETER p DEFAULT TO 90", fields: LIST_X },
  "FIT x": LIST_X,
  "FIT(l)": "l float[]",
  // §6.7, §6.8: integer folds; window sizes and rates are constants ("literal or parameter")
  "BITAND x": "x u32",
  "BITOR x": "x u32",
  "BITXOR x": "x u32",
  "LAG(k, x)": WINDOW_K,
  "MOVEAVG(k, x)": WINDOW_K,
  "SEASON_MOVEAVG(1, k, x)": WINDOW_K,
  "SEASON_MOVEAVG(p, k, x)": { params: "PARAMETERS p DEFAULT TO 24 AND k DEFAULT TO 3" },
  "SAMPLE(n, x)": SAMPLE_N,
  "ONE OUT OF n x": SAMPLE_N,
  "LATEST n x": SAMPLE_N,
  "REMEMBER(fpr, d, x, t)": { params: "PARAMETERS fpr DEFAULT TO 0.01 AND d DEFAULT TO 3600" },
  // §7.5: a nullable operand of `+` (made so for the error below)
  "a + b IS NULL": "b float?",
  "a + (b IS NULL)": "b float?",
  // §4.12: group_state has only virtual fields
  "group_state.x": "x float",
};

/** Result types the spec states (printed as in raql.md §2.2), in the snippet's context. */
export const EXPECTED_TYPES: Record<string, string> = {
  // §2.4: 1 is at least 32 bits, 1u8 exactly 8
  "x + 1": "u32",
  "x + 1u8": "u8",
  // §1.4: a scaled integer that is not integral is a float; `?` makes a literal nullable
  "1.5k": "float",
  "15m": "float",
  "1u8?": "u8?",
  // §5.3: `/` is float, nullable unless an operand is a non-zero constant; repetition is a string
  "a / b": "float?",
  '3 * "ab"': "string",
  // §5.3: BEGIN OF/END OF give the ip type matching the cidr type
  "BEGIN OF c": "ip",
  "END OF x": "ip4",
  // §2.3, §6.6: COALESCE has the last argument's nullability; IS NULL is never nullable; casts give the target type
  "COALESCE(x, 0)": "float",
  "x IS NULL": "bool",
  "(string; u32?)(1; 2)": "(string; u32?)",
  // §6.2, §6.3: SQRT is always nullable, LENGTH is u32
  "SQRT x": "float?",
  "LENGTH x": "u32",
};

/** Snippets the spec presents as errors, with the message it gives. */
export const EXPECTED_ERRORS: Record<string, MessageKey> = {
  // §5.1: `a + b IS NULL` is `a + (b IS NULL)`, an addition of a bool (§2.1: bool is not numeric)
  "a + b IS NULL": "typeMismatch",
  "a + (b IS NULL)": "typeMismatch",
  // §4.12, §7.3
  "group_state.x": "groupStateField",
};

/** Snippets the spec gives a warning for (§7.5). */
export const EXPECTED_WARNINGS: Record<string, MessageKey> = {
  "x / 0": "divisionByZero",
  "x/0": "divisionByZero",
  "0/0": "divisionByZero",
};

/** Snippets that parse as expressions by accident: words of the prose, notations, messages. */
export const NOT_EXPRESSIONS: Record<string, readonly string[]> = {
  "a variable named in prose (§1.2, §4.12) that is not a value in a SELECT clause (reserved, internal, or only for field access)": [
    "group_state",
    "global_state",
    "sort_first",
    "sort_smallest",
    "sort_greatest",
    "param",
    "env",
    "global",
    "GLOBAL",
    "record",
  ],
  "notation of the spec: placeholders for types, keywords, ordinals or functions that are not RaQL names": [
    "u8[3]",
    "string[string]",
    "t[N]",
    "t2[t1]",
    "char[N]",
    "u32[n+2]",
    "t[k]",
    "list(t)",
    "width(t1) < width(t2)",
    "width(t)/8",
    "k = width(t)/w",
    "trunc(t / d)",
    "n mod 256",
    "type(e)",
    "t(x)",
    "F x",
    "F(x)",
    "Nth e",
    "Nth x",
    "pth PERCENTILE x",
    "k-MOVEAVG x",
    "k-MA x",
    "variable.field",
    "variable.field.sub[2]",
    "var.name",
    "var.'quoted name'",
    "NOT IN",
    "NOTIFY [name]",
  ],
  "punctuation, a comment or a word of the prose, which parse as an empty program or a field": ["--", ";", " ", "keep"],
  "the name of a clause in a diagnostic's context (§7.1)": ["SELECT clause", "WHERE clause"],
  "a program or function path, which is only lexed as such after FROM (§3.6)": ["p#suffix/f", "p#_/f"],
  "text in another format: a type name of the serialisation library, ClickHouse types, CSV options, date formats": [
    "No such type",
    "NO QUOTES",
    "CLICKHOUSE SYNTAX",
    "Array(String)",
    "Nullable(T)",
    "DD.MM.YYYY",
  ],
  "a diagnostic message or part of one (§7)": [
    "notification #2",
    "running condition",
    "not an integer",
    "durations must be greater than zero",
    "invalid hex/octal sequence in char",
    "const must be between 0 and 255",
    "histogram dimensions must be constants",
    "histogram size must be positive",
    "GET index must be positive",
    "GET requires a numeric or string index",
    "cannot infer element type",
    "cannot find common type",
    "no such type in RaQL",
    "invalid CSV separator",
    "cannot have more than one running condition",
    "incomplete retention definition",
    "must set alias",
    "invalid '#' in function name",
    "cannot use a generated output field x",
    "x must be nullable",
    "x must be numeric",
    "both arguments must have the same type",
    "all vector elements must have the same type",
    "2nd condition must be a boolean",
    "argument must be a string or a list",
    "x must be an IP",
    "x must be a CIDR",
    "x must be a vector or list",
    "x must be an array or vector",
    "x must be a map",
    "cannot add relative units",
  ],
};

const PARENT = `DEFINE src AS READ FROM FILE "f.csv" AS CSV ('start' float, 'x' float, 'c' bool, 'cond' bool);\n`;
/** §4.1, §4.6: a commit clause of an aggregation (c, cond: bool conditions of the input). */
const COMMIT = PARENT + "DEFINE f AS FROM src SELECT SUM x AS total <e>;";

/** Programs and clauses written inline, each in a program; `<e>` stands for the snippet. */
export const CLAUSES: Record<string, string> = {
  "YIELD [] AS l": "DEFINE f AS <e>;",
  "YIELD now AS t EVERY 100ms": "DEFINE f AS <e>;",
  'PARAMETER threshold float {bytes} DEFAULTS TO 1000 "alert level"': "<e>;\nDEFINE f AS YIELD threshold AS v;",
  // §3.4: a bare name of the running condition is a parameter
  "RUN IF expr": "PARAMETER expr DEFAULT TO true;\n<e>;\nDEFINE f AS YIELD 1 AS v;",
  "IF expr": "PARAMETER expr DEFAULT TO true;\n<e>;\nDEFINE f AS YIELD 1 AS v;",
  "AFTER true": COMMIT,
  FLUSH: COMMIT,
  KEEP: COMMIT,
  "KEEP ALL": COMMIT,
  "KEEP AFTER c": COMMIT,
  "COMMIT AND KEEP AFTER true": COMMIT,
  NOTIFY: COMMIT,
  "COMMIT AND NOTIFY AFTER true": COMMIT,
  "COMMIT AFTER true": COMMIT,
  "COMMIT AFTER cond": COMMIT,
  "COMMIT BEFORE cond": COMMIT,
  "COMMIT AFTER SUM 1 >= 10": COMMIT,
  // §4.6, §4.11: the period of a function without FROM, in seconds
  "EVERY d": "PARAMETER d DEFAULT TO 10s;\nDEFINE f AS YIELD 1 AS v <e>;",
  "EVERY period": "PARAMETER period DEFAULT TO 10s;\nDEFINE f AS YIELD 1 AS v <e>;",
  // §4.6: sorted on the default key in.start
  "SORT LAST 3": PARENT + "DEFINE f AS FROM src SELECT x <e>;",
};
