/**
 * A streaming scan of an XML part that measures what a parser would have to hold, before the
 * parser sees it: nesting depth, the longest tag, the longest text between two tags (a cell's
 * value), and for one named "record" element (a sheet's `row`, a shared string's `si`) how many
 * there are, how long each is and how many "item" children (a row's `c` cells) each has. A DTD is
 * refused outright, so no entity (billion laughs) can ever be declared. It only finds `<` and `>`
 * and reads tag names: about a tenth of what parsing the same XML costs, and no allocation per tag.
 */

export interface XmlBounds {
  depth: number
  tagBytes: number
  textBytes: number
  /** Bytes of one record element. */
  recordBytes: number
  /** Item elements in one record. */
  items: number
  /** Record elements in the part. */
  records: number
}

export type XmlProblem = 'doctype' | 'depth' | 'tag' | 'text' | 'record' | 'items' | 'records' | 'malformed'

export class XmlBoundsError extends Error {
  constructor(readonly problem: XmlProblem) {
    super(`xml ${problem}`)
  }
}

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const COLON = 0x3a
const DQUOTE = 0x22
const SQUOTE = 0x27

const isNameEnd = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === SLASH || c === GT

export class XmlGuard {
  #depth = 0
  /** Absolute offset of the end of the last tag (where text starts). */
  #textFrom = 0
  /** Bytes of earlier chunks. */
  #base = 0
  /** An unfinished tag (or comment, CDATA, instruction) carried into the next chunk. */
  #carry: Buffer | null = null
  #recordFrom = -1
  #items = 0
  records = 0
  readonly #record: Buffer
  readonly #item: Buffer | null

  constructor(
    private readonly bounds: XmlBounds,
    record: string,
    item: string | null = null,
  ) {
    this.#record = Buffer.from(record)
    this.#item = item ? Buffer.from(item) : null
  }

  push(chunk: Buffer) {
    let data = chunk
    let base = this.#base
    if (this.#carry) {
      data = Buffer.concat([this.#carry, chunk])
      base -= this.#carry.length
      this.#carry = null
    }
    this.#base = base + data.length
    const end = data.length
    let pos = 0
    for (;;) {
      const lt = data.indexOf(LT, pos)
      if (lt < 0) {
        if (base + end - this.#textFrom > this.bounds.textBytes) throw new XmlBoundsError('text')
        this.#checkRecord(base + end)
        return
      }
      if (base + lt - this.#textFrom > this.bounds.textBytes) throw new XmlBoundsError('text')
      const next = this.#tag(data, lt, base)
      if (next < 0) {
        if (end - lt > this.bounds.tagBytes) throw new XmlBoundsError('tag')
        this.#carry = Buffer.from(data.subarray(lt))
        return
      }
      this.#textFrom = base + next
      pos = next
    }
  }

  /** At the end of the part: every element closed. */
  end() {
    if (this.#carry || this.#depth !== 0) throw new XmlBoundsError('malformed')
  }

  #checkRecord(at: number) {
    if (this.#recordFrom >= 0 && at - this.#recordFrom > this.bounds.recordBytes) throw new XmlBoundsError('record')
  }

  /** Reads the markup at `lt`; returns the offset after it, or -1 when it ends beyond the chunk. */
  #tag(data: Buffer, lt: number, base: number): number {
    const end = data.length
    if (lt + 1 >= end) return -1
    const first = data[lt + 1]
    if (first === BANG) {
      if (lt + 4 > end) return -1
      if (data[lt + 2] === 0x2d && data[lt + 3] === 0x2d) return after(data, lt + 4, '-->')
      if (lt + 9 > end) return -1
      if (data.toString('latin1', lt + 2, lt + 9) === '[CDATA[') {
        const close = after(data, lt + 9, ']]>')
        // CDATA is text: bound it like text.
        if ((close < 0 ? end : close) - lt > this.bounds.textBytes) throw new XmlBoundsError('text')
        return close
      }
      throw new XmlBoundsError('doctype')
    }
    if (first === QUESTION) return after(data, lt + 2, '?>')
    // An element tag: find its `>` outside quoted attribute values.
    let quote = 0
    let gt = -1
    for (let i = lt + 1; i < end; i++) {
      const c = data[i]
      if (quote) {
        if (c === quote) quote = 0
      } else if (c === DQUOTE || c === SQUOTE) quote = c
      else if (c === GT) {
        gt = i
        break
      }
    }
    if (gt < 0) return -1
    if (gt - lt > this.bounds.tagBytes) throw new XmlBoundsError('tag')
    const closing = first === SLASH
    const selfClosing = !closing && data[gt - 1] === SLASH
    // The local name (after any namespace prefix).
    let nameStart = closing ? lt + 2 : lt + 1
    let nameEnd = nameStart
    while (nameEnd < gt && !isNameEnd(data[nameEnd])) {
      if (data[nameEnd] === COLON) nameStart = nameEnd + 1
      nameEnd++
    }
    const isRecord = matches(data, nameStart, nameEnd, this.#record)
    if (closing) {
      if (--this.#depth < 0) throw new XmlBoundsError('malformed')
      if (isRecord && this.#recordFrom >= 0) {
        this.#checkRecord(base + gt + 1)
        this.#recordFrom = -1
      }
      return gt + 1
    }
    if (!selfClosing && ++this.#depth > this.bounds.depth) throw new XmlBoundsError('depth')
    if (isRecord) {
      if (++this.records > this.bounds.records) throw new XmlBoundsError('records')
      this.#items = 0
      this.#recordFrom = selfClosing ? -1 : base + lt
    } else if (this.#recordFrom >= 0) {
      this.#checkRecord(base + gt + 1)
      if (this.#item && matches(data, nameStart, nameEnd, this.#item) && ++this.#items > this.bounds.items) throw new XmlBoundsError('items')
    }
    return gt + 1
  }
}

function matches(data: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false
  for (let i = 0; i < name.length; i++) if (data[start + i] !== name[i]) return false
  return true
}

/** The offset after `terminator` at or after `from`, or -1. */
function after(data: Buffer, from: number, terminator: string): number {
  const at = data.indexOf(terminator, from, 'latin1')
  return at < 0 ? -1 : at + terminator.length
}
