/**
 * A PDF's document information (ISO 32000-1 §14.3.3) set by an incremental update (§7.5.6): a new Info
 * dictionary and an xref section are appended, so the original bytes, and any signature over them, stay
 * as they were. Returns null for a file this cannot update safely (encrypted, or no trailer found): the
 * download is then logged without an embedded mark.
 */
export function markPdfInfo(content: Buffer, info: { subject: string; keywords: string; downloadId: string }): Buffer | null {
  if (!content.subarray(0, 5).equals(Buffer.from('%PDF-'))) return null
  // latin1 keeps one character per byte, so string offsets are byte offsets.
  const text = content.toString('latin1')
  const startxref = text.lastIndexOf('startxref')
  if (startxref < 0) return null
  const prev = Number(/^startxref\s+(\d+)/.exec(text.slice(startxref))?.[1])
  if (!Number.isSafeInteger(prev) || prev >= content.length) return null
  // A classic trailer follows the last xref table; an xref stream (PDF 1.5) carries the same keys in its dictionary.
  const trailerAt = text.lastIndexOf('trailer', startxref)
  const dict = trailerAt > prev ? text.slice(trailerAt, startxref) : text.slice(prev, Math.min(text.length, prev + 4096))
  if (/\/Encrypt\b/.test(dict)) return null
  const root = /\/Root\s+(\d+\s+\d+\s+R)/.exec(dict)?.[1]
  const size = Number(/\/Size\s+(\d+)/.exec(dict)?.[1])
  if (!root || !Number.isSafeInteger(size) || size < 1) return null

  const lead = text.endsWith('\n') ? '' : '\n'
  const objectAt = content.length + lead.length
  const object = `${size} 0 obj\n<< /Subject ${utf16Hex(info.subject)} /Keywords ${utf16Hex(info.keywords)} /GovShareDownloadId (${info.downloadId}) >>\nendobj\n`
  const xrefAt = objectAt + Buffer.byteLength(object, 'latin1')
  const xref =
    `xref\n0 1\n0000000000 65535 f \n${size} 1\n${String(objectAt).padStart(10, '0')} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Info ${size} 0 R /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`
  return Buffer.concat([content, Buffer.from(lead + object + xref, 'latin1')])
}

/** A PDF text string in UTF-16BE with its byte-order mark, written as a hex string (§7.9.2.2). */
function utf16Hex(text: string): string {
  const units = Buffer.from(text, 'utf16le').swap16()
  return `<FEFF${units.toString('hex').toUpperCase()}>`
}
