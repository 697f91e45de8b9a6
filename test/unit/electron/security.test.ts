import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CONTENT_SECURITY_POLICY, denyAllPermissions, hardenWebContents, installContentSecurityPolicy, isAppPageUrl
} from '../../../electron/security.ts'
import type { HeadersReceivedResponse } from '../../../electron/ports.ts'
import { FakeSession, FakeWebContents, NavigationAttempt, RecordingEvent, RENDERER_URL } from './fakes.ts'

function headersFor (session: FakeSession, responseHeaders?: Record<string, string[]>): HeadersReceivedResponse {
  const listener = session.headersListener
  assert.ok(listener, 'a headers listener is installed')
  let response: HeadersReceivedResponse | null = null
  listener({ url: RENDERER_URL, responseHeaders }, (r) => { response = r })
  assert.ok(response, 'the listener answers synchronously')
  return response
}

describe('content security policy', () => {
  it('is the strict policy the dashboard needs and nothing looser', () => {
    assert.equal(CONTENT_SECURITY_POLICY, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-/)
  })

  it('is set on responses that carried none', () => {
    const session = new FakeSession()
    installContentSecurityPolicy(session)
    const response = headersFor(session)
    assert.deepEqual(response.responseHeaders, { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  })

  it('replaces a weaker policy whatever its header case, and keeps the other headers', () => {
    const session = new FakeSession()
    installContentSecurityPolicy(session)
    const response = headersFor(session, {
      'content-security-policy': ["default-src *; script-src 'unsafe-inline'"],
      'Content-Type': ['text/html']
    })
    assert.deepEqual(response.responseHeaders, {
      'Content-Type': ['text/html'],
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY]
    })
  })
})

describe('permissions', () => {
  it('refuses every permission request and check', () => {
    const session = new FakeSession()
    denyAllPermissions(session)
    const request = session.permissionRequestHandler
    const check = session.permissionCheckHandler
    assert.ok(request && check)
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read']) {
      const answers: boolean[] = []
      request({}, permission, (granted) => { answers.push(granted) })
      assert.deepEqual(answers, [false], permission)
      assert.equal(check({}, permission), false, permission)
    }
  })
})

describe('isAppPageUrl', () => {
  it('accepts the app page, with or without a route in the hash or query', () => {
    assert.equal(isAppPageUrl(RENDERER_URL, RENDERER_URL), true)
    assert.equal(isAppPageUrl(`${RENDERER_URL}#/notices`, RENDERER_URL), true)
    assert.equal(isAppPageUrl(`${RENDERER_URL}?tab=upgrade`, RENDERER_URL), true)
  })

  it('refuses other files, other schemes, other hosts and junk', () => {
    assert.equal(isAppPageUrl('file:///etc/passwd', RENDERER_URL), false)
    assert.equal(isAppPageUrl('file:///opt/vault-manager/dist/renderer/other.html', RENDERER_URL), false)
    assert.equal(isAppPageUrl('https://opt/vault-manager/dist/renderer/index.html', RENDERER_URL), false)
    assert.equal(isAppPageUrl('file://evil.example/opt/vault-manager/dist/renderer/index.html', RENDERER_URL), false)
    assert.equal(isAppPageUrl('not a url', RENDERER_URL), false)
    assert.equal(isAppPageUrl('', RENDERER_URL), false)
  })
})

describe('hardenWebContents', () => {
  it('prevents navigation away from the app page and allows the page itself', () => {
    const contents = new FakeWebContents(7)
    hardenWebContents(contents, RENDERER_URL)
    for (const url of ['https://phishing.example/', 'file:///home/farmer/.ssh/id_ed25519', 'javascript:alert(1)']) {
      const attempt = new NavigationAttempt(url)
      contents.emit('will-navigate', attempt)
      assert.equal(attempt.defaultPrevented, true, url)
    }
    const reload = new NavigationAttempt(`${RENDERER_URL}#/status`)
    contents.emit('will-navigate', reload)
    assert.equal(reload.defaultPrevented, false)
  })

  it('denies every window.open', () => {
    const contents = new FakeWebContents(7)
    hardenWebContents(contents, RENDERER_URL)
    assert.ok(contents.windowOpenHandler)
    assert.deepEqual(contents.windowOpenHandler({ url: 'https://example.com/' }), { action: 'deny' })
    assert.deepEqual(contents.windowOpenHandler({ url: RENDERER_URL }), { action: 'deny' })
  })

  it('refuses <webview> attachment', () => {
    const contents = new FakeWebContents(7)
    hardenWebContents(contents, RENDERER_URL)
    const attach = new RecordingEvent()
    contents.emit('will-attach-webview', attach)
    assert.equal(attach.defaultPrevented, true)
  })

  it('installs its listeners once when called again for the same contents', () => {
    const contents = new FakeWebContents(7)
    hardenWebContents(contents, RENDERER_URL)
    hardenWebContents(contents, RENDERER_URL)
    assert.equal(contents.listenerCount('will-navigate'), 1)
    assert.equal(contents.listenerCount('will-attach-webview'), 1)
  })
})
