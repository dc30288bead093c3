import { inflateRawSync } from 'node:zlib'

/**
 * A first look at an uploaded file before exceljs opens it: is it an .xlsx (an OOXML zip with a
 * workbook part), and does it stay small once inflated? exceljs inflates every part into memory,
 * so a zip bomb or a CSV renamed .xlsx must be refused here, with a message the user understands.
 * Only the zip's central directory and its deflate streams are read (node:zlib, bounded output).
 */

/** Inflated size of all parts together; a 5000-entry catalog is a few MB of XML. */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024
const MAX_PARTS = 2000

export interface ZipPart {
  name: string
  method: number
  flags: number
  compressedSize: number
  size: number
  localHeaderOffset: number
}

export type ContainerVerdict = { ok: true; parts: ZipPart[] } | { ok: false; message: string }

const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50

const NOT_XLSX = '文件不是 Excel 工作簿（.xlsx）。如果是 CSV、WPS 或其他格式改了扩展名，请在 Excel 中「另存为」Excel 工作簿（*.xlsx）后再导入'
const DAMAGED = '文件已损坏或不完整，无法作为 Excel 工作簿（.xlsx）读取，请重新保存后再导入'

function findEndOfCentralDirectory(data: Buffer): number {
  const stop = Math.max(0, data.length - 22 - 0xffff)
  for (let at = data.length - 22; at >= stop; at--) {
    if (data.readUInt32LE(at) === EOCD) return at
  }
  return -1
}

/** The parts listed in a zip's central directory, or why the file is not a usable .xlsx. */
export function listZipParts(data: Buffer): ContainerVerdict {
  if (data.length === 0) return { ok: false, message: '上传的文件是空的' }
  if (data.subarray(0, 8).equals(OLE_SIGNATURE)) {
    return { ok: false, message: '不支持 Excel 97-2003 工作簿（.xls）或加密的工作簿，请在 Excel 中另存为 .xlsx（不设密码）后再导入' }
  }
  if (data.length < 22 || data.readUInt32LE(0) !== LOCAL) return { ok: false, message: NOT_XLSX }
  const end = findEndOfCentralDirectory(data)
  if (end < 0) return { ok: false, message: DAMAGED }
  const count = data.readUInt16LE(end + 10)
  const directorySize = data.readUInt32LE(end + 12)
  const directoryOffset = data.readUInt32LE(end + 16)
  if (count === 0xffff || directoryOffset === 0xffffffff) return { ok: false, message: '文件过大（ZIP64），请拆分后分批导入' }
  if (count > MAX_PARTS) return { ok: false, message: DAMAGED }
  if (directoryOffset + directorySize > end) return { ok: false, message: DAMAGED }
  const parts: ZipPart[] = []
  let at = directoryOffset
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || data.readUInt32LE(at) !== CENTRAL) return { ok: false, message: DAMAGED }
    const nameLength = data.readUInt16LE(at + 28)
    const extraLength = data.readUInt16LE(at + 30)
    const commentLength = data.readUInt16LE(at + 32)
    parts.push({
      flags: data.readUInt16LE(at + 8),
      method: data.readUInt16LE(at + 10),
      compressedSize: data.readUInt32LE(at + 20),
      size: data.readUInt32LE(at + 24),
      localHeaderOffset: data.readUInt32LE(at + 42),
      name: data.toString('utf8', at + 46, at + 46 + nameLength),
    })
    at += 46 + nameLength + extraLength + commentLength
  }
  return { ok: true, parts }
}

/** The stored bytes of one part (still compressed), or null when its local header is broken. */
export function storedBytes(data: Buffer, part: ZipPart): Buffer | null {
  const at = part.localHeaderOffset
  if (at + 30 > data.length || data.readUInt32LE(at) !== LOCAL) return null
  const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28)
  const stop = start + part.compressedSize
  return stop > data.length ? null : data.subarray(start, stop)
}

/**
 * null when the upload can be handed to exceljs; otherwise a Chinese message for the user.
 * Every part is inflated once with a bounded output, so a part that lies about its size is caught too.
 */
export function xlsxContainerProblem(data: Buffer): string | null {
  const listed = listZipParts(data)
  if (!listed.ok) return listed.message
  const names = new Set(listed.parts.map((p) => p.name.replace(/^\//, '')))
  if (!names.has('xl/workbook.xml') || !names.has('[Content_Types].xml')) {
    if (names.has('word/document.xml')) return '这是 Word 文档，不是 Excel 工作簿（.xlsx）'
    if (names.has('ppt/presentation.xml')) return '这是 PowerPoint 演示文稿，不是 Excel 工作簿（.xlsx）'
    if (names.has('content.xml')) return '不支持 OpenDocument 表格（.ods），请另存为 .xlsx 后再导入'
    return '压缩包中没有 Excel 工作簿，请上传 .xlsx 文件'
  }
  let budget = MAX_INFLATED_BYTES
  for (const part of listed.parts) {
    if (part.flags & 0x1) return '不支持加密的工作簿，请取消密码后再导入'
    if (part.name.endsWith('/')) continue
    const stored = storedBytes(data, part)
    if (!stored) return DAMAGED
    let size: number
    if (part.method === 0) size = stored.length
    else if (part.method === 8) {
      try {
        size = inflateRawSync(stored, { maxOutputLength: budget + 1 }).length
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge()
        return DAMAGED
      }
    } else return DAMAGED
    budget -= size
    if (budget < 0) return tooLarge()
  }
  return null
}

const tooLarge = () => `文件解压后超过 ${MAX_INFLATED_BYTES / 1024 / 1024} MB，请删除多余的工作表、图片或格式，或拆分后分批导入`
