// Where one function's archive lives and what its files are called
// (archival.md §2.1, §2.4): the schema hash that names its directory, the
// names of sealed files, and the selection of the files a query reads.

import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DataType, Field, FixedSizeBinary, FixedSizeList, Float, Int, Map_, Schema, Type as ArrowTypeId } from "apache-arrow";

/** The archive format version: the directory level under `archives/`. */
export const ARCHIVE_FORMAT = "v1";

/** `$RAMEN_DIR/archives`: the only tree gc ever deletes in (archival.md §5.5). */
export function archivesRoot(stateDir: string): string {
  return join(stateDir, "archives");
}

/** `archives/v1/<site>`: the archives of one site, the top gc climbs to when removing empty parents. */
export function siteArchivesDir(stateDir: string, site: string): string {
  return join(archivesRoot(stateDir), ARCHIVE_FORMAT, site);
}

/** `program/function` split on its last `/` (program paths may contain `/`). */
export function splitFq(fq: string): { readonly program: string; readonly func: string } {
  const slash = fq.lastIndexOf("/");
  return { program: fq.slice(0, slash), func: fq.slice(slash + 1) };
}

/** `archives/v1/<site>/<program path>/<function>/<schema hash>` */
export function archiveDir(stateDir: string, site: string, fq: string, schemaHash: string): string {
  const { program, func } = splitFq(fq);
  return join(siteArchivesDir(stateDir, site), ...program.split("/"), func, schemaHash);
}

/** The entries of one archive directory (§2.1). */
export interface ArchivePaths {
  readonly dir: string;
  readonly current: string;
  readonly lock: string;
  readonly arc: string;
  readonly nextSeq: string;
  readonly leases: string;
  readonly tmp: string;
}

export function archivePaths(dir: string): ArchivePaths {
  const arc = join(dir, "arc");
  return {
    dir,
    current: join(dir, "current.arrow"),
    lock: join(dir, "current.lock"),
    arc,
    nextSeq: join(arc, "next-seq"),
    leases: join(arc, ".leases"),
    tmp: join(arc, ".tmp"),
  };
}

// ---- schema hash ------------------------------------------------------------------------

/**
 * Canonical JSON of an output schema, what the schema hash is computed over.
 * It is `JSON.stringify` (no whitespace) of `{"fields": [field…]}` where a
 * field is, keys in this order:
 *   {"name": string, "nullable": bool, "type": type, "metadata": {key: value…}, "children": [field…]}
 * - `metadata` is the field's custom metadata with keys in byte order (it holds
 *   `ramen.type`, which tells apart RaQL types sharing an Arrow layout, such as
 *   u32 and ip4); `children` is present only for types with children (struct,
 *   list, fixed-size list, map).
 * - `type` is `{"id": <apache-arrow Type enum name>}` plus the layout
 *   parameters of that type: `bitWidth` and `isSigned` (Int), `precision`
 *   (Float, enum name), `byteWidth` (FixedSizeBinary), `listSize`
 *   (FixedSizeList), `keysSorted` (Map). Other types get `"text"`, apache-arrow's
 *   printed form of the type.
 * - The schema's own metadata is left out: it carries per-file identity
 *   (`ramen.first_seq`, writer) that must not change the directory. The caller
 *   passes the function's output fields without the hidden `#start`/`#stop`.
 * The hash is over the UTF-8 bytes of that text.
 */
export function canonicalSchemaJson(schema: Schema): string {
  return JSON.stringify({ fields: schema.fields.map(canonicalField) });
}

function canonicalField(field: Field): unknown {
  const metadata: Record<string, string> = {};
  for (const key of [...field.metadata.keys()].sort(compareBytes)) metadata[key] = field.metadata.get(key)!;
  const children = field.type.children as Field[] | null | undefined;
  return {
    name: field.name,
    nullable: field.nullable,
    type: canonicalType(field.type),
    metadata,
    ...(children != null && children.length > 0 ? { children: children.map(canonicalField) } : {}),
  };
}

function canonicalType(type: DataType): unknown {
  const id = ArrowTypeId[type.typeId];
  if (DataType.isInt(type)) return { id, bitWidth: (type as Int).bitWidth, isSigned: (type as Int).isSigned };
  if (DataType.isFloat(type)) return { id, precision: ["HALF", "SINGLE", "DOUBLE"][(type as Float).precision] };
  if (DataType.isFixedSizeBinary(type)) return { id, byteWidth: (type as FixedSizeBinary).byteWidth };
  if (DataType.isFixedSizeList(type)) return { id, listSize: (type as FixedSizeList).listSize };
  if (DataType.isMap(type)) return { id, keysSorted: (type as Map_).keysSorted };
  if (DataType.isBool(type) || DataType.isBinary(type) || DataType.isNull(type) || DataType.isStruct(type) || DataType.isList(type)) return { id };
  return { id, text: String(type) };
}

/** First 16 hex digits of SHA-256 over the canonical JSON of the output schema (§2.1). */
export function schemaHash(schema: Schema): string {
  return createHash("sha256").update(canonicalSchemaJson(schema), "utf8").digest("hex").slice(0, 16);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

// ---- archived file names ----------------------------------------------------------------

export const ARCHIVED_FILE_NAME = /^([0-9a-f]{16})_([0-9a-f]{16})_(-?[0-9]+)_(-?[0-9]+)\.arrow$/;

/** What the name of a sealed file tells: sequence range [first, end) and time range in microseconds. */
export interface ArchivedFileName {
  readonly first: bigint;
  readonly end: bigint;
  readonly tminMicros: bigint;
  readonly tmaxMicros: bigint;
}

const hex16 = (n: bigint): string => n.toString(16).padStart(16, "0");

/** Time in seconds to microseconds rounded down (tmin) or up (tmax), so overlap tests stay conservative. */
export const microsFloor = (seconds: number): bigint => BigInt(Math.floor(seconds * 1e6));
export const microsCeil = (seconds: number): bigint => BigInt(Math.ceil(seconds * 1e6));

export function formatArchivedFileName(name: ArchivedFileName): string {
  return `${hex16(name.first)}_${hex16(name.end)}_${name.tminMicros}_${name.tmaxMicros}.arrow`;
}

/** The parts of a sealed file's name, or undefined for any other name (ignored by readers and gc). */
export function parseArchivedFileName(fileName: string): ArchivedFileName | undefined {
  const m = ARCHIVED_FILE_NAME.exec(fileName);
  if (m === null) return undefined;
  const first = BigInt(`0x${m[1]!}`);
  const end = BigInt(`0x${m[2]!}`);
  if (end <= first) return undefined;
  return { first, end, tminMicros: BigInt(m[3]!), tmaxMicros: BigInt(m[4]!) };
}

export interface ArchivedFile extends ArchivedFileName {
  readonly fileName: string;
  readonly path: string;
}

/** The sealed files of an `arc/` directory, sorted by `first` (write order); none when it does not exist. */
export function listArchivedFiles(arcDir: string): ArchivedFile[] {
  let names: string[];
  try {
    names = readdirSync(arcDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const files: ArchivedFile[] = [];
  for (const fileName of names) {
    const parsed = parseArchivedFileName(fileName);
    if (parsed !== undefined) files.push({ ...parsed, fileName, path: join(arcDir, fileName) });
  }
  return files.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
}

/** The files (sorted by `first`) that may hold rows of [since, until) in seconds: tmin ≤ until and tmax ≥ since. */
export function filesOverlapping(files: readonly ArchivedFile[], since: number, until: number): ArchivedFile[] {
  // tmin ≤ until·10^6 ⇔ tmin ≤ floor(until·10^6) for an integer tmin; likewise with ceil for since.
  const untilMicros = microsFloor(until);
  const sinceMicros = microsCeil(since);
  return files.filter((f) => f.tminMicros <= untilMicros && f.tmaxMicros >= sinceMicros);
}

/** Size in bytes of a file, or undefined when it does not exist. */
export function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}
