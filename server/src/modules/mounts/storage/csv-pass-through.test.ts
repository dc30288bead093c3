import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { seededRandom } from '../../../platform/seeded-random.ts'
import { buildWorld } from '../../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../../testing/test-app.ts'
import { csvColumnsAsWritten, csvLineEnds, storedAsWritten } from './csv-pass-through.ts'
import { mapHeader, tableColumns } from './layout.ts'
import { ALL_TYPES_ITEMS, activeRows, createEntry, passedThrough, uploadForm, uploadTablePath } from '../test-helpers.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

test('csvLineEnds: one record a line, lines in sequence, one line ending throughout', () => {
  const lines = (first: number, n: number) => Array.from({ length: n }, (_, i) => ({ line: first + i }))
  assert.equal(csvLineEnds('a,1\nb,2\n', lines(5, 2)), false)
  assert.equal(csvLineEnds('a,1\r\nb,2\r\n', lines(5, 2)), true)
  assert.equal(csvLineEnds('a,1\r\nb,2\n', lines(5, 2)), null, 'mixed line ends')
  assert.equal(csvLineEnds('a,1\nb,2', lines(5, 2)), null, 'the last line has no ending')
  assert.equal(csvLineEnds('a,1\nb,2\n', [{ line: 5 }, { line: 7 }]), null, 'a gap in the lines')
  assert.equal(csvLineEnds('a,"x\ny"\n', lines(5, 1)), null, 'a record over two lines')
  assert.equal(csvLineEnds('a,"x\ry"\n', lines(5, 1)), null, 'a carriage return inside a value')
  assert.equal(csvLineEnds('a,""\n', lines(5, 1)), null, 'a quoted empty field')
  assert.equal(csvLineEnds('a,"say ""hi"""\n', lines(5, 1)), null, 'a doubled quote')
  assert.equal(csvLineEnds('', []), null)
})

test('storedAsWritten: every fed column holds the cell as written, an empty cell is NULL', () => {
  const row = (values: string[]) => ({ line: 2, values })
  assert.equal(storedAsWritten(row(['A1', '2026-01-05', '']), ['A1', '2026-01-05', null], [0, 1, 2], 3), true)
  assert.equal(storedAsWritten(row(['A1', '2026/1/5', '']), ['A1', '2026-01-05', null], [0, 1, 2], 3), false, 'normalised')
  assert.equal(storedAsWritten(row(['A1', ' x ', '']), ['A1', 'x', null], [0, 1, 2], 3), false, 'trimmed')
  assert.equal(storedAsWritten(row(['A1', '  ', '']), ['A1', null, null], [0, 1, 2], 3), false, 'blank but not empty')
  assert.equal(storedAsWritten(row(['A1', 'x', '', '']), ['A1', 'x', null], [0, 1, 2], 3), false, 'a cell beyond the header')
  assert.equal(storedAsWritten(row(['x', 'A1']), ['A1', 'x', null], [1, 0, -1], 2), true, 'columns in another order, one not in the file')
})

test('csvColumnsAsWritten: only when every file column feeds one table column', () => {
  const columns = tableColumns(ALL_TYPES_ITEMS.map((item, i) => ({ ...item, id: `i${i}` })) as never)
  const header = ['updated', 'code', 'note']
  assert.deepEqual(csvColumnsAsWritten(columns, mapHeader(header, columns), 3, false), ['updated', 'code', 'note'])
  assert.equal(csvColumnsAsWritten(columns, mapHeader([...header, 'extra'], columns), 4, false), null, 'an ignored column')
  assert.equal(csvColumnsAsWritten(columns, mapHeader([...header, ''], columns), 4, false), null, 'an unnamed column')
  assert.equal(csvColumnsAsWritten(columns, mapHeader(header, columns), 3, true), null, 'sealed items')
  assert.equal(csvColumnsAsWritten(columns, mapHeader(['code'], columns), 1, false), null, 'one column')
})

const HEADER = ['code', 'person_name', 'num', 'amount', 'birth', 'updated', 'active', 'note', 'blob', 'ratio', 'cnt', 'score']
// Per column: cells already in stored form, then cells the checks normalise, refuse or read differently.
const PLAIN: string[][] = [
  [],
  ['张三', '李四', '欧阳娜娜', ''],
  ['123.45', '-7', '0', ''],
  ['745.50', '12.30', ''],
  ['1990-03-07', '2001-01-01', ''],
  ['2026-01-05 08:30:00', '2026-11-26 23:59:59', ''],
  ['true', 'false', ''],
  ['技术开发', 'plain text', ''],
  ['aGVsbG8=', ''],
  ['0.5', '-2.25', ''],
  ['12', '300', ''],
  ['1.5', ''],
]
const ODD: string[][] = [
  [],
  [' 王五 ', '"李,四"', '超过四个字的名字'],
  ['1e3', ' 5 ', 'x'],
  ['1,234.50', '12.5', '1.239'],
  ['2001/1/1', '2001年1月2日', '2001-02-30'],
  ['2026-01-05T08:30', '2026/1/5 8:30:00', '2026-01-05 25:00:00'],
  ['是', '否', 'maybe'],
  ['"quoted, with comma"', '"line one\nline two"', '"say ""hi"""', '""', '  spaced  ', '"a\r\nb"'],
  ['""', ' '],
  ['1e400', '.5'],
  [' 12 ', 'abc', '99999999999999999999'],
  ['3.4e39', '1,5'],
]

/** An uploaded CSV: mostly rows in stored form, some odd cells, blank lines, repeated keys; LF or CRLF. */
function generatedCsv(seed: number, rows: number, oddRate: number): { body: string; withExtra: string } {
  // Seeded, so a failing case is reproduced from its seed.
  const next = seededRandom(seed)
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]
  const eol = next() < 0.5 ? '\n' : '\r\n'
  const lines: string[][] = []
  for (let i = 0; i < rows; i++) {
    if (next() < oddRate / 4) {
      lines.push([])
      continue
    }
    const key = next() < oddRate / 4 && i > 0 ? `K${Math.floor(next() * i)}` : `K${i}`
    lines.push([key, ...HEADER.slice(1).map((_, c) => (next() < oddRate ? pick(ODD[c + 1]) : pick(PLAIN[c + 1])))])
  }
  const end = next() < 0.5 ? eol : ''
  const text = (extra: boolean) =>
    [[...HEADER, ...(extra ? ['extra'] : [])], ...lines.map((cells) => (cells.length === 0 ? cells : [...cells, ...(extra ? ['x'] : [])]))]
      .map((cells) => cells.join(','))
      .join(eol) + end
  return { body: text(false), withExtra: text(true) }
}

describe("a CSV written to PostgreSQL as the file's own text stores exactly what re-encoded rows store", () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  async function load(csv: string) {
    const id = await createEntry(t, world.tokens.cataloger, { items: ALL_TYPES_ITEMS })
    const response = await t.request('POST', uploadTablePath(id), {
      token: world.tokens.cataloger,
      body: uploadForm(csv, 'data.csv', { skipInvalidRows: 'true' }),
    })
    assert.equal(response.status, 201, JSON.stringify(response.body).slice(0, 500))
    return { id, body: response.body }
  }

  test('a clean 3,000-row file goes through as written (PostgreSQL) and stores what re-encoding stores', async () => {
    const { body, withExtra } = generatedCsv(7, 3000, 0)
    const direct = await load(body)
    // An ignored column means the file's text cannot go as it is: every row is re-encoded.
    const encoded = await load(withExtra)
    assert.equal(direct.body.rows, 3000)
    assert.deepEqual(await activeRows(t.db, direct.id), await activeRows(t.db, encoded.id))
    assert.equal(direct.body.lastDataTime, encoded.body.lastDataTime)
    if (t.dbKind === 'postgres') {
      assert.equal(await passedThrough(t.db, direct.id), true)
      assert.equal(await passedThrough(t.db, encoded.id), false)
    }
  })

  test('a file that keeps alternating between passable and odd batches loads the same (many COPY statements, then re-encoding)', async (ctx) => {
    if (t.dbKind !== 'postgres') return ctx.skip('COPY only: PGlite loads every batch with INSERT')
    const rows = Array.from({ length: 60_000 }, (_, i) => `K${i},张三,1.5,745.50,1990-03-07,2026-01-05 08:30:00,true,plain text,aGVsbG8=,0.5,${i % 300},1.5`)
    // A blank line about every second batch (32 K characters) makes that batch re-encoded.
    const lines = rows.flatMap((row, i) => (i % 690 === 689 ? [row, ''] : [row]))
    const direct = await load(`${HEADER.join(',')}\n${lines.join('\n')}\n`)
    const encoded = await load(`${[...HEADER, 'extra'].join(',')}\n${lines.map((l) => (l ? `${l},x` : l)).join('\n')}\n`)
    assert.equal(direct.body.rows, 60_000)
    assert.deepEqual(await activeRows(t.db, direct.id), await activeRows(t.db, encoded.id))
    assert.equal(await passedThrough(t.db, direct.id), true)
  })

  test('random files with odd cells, blank lines, repeated keys and either line ending (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(0, 0.0005, 0.002, 0.01), async (seed, oddRate) => {
        const { body, withExtra } = generatedCsv(seed, 1200, oddRate)
        const direct = await load(body)
        const encoded = await load(withExtra)
        assert.equal(direct.body.rows, encoded.body.rows)
        // The same lines refused (the reasons differ where they count the columns).
        const lines = (body: { rejectedRows: { line: number }[] }) => body.rejectedRows.map((r) => r.line)
        assert.deepEqual(lines(direct.body), lines(encoded.body))
        assert.equal(direct.body.lastDataTime, encoded.body.lastDataTime)
        assert.deepEqual(await activeRows(t.db, direct.id), await activeRows(t.db, encoded.id))
      }),
      { numRuns: 12 },
    )
  })
})
