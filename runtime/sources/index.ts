// The readers of external sources (READ FROM FILE … AS CSV | ROWBINARY,
// raql.md §4.13): what the code generator and the runtime use.

export { type CsvError, type CsvField, type CsvLineParser, type CsvSpec, compileCsvReader, csvSpecOf, describeCsvError, isCsvError } from "./csv.js";
export {
  type FileSource,
  type FileSourceOptions,
  type ReadCounts,
  type SourceReport,
  csvFileSource,
  matchingFiles,
  rowBinaryFileSource,
  throttleBadLines,
} from "./files.js";
export { type RowBinaryDecoder, type RowBinaryField, compileRowBinaryDecoder } from "./rowbinary.js";
