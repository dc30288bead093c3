import { Alert } from 'antd'
import { Link } from 'react-router-dom'
import type { OneSourceWarning } from '../../api/catalog.ts'

/**
 * 一数一源提示: data elements this entry registers under another 数源部门 than a published entry of
 * another department. A warning, not a refusal: the provider and the authority settle the source.
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
              ? '以下数据元在其他部门已发布的目录中登记了不同的数源部门。请在审核时确认权威来源，必要时退回提供部门修改。'
              : '以下数据元在其他部门已发布的目录中登记了不同的数源部门，请与相关部门确认权威来源。'}
          </div>
          <ul className="one-source-list" data-testid="one-source-warnings">
            {warnings.map((w) => (
              <li key={`${w.itemName}-${w.otherResourceId}-${w.otherItemName}`}>
                {w.message}
                <Link to={`/catalog/${w.otherResourceId}`} style={{ marginInlineStart: 8 }}>
                  查看「{w.otherResourceName}」
                </Link>
              </li>
            ))}
          </ul>
        </>
      }
      data-testid="one-source-alert"
    />
  )
}
