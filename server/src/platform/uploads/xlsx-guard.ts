import { UPLOAD_LIMITS } from '../../../../common/limits.ts'
import { megabytes, malformedUpload, uploadTooLarge } from './refusals.ts'
import { XmlBoundsError, type XmlBounds, XmlGuard } from './xml-guard.ts'
import { InflateError, type ZipPart, type ZipProblem, inflatePart, listZipParts } from './zip-archive.ts'

/**
 * Everything an .xlsx upload must pass before exceljs reads it, shared by the catalog import and
 * table mounts: a zip we can trust (zip-archive.ts), within an inflated-size allowance and a
 * compression ratio, with every XML part inside the bounds of xml-guard.ts and the shared strings
 * within their count and size. Each part is inflated once, in 64 KB chunks, so checking costs
 * one chunk of memory whatever the file claims.
 */

export interface XlsxLimits {
  /** All parts together, inflated. */
  inflatedBytes: number
  parts: number
  ratio: number
  sharedStrings: number
  sharedStringsBytes: number
  cellBytes: number
  rowBytes: number
  columns: number
  xmlDepth: number
  xmlTagBytes: number
}

/** The table-mount limits (catalog import narrows `inflatedBytes`). */
export const XLSX_LIMITS: XlsxLimits = Object.freeze({
  inflatedBytes: UPLOAD_LIMITS.xlsxInflatedBytes,
  parts: UPLOAD_LIMITS.zipParts,
  ratio: UPLOAD_LIMITS.zipRatio,
  sharedStrings: UPLOAD_LIMITS.sharedStrings,
  sharedStringsBytes: UPLOAD_LIMITS.sharedStringsBytes,
  cellBytes: UPLOAD_LIMITS.cellBytes,
  rowBytes: UPLOAD_LIMITS.rowBytes,
  columns: UPLOAD_LIMITS.columns,
  xmlDepth: UPLOAD_LIMITS.xmlDepth,
  xmlTagBytes: UPLOAD_LIMITS.xmlTagBytes,
})

/** What a reader will hold: the inputs of its memory estimate. */
export interface XlsxFacts {
  inflatedBytes: number
  sharedStrings: number
  sharedStringsBytes: number
}

const NOT_XLSX = '文件不是 Excel 工作簿（.xlsx）。如果是 CSV、WPS 或其他格式改了扩展名，请在 Excel 中「另存为」Excel 工作簿（*.xlsx）后再上传'
const DAMAGED = '文件已损坏或不完整，无法作为 Excel 工作簿（.xlsx）读取，请重新保存后再上传'

const ZIP_MESSAGES: Record<ZipProblem, string> = {
  empty: '上传的文件是空的',
  ole: '不支持 Excel 97-2003 工作簿（.xls）或加密的工作簿，请在 Excel 中另存为 .xlsx（不设密码）后再上传',
  'not-zip': NOT_XLSX,
  damaged: DAMAGED,
  zip64: '不支持 ZIP64 格式的工作簿（文件过大），请拆分后分批上传',
  'too-many-parts': '工作簿内部文件过多，无法作为 Excel 工作簿读取，请删除多余的工作表、图片后重新保存',
  encrypted: '不支持加密的工作簿，请取消密码后再上传',
  'hidden-data': '工作簿的压缩结构与其目录不一致（可能被篡改），请在 Excel 中重新保存后再上传',
}

/** The Chinese refusal of an XML part; `part` as the user might recognise it. */
function xmlRefusal(problem: XmlBoundsError['problem'], part: string, limits: XlsxLimits) {
  const where = part.startsWith('xl/worksheets/') ? '工作表' : part.endsWith('sharedStrings.xml') ? '共享字符串表' : `「${part}」`
  switch (problem) {
    case 'doctype':
      return malformedUpload(`${where}含有文档类型声明（DOCTYPE/ENTITY），Excel 工作簿不会包含此类内容，已拒绝`)
    case 'depth':
      return malformedUpload(`${where}的 XML 嵌套超过 ${limits.xmlDepth} 层，不是正常的 Excel 工作簿，已拒绝`)
    case 'malformed':
      return malformedUpload(DAMAGED)
    case 'tag':
      return uploadTooLarge(`${where}中有超过 ${Math.round(limits.xmlTagBytes / 1024)} KB 的 XML 标签，已拒绝`)
    case 'text':
      return uploadTooLarge(`${where}中有单元格内容超过 ${Math.round(limits.cellBytes / 1024)} KB（Excel 单元格最多 32767 个字符），已拒绝`)
    case 'record':
      return uploadTooLarge(
        where === '共享字符串表'
          ? `共享字符串表中有一项超过 ${Math.round(limits.cellBytes / 1024)} KB，已拒绝`
          : `${where}中有一行超过 ${megabytes(limits.rowBytes)}，请拆分后上传`,
      )
    case 'items':
      return uploadTooLarge(`${where}中有一行超过 ${limits.columns} 列，请删除多余的列后上传`)
    case 'records':
      return uploadTooLarge(`共享字符串超过 ${limits.sharedStrings} 个，请拆分后分批上传`)
  }
}

function guardFor(name: string, limits: XlsxLimits): XmlGuard | null {
  if (!/\.(xml|rels)$/i.test(name)) return null
  const bounds: XmlBounds = {
    depth: limits.xmlDepth,
    tagBytes: limits.xmlTagBytes,
    textBytes: limits.cellBytes,
    recordBytes: limits.rowBytes,
    items: limits.columns,
    records: Number.MAX_SAFE_INTEGER,
  }
  if (/sharedStrings\.xml$/i.test(name)) {
    return new XmlGuard({ ...bounds, recordBytes: limits.cellBytes * 2, records: limits.sharedStrings }, 'si')
  }
  if (/^\/?xl\/worksheets\//i.test(name)) return new XmlGuard(bounds, 'row', 'c')
  return new XmlGuard(bounds, 'row')
}

/** Parts bigger than this must keep to the compression ratio (small parts compress wildly: empty sheets). */
const RATIO_FLOOR = 1024 * 1024

const inflatedTooLarge = (limits: XlsxLimits) =>
  uploadTooLarge(`文件解压后超过 ${megabytes(limits.inflatedBytes)}，请删除多余的工作表、图片或格式，或拆分后分批上传`)

/**
 * Checks an .xlsx before any parser opens it. Throws 400 VALIDATION_FAILED (not a workbook,
 * damaged, sizes that lie, a DTD, absurd nesting) or 413 PAYLOAD_TOO_LARGE (a limit passed), each
 * with a Chinese message on the `file` field. Returns the sizes a memory estimate needs.
 */
export async function inspectXlsx(data: Buffer, limits: XlsxLimits = XLSX_LIMITS): Promise<XlsxFacts> {
  const listed = listZipParts(data, limits.parts)
  if (!listed.ok) throw listed.problem === 'too-many-parts' ? uploadTooLarge(ZIP_MESSAGES[listed.problem]) : malformedUpload(ZIP_MESSAGES[listed.problem])
  const names = new Set(listed.parts.map((p) => p.name.replace(/^\//, '')))
  if (!names.has('xl/workbook.xml') || !names.has('[Content_Types].xml')) {
    if (names.has('word/document.xml')) throw malformedUpload('这是 Word 文档，不是 Excel 工作簿（.xlsx）')
    if (names.has('ppt/presentation.xml')) throw malformedUpload('这是 PowerPoint 演示文稿，不是 Excel 工作簿（.xlsx）')
    if (names.has('content.xml')) throw malformedUpload('不支持 OpenDocument 表格（.ods），请另存为 .xlsx 后再上传')
    throw malformedUpload('压缩包中没有 Excel 工作簿，请上传 .xlsx 文件')
  }
  const facts: XlsxFacts = { inflatedBytes: 0, sharedStrings: 0, sharedStringsBytes: 0 }
  for (const part of listed.parts) {
    if (part.name.endsWith('/')) continue
    const shared = /sharedStrings\.xml$/i.test(part.name)
    if (shared && part.size > limits.sharedStringsBytes)
      throw uploadTooLarge(`共享字符串表解压后超过 ${megabytes(limits.sharedStringsBytes)}，请拆分后分批上传`)
    if (part.size > RATIO_FLOOR && part.size > part.compressedSize * limits.ratio) {
      throw uploadTooLarge(`文件中的「${part.name}」解压后超过压缩前的 ${limits.ratio} 倍（疑似压缩炸弹），已拒绝`)
    }
    const guard = guardFor(part.name, limits)
    await scanPart(data, part, limits.inflatedBytes - facts.inflatedBytes, guard, limits)
    facts.inflatedBytes += part.size
    if (shared) {
      facts.sharedStrings += guard!.records
      facts.sharedStringsBytes += part.size
    }
  }
  return facts
}

async function scanPart(data: Buffer, part: ZipPart, allowance: number, guard: XmlGuard | null, limits: XlsxLimits) {
  try {
    for await (const chunk of inflatePart(data, part, allowance)) guard?.push(chunk)
    guard?.end()
  } catch (error) {
    if (error instanceof XmlBoundsError) throw xmlRefusal(error.problem, part.name, limits)
    if (!(error instanceof InflateError)) throw error
    if (error.problem === 'over-budget') throw inflatedTooLarge(limits)
    if (error.problem === 'size-lie') throw malformedUpload(`文件中的「${part.name}」解压后的大小与其声明不符（可能被篡改），已拒绝`)
    throw malformedUpload(DAMAGED)
  }
}
