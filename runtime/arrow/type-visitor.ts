// The one dispatch over the tags of a finished RaQL type, for the Arrow layer:
// the schema mapping, the column builders and the column readers are each a
// TypeVisitor, so adding a type means adding one method everywhere the
// compiler points at, not finding every `switch`.

import type { IntWidth, NType, RecordField } from "../../grammar/types.js";

/** One method per tag; each receives the whole NType (some layouts depend on nullability). */
export interface TypeVisitor<R> {
  bool(t: NType): R;
  int(t: NType, signed: boolean, width: IntWidth): R;
  float(t: NType): R;
  string(t: NType): R;
  char(t: NType): R;
  eth(t: NType): R;
  ip4(t: NType): R;
  ip6(t: NType): R;
  ip(t: NType): R;
  cidr4(t: NType): R;
  cidr6(t: NType): R;
  cidr(t: NType): R;
  unit(t: NType): R;
  vector(t: NType, dim: number, item: NType): R;
  list(t: NType, item: NType): R;
  tuple(t: NType, items: readonly NType[]): R;
  record(t: NType, fields: readonly RecordField[]): R;
  map(t: NType, key: NType, value: NType): R;
}

export function visitType<R>(t: NType, visitor: TypeVisitor<R>): R {
  const type = t.type;
  switch (type.tag) {
    case "bool":
      return visitor.bool(t);
    case "int":
      return visitor.int(t, type.signed, type.width);
    case "float":
      return visitor.float(t);
    case "string":
      return visitor.string(t);
    case "char":
      return visitor.char(t);
    case "eth":
      return visitor.eth(t);
    case "ip4":
      return visitor.ip4(t);
    case "ip6":
      return visitor.ip6(t);
    case "ip":
      return visitor.ip(t);
    case "cidr4":
      return visitor.cidr4(t);
    case "cidr6":
      return visitor.cidr6(t);
    case "cidr":
      return visitor.cidr(t);
    case "unit":
      return visitor.unit(t);
    case "vector":
      return visitor.vector(t, type.dim, type.item);
    case "list":
      return visitor.list(t, type.item);
    case "tuple":
      return visitor.tuple(t, type.items);
    case "record":
      return visitor.record(t, type.fields);
    case "map":
      return visitor.map(t, type.key, type.value);
    case "unknown":
    case "flexint":
      // The checker resolves these before any schema exists: reaching here is a compiler bug.
      throw new Error(`type ${type.tag} has no run-time representation`);
  }
}
