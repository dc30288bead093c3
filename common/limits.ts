/** Input limits shared by server validation and console forms. */
export const LIMITS = {
  resourceName: 100,
  abstract: 256,
  itemName: 100,
  longText: 2000,
  shortText: 200,
  itemsPerResource: 500,
  searchTerm: 50,
  pageSizeMax: 200,
  importRows: 5000,
  appsPerRequest: 20,
} as const

const MB = 1024 * 1024

/**
 * Bounds on uploaded files, checked before or while they are parsed so that a small hostile file
 * (a zip bomb, a giant shared string, a line without end) is refused instead of filling memory.
 */
export const UPLOAD_LIMITS = {
  /** An XLSX table mount is held whole while it is read (a zip's directory is at its end). */
  xlsxFileBytes: 100 * MB,
  /** All parts of an XLSX table mount together, inflated (its rows are streamed, not held). */
  xlsxInflatedBytes: 1024 * MB,
  /** All parts of a catalog import workbook together, inflated (exceljs holds the whole workbook). */
  catalogInflatedBytes: 64 * MB,
  /** Parts (files) in one workbook. */
  zipParts: 2000,
  /** Inflated ÷ compressed size of a part above 1 MB: real sheets stay far below, a zip bomb far above. */
  zipRatio: 250,
  /** Shared strings of one workbook: how many, and the inflated size of their part. */
  sharedStrings: 1_000_000,
  sharedStringsBytes: 64 * MB,
  /** One cell's text as XML (Excel's own cap is 32,767 characters). */
  cellBytes: 256 * 1024,
  /** One sheet row as XML. */
  rowBytes: 8 * MB,
  /** Columns of a table upload (CSV or XLSX); a catalog entry has at most 500 items. */
  columns: 4096,
  /** Element nesting in any XML part of a workbook (real workbooks stay below 20). */
  xmlDepth: 64,
  /** One XML tag with its attributes. */
  xmlTagBytes: 256 * 1024,
  /** One CSV record, in characters (a quoted cell may span lines). */
  csvLineChars: 8 * MB,
} as const
