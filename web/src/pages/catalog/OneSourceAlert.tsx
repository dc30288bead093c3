import { Alert } from 'antd'
import { Link } from 'react-router-dom'
import type { OneSourceWarning } from '../../api/catalog.ts'

/**
 * 一数一源提示: items that are data elements the authority's registry gives to another 数源部门, with the
 * source's entry to request instead. A warning, not a refusal: the authority settles it on its worklist.
 */
export function OneSourceAlert({ warnings, forReview = false }: { warnings?: OneSourceWarning[]; forReview?: boolean }) {
  if (!warnings || warnings.length === 0) return null
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 12 }}
      message={`一数一源提示（${warnings.length} 项）`}
      description={
        <>
          <div>
            {forReview
              ? '以下信息项属于一数一源登记的其他部门数据元。请在审核时确认，必要时退回提供部门，改为通过共享申请获取（一数一源工作台可处理）。'
              : '以下信息项属于一数一源登记的其他部门数据元，应通过共享申请获取，不再重复采集。'}
          </div>
          <ul className="one-source-list" data-testid="one-source-warnings">
            {warnings.map((w) => (
              <li key={`${w.itemId}-${w.elementId}`}>
                {w.message}
                {w.otherResourceId ? (
                  <Link to={`/catalog/${w.otherResourceId}`} style={{ marginInlineStart: 8 }}>
                    查看「{w.otherResourceName}」
                  </Link>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      }
      data-testid="one-source-alert"
    />
  )
}
