import '@ant-design/v5-patch-for-react-19'
import { App as AntApp, ConfigProvider } from 'antd'
// Vite 8 (rolldown) resolves 'antd/locale/zh_CN' to a CJS wrapper whose default is {default: …}: STACK.md §7.
import zhCN from 'antd/es/locale/zh_CN'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { AppRoot } from './App.tsx'
import './lib/dates.ts'
import './styles.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider
      locale={zhCN}
      theme={{
        token: {
          colorPrimary: '#1f5fbf',
          borderRadius: 4,
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
        },
      }}
    >
      <AntApp>
        <AppRoot />
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
)
