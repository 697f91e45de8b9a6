import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dispatchHostRequest, RemoteError, toErrorValue, unwrapReply, VaultStatusSchema, type HostApi } from '../../../contract/host-api.ts'
import { SAMPLE_REJECTED_RELEASE, SAMPLE_VERIFIED_RELEASE, sampleStatus, sampleVersions } from '../../helpers/sample-status.ts'

function api (overrides: Partial<HostApi> = {}): HostApi {
  return {
    getStatus: async () => sampleStatus(),
    pause: async () => sampleStatus({ state: 'paused' }),
    resume: async () => sampleStatus(),
    checkUpgrade: async () => sampleStatus(),
    shadowUpgrade: async () => sampleStatus(),
    approveUpgrade: async () => sampleStatus(),
    deferUpgrade: async () => sampleStatus(),
    rollbackUpgrade: async () => sampleStatus(),
    setUpgradePolicy: async () => sampleStatus(),
    runSelfCheck: async () => sampleStatus(),
    reconnect: async () => sampleStatus(),
    leave: async () => sampleStatus({ state: 'left' }),
    ...overrides
  }
}

describe('HostApi contract', () => {
  it('dispatches a valid request and checks the result against its schema', async () => {
    assert.deepEqual(await dispatchHostRequest(api(), { verb: 'pause', params: {} }), { ok: true, value: sampleStatus({ state: 'paused' }) })
  })

  it('turns unknown verbs, bad params and non-objects into InvalidRequestError values', async () => {
    for (const raw of [{ verb: 'rm -rf' }, { verb: 'pause', params: { now: true } }, 'getStatus', null, 42]) {
      const reply = await dispatchHostRequest(api(), raw)
      assert.equal(reply.ok, false, JSON.stringify(raw))
      if (!reply.ok) assert.equal(reply.error.name, 'InvalidRequestError')
    }
  })

  it('never lets a thrown error cross: it becomes { name, message }', async () => {
    class DiskFullError extends Error { override name = 'DiskFullError' }
    const reply = await dispatchHostRequest(api({ pause: async () => { throw new DiskFullError('no space') } }), { verb: 'pause' })
    assert.deepEqual(reply, { ok: false, error: { name: 'DiskFullError', message: 'no space' } })
  })

  it('refuses a host result that breaks the schema instead of passing it on', async () => {
    const reply = await dispatchHostRequest(api({ getStatus: async () => ({ ...sampleStatus(), age: 300 }) }), { verb: 'getStatus' })
    assert.equal(reply.ok, false)
  })

  it('unwraps replies on the client side and keeps remote error names', () => {
    assert.deepEqual(unwrapReply('getStatus', { ok: true, value: sampleStatus() }), sampleStatus())
    assert.throws(() => unwrapReply('pause', { ok: false, error: { name: 'VaultPausedError', message: 'x' } }), (err: unknown) => err instanceof RemoteError && err.name === 'VaultPausedError')
    assert.throws(() => unwrapReply('getStatus', { ok: true, value: { name: 1 } }))
    assert.equal(toErrorValue('plain').name, 'Error')
  })

  it('accepts the sample status (guards the schema itself)', () => {
    assert.equal(VaultStatusSchema.safeParse(sampleStatus()).success, true)
    assert.equal(VaultStatusSchema.safeParse({ ...sampleStatus(), state: 'exploded' }).success, false)
  })

  it('carries a release check: verified with its signers, rejected with its code, null while checking', () => {
    for (const release of [SAMPLE_VERIFIED_RELEASE, SAMPLE_REJECTED_RELEASE, { ...SAMPLE_VERIFIED_RELEASE, check: null }]) {
      assert.equal(VaultStatusSchema.safeParse(sampleStatus({ versions: sampleVersions(release) })).success, true)
    }
    const verified = SAMPLE_VERIFIED_RELEASE.check
    assert.ok(verified?.verdict === 'verified')
    const broken = [
      { ...verified, signedBy: ['not a key id'] },
      { ...verified, reasons: ['a verified release has no reasons'] },
      { ...verified, eras: [] },
      { verdict: 'rejected', checkedAt: 1, code: 'looked-odd', reasons: ['?'] },
      { verdict: 'rejected', checkedAt: 1, code: 'frozen', reasons: [] }
    ]
    for (const check of broken) {
      const versions = { ...sampleStatus().versions, latestRelease: { ...SAMPLE_VERIFIED_RELEASE, check } }
      assert.equal(VaultStatusSchema.safeParse({ ...sampleStatus(), versions }).success, false, JSON.stringify(check))
    }
  })
})
