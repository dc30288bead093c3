import { Button, Input, Modal, message } from 'antd'
import { type ReactNode, useState } from 'react'

/**
 * One workflow step behind a confirmation: the dialog says what the step does, takes the note or reason
 * it needs (required when `required`), and only then calls the server. Used by the supervision pages.
 */
export function StepButton({
  label,
  title,
  explain,
  noteLabel = '说明',
  required = false,
  danger = false,
  run,
  done,
  children,
}: {
  label: string
  title: string
  explain: ReactNode
  noteLabel?: string
  required?: boolean
  danger?: boolean
  run: (note: string) => Promise<unknown>
  done: () => void
  children?: ReactNode
}) {
  const [open, setOpen] = useState(false)
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const ok = async () => {
    setBusy(true)
    try {
      await run(note.trim())
      message.success(`${label}：已完成`)
      setOpen(false)
      setNote('')
      done()
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <Button size="small" danger={danger} onClick={() => setOpen(true)}>
        {label}
      </Button>
      <Modal
        title={title}
        open={open}
        okText={`确认${label}`}
        cancelText="取消"
        okButtonProps={{ danger, disabled: required && !note.trim(), loading: busy }}
        onOk={ok}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <div style={{ marginBottom: 12 }}>{explain}</div>
        {children}
        <div>
          <div>
            {noteLabel}
            {required ? '（必填）' : '（选填）'}
          </div>
          <Input.TextArea aria-label={noteLabel} rows={3} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
      </Modal>
    </>
  )
}
