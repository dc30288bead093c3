import { Input, type InputProps } from 'antd'

/** The 6-digit code field: numeric keypad on phones, the browser's one-time-code autofill, digits only. */
export function TotpCodeInput(props: Omit<InputProps, 'maxLength'>) {
  return (
    <Input
      {...props}
      maxLength={6}
      inputMode="numeric"
      autoComplete="one-time-code"
      placeholder="6 位数字"
      className="totp-code"
      onChange={(e) => {
        e.target.value = e.target.value.replace(/\D/g, '')
        props.onChange?.(e)
      }}
      data-testid="totp-code"
    />
  )
}
