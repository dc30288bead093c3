import { Button, Empty, Result, Spin } from 'antd'
import type { ReactNode } from 'react'

/** Loading placeholder: never a blank area while data is on its way. */
export function Loading({ tip = '正在加载…', height = 240 }: { tip?: string; height?: number }) {
  return (
    <div style={{ minHeight: height, display: 'flex', alignItems: 'center', justifyContent: 'center', flexDirection: 'column', gap: 12 }}>
      <Spin size="large" />
      <span style={{ color: '#8c8c8c' }}>{tip}</span>
    </div>
  )
}

/** A failed load, with the server's message and a retry. */
export function LoadError({ error, onRetry, title = '加载失败' }: { error: Error | undefined; onRetry?: () => void; title?: string }) {
  const status = (error as { status?: number } | undefined)?.status
  if (status === 404) {
    return <Result status="404" title="内容不存在" subTitle={error?.message ?? '要查看的内容不存在或无权查看'} />
  }
  if (status === 403) return <Result status="403" title="无权访问" subTitle={error?.message ?? '当前账号无权查看此内容'} />
  return <Result status="error" title={title} subTitle={error?.message ?? '请稍后重试'} extra={onRetry ? <Button onClick={onRetry}>重试</Button> : undefined} />
}

export function EmptyState({ description, children }: { description: ReactNode; children?: ReactNode }) {
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description}>
      {children}
    </Empty>
  )
}
