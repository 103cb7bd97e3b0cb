// ClickHouse "names and types" column lists (raql.md §4.13), the field list
// of READ … AS ROWBINARY (and optionally of CSV):
//
//   columns format version: 1
//   2 columns:
//   `name` String
//   `value` Nullable(UInt32)
//
// Each column becomes a field declaration; the ClickHouse type is kept next to
// the RaQL type because two of them (UUID, FixedString(16)) share u128 but are
// laid out differently in RowBinary.

import type { FieldDecl } from "./ast.js";
import { RamenError } from "./diagnostics.js";
import type { SourceFile, Span } from "./source.js";
import { T, type NType, notNull, nullable } from "./types.js";

const SCALARS: Record<string, NType> = {
  UInt8: notNull(T.u8),
  UInt16: notNull(T.u16),
  UInt32: notNull(T.u32),
  UInt64: notNull(T.u64),
  Int8: notNull(T.i8),
  Int16: notNull(T.i16),
  Int32: notNull(T.i32),
  Int64: notNull(T.i64),
  Float32: notNull(T.float),
  Float64: notNull(T.float),
  String: notNull(T.string),
  UUID: notNull(T.u128),
};

/** The RaQL type of a ClickHouse type, or undefined if RaQL has none for it. */
function clickHouseType(text: string): NType | undefined {
  const t = text.trim();
  const scalar = SCALARS[t];
  if (scalar) return scalar;
  const m = /^(\w+)\((.*)\)$/s.exec(t);
  if (!m) return undefined;
  const [, wrapper, inner] = m;
  switch (wrapper) {
    case "Nullable": {
      const item = clickHouseType(inner!);
      return item && !item.nullable ? nullable(item.type) : undefined;
    }
    case "Array": {
      const item = clickHouseType(inner!);
      return item && notNull(T.list(item));
    }
    case "FixedString": {
      if (!/^\s*[0-9]+\s*$/.test(inner!)) return undefined;
      const n = Number(inner);
      if (n === 16) return notNull(T.u128);
      return n >= 1 ? notNull(T.vector(n, notNull(T.char))) : undefined;
    }
  }
  return undefined;
}

/**
 * The fields of a column list; `text` is what lies between the parentheses and
 * `offset` its position in the source, for precise error locations.
 */
export function parseClickHouseColumns(text: string, offset: number, source: SourceFile): FieldDecl[] {
  const lines: { text: string; span: Span }[] = [];
  let pos = 0;
  for (const raw of text.split("\n")) {
    const trimmed = raw.trim();
    if (trimmed !== "") {
      const start = offset + pos + raw.indexOf(trimmed);
      lines.push({ text: trimmed, span: { start, end: start + trimmed.length } });
    }
    pos += raw.length + 1;
  }
  const fail = (expected: string, line: { text: string; span: Span } | undefined): never => {
    const span = line?.span ?? { start: offset, end: offset + text.length };
    throw RamenError.of("unexpectedToken", { expected, got: JSON.stringify(line?.text ?? "") }, { source, span });
  };
  if (!/^columns format version: *[0-9]+$/i.test(lines[0]?.text ?? "")) fail('"columns format version: 1"', lines[0]);
  const count = /^([0-9]+) columns:$/i.exec(lines[1]?.text ?? "");
  if (!count) return fail('"N columns:"', lines[1]);
  const columns = lines.slice(2);
  if (columns.length !== Number(count[1])) fail(`${count[1]} columns`, columns[Number(count[1])] ?? columns[columns.length - 1]);
  return columns.map((line) => {
    const m = /^`((?:[^`\\]|\\.)*)`\s+(.+)$/.exec(line.text);
    if (!m) return fail("a column: `name` Type", line);
    const name = m[1]!.replace(/\\(.)/g, "$1");
    const type = clickHouseType(m[2]!);
    if (!type) throw RamenError.of("notSupported", { what: `ClickHouse type ${m[2]!.trim()}` }, { source, span: line.span });
    return { span: line.span, name, type, clickhouseType: m[2]!.trim() };
  });
}
