import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { addBeijingMonths, beijingDayStart, beijingMonthStart } from './dates.ts'

const iso = (at: Date) => at.toISOString()

describe('Beijing-time day and month starts', () => {
  test('a day starts at 00:00 Beijing time, which is 16:00 UTC the day before', () => {
    assert.equal(iso(beijingDayStart(new Date('2026-03-01T15:59:59.999Z'))), '2026-02-28T16:00:00.000Z')
    assert.equal(iso(beijingDayStart(new Date('2026-03-01T16:00:00.000Z'))), '2026-03-01T16:00:00.000Z')
    assert.equal(iso(beijingDayStart(new Date('2026-03-02T02:00:00.000Z'))), '2026-03-01T16:00:00.000Z')
  })

  test('a month starts on the 1st at 00:00 Beijing time; the last UTC evening of a month is already the next', () => {
    assert.equal(iso(beijingMonthStart(new Date('2026-02-28T15:59:59Z'))), '2026-01-31T16:00:00.000Z')
    assert.equal(iso(beijingMonthStart(new Date('2026-02-28T16:00:00Z'))), '2026-02-28T16:00:00.000Z')
    assert.equal(iso(beijingMonthStart(new Date('2026-12-31T17:00:00Z'))), '2026-12-31T16:00:00.000Z', 'UTC still in December, Beijing in January')
  })

  test('months move across year ends both ways', () => {
    const march = beijingMonthStart(new Date('2026-03-15T00:00:00Z'))
    assert.equal(iso(addBeijingMonths(march, 1)), '2026-03-31T16:00:00.000Z')
    assert.equal(iso(addBeijingMonths(march, 10)), '2026-12-31T16:00:00.000Z')
    assert.equal(iso(addBeijingMonths(march, -3)), '2025-11-30T16:00:00.000Z')
    assert.equal(iso(addBeijingMonths(march, -6)), '2025-08-31T16:00:00.000Z')
  })
})
