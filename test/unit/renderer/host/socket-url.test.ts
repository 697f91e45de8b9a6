import { test } from 'node:test'
import assert from 'node:assert/strict'
import { authProbeUrl, readToken, socketUrl } from '../../../../renderer/src/host/socket-url.ts'

test('readToken finds the token among other query parameters', () => {
  assert.equal(readToken('?token=abc123'), 'abc123')
  assert.equal(readToken('?theme=dark&token=a%2Bb%3D'), 'a+b=')
})

test('readToken treats a missing or empty token as none', () => {
  assert.equal(readToken(''), null)
  assert.equal(readToken('?tokens=abc'), null)
  assert.equal(readToken('?token='), null)
})

test('socketUrl targets /api/ws on the page host and escapes the token', () => {
  const location = { protocol: 'http:', host: '127.0.0.1:4100', search: '?token=x' }
  assert.equal(socketUrl(location, 'a+b/c'), 'ws://127.0.0.1:4100/api/ws?token=a%2Bb%2Fc')
  assert.equal(socketUrl({ ...location, protocol: 'https:' }, 't'), 'wss://127.0.0.1:4100/api/ws?token=t')
})

test('authProbeUrl asks the same path over HTTP, relative to the page', () => {
  assert.equal(authProbeUrl('a b'), '/api/ws?token=a%20b')
})
