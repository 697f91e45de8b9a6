import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  THEME_STORAGE_KEY, loadThemePreference, resolveTheme, saveThemePreference, themeAttribute, type KeyValueStorage
} from '../../../../renderer/src/theme/theme.ts'

function memoryStorage (initial: Record<string, string> = {}): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial))
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => { data.set(key, value) },
    removeItem: (key) => { data.delete(key) }
  }
}

const throwingStorage: KeyValueStorage = {
  getItem: () => { throw new Error('SecurityError') },
  setItem: () => { throw new Error('QuotaExceededError') },
  removeItem: () => { throw new Error('SecurityError') }
}

test('resolveTheme follows the system only when the owner has not chosen', () => {
  assert.equal(resolveTheme('system', true), 'dark')
  assert.equal(resolveTheme('system', false), 'light')
  assert.equal(resolveTheme('light', true), 'light')
  assert.equal(resolveTheme('dark', false), 'dark')
})

test('a saved choice survives a reload; choosing system forgets it', () => {
  const storage = memoryStorage()
  saveThemePreference(storage, 'dark')
  assert.equal(storage.data.get(THEME_STORAGE_KEY), 'dark')
  assert.equal(loadThemePreference(storage), 'dark')
  saveThemePreference(storage, 'system')
  assert.equal(storage.data.has(THEME_STORAGE_KEY), false)
  assert.equal(loadThemePreference(storage), 'system')
})

test('unknown stored values and blocked storage fall back to the system theme', () => {
  assert.equal(loadThemePreference(memoryStorage({ [THEME_STORAGE_KEY]: 'sepia' })), 'system')
  assert.equal(loadThemePreference(throwingStorage), 'system')
  assert.equal(loadThemePreference(null), 'system')
  assert.doesNotThrow(() => { saveThemePreference(throwingStorage, 'light') })
})

test('only an explicit choice sets the data-theme attribute', () => {
  assert.equal(themeAttribute('system'), null)
  assert.equal(themeAttribute('dark'), 'dark')
})
