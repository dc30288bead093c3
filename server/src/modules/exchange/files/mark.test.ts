import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { markFile } from './mark.ts'
import { markPdfInfo } from './pdf-mark.ts'

const MARK = { downloadId: '0b6f1c2e-5d7a-4c1b-9e3f-2a4d6c8e0f12', consumerName: '测试民政局', userName: '李四', at: new Date('2026-03-02T02:00:00Z') }

/** A minimal one-page PDF with a classic xref table whose offsets are computed, not guessed. */
function tinyPdf(): Buffer {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>']
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objects.forEach((body, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xrefAt = out.length
  out += `xref\n0 4\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

const hexOf = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase()

describe('trace marks', () => {
  test('a PDF gets an incremental update: the original bytes are kept, the new xref points at the new Info object', () => {
    const original = tinyPdf()
    const marked = markPdfInfo(original, { subject: '下载说明', keywords: `GovShare-Download:${MARK.downloadId}`, downloadId: MARK.downloadId })!
    assert.ok(marked.subarray(0, original.length).equals(original))
    const text = marked.toString('latin1')
    const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1])
    assert.ok(text.startsWith('xref\n', xrefAt))
    const entry = /\n4 1\n(\d{10}) 00000 n /.exec(text.slice(xrefAt))!
    assert.ok(text.startsWith('4 0 obj\n', Number(entry[1])), 'the xref entry points at object 4')
    assert.match(text, new RegExp(`/Info 4 0 R /Prev ${original.toString('latin1').match(/startxref\n(\d+)/)![1]}`))
    assert.match(text, /\/Size 5 /)
    assert.ok(text.includes(`<FEFF${hexOf(`GovShare-Download:${MARK.downloadId}`)}>`))
    assert.ok(text.includes(`/GovShareDownloadId (${MARK.downloadId})`))
  })

  test('an encrypted PDF, or one without a trailer, is not touched (logged only)', async () => {
    const encrypted = Buffer.from(tinyPdf().toString('latin1').replace('/Root 1 0 R', '/Root 1 0 R /Encrypt 5 0 R'), 'latin1')
    assert.equal(markPdfInfo(encrypted, { subject: 's', keywords: 'k', downloadId: 'd' }), null)
    assert.equal(markPdfInfo(Buffer.from('%PDF-1.4\ngarbage'), { subject: 's', keywords: 'k', downloadId: 'd' }), null)
    const result = await markFile('报告.pdf', encrypted, MARK)
    assert.equal(result.kind, 'log_only')
    assert.ok(result.content.equals(encrypted))
  })

  test('a UTF-8 CSV keeps its BOM in front; a GBK one gets an ASCII-only line so its encoding still reads', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf])
    const utf8 = await markFile('a.csv', Buffer.concat([bom, Buffer.from('名称\n甲\n')]), MARK)
    assert.ok(utf8.content.subarray(0, 3).equals(bom))
    assert.match(utf8.content.subarray(3).toString('utf8'), new RegExp(`^# .*测试民政局.*${MARK.downloadId}.*\\n名称\\n甲\\n$`))
    const gbk = Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x0a]) // 名称 in GBK
    const marked = await markFile('a.CSV', gbk, MARK)
    const line = marked.content.subarray(0, marked.content.indexOf(0x0a) + 1)
    assert.ok(
      [...line].every((b) => b < 0x80),
      'the mark line is ASCII',
    )
    assert.ok(line.toString().includes(MARK.downloadId))
    assert.ok(marked.content.subarray(line.length).equals(gbk))
  })

  test('an archive named .xlsx that is not one, and formats without metadata, are delivered as they are', async () => {
    for (const [name, content] of [
      ['a.xlsx', Buffer.from('PK\x03\x04not really a zip')],
      ['a.zip', Buffer.from('PK')],
      ['photo.png', Buffer.from([0x89, 0x50])],
    ] as const) {
      const result = await markFile(name, content, MARK)
      assert.equal(result.kind, 'log_only', name)
      assert.ok(result.content.equals(content))
    }
  })
})
