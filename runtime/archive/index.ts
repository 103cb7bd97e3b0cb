// The archive directory of a function (archival.md §2), its writer and
// reader, and gc's pass over all of them (§5): what the workers, the replay
// planner and `ramen gc` use.

export {
  ARCHIVE_FORMAT,
  ARCHIVED_FILE_NAME,
  type ArchivePaths,
  type ArchivedFile,
  type ArchivedFileName,
  archiveDir,
  archivePaths,
  archivesRoot,
  canonicalSchemaJson,
  filesOverlapping,
  formatArchivedFileName,
  listArchivedFiles,
  microsCeil,
  microsFloor,
  parseArchivedFileName,
  schemaHash,
  siteArchivesDir,
  splitFq,
} from "./layout.js";
export {
  LEASE_DURATION,
  type Lease,
  type WriterLock,
  acquireWriterLock,
  createLease,
  hasLiveWriter,
  isPidAlive,
  leasedFiles,
  liveLeases,
  readWriterLock,
  releaseLease,
  releaseWriterLock,
  renewLease,
} from "./locks.js";
export {
  FIRST_SEQ_KEY,
  START_COLUMN,
  STOP_COLUMN,
  type ArchiveFileScan,
  type RecoveryOutcome,
  readNextSeq,
  recoverArchive,
  scanArchiveFile,
  sealedFileName,
  writeNextSeq,
} from "./recovery.js";
export {
  DEFAULT_DEL_RATIO,
  DEFAULT_GRACE,
  type FunctionArchiveSummary,
  type GcOptions,
  type GcReport,
  filesToDelete,
  mergeRanges,
  runGcPass,
} from "./gc.js";
export {
  DEFAULT_FILE_SIZE,
  DEFAULT_MAX_AGE,
  SYNC_PERIOD,
  ArchiveWriter,
  type ArchiveWriterOptions,
  type CurrentFileStats,
  type WriteFunction,
} from "./writer.js";
export {
  LEASE_RENEWAL,
  type ArchiveGap,
  type ArchiveReadOptions,
  type ArchivedBatch,
  type ArchivedRow,
  archiveCoverage,
  archivedRows,
  readArchive,
} from "./reader.js";
