import { Alert, Table, Tag, Tooltip } from 'antd'
import { ApiError } from '../../api/client.ts'
import { getReviewSample, getSample } from '../../api/gateway.ts'
import { EmptyState, LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { Watermark } from '../../components/Watermark.tsx'
import { formatDateTime } from '../../lib/dates.ts'

// Sample rows have no key of their own; this name cannot clash with an item's nameEn (letters, digits, _).
const ROW_KEY = ' row'

/**
 * 样例数据 of an 无条件共享 entry: a few rows of its mounted table, masked as the server would mask them
 * for a grant with the default rules, so a department sees what it would get before applying. With
 * `forReview`, the reviewer's view of a submitted version (its 不予共享 items withheld).
 */
export function SampleData({ resourceId, forReview = false }: { resourceId: string; forReview?: boolean }) {
  const { data, error, loading, reload } = useAsync(() => (forReview ? getReviewSample(resourceId) : getSample(resourceId)), [resourceId, forReview])
  if (error instanceof ApiError && error.code === 'NO_SAMPLE') return <EmptyState description={error.message} />
  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading && !data) return <Loading height={160} />
  if (!data) return null
  return (
    <div data-testid="sample-data">
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        message={`样例为已挂接数据的前 ${data.rows.length} 行，${forReview ? '个人信息已按默认规则脱敏，不予共享的信息项不显示' : '敏感信息项已按默认规则脱敏'}。${data.lastDataTime ? `数据更新至 ${formatDateTime(data.lastDataTime)}。` : ''}`}
      />
      <Watermark>
        <Table<Record<string, string | null>>
          size="small"
          rowKey={ROW_KEY}
          pagination={false}
          scroll={{ x: Math.max(720, data.items.length * 150) }}
          dataSource={data.rows.map((row, index) => ({ ...row, [ROW_KEY]: String(index) }))}
          locale={{ emptyText: <span className="muted">已挂接的数据表中还没有数据行</span> }}
          columns={data.items.map((item) => ({
            key: item.nameEn,
            dataIndex: item.nameEn,
            ellipsis: true,
            title: (
              <div>
                <div>{item.name}</div>
                <div className="mono muted" style={{ fontWeight: 'normal' }}>
                  {item.nameEn}
                  {item.masking !== 'none' ? (
                    <Tooltip title={`脱敏规则：${item.maskingLabel}`}>
                      <Tag color="orange" style={{ marginInlineStart: 6, fontFamily: 'inherit' }}>
                        已脱敏
                      </Tag>
                    </Tooltip>
                  ) : null}
                </div>
              </div>
            ),
            render: (value: string | null) => (value === null || value === '' ? <span className="muted">—</span> : value),
          }))}
        />
      </Watermark>
    </div>
  )
}
