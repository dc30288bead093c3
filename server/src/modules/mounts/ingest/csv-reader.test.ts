import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { type CsvRecord, CsvFormatError, CsvReader } from './csv-reader.ts'

/** Reads `text` fed in pieces of the given sizes (cycled), as the upload path does. */
function readAll(text: string, sizes: number[] = [text.length || 1], maxRecordChars = 1 << 20): CsvRecord[] {
  const reader = new CsvReader(maxRecordChars)
  const records: CsvRecord[] = []
  for (let at = 0, k = 0; at < text.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length])
    records.push(...reader.push(text.slice(at, at + size)))
    at += size
  }
  records.push(...reader.end())
  return records
}

const field = fc.oneof(fc.string({ unit: fc.constantFrom('a', '张', '三', ' ', ',', '"', '\n', '\r', '1', '.'), maxLength: 8 }), fc.string({ maxLength: 6 }))
// Records of at least two fields, so that no record is a lone empty field (which reads as a blank line).
const records = fc.array(fc.array(field, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 12 })
const lineEnd = fc.constantFrom('\n', '\r\n', '\r')

const quoteIfNeeded = (value: string) => (/[",\r\n]/.test(value) || value === '' ? `"${value.replaceAll('"', '""')}"` : value)

describe('CsvReader', () => {
  test('reads back whatever was written, in any chunking, with each record’s starting line', () => {
    fc.assert(
      fc.property(records, lineEnd, fc.boolean(), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }), (rows, eol, trailing, sizes) => {
        const text = rows.map((r) => r.map(quoteIfNeeded).join(',')).join(eol) + (trailing ? eol : '')
        const read = readAll(text, sizes)
        assert.deepEqual(
          read.map((r) => r.values),
          rows,
        )
        // Each record starts one line after the previous record's line breaks (CRLF counts once).
        let line = 1
        rows.forEach((row, i) => {
          assert.equal(read[i].line, line)
          line += 1 + row.reduce((n, v) => n + (v.match(/\r\n|\r|\n/g)?.length ?? 0), 0)
        })
      }),
      { numRuns: 400 },
    )
  })

  test('agrees with csv-parse on the same text', () => {
    fc.assert(
      fc.property(records, fc.constantFrom('\n', '\r\n'), (rows, eol) => {
        const text = `${rows.map((r) => r.map(quoteIfNeeded).join(',')).join(eol)}${eol}`
        const reference = parse(text, { relax_column_count: true, skip_empty_lines: false, record_delimiter: eol }) as string[][]
        assert.deepEqual(
          readAll(text, [7]).map((r) => r.values),
          reference,
        )
      }),
      { numRuns: 200 },
    )
  })

  test('blank lines are records of one empty field; CR, LF and CRLF all end a record', () => {
    const read = readAll('a,b\r\n\r\n1,2\r3,"x\r\ny"\n\n4,5', [3])
    assert.deepEqual(read, [
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: [''] },
      { line: 3, values: ['1', '2'] },
      { line: 4, values: ['3', 'x\r\ny'] },
      { line: 6, values: [''] },
      { line: 7, values: ['4', '5'] },
    ])
  })

  test('a quote left open, a stray quote and an oversized record are errors naming the record’s line', () => {
    const problemOf = (text: string, max?: number) => {
      try {
        readAll(text, [4], max)
      } catch (error) {
        assert.ok(error instanceof CsvFormatError)
        return `${error.problem}@${error.line}`
      }
      return 'read'
    }
    assert.equal(problemOf('a,b\n1,"open\n2,3\n'), 'quote-not-closed@2')
    assert.equal(problemOf('a,b\n1,2\n3,ab"c\n'), 'misplaced-quote@3')
    assert.equal(problemOf('a,b\n1,"ab"c\n'), 'misplaced-quote@2')
    assert.equal(problemOf(`a,b\n1,"${'x'.repeat(500)}"\n`, 100), 'record-too-large@2')
    assert.equal(problemOf(`a,b\n1,"${'x'.repeat(50)}"\n`, 100), 'read')
  })

  test('a record spanning many chunks (a large quoted cell with line breaks) is read whole', () => {
    const cell = `${'x'.repeat(300_000)}\n""${'y'.repeat(300_000)}`
    const read = readAll(`a,b\n1,"${cell}"\n2,3\n`, [1000], 1_000_000)
    assert.deepEqual(
      read.map((r) => [r.line, r.values[0], r.values[1].length]),
      [
        [1, 'a', 1],
        [2, '1', 600_002],
        [4, '2', 1],
      ],
    )
    assert.equal(read[1].values[1], cell.replace('""', '"'))
  })
})
