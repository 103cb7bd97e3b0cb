// How RaQL values are represented in JavaScript, everywhere outside Arrow
// columns (function implementations, constants, test expectations, printing).
//
// | RaQL type                         | JS value                                   |
// |-----------------------------------|--------------------------------------------|
// | bool                              | boolean                                    |
// | u8…u32, i8…i32                    | number (always an integer in range)        |
// | u40…u128, i40…i128                | bigint (always in range)                   |
// | float                             | number                                     |
// | string                            | string of bytes: every char code is 0–255  |
// | char                              | number 0–255                               |
// | eth                               | number (48-bit)                            |
// | ip4                               | number (unsigned 32-bit)                   |
// | ip6                               | bigint (unsigned 128-bit)                  |
// | ip                                | number (an ip4) or bigint (an ip6)         |
// | cidr4 / cidr6 / cidr              | Cidr: { ip: number | bigint, len }         |
// | vector, list, tuple, record, unit | array (records: fields in declared order) |
// | map (string[string])              | Map                                        |
// | NULL                              | null                                       |
//
// Strings are bytes because RaQL strings are byte sequences (LENGTH counts
// bytes, SUBSTRING cuts bytes); they are decoded as UTF-8 only when printed.
// The split between number and bigint keeps every integer exact: a double
// holds any 32-bit integer and the product of two of them is computed in
// bigint only where the type is wider than 32 bits.

export interface Cidr {
  readonly ip: number | bigint;
  readonly len: number;
}

export type Value = null | boolean | number | bigint | string | Cidr | readonly Value[] | Map<Value, Value>;

export function isCidr(v: Value): v is Cidr {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** JS string → RaQL byte string (UTF-8 encoded). */
export function bytesOfText(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/** RaQL byte string → JS string (UTF-8 decoded, for display only). */
export function textOfBytes(bytes: string): string {
  return Buffer.from(bytes, "latin1").toString("utf8");
}
