// The RaQL type model (raql.md §2): scalar and composite types, nullability,
// and the text form of types. Everything above the grammar layer speaks of
// types through these definitions.

export const INT_WIDTHS = [8, 16, 24, 32, 40, 48, 56, 64, 128] as const;
export type IntWidth = (typeof INT_WIDTHS)[number];

/** A type without its own nullability (items of composites carry theirs). */
export type Type =
  | { readonly tag: "bool" }
  | { readonly tag: "int"; readonly signed: boolean; readonly width: IntWidth }
  | { readonly tag: "float" }
  | { readonly tag: "string" }
  | { readonly tag: "char" }
  | { readonly tag: "eth" }
  | { readonly tag: "ip4" }
  | { readonly tag: "ip6" }
  | { readonly tag: "ip" }
  | { readonly tag: "cidr4" }
  | { readonly tag: "cidr6" }
  | { readonly tag: "cidr" }
  | { readonly tag: "unit" }
  | { readonly tag: "vector"; readonly dim: number; readonly item: NType }
  | { readonly tag: "list"; readonly item: NType }
  | { readonly tag: "tuple"; readonly items: readonly NType[] }
  | { readonly tag: "record"; readonly fields: readonly RecordField[] }
  | { readonly tag: "map"; readonly key: NType; readonly value: NType }
  // The two tags below exist only while the checker infers types and never
  // appear in a finished schema: the type of NULL (or of the items of `[]`)
  // before the context gives it one, and an unsuffixed integer constant that
  // may still become any integer type holding its values (§2.4).
  | { readonly tag: "unknown" }
  | { readonly tag: "flexint"; readonly min: bigint; readonly max: bigint; readonly minWidth: IntWidth };

export type TypeTag = Type["tag"];

/** A type with its nullability: what a value, field or expression has. */
export interface NType {
  readonly type: Type;
  readonly nullable: boolean;
}

export interface RecordField {
  readonly name: string;
  readonly type: NType;
}

// ---- constructors ----------------------------------------------------------

export const T = {
  bool: { tag: "bool" } as Type,
  float: { tag: "float" } as Type,
  string: { tag: "string" } as Type,
  char: { tag: "char" } as Type,
  eth: { tag: "eth" } as Type,
  ip4: { tag: "ip4" } as Type,
  ip6: { tag: "ip6" } as Type,
  ip: { tag: "ip" } as Type,
  cidr4: { tag: "cidr4" } as Type,
  cidr6: { tag: "cidr6" } as Type,
  cidr: { tag: "cidr" } as Type,
  unit: { tag: "unit" } as Type,
  int(signed: boolean, width: IntWidth): Type {
    return { tag: "int", signed, width };
  },
  u8: { tag: "int", signed: false, width: 8 } as Type,
  u16: { tag: "int", signed: false, width: 16 } as Type,
  u32: { tag: "int", signed: false, width: 32 } as Type,
  u64: { tag: "int", signed: false, width: 64 } as Type,
  u128: { tag: "int", signed: false, width: 128 } as Type,
  i8: { tag: "int", signed: true, width: 8 } as Type,
  i16: { tag: "int", signed: true, width: 16 } as Type,
  i32: { tag: "int", signed: true, width: 32 } as Type,
  i64: { tag: "int", signed: true, width: 64 } as Type,
  i128: { tag: "int", signed: true, width: 128 } as Type,
  vector(dim: number, item: NType): Type {
    return { tag: "vector", dim, item };
  },
  list(item: NType): Type {
    return { tag: "list", item };
  },
  tuple(items: readonly NType[]): Type {
    return { tag: "tuple", items };
  },
  record(fields: readonly RecordField[]): Type {
    return { tag: "record", fields };
  },
  map(key: NType, value: NType): Type {
    return { tag: "map", key, value };
  },
};

export function notNull(type: Type): NType {
  return { type, nullable: false };
}
export function nullable(type: Type): NType {
  return { type, nullable: true };
}
export function withNullable(t: NType, isNullable: boolean): NType {
  return t.nullable === isNullable ? t : { type: t.type, nullable: isNullable };
}

// ---- families (raql.md §2.1) -------------------------------------------------

export function isInt(t: Type): t is Extract<Type, { tag: "int" }> {
  return t.tag === "int";
}
export function isUnsigned(t: Type): boolean {
  return t.tag === "int" && !t.signed;
}
export function isSigned(t: Type): boolean {
  return t.tag === "int" && t.signed;
}
export function isNumeric(t: Type): boolean {
  return t.tag === "int" || t.tag === "float";
}
export function isAnyIp(t: Type): boolean {
  return t.tag === "ip4" || t.tag === "ip6" || t.tag === "ip";
}
export function isAnyCidr(t: Type): boolean {
  return t.tag === "cidr4" || t.tag === "cidr6" || t.tag === "cidr";
}
export function isScalar(t: Type): boolean {
  switch (t.tag) {
    case "vector":
    case "list":
    case "tuple":
    case "record":
    case "map":
      return false;
    default:
      return true;
  }
}
/** Vectors and lists: what `list(t)` means in raql.md §6. */
export function isSequence(t: Type): t is Extract<Type, { tag: "vector" | "list" }> {
  return t.tag === "vector" || t.tag === "list";
}

/**
 * Integers of at most 32 bits are JS numbers at run time; wider ones are
 * bigints (40 and 48 bits would fit a double, but their products would not,
 * and one rule per width is easier to keep right than two).
 */
export function isBigIntType(t: Type): boolean {
  return t.tag === "int" && t.width > 32;
}

// ---- equality ----------------------------------------------------------------

export function typeEquals(a: Type, b: Type): boolean {
  if (a.tag !== b.tag) return false;
  switch (a.tag) {
    case "int": {
      const bi = b as typeof a;
      return a.signed === bi.signed && a.width === bi.width;
    }
    case "vector": {
      const bv = b as typeof a;
      return a.dim === bv.dim && ntypeEquals(a.item, bv.item);
    }
    case "list":
      return ntypeEquals(a.item, (b as typeof a).item);
    case "tuple": {
      const bt = b as typeof a;
      return a.items.length === bt.items.length && a.items.every((t, i) => ntypeEquals(t, bt.items[i]!));
    }
    case "record": {
      const br = b as typeof a;
      return (
        a.fields.length === br.fields.length &&
        a.fields.every((f, i) => f.name === br.fields[i]!.name && ntypeEquals(f.type, br.fields[i]!.type))
      );
    }
    case "map": {
      const bm = b as typeof a;
      return ntypeEquals(a.key, bm.key) && ntypeEquals(a.value, bm.value);
    }
    case "flexint": {
      const bf = b as typeof a;
      return a.min === bf.min && a.max === bf.max && a.minWidth === bf.minWidth;
    }
    default:
      return true;
  }
}

export function ntypeEquals(a: NType, b: NType): boolean {
  return a.nullable === b.nullable && typeEquals(a.type, b.type);
}

// ---- text form (raql.md §2.2) ---------------------------------------------------

export function intTypeName(signed: boolean, width: IntWidth): string {
  return (signed ? "i" : "u") + width;
}

/** Prints a type the way RaQL writes it, so that the text parses back to it. */
export function typeToString(t: Type): string {
  switch (t.tag) {
    case "int":
      return intTypeName(t.signed, t.width);
    case "vector":
      return itemPrefix(t.item) + `[${t.dim}]`;
    case "list":
      return itemPrefix(t.item) + "[]";
    case "map":
      return itemPrefix(t.value) + `[${ntypeToString(t.key)}]`;
    case "tuple":
      return "(" + t.items.map(ntypeToString).join("; ") + ")";
    case "record":
      return "{" + t.fields.map((f) => `${quoteNameIfNeeded(f.name)}: ${ntypeToString(f.type)}`).join("; ") + "}";
    case "flexint":
      return "integer";
    default:
      return t.tag;
  }
}

// The `?` before `[...]` applies to the item: `u8?[3]` is a vector of nullable u8.
function itemPrefix(item: NType): string {
  return typeToString(item.type) + (item.nullable ? "?" : "");
}

export function ntypeToString(t: NType): string {
  return typeToString(t.type) + (t.nullable ? "?" : "");
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export function quoteNameIfNeeded(name: string): string {
  return PLAIN_NAME.test(name) ? name : `'${name}'`;
}

/** Scalar type names, case-insensitive (raql.md §2.1). */
export function scalarTypeByName(name: string): Type | undefined {
  const n = name.toLowerCase();
  switch (n) {
    case "bool":
    case "boolean":
      return T.bool;
    case "float":
    case "string":
    case "char":
    case "eth":
    case "ip4":
    case "ip6":
    case "ip":
    case "cidr4":
    case "cidr6":
    case "cidr":
      return { tag: n } as Type;
  }
  const m = /^([ui])(\d+)$/.exec(n);
  if (m) {
    const width = Number(m[2]);
    if ((INT_WIDTHS as readonly number[]).includes(width)) return T.int(m[1] === "i", width as IntWidth);
  }
  return undefined;
}

// ---- integer ranges ------------------------------------------------------------

export function intRange(signed: boolean, width: IntWidth): { min: bigint; max: bigint } {
  const w = BigInt(width);
  return signed ? { min: -(1n << (w - 1n)), max: (1n << (w - 1n)) - 1n } : { min: 0n, max: (1n << w) - 1n };
}

export function intFits(value: bigint, signed: boolean, width: IntWidth): boolean {
  const { min, max } = intRange(signed, width);
  return value >= min && value <= max;
}
