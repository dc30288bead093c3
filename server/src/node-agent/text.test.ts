import assert from 'node:assert/strict'
import { test } from 'node:test'
import { lines } from './text.ts'

test('lines: a character split between two chunks is read whole', async () => {
  const bytes = Buffer.from('1\t欧阳娜\n2\t张伟\n3\t欧')
  // Cut inside 欧 (three bytes in UTF-8), and inside the last line's 欧 too.
  async function* chunks() {
    yield bytes.subarray(0, 3)
    yield bytes.subarray(3, 5)
    yield bytes.subarray(5, bytes.length - 1)
    yield bytes.subarray(bytes.length - 1)
  }
  const read: string[] = []
  for await (const batch of lines(chunks())) read.push(...batch)
  assert.deepEqual(read, ['1\t欧阳娜', '2\t张伟', '3\t欧'])
})
