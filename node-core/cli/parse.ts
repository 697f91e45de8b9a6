// Small parsers for command-line values: each names the flag and the value it refused.
import { UsageError } from './cli-errors.ts'

export function parseInteger (flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`--${flag} expects a whole number from ${min} to ${max}, got "${value}"`)
  }
  return number
}

export function parseNumber (flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const number = Number(value)
  if (!Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`--${flag} expects a number from ${min} to ${max}, got "${value}"`)
  }
  return number
}
