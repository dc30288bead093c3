import { Typography } from 'antd'
import type { ReactNode } from 'react'

/** The title bar every page starts with: title, optional description and actions on the right. */
export function PageContainer({ title, description, extra, children }: { title: ReactNode; description?: ReactNode; extra?: ReactNode; children: ReactNode }) {
  return (
    <div className="page">
      <div className="page-head">
        <div style={{ minWidth: 0 }}>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
          {description ? <div className="page-desc">{description}</div> : null}
        </div>
        {extra ? <div className="page-extra">{extra}</div> : null}
      </div>
      {children}
    </div>
  )
}
