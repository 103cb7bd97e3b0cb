// The one error type of the project. Every message a user can cause has an
// entry in MESSAGES with a stable code; code that reports an error names the
// entry (never a free-form string), so the table is also the documentation of
// all diagnostics (`ramen help errors`).

import { SourceFile, Span } from "./source.js";

export type Severity = "error" | "warning";

export interface MessageDef {
  readonly code: string;
  readonly severity: Severity;
  /** `{name}` placeholders are filled from the arguments of `diag`. */
  readonly template: string;
}

function e(code: string, template: string): MessageDef {
  return { code, severity: "error", template };
}
function w(code: string, template: string): MessageDef {
  return { code, severity: "warning", template };
}

export const MESSAGES = {
  // ---- RQ1xxx: lexical and syntax (raql.md §7.2) ----
  unexpectedToken: e("RQ1001", "expected {expected}, got {got}"),
  unexpectedEnd: e("RQ1002", "expected {expected} before the end of the program"),
  unknownCharacter: e("RQ1003", "unexpected character {char}"),
  intOutOfRange: e("RQ1004", "integer must be between {min} and {max} (inclusive)"),
  notAnInteger: e("RQ1005", "not an integer"),
  ambiguousMinutes: e("RQ1006", 'ambiguous "m": minutes or milli?'),
  negativeDuration: e("RQ1007", "durations must be greater than zero"),
  badCharEscape: e("RQ1008", "invalid hex/octal sequence in char"),
  badStringEscape: e("RQ1009", "invalid escape sequence {escape} in string"),
  unterminatedString: e("RQ1010", "unterminated string literal"),
  likeNotConstant: e("RQ1011", "LIKE pattern must be a string constant"),
  chrOutOfRange: e("RQ1012", "const must be between 0 and 255"),
  histogramNotConstant: e("RQ1013", "histogram dimensions must be constants"),
  histogramSize: e("RQ1014", "histogram size must be positive"),
  nthZero: e("RQ1015", "tuple indices start at 1"),
  nthBadSuffix: e("RQ1016", "bad suffix {suffix} for {n}"),
  coalesceArity: e("RQ1017", "COALESCE must have at least 2 arguments"),
  getNegative: e("RQ1018", "GET index must be positive"),
  getIndexKind: e("RQ1019", "GET requires a numeric or string index"),
  peekNotInteger: e("RQ1020", "can only peek into an integer type"),
  tumblingNotConstant: e("RQ1021", "tumbling must be a boolean constant"),
  unitsOnCompound: e("RQ1022", "cannot assign units to a compound type"),
  unitsMixRelative: e("RQ1023", "dimension {dim} is both relative and absolute"),
  severalSelect: e("RQ1024", "cannot have several SELECT clauses"),
  severalCommitConditions: e("RQ1025", "several commit conditions"),
  severalFlush: e("RQ1026", "several flush clauses"),
  severalStars: e("RQ1027", "several '*' clauses"),
  loneCommit: e("RQ1028", "lone COMMIT makes no sense; did you mean COMMIT AFTER/BEFORE?"),
  clauseMix: e("RQ1029", "incompatible mix of clauses: {detail}"),
  noSuchType: e("RQ1030", "no such type in RaQL: {name}"),
  csvSeparator: e("RQ1031", "invalid CSV separator"),
  unknownAggregation: e("RQ1032", "unknown aggregation function {name}"),
  unknownProtocol: e("RQ1033", "expected collectd, netflow or graphite"),
  severalRunIf: e("RQ1034", "cannot have more than one running condition"),
  incompleteRetention: e("RQ1035", "incomplete retention definition"),
  ipDividedByInt: e("RQ1036", "an IP literal cannot be divided by an integer (a CIDR needs a prefix length of 0 to {max})"),
  badIpLiteral: e("RQ1037", "invalid IP address {text}"),
  emptyVectorDims: e("RQ1038", "vector dimension must be at least 1"),
  charOutOfRange: e("RQ1039", "character code must be at most 255"),
  mixedVectorNullability: e("RQ1040", "all items of a vector literal must have the same nullability"),

  // ---- RQ2xxx: names and structure (raql.md §7.3) ----
  fieldNotInParent: e("RQ2001", "field {field} not found in parent {parent} (has: {available})"),
  fieldMissingFromParent: e("RQ2002", "field {field} missing from parent {parent}"),
  fieldNotInOutput: e("RQ2003", "field {field} is not in output tuple (only: {available})"),
  variableNotAllowed: e("RQ2004", "variable {variable} not allowed in {clause} (only {allowed})"),
  privateField: e("RQ2005", "field {field} is private"),
  privateFactor: e("RQ2006", "field {field} must not be private"),
  duplicateAlias: e("RQ2007", "alias {alias} is not unique"),
  missingAlias: e("RQ2008", "must set alias"),
  unknownFunction: e("RQ2009", "unknown function {name}"),
  wrongArity: e("RQ2010", "function {name} expects {expected} arguments, got {got}"),
  unknownParentFunction: e("RQ2011", "cannot find parent function {name} (have: {available})"),
  missingParentProgram: e("RQ2012", 'Cannot find parent program "{name}" (looked in {paths})'),
  duplicateName: e("RQ2013", "name {name} is not unique"),
  hashInFunctionName: e("RQ2014", "invalid '#' in function name"),
  statefulNotAllowed: e("RQ2015", "stateful functions not allowed in {clause}"),
  everyWithFrom: e("RQ2016", "cannot have both EVERY and FROM"),
  runIfUsesTuple: e("RQ2017", "running condition cannot use tuple {variable}"),
  groupStateField: e("RQ2018", "variable group_state has only virtual fields (no {field})"),
  generatedFieldReused: e("RQ2019", "cannot use a generated output field {field}"),
  changedNotOutputField: e("RQ2020", "CHANGED is only valid for fields of the output tuple"),
  tooManyFields: e("RQ2021", "too many fields (maximum is {max})"),
  paramNeedsTypeOrDefault: e("RQ2022", "parameter {name} must either specify the type or a non-null default"),
  paramNeedsDefault: e("RQ2023", "parameter {name} is not nullable, therefore it must have a default value"),
  paramDefaultIncompatible: e("RQ2024", "type is incompatible with value: {name} is {expected}, default is {got}"),
  unsupportedGlobalType: e("RQ2025", "variable type {type} is not yet supported"),
  unsupportedGlobalScope: e("RQ2026", "variable scope GLOBAL is not yet supported"),
  cycle: e("RQ2027", "functions form a cycle: {path}"),
  unknownVariable: e("RQ2028", "unknown variable {name}"),
  unknownField: e("RQ2029", "unknown field {field}{detail}"),
  starWithoutParent: e("RQ2030", "'*' needs a parent (FROM) to select from"),
  notSupported: e("RQ2031", "{what} is not supported"),
  missingFile: e("RQ2032", "cannot read {path}: {reason}"),
  invalidProgramName: e("RQ2033", 'Invalid program name "{name}"'),
  sortNotConstant: e("RQ2034", "SORT LAST must be a positive integer constant"),
  commitWithoutCondition: e("RQ2035", "{what}"),
  noSuchParameter: e("RQ2036", "program has no parameter {name} (parameters: {available})"),
  paramValueIncompatible: e("RQ2037", "value {value} does not fit parameter {name} of type {type}"),

  // ---- RQ3xxx: types (raql.md §7.4) ----
  mustNotBeNullable: e("RQ3001", "{what} must not be nullable"),
  mustBeNullable: e("RQ3002", "{what} must be nullable"),
  typeMismatch: e("RQ3003", "{what} must be {expected}"),
  sameType: e("RQ3004", "both arguments must have the same type"),
  vectorItems: e("RQ3005", "all vector elements must have the same type"),
  caseCondition: e("RQ3006", "{nth} condition must be a boolean"),
  caseConsequent: e("RQ3007", "consequent must have a type compatible with others"),
  caseElse: e("RQ3008", "else clause must have a type compatible with the consequents"),
  notIndexable: e("RQ3009", "{what} must be a vector, a list, a tuple or a map with compatible index type"),
  indexOutOfBounds: e("RQ3010", "index {index} is out of bounds for {type}"),
  notRecord: e("RQ3011", "{what} must be a record or a map"),
  inOperator: e("RQ3012", "arguments must be compatible with the IN operator"),
  lengthArg: e("RQ3013", "argument must be a string or a list"),
  mulOperands: e("RQ3014", "arguments must be either numeric, or an integer and a string"),
  peekArg: e("RQ3015", "argument must be a string or a vector of unsigned integers"),
  percentileArg: e("RQ3016", "percentiles must be a vector of non-null numeric constants"),
  notAggregatable: e("RQ3017", "{what} does not fit an aggregation function"),
  immediateNeedsList: e("RQ3018", "{what} must be an array or vector"),
  parentMismatch: e("RQ3019", "field {field} must match all parents' output type: {detail}"),
  constantDoesNotFit: e("RQ3020", "constant {value} does not fit {type}"),
  noCommonType: e("RQ3021", "cannot find common type between {a} and {b}"),
  cannotInferItem: e("RQ3022", "cannot infer element type"),
  mustBeConstant: e("RQ3023", "{what} must be a constant"),
  mapNullability: e("RQ3024", "cannot store a nullable {what} into a map of non-nullable {what}s"),
  starTypeConflict: e("RQ3025", "field {field} has incompatible types in the parents: {a} vs {b}"),
  generatorPlacement: e("RQ3026", "{name} is a generator and can only be used in a SELECT field"),
  eventTimeField: e("RQ3027", "{field} cannot be used as an event time: {detail}"),
  cannotCast: e("RQ3028", "cannot cast {what} from {from} to {to}"),

  // ---- RQ6xxx: values read or converted at run time (test vectors, test files, --where, casts) ----
  cannotParseValue: e("RQ6001", 'Cannot parse "{text}" as {type}: {reason}'),
  castFailed: e("RQ6002", "Cannot convert {value} from {from} to {to}: {reason}"),
  arrowUnreadable: e("RQ6003", "cannot read Arrow data ({where}): {reason}"),
  // RQ61xx: failures of built-in functions at run time (FORCE aborts the worker, raql.md §6.6)
  forcedNull: e("RQ6101", "FORCE of a NULL value"),
  // RQ63xx: links between functions (cli-runtime.md §1.3)
  linkBadSize: e("RQ6301", "invalid link size {size}: it must be a multiple of 8 between {min} and {max} bytes"),
  linkMessageTooLarge: e("RQ6302", "a message of {size} bytes cannot fit in a link of {capacity} bytes (raise the supervisor's --link-size)"),
  // RQ64xx: command-line tables, tail columns, --where filters and --since/--until times (cli-runtime.md §3, §6.5, §7)
  unknownColumn: e("RQ6401", 'Unknown column "{column}"'),
  ambiguousColumn: e("RQ6402", 'Ambiguous column "{column}" (could be {candidates})'),
  unknownOutputField: e("RQ6403", "Unknown field {field}, should be one of {available}"),
  privateOutputField: e("RQ6404", "Field {field} is private"),
  badWhereFilter: e("RQ6405", 'Cannot parse the filter "{text}": expected FIELD OP VALUE with OP one of {operators}'),
  badTime: e("RQ6406", 'Cannot parse time "{text}"'),
  sinceNotBeforeUntil: e("RQ6407", "--since must be before --until"),
  // the supervisor and its clients (cli-runtime.md §1, §6.2–6.5)
  supervisorRunning: e("RQ6501", "A supervisor is already running on {dir} (pid {pid})"),
  noSupervisor: e("RQ6502", 'No supervisor is running on {dir} (start one with "ramen supervisor")'),
  protocolMismatch: e("RQ6503", "The supervisor speaks protocol version {theirs}, this command {ours}: restart the supervisor"),
  alreadyRunning: e("RQ6504", "Program {name} is already running with different settings; use --replace"),
  runUnusedParameter: e("RQ6505", "Parameter {names} is unused"),
  runUnusedParameters: e("RQ6506", "Parameters {names} are unused"),
  badParameterValue: e("RQ6507", 'Parameter {name}: cannot parse "{value}": {reason}'),
  cannotFindProgram: e("RQ6508", 'Cannot find program "{name}" in {paths}'),
  unknownWorker: e("RQ6509", "Unknown function {fq}{hint}"),
  notRunning: e("RQ6510", "Function {fq} is not running anywhere"),
  noEventTime: e("RQ6511", "Function has no event time information"),
  notNumericField: e("RQ6513", "Field {field} is not numeric"),
  handoffOverflow: e("RQ6515", "live data arrives faster than the replay ({rows} rows held back); use --until"),
  replayExpired: e("RQ6514", "The replay of {fq} made no progress for {seconds} s and was stopped (is the client reading?)"),
  archiveGaps: w("RQ6550", "The archives have gaps in that range: only {percent}% of it is covered, by {ranges}"),
  lateLiveRows: w("RQ6551", "late live rows: live output older than its first row, where the past was cut; rows may be missing or repeated at the seam"),
  noArchiveCovers: e("RQ6512", "No archived data covers {fq} between {since} and {until}: neither {fq} nor any ancestor has archives in that range ({archived})"),

  // RQ62xx: notifications and the alerter (cli-runtime.md §1.8, §6.9); RQ620x errors, RQ625x warnings
  alerterContactsUnreadable: e("RQ6201", "cannot read the contacts {path}: {reason}"),
  alerterBadContacts: e("RQ6202", "{path}: {reason}"),
  alerterUnsupportedContact: e("RQ6203", "{path}: contact {contact}: {via} contacts are not supported (only Exec)"),
  alerterExecFailed: e("RQ6204", "contact {contact}: command {command} {reason}"),
  notificationBadValue: w("RQ6250", 'notification {name}: parameter {parameter} = "{value}" is not {expected}; kept as an ordinary parameter'),
  templateUnknownVariable: w("RQ6251", "unknown variable {variable} in template {template}"),
  templateUnknownFilter: w("RQ6252", "unknown filter {filter} in template {template} (filters: shell, json, sql, int, date)"),
  templateFilterFailed: w("RQ6253", "filter {filter} cannot convert {value} (variable {variable} of template {template})"),

  // ---- RQ7xxx: reading external sources (raql.md §4.13, cli-runtime.md §9); RQ70xx errors, RQ71xx warnings ----
  inputBadLine: e("RQ7001", "{file}:{line}: {reason}"),
  inputUnreadable: e("RQ7002", "cannot read {file}: {reason}"),
  inputPreprocessFailed: e("RQ7003", "{file}: preprocessor {command} failed: {reason}"),
  inputDeleteFailed: e("RQ7004", "cannot delete {file}: {reason}"),
  inputIncompleteRow: e("RQ7005", "{file}: the last {bytes} bytes do not make a whole row"),
  inputNoFile: w("RQ7101", "no file matches {pattern} yet; waiting for one"),

  // ---- RQ4xxx: warnings (raql.md §7.5) ----
  unitMismatch: w("RQ4001", "{detail}"),
  dimensionedOperand: w("RQ4002", "operand of {name} should be dimensionless"),
  locallyWithoutAggregation: w("RQ4003", "locally stateful function without aggregation; did you mean {name} GLOBALLY?"),
  unusedParameter: w("RQ4004", "parameter {name} is unused"),
  unusedGlobal: w("RQ4005", "global variable {name} is unused"),
  lazyNotifies: w("RQ4006", "function {name} defined as LAZY but emits notifications"),
  groupByNonFactor: w("RQ4007", "function {name} groups by non-factor field {field} in a context where groups are kept forever"),
  eventTimeType: w("RQ4008", "the type of field {field} does not suit event times"),
  clauseTwice: w("RQ4009", "{clause} clause given twice, the last one is used"),
  divisionByZero: w("RQ4010", "division by zero"),

  // ---- RQ5xxx: archivist (archival.md §3, §4); RQ50xx errors, RQ51xx warnings ----
  archivistFileError: e("RQ5001", "{path}: {reason}"),
  archivistUnknownKey: e("RQ5002", "{path}: unknown key {key} in {where} (allowed: {allowed})"),
  archivistWrongType: e("RQ5003", "{path}: {what} must be {expected}, got {got}"),
  archivistBadPattern: e("RQ5004", "{path}: invalid retention pattern {pattern}: {reason}"),
  archivistNegativeDuration: e("RQ5005", "{path}: {what} must not be negative, got {value}"),
  archivistNotADuration: e("RQ5006", '{path}: {what}: {text} is not a RaQL duration (such as "1h" or "90 seconds")'),
  archivistMissingDuration: e("RQ5007", "{path}: retention {pattern} has no duration"),
  archivistUnsatisfiable: e("RQ5008", "Cannot satisfy archival constraints: reduce retentions or raise size_limit"),
  archivistCostTooLarge: e("RQ5009", "{what} of {name} for {duration} s is {value}, beyond the solver's INVALID cost: its allocation is meaningless"),
  archivistRetentionParam: e("RQ5010", "{name}: the {clause} parameter {param} has no duration value ({value}): no retention from its source"),
  archivistMissingStats: w("RQ5101", "{name} has no statistics (parent of {child}); assuming it emits nothing"),
  archivistRetry: w("RQ5102", "cannot satisfy archival constraints; retrying with retentions multiplied by {ratio}"),
  archivistSolverTimeout: w("RQ5103", "the solver timed out; using the best allocations it found so far"),
  archivistAllocationShift: w("RQ5104", "allocation of {name} changes by more than 50 %: {from} -> {to} bytes"),

  // ---- RQ9xxx: archives (archival.md §2, §5); RQ90xx errors, RQ91xx warnings ----
  archiveLocked: e("RQ9001", "{path} is held by process {pid} (thread {thread}) since {since}"),
  archiveBadFile: e("RQ9002", "{path}: {reason}"),
  archiveRootUnreadable: e("RQ9003", "cannot read the archive root {path}: {reason}"),
  archiveWriteFailed: e("RQ9004", "cannot write the archive of {fq} in {dir}: {reason}"),
  archiveReadFailed: e("RQ9005", "cannot read the archive file {path}: {reason}"),
  gcCannotDelete: w("RQ9101", "gc: cannot delete {path}: {reason}"),
  gcCannotRecover: w("RQ9102", "gc: cannot recover {path}: {reason}"),
  gcCannotRead: w("RQ9103", "gc: cannot read {path}: {reason}"),
  gcCannotWrite: w("RQ9104", "gc: cannot write {path}: {reason}"),
  archiveGap: w("RQ9105", "{path} vanished before it could be read: rows {first} to {last} are missing"),

  // ---- RQ8xxx: test files (test-format.md); RQ80xx syntax, RQ81xx schema, RQ82xx expectations, RQ83xx verdicts ----
  testExpected: e("RQ8001", "expected {expected}, got {got}"),
  testUnterminated: e("RQ8002", "unterminated {what}"),
  testBadEscape: e("RQ8003", "invalid escape {escape} in {what}"),
  testTrailing: e("RQ8004", "unexpected {got} after the value"),
  testUnknownField: e("RQ8101", "unknown field {field} in {where} (allowed: {allowed})"),
  testMissingField: e("RQ8102", "missing field {field} in {where}"),
  testFieldTwice: e("RQ8103", "field {field} given twice in {where}"),
  testWrongType: e("RQ8104", "{what} must be {expected}, got {got}"),
  testProgramTwice: e("RQ8105", "Program {name} is listed twice"),
  testNegativeTimeout: e("RQ8106", "timeout must be positive"),
  testNeedExtension: e("RQ8107", "{src}: Need an extension to build a source file."),
  testBadParameter: e("RQ8108", 'Parameter {name}: cannot parse "{value}": {reason}'),
  testKeyTwice: w("RQ8109", "key {key} given twice; its first value is kept"),
  testNullNotNullable: e("RQ8201", "Cannot convert NULL into non nullable type {type} (field {field} of {fq})"),
  testBadExpectedValue: e("RQ8202", 'Cannot parse expected value "{text}" for field {field} of {fq} ({type}): {reason}'),
  testCannotCompare: e("RQ8203", "Cannot compare {x} with {y}"),
  testUnknownOutputField: e("RQ8204", 'Unknown field "{field}" in "{fq}" (have {available})'),
  testPrivateOutputField: e("RQ8205", 'Field {field} of "{fq}" is private'),
  testNoMatch: e("RQ8301", "{fq}: enumerated {count} {tuples} but found no tuple matching:\n  {spec}\n  (if the values look right, try raising the timeout)"),
  testNoTuple: e("RQ8302", "{fq}: no tuple was output within {timeout}s"),
  testForbiddenTuple: e("RQ8303", "{fq}: enumerated {count} {tuples} and found this forbidden tuple:\n  {tuple}"),
  testNothingToCheck: w("RQ8304", "{fq}: nothing to check"),
  testUnknownProgram: e("RQ8206", "Unknown program {program} (have {available})"),
  testUnknownFunction: e("RQ8207", "Unknown function {function} in program {program}"),
  testCannotCompile: e("RQ8208", "Cannot compile {name}: {error}"),
} as const satisfies Record<string, MessageDef>;

export type MessageKey = keyof typeof MESSAGES;

export interface Diagnostic {
  readonly key: MessageKey;
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly source?: SourceFile;
  readonly span?: Span;
  /** "in function per_host, WHERE clause" */
  readonly context?: string;
  /** extra lines: "expected: bool (non-nullable), got: bool?" */
  readonly notes?: readonly string[];
  readonly hint?: string;
}

export type MessageArgs = Record<string, string | number | bigint>;

export function fillTemplate(template: string, args: MessageArgs): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in args ? String(args[name]) : whole));
}

export interface DiagExtra {
  source?: SourceFile;
  span?: Span;
  context?: string;
  notes?: readonly string[];
  hint?: string;
}

export function diag(key: MessageKey, args: MessageArgs = {}, extra: DiagExtra = {}): Diagnostic {
  const def: MessageDef = MESSAGES[key];
  return { key, code: def.code, severity: def.severity, message: fillTemplate(def.template, args), ...extra };
}

/**
 * The error thrown by every layer for problems the user caused. It carries one
 * or more diagnostics; the CLI prints them and exits 1, never a stack trace.
 */
export class RamenError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: Diagnostic | readonly Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? (diagnostics as readonly Diagnostic[]) : [diagnostics as Diagnostic];
    super(list.map((d) => d.message).join("\n"));
    this.name = "RamenError";
    this.diagnostics = list;
  }

  static of(key: MessageKey, args: MessageArgs = {}, extra: DiagExtra = {}): RamenError {
    return new RamenError(diag(key, args, extra));
  }
}

export function isRamenError(x: unknown): x is RamenError {
  return x instanceof RamenError;
}

/**
 * `file:line:col: error: in function f, WHERE clause: message [RQ3001]`, then
 * the source line with a caret under the span, then notes and hint.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const lines: string[] = [];
  let head = "";
  if (d.source) {
    head += d.source.path + ":";
    if (d.span) {
      const { line, column } = d.source.position(d.span.start);
      head += `${line}:${column}:`;
    }
    head += " ";
  }
  head += `${d.severity}: ` + (d.context ? d.context + ": " : "") + d.message + ` [${d.code}]`;
  lines.push(head);
  if (d.source && d.span) {
    const { line, column } = d.source.position(d.span.start);
    const text = d.source.lineText(line);
    const lineEnd = text.length + 1;
    const caretLen = Math.max(1, Math.min(d.span.end - d.span.start, lineEnd - column));
    lines.push("  " + displayable(text));
    lines.push("  " + caretPadding(text, column - 1) + "^" + "~".repeat(caretLen - 1));
  }
  for (const n of d.notes ?? []) lines.push("  " + n);
  if (d.hint) lines.push("  hint: " + d.hint);
  return lines.join("\n");
}

// Keep tabs so the caret lines up under the same columns in a terminal.
function caretPadding(text: string, n: number): string {
  let pad = "";
  for (let i = 0; i < n; i++) pad += text[i] === "\t" ? "\t" : " ";
  return pad;
}

// Source lines are bytes; show them as UTF-8 where they decode.
function displayable(latin1: string): string {
  return Buffer.from(latin1, "latin1").toString("utf8");
}
