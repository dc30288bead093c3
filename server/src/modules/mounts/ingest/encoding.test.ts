import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type CsvEncoding, decodeText } from './encoding.ts'
import { encodeGbk } from '../test-helpers.ts'

async function decodeAll(chunks: Buffer[]) {
  let encoding: CsvEncoding | null = null
  let text = ''
  async function* source() {
    yield* chunks
  }
  for await (const part of decodeText(source(), (e) => (encoding = e))) text += part
  return { text, encoding }
}

/** Splits bytes into chunks of `size` (so multi-byte characters straddle chunk edges). */
const chunked = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))

describe('CSV encoding detection', () => {
  const sample = '编号,名称\n1,潍坊市张三养老服务中心\n2,李四\n'

  test('UTF-8, with characters split across chunks', async () => {
    assert.deepEqual(await decodeAll(chunked(Buffer.from(sample), 5)), { text: sample, encoding: 'utf-8' })
  })

  test('UTF-8 with a BOM: the BOM is dropped', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(sample)])
    assert.deepEqual(await decodeAll(chunked(bytes, 7)), { text: sample, encoding: 'utf-8-bom' })
  })

  test('GBK (张三 = D5C5 C8FD), with characters split across chunks', async () => {
    const bytes = encodeGbk(sample)
    assert.ok(bytes.includes(Buffer.from([0xd5, 0xc5, 0xc8, 0xfd])))
    assert.deepEqual(await decodeAll(chunked(bytes, 3)), { text: sample, encoding: 'gbk' })
  })

  test('a long ASCII prefix does not decide: GBK after 200 KB of ASCII is still GBK', async () => {
    const prefix = 'id,name\n' + '1,abc\n'.repeat(40_000)
    const bytes = Buffer.concat([Buffer.from(prefix, 'latin1'), encodeGbk('2,张三\n')])
    const result = await decodeAll(chunked(bytes, 65_536))
    assert.equal(result.encoding, 'gbk')
    assert.equal(result.text, `${prefix}2,张三\n`)
  })

  test('pure ASCII reads as UTF-8', async () => {
    assert.deepEqual(await decodeAll([Buffer.from('a,b\n1,2\n')]), { text: 'a,b\n1,2\n', encoding: 'utf-8' })
  })

  test('UTF-8 that turns invalid later → 400; UTF-16 → 400', async () => {
    const bytes = Buffer.concat([Buffer.from('名称\n'.repeat(30_000)), Buffer.from([0xff, 0xfe, 0x41])])
    await assert.rejects(
      decodeAll(chunked(bytes, 65_536)),
      (error: { statusCode: number; message: string }) => error.statusCode === 400 && /UTF-8/.test(error.message),
    )
    await assert.rejects(decodeAll([Buffer.from([0xff, 0xfe, 0x41, 0x00])]), /UTF-16/)
  })
})
