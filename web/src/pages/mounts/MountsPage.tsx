import { Button, Card, Input, Space, Table, Tag } from 'antd'
import { Link, useNavigate } from 'react-router-dom'
import { type Resource, searchResources } from '../../api/catalog.ts'
import { type Mount, MOUNT_KIND_LABELS, listMounts } from '../../api/mounts.ts'
import { pageControls } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { ShareTypeTag, StatusTag } from '../../components/Tags.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { useListFilters } from '../../hooks/useListFilters.ts'
import { formatDateTime } from '../../lib/dates.ts'

/** 资源挂接: the department's own catalog entries, each opening its mounting page (table, file, API). */
export default function MountsPage() {
  const navigate = useNavigate()
  const { q, page, setFilter, setPage } = useListFilters({ q: '' })
  const { data, error, loading, reload } = useAsync(async () => {
    const entries = await searchResources({ mine: 'true', q: q || undefined, page, pageSize: 20 }, { quiet: true })
    // Each entry's mounts (table, file, API) with their state: at most 20 small reads for the page.
    const mounts = new Map(
      await Promise.all(
        entries.items.map(
          async (r) =>
            [
              r.id,
              await listMounts(r.id).then(
                (m) => m.items,
                () => null,
              ),
            ] as const,
        ),
      ),
    )
    return { ...entries, mounts }
  }, [q, page])
  return (
    <PageContainer title="资源挂接" description="为本单位的目录挂接数据：上传库表数据（CSV/XLSX）、上传文件或登记上游接口。挂接后方可提交审核、对外提供。">
      <Card size="small">
        <Space style={{ marginBottom: 12 }}>
          <Input.Search
            allowClear
            placeholder="按目录名称检索（至少两个字）"
            style={{ width: 320 }}
            onSearch={(v) => setFilter('q', v.trim())}
            data-testid="mounts-search"
          />
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Resource>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            data-testid="mount-entries"
            locale={{ emptyText: <span className="muted">本单位还没有目录，请先在“目录编制”中新建</span> }}
            pagination={pageControls(page, data?.total, setPage)}
            columns={[
              { title: '资源名称', dataIndex: 'name', render: (name: string, r) => <Link to={`/mounts/${r.id}`}>{name}</Link> },
              { title: '状态', dataIndex: 'status', width: 110, render: (s: string, r) => <StatusTag status={s} label={r.statusLabel} /> },
              { title: '共享类型', dataIndex: 'shareType', width: 110, render: (v: number) => <ShareTypeTag value={v} /> },
              { title: '挂接状态', key: 'mounts', width: 320, render: (_: unknown, r) => <MountStatus mounts={data?.mounts.get(r.id)} /> },
              { title: '最后修改', dataIndex: 'changedAt', width: 170, render: formatDateTime },
              {
                title: '操作',
                key: 'op',
                width: 100,
                render: (_: unknown, r) => (
                  <Button size="small" onClick={() => navigate(`/mounts/${r.id}`)}>
                    挂接数据
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}

/** One line per mount: kind, state and what it holds (rows and data time, file versions, a registered upstream). */
function MountStatus({ mounts }: { mounts: Mount[] | null | undefined }) {
  if (mounts === undefined) return null
  if (mounts === null) return <span className="muted">挂接情况读取失败</span>
  if (mounts.length === 0) return <Tag data-testid="mount-status">未挂接</Tag>
  return (
    <Space direction="vertical" size={2}>
      {mounts.map((m) => {
        const latest = m.batches?.[0]
        const state =
          m.status === 'suspended'
            ? { color: 'warning', text: '已暂停' }
            : latest?.status === 'loading'
              ? { color: 'processing', text: '导入中' }
              : latest?.status === 'failed' && !m.live
                ? { color: 'error', text: '导入失败' }
                : m.live
                  ? { color: 'success', text: '已挂接' }
                  : { color: 'default', text: '未挂接' }
        const detail =
          m.kind === 'table'
            ? m.live
              ? `${m.rowCount.toLocaleString('zh-CN')} 行${m.lastDataTime ? `，数据时间 ${formatDateTime(m.lastDataTime)}` : ''}`
              : ''
            : m.kind === 'file'
              ? m.live
                ? `${m.files?.length ?? 0} 个文件版本`
                : ''
              : m.live
                ? '上游接口已登记'
                : ''
        return (
          <span key={m.id} data-testid="mount-status">
            <Tag color={state.color}>
              {MOUNT_KIND_LABELS[m.kind]}·{state.text}
            </Tag>
            {detail ? <span className="muted">{detail}</span> : null}
          </span>
        )
      })}
    </Space>
  )
}
