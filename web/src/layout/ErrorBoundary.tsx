import { Button, Result } from 'antd'
import { Component, type ReactNode } from 'react'

/** A page that throws shows a Chinese error, never a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, { error: Error | null }> {
  state = { error: null as Error | null }

  // Navigating away from a failed page clears the error without remounting pages that did not fail.
  componentDidUpdate(previous: { resetKey?: string }) {
    if (this.state.error && previous.resetKey !== this.props.resetKey) this.setState({ error: null })
  }

  static getDerivedStateFromError(error: Error) {
    return { error }
  }

  componentDidCatch(error: Error) {
    console.error(error)
  }

  render() {
    const { error } = this.state
    if (!error) return this.props.children
    // A lazy chunk that no longer exists: the console was rebuilt while this page was open.
    const staleBuild = /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(error.message)
    return (
      <Result
        status={staleBuild ? 'warning' : 'error'}
        title={staleBuild ? '平台已更新，请刷新页面' : '页面出现错误'}
        subTitle={staleBuild ? '当前页面使用的是旧版本，刷新后即可继续使用。' : '请刷新页面重试；如果问题持续存在，请联系系统管理员。'}
        extra={
          <Button type="primary" onClick={() => window.location.reload()}>
            刷新页面
          </Button>
        }
      />
    )
  }
}
