import { Select, Space } from 'antd'

/** A labelled filter above a list; choosing a value also sends the list back to its first page (the caller's onChange). */
export function FilterSelect<T extends string>({
  label,
  value,
  options,
  onChange,
  width = 200,
  testId,
}: {
  label: string
  value: T
  options: { value: T; label: string }[]
  onChange: (value: T) => void
  width?: number
  testId?: string
}) {
  return (
    <Space style={{ marginBottom: 12 }}>
      <span>{label}</span>
      <Select<T> style={{ width }} value={value} onChange={onChange} options={options} data-testid={testId} />
    </Space>
  )
}

/** `[{value:'any',label:'全部状态'}, …each code with its label]` for a FilterSelect. */
export const withAny = <T extends string>(labels: Record<T, string>, anyLabel = '全部状态') => [
  { value: 'any' as const, label: anyLabel },
  ...(Object.entries(labels) as [T, string][]).map(([value, label]) => ({ value, label })),
]

/** The pagination of a server-paged list of 20 rows: `共 N 条`. */
export const pageControls = (page: number, total: number | undefined, onChange: (page: number) => void, unit = '条') => ({
  current: page,
  pageSize: 20,
  total: total ?? 0,
  onChange,
  showSizeChanger: false,
  showTotal: (t: number) => `共 ${t} ${unit}`,
})
