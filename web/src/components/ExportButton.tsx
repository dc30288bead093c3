import { DownloadOutlined } from '@ant-design/icons'
import { Button } from 'antd'
import { useState } from 'react'

/** 导出台账: downloads the list as Excel with its current filters; the client shows any error once. */
export function ExportButton({ onExport, label = '导出台账（Excel）', testId }: { onExport: () => Promise<unknown>; label?: string; testId?: string }) {
  const [busy, setBusy] = useState(false)
  const run = async () => {
    setBusy(true)
    try {
      await onExport()
    } catch {
      // the client showed the message
    } finally {
      setBusy(false)
    }
  }
  return (
    <Button icon={<DownloadOutlined />} loading={busy} onClick={run} data-testid={testId}>
      {label}
    </Button>
  )
}
