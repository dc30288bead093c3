import JSZip from 'jszip'
import { beijingTimestampText } from '../../../platform/calendar/dates.ts'
import { markPdfInfo } from './pdf-mark.ts'

/**
 * The trace mark of a delivered file (SPEC §8.3 S11): the download id, the consumer and the time, written
 * where the format keeps metadata and as a note a reader sees, so a leaked copy can be traced back to its
 * download (`GET /exchange/downloads/:id`). The stored version is never changed: each download is a copy.
 */

export interface TraceMark {
  downloadId: string
  consumerName: string
  userName: string | null
  at: Date
}

export type MarkKind = 'core_properties' | 'pdf_info' | 'comment_line' | 'log_only'

export interface MarkedFile {
  content: Buffer
  kind: MarkKind
}

/** The visible note, in the reader's words. */
export function markNote(mark: TraceMark): string {
  const who = mark.userName ? `，下载人 ${mark.userName}` : ''
  return `本文件经政务数据共享平台交付：下载编号 ${mark.downloadId}，使用单位 ${mark.consumerName}${who}，下载时间 ${beijingTimestampText(mark.at)}（北京时间）。仅限授权用途使用，不得擅自扩散。`
}

/** The machine-readable form, the same in every format: one token a search for the id finds. */
export const markKeywords = (mark: TraceMark) => `GovShare-Download:${mark.downloadId}`

const extensionOf = (fileName: string) => fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase()
const isZip = (content: Buffer) => content.length > 4 && content.readUInt32LE(0) === 0x04034b50

/**
 * A marked copy of `content`. A file that does not open as its extension says (a renamed or damaged
 * file) is delivered unmarked but still logged, rather than refused: the log holds the trace then.
 */
export async function markFile(fileName: string, content: Buffer, mark: TraceMark): Promise<MarkedFile> {
  const ext = extensionOf(fileName)
  try {
    if ((ext === 'xlsx' || ext === 'docx') && isZip(content)) return { content: await markOfficeFile(ext, content, mark), kind: 'core_properties' }
    if (ext === 'pdf') {
      const marked = markPdfInfo(content, { subject: markNote(mark), keywords: markKeywords(mark), downloadId: mark.downloadId })
      if (marked) return { content: marked, kind: 'pdf_info' }
    }
    if (ext === 'csv' || ext === 'txt' || ext === 'tsv') return { content: markTextFile(content, mark), kind: 'comment_line' }
  } catch {
    // An archive or document that does not parse: see above.
  }
  return { content, kind: 'log_only' }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf])

/**
 * A leading `#` comment line. A file in another encoding (GBK CSV) gets an ASCII-only line, so the
 * Chinese note does not turn into mojibake in the consumer's tools; the id is what traces it.
 */
function markTextFile(content: Buffer, mark: TraceMark): Buffer {
  const hasBom = content.subarray(0, 3).equals(UTF8_BOM)
  const body = hasBom ? content.subarray(3) : content
  let utf8 = true
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    utf8 = false
  }
  const line = utf8 ? `# ${markNote(mark)} ${markKeywords(mark)}\n` : `# ${markKeywords(mark)} at ${mark.at.toISOString()}\n`
  return Buffer.concat([hasBom ? UTF8_BOM : Buffer.alloc(0), Buffer.from(line, 'utf8'), body])
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)

const NS = {
  cp: 'http://schemas.openxmlformats.org/package/2006/metadata/core-properties',
  dc: 'http://purl.org/dc/elements/1.1/',
  rel: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships',
  coreRel: 'http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties',
}

/** XLSX/DOCX: the core properties (description, keywords) and a visible note (a sheet, a first paragraph). */
async function markOfficeFile(ext: 'xlsx' | 'docx', content: Buffer, mark: TraceMark): Promise<Buffer> {
  const zip = await JSZip.loadAsync(content)
  await setCoreProperties(zip, mark)
  if (ext === 'xlsx') await addNoteSheet(zip, mark)
  else await addNoteParagraph(zip, mark)
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })
}

async function readPart(zip: JSZip, name: string) {
  const part = zip.file(name)
  if (!part) throw new Error(`missing part ${name}`)
  return part.async('string')
}

async function setCoreProperties(zip: JSZip, mark: TraceMark) {
  // Namespaces are declared on the elements themselves, so they hold whatever prefixes the file declares.
  const props =
    `<dc:description xmlns:dc="${NS.dc}">${escapeXml(markNote(mark))}</dc:description>` +
    `<cp:keywords xmlns:cp="${NS.cp}">${escapeXml(markKeywords(mark))}</cp:keywords>`
  const existing = zip.file('docProps/core.xml')
  if (existing) {
    const core = (await existing.async('string'))
      .replace(/<dc:description\b[^>]*\/>|<dc:description\b[^>]*>[\s\S]*?<\/dc:description>/g, '')
      .replace(/<cp:keywords\b[^>]*\/>|<cp:keywords\b[^>]*>[\s\S]*?<\/cp:keywords>/g, '')
    const end = core.lastIndexOf('</')
    if (end < 0) throw new Error('core.xml has no closing tag')
    zip.file('docProps/core.xml', core.slice(0, end) + props + core.slice(end))
    return
  }
  zip.file('docProps/core.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="${NS.cp}">${props}</cp:coreProperties>`)
  await addOverride(zip, '/docProps/core.xml', 'application/vnd.openxmlformats-package.core-properties+xml')
  const rels = await readPart(zip, '_rels/.rels')
  zip.file(
    '_rels/.rels',
    rels.replace(/<\/Relationships>\s*$/, `<Relationship Id="rIdGovShareCore" Type="${NS.coreRel}" Target="docProps/core.xml"/></Relationships>`),
  )
}

async function addOverride(zip: JSZip, partName: string, contentType: string) {
  const types = await readPart(zip, '[Content_Types].xml')
  zip.file('[Content_Types].xml', types.replace(/<\/Types>\s*$/, `<Override PartName="${partName}" ContentType="${contentType}"/></Types>`))
}

async function addNoteSheet(zip: JSZip, mark: TraceMark) {
  const workbook = await readPart(zip, 'xl/workbook.xml')
  const close = workbook.match(/<\/(\w+:)?sheets>/)
  if (!close || close.index === undefined) throw new Error('workbook.xml has no sheets')
  const prefix = close[1] ?? ''
  const sheetId = Math.max(0, ...[...workbook.matchAll(/sheetId="(\d+)"/g)].map((m) => Number(m[1]))) + 1
  // sheetN.xml, the name every writer uses (some readers find sheets by that pattern), with an unused N.
  const taken = Object.keys(zip.files)
    .flatMap((name) => /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name)?.[1] ?? [])
    .map(Number)
  const part = `worksheets/sheet${Math.max(0, ...taken) + 1}.xml`
  const sheet = `<${prefix}sheet xmlns:r="${NS.rel}" name="下载标记" sheetId="${sheetId}" r:id="rIdGovShareMark"/>`
  zip.file('xl/workbook.xml', workbook.slice(0, close.index) + sheet + workbook.slice(close.index))
  const rels = await readPart(zip, 'xl/_rels/workbook.xml.rels')
  zip.file(
    'xl/_rels/workbook.xml.rels',
    rels.replace(/<\/Relationships>\s*$/, `<Relationship Id="rIdGovShareMark" Type="${NS.rel}/worksheet" Target="${part}"/></Relationships>`),
  )
  zip.file(
    `xl/${part}`,
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>' +
      escapeXml(markNote(mark)) +
      '</t></is></c></row></sheetData></worksheet>',
  )
  await addOverride(zip, `/xl/${part}`, 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml')
}

async function addNoteParagraph(zip: JSZip, mark: TraceMark) {
  const document = await readPart(zip, 'word/document.xml')
  const body = document.match(/<w:body>/)
  if (!body || body.index === undefined) throw new Error('document.xml has no body')
  const at = body.index + body[0].length
  const paragraph = `<w:p><w:r><w:rPr><w:color w:val="C00000"/></w:rPr><w:t xml:space="preserve">${escapeXml(markNote(mark))}</w:t></w:r></w:p>`
  zip.file('word/document.xml', document.slice(0, at) + paragraph + document.slice(at))
}
