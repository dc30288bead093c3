/**
 * Filter selects outside a form item (list filters) have no <label>: their search input gets the
 * select's placeholder as its accessible name ("状态", "全部单位"), so screen readers announce what it
 * filters. One observer for the whole console instead of a prop on every filter.
 */
function nameSelectInputs(root: ParentNode) {
  for (const input of root.querySelectorAll<HTMLInputElement>('.ant-select input[role="combobox"]:not([aria-label]):not([aria-labelledby])')) {
    if (input.id && document.querySelector(`label[for="${CSS.escape(input.id)}"]`)) continue
    const select = input.closest('.ant-select')
    const placeholder = select?.querySelector('.ant-select-selection-placeholder')?.textContent?.trim()
    const selected =
      select?.querySelector('.ant-select-selection-item')?.getAttribute('title') ?? select?.querySelector('.ant-select-selection-item')?.textContent?.trim()
    input.setAttribute('aria-label', placeholder || selected || '筛选条件')
  }
}

export function labelUnlabelledControls() {
  nameSelectInputs(document)
  new MutationObserver(() => nameSelectInputs(document)).observe(document.body, { childList: true, subtree: true })
}
