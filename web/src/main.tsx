import '@ant-design/v5-patch-for-react-19'
import { App as AntApp, ConfigProvider } from 'antd'
// Vite 8 (rolldown) resolves 'antd/locale/zh_CN' to a CJS wrapper whose default is {default: …}: STACK.md §7.
import zhCN from 'antd/es/locale/zh_CN'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { AppRoot } from './App.tsx'
import { labelUnlabelledControls } from './lib/a11y.ts'
import './lib/dates.ts'
import './styles.css'

labelUnlabelledControls()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider
      locale={zhCN}
      theme={{
        token: {
          colorPrimary: '#1f5fbf',
          // WCAG AA (4.5:1 on white and on table headers): links and secondary text darker than antd's defaults.
          colorLink: '#1f5fbf',
          colorError: '#c41d24',
          colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
          colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
          colorTextDescription: 'rgba(0, 0, 0, 0.6)',
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
