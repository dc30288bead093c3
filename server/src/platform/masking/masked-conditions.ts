import type { MaskingRule } from '../../../../common/masking.ts'

/**
 * Which conditions may name a masked item (issue 13 §3). A condition on an item whose values the
 * consumer sees only masked would undo the mask: an exact lookup confirms one candidate value at a
 * time, and a row filter tells the consumer something of every row it lets through (an eq or in list
 * is shown in the grant, a prefix or range narrows the hidden digits). So:
 * - a lookup on a masked item is allowed only when the grant names the item a lookup key (联机查询:
 *   the consumer supplies the full value it already holds and gets that record only);
 * - a row filter never names a masked item (refused at decision time; an older grant that does is not
 *   served). A filter on an item that is not granted at all is the provider choosing rows, as before.
 * Any rule but 'none' counts as masked: a pseudonym or a suppressed value hides the value as well.
 */
export const isMasked = (masking: Readonly<Record<string, MaskingRule>>, itemId: string) => (masking[itemId] ?? 'none') !== 'none'

/** The row-filter keys of a grant that name one of its masked items (empty when the filter is safe). */
export function maskedFilterKeys(
  rowFilter: Readonly<Record<string, unknown>>,
  items: readonly { id: string; nameEn: string | null }[],
  grant: { itemIds: readonly string[]; masking: Readonly<Record<string, MaskingRule>> },
): string[] {
  return Object.keys(rowFilter).filter((key) => {
    const item = items.find((i) => i.nameEn?.toLowerCase() === key.toLowerCase())
    return !!item && grant.itemIds.includes(item.id) && isMasked(grant.masking, item.id)
  })
}
