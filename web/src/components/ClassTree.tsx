import { Tree } from 'antd'
import type { DataNode } from 'antd/es/tree'
import { useMemo } from 'react'
import { type ClassNode, getClassTree } from '../api/catalog.ts'
import { useAsync } from '../hooks/useAsync.ts'
import { LoadError, Loading } from './States.tsx'

const toTree = (nodes: ClassNode[]): DataNode[] =>
  nodes.map((n) => ({
    key: n.code,
    title: (
      <span>
        {n.name}
        <span className="muted" style={{ marginInlineStart: 6, fontSize: 12 }}>
          {n.code}
        </span>
      </span>
    ),
    children: n.children.length > 0 ? toTree(n.children) : undefined,
  }))

/** The classification tree (类 → 项 → 目 → 细目) from /catalog/classes; selecting a node filters by it. */
export function ClassTree({ selected, onSelect }: { selected?: string; onSelect: (code: string | undefined) => void }) {
  const { data, error, loading, reload } = useAsync(() => getClassTree(), [])
  const treeData = useMemo(() => [{ key: '', title: '全部分类', children: data ? toTree(data) : [] }], [data])
  if (error) return <LoadError error={error} onRetry={reload} title="分类树加载失败" />
  if (loading && !data) return <Loading height={160} tip="正在加载分类…" />
  return (
    <Tree
      blockNode
      showLine
      defaultExpandedKeys={['', '1', '2', '3', ...(selected ? [selected.slice(0, 1), selected.slice(0, 3)] : [])]}
      selectedKeys={[selected ?? '']}
      treeData={treeData}
      onSelect={(keys) => onSelect(keys.length > 0 && keys[0] !== '' ? String(keys[0]) : undefined)}
      data-testid="class-tree"
    />
  )
}
