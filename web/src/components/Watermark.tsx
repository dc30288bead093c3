import type { ReactNode } from 'react'
import { useAuth } from '../auth/AuthProvider.tsx'
import { formatDateTime } from '../lib/dates.ts'

/**
 * Personal data on screen carries who is looking and when (name, department, time), tiled over the
 * content, so a photo or a screenshot of it names its source. It does not catch the pointer or the
 * screen reader; the same text is given once as the region's description.
 */
export function Watermark({ children }: { children: ReactNode }) {
  const { user } = useAuth()
  if (!user) return <>{children}</>
  const text = `${user.name} ${user.orgName} ${formatDateTime(new Date().toISOString())}`
  return (
    <div className="watermarked" data-testid="watermark" data-watermark={text}>
      {children}
      <div className="watermark-layer" aria-hidden="true">
        {Array.from({ length: 24 }, (_, i) => (
          <span key={i} data-text={text} />
        ))}
      </div>
    </div>
  )
}
