import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { EgressAttempt } from '../../../../contract/upgrade.ts'
import type { RequestRecord } from '../../../../node-core/upgrade/verdict/observations.ts'
import { judgeShadowRun } from '../../../../node-core/upgrade/verdict/shadow-verdict.ts'
import { ALL_LAYERS_ACTIVE, assertContractShape, codes, engineObservation, observations, replay, STARTED_AT } from './observation-fixtures.ts'

function recordAt (records: RequestRecord[], index: number): RequestRecord {
  const record = records[index]
  assert.ok(record !== undefined, `no record ${index}`)
  return record
}

function attempt (kind: EgressAttempt['kind'], target: string, allowed = false, after = 100): EgressAttempt {
  return { kind, target, allowed, at: STARTED_AT + after }
}

describe('judgeShadowRun: reaching outside', () => {
  it('fails a connection the release does not allow, in words a farmer reads', () => {
    const verdict = assertContractShape(judgeShadowRun(observations({ egress: [attempt('net', '127.0.0.1:4444')] })))
    assert.equal(verdict.result, 'fail')
    assert.deepEqual(verdict.reasons, [{
      code: 'egress',
      severity: 'critical',
      message: 'The candidate tried to connect to 127.0.0.1:4444, which its release does not allow: it was blocked.'
    }])
    assert.deepEqual(verdict.egress, [attempt('net', '127.0.0.1:4444')])
  })

  it('fails every kind of phoning home, each with its own sentence', () => {
    const expected: Array<[EgressAttempt['kind'], string, string]> = [
      ['http', 'http://127.0.0.1:8080/collect', 'send a web request to http://127.0.0.1:8080/collect'],
      ['tls', '127.0.0.1:8443', 'open an encrypted connection to 127.0.0.1:8443'],
      ['dns', 'telemetry.example', 'look up the name telemetry.example'],
      ['dgram', '127.0.0.1:5353', 'send a datagram to 127.0.0.1:5353'],
      ['child-process', 'curl', 'start the program curl'],
      ['worker', 'file:///tmp/w.js', 'start a worker thread (file:///tmp/w.js)']
    ]
    for (const [kind, target, action] of expected) {
      const verdict = judgeShadowRun(observations({ egress: [attempt(kind, target)] }))
      assert.deepEqual(codes(verdict), ['critical:egress'], kind)
      assert.equal(verdict.reasons[0]?.message, `The candidate tried to ${action}, which its release does not allow: it was blocked.`)
    }
  })

  it('fails a write outside the sandbox as its own reason', () => {
    const verdict = judgeShadowRun(observations({ egress: [attempt('fs-write', '/home/farmer/.bashrc')] }))
    assert.deepEqual(verdict.reasons, [{
      code: 'write-outside-sandbox',
      severity: 'critical',
      message: 'The candidate tried to write to /home/farmer/.bashrc, outside its own folder: it was blocked.'
    }])
  })

  it('passes attempts the policy allowed, and lists them in the evidence', () => {
    const allowed = [attempt('net', '127.0.0.1:41001', true), attempt('fs-write', '/tmp/shadow-x/store/chunk', true)]
    const verdict = judgeShadowRun(observations({ egress: allowed }))
    assert.equal(verdict.result, 'pass')
    assert.deepEqual(verdict.egress, allowed)
  })

  it('counts repeated attempts once per target, in the order first tried', () => {
    const verdict = judgeShadowRun(observations({
      egress: [attempt('net', '127.0.0.1:2', false, 300), attempt('net', '127.0.0.1:1', false, 100), attempt('net', '127.0.0.1:2', false, 200), attempt('net', '127.0.0.1:2', false, 400)]
    }))
    assert.deepEqual(verdict.reasons.map(reason => reason.message), [
      'The candidate tried to connect to 127.0.0.1:1, which its release does not allow: it was blocked.',
      'The candidate tried to connect to 127.0.0.1:2 (3 times), which its release does not allow: it was blocked.'
    ])
  })

  it('says so when nothing on this machine could block it', () => {
    const isolation = ALL_LAYERS_ACTIVE.map(layer => ({ ...layer, active: layer.layer === 'permission-model' }))
    const verdict = judgeShadowRun(observations({ egress: [attempt('net', '127.0.0.1:4444'), attempt('worker', 'w.js')] }, { isolation }))
    assert.deepEqual(verdict.reasons.map(reason => reason.message), [
      'The candidate tried to connect to 127.0.0.1:4444, which its release does not allow: this machine could not block it, so it may have got through.',
      'The candidate tried to start a worker thread (w.js), which its release does not allow: it was blocked.'
    ])
  })

  it('prints a target the candidate chose without its control characters', () => {
    const verdict = judgeShadowRun(observations({ egress: [attempt('dns', 'evil\n[info] all good')] }))
    assert.equal(verdict.reasons[0]?.message, 'The candidate tried to look up the name evil?[info] all good, which its release does not allow: it was blocked.')
  })
})

describe('judgeShadowRun: an engine that did not run to the end', () => {
  const cutShort = { requests: replay(2).slice(0, 40) }

  it('fails a crash, with its exit code or signal, and compares nothing else', () => {
    const byCode = judgeShadowRun(observations({ ...cutShort, crash: { exitCode: 1, signal: null } }))
    assert.deepEqual(byCode.reasons, [{ code: 'crash', severity: 'critical', message: 'The candidate crashed during the test (exit code 1).' }])
    const bySignal = judgeShadowRun(observations({ ...cutShort, crash: { exitCode: null, signal: 'SIGSEGV' } }))
    assert.equal(bySignal.reasons[0]?.message, 'The candidate crashed during the test (killed by signal SIGSEGV).')
    assert.equal(bySignal.result, 'fail')
  })

  it('fails a hang, not also reported as the crash its kill caused', () => {
    const verdict = judgeShadowRun(observations({ ...cutShort, hang: true, crash: { exitCode: null, signal: 'SIGKILL' } }))
    assert.deepEqual(verdict.reasons, [{ code: 'hang', severity: 'critical', message: 'The candidate stopped answering and was stopped.' }])
  })

  it('fails going over a budget, naming the budget', () => {
    const verdict = judgeShadowRun(observations({ ...cutShort, overBudget: 'memory', hang: true, crash: { exitCode: null, signal: 'SIGKILL' } }))
    assert.deepEqual(verdict.reasons, [{ code: 'over-budget', severity: 'critical', message: 'The candidate went over its memory budget and was stopped.' }])
    assert.equal(judgeShadowRun(observations({ ...cutShort, overBudget: 'cpu' })).reasons[0]?.message, 'The candidate went over its CPU budget and was stopped.')
  })

  it('calls a run whose baseline crashed marginal: it proves nothing either way', () => {
    const input = observations()
    input.baseline = engineObservation('1.4.0', 1, { crash: { exitCode: 134, signal: null } })
    const verdict = judgeShadowRun(input)
    assert.equal(verdict.result, 'marginal')
    assert.deepEqual(verdict.reasons, [{
      code: 'crash',
      severity: 'warning',
      message: 'The current version (1.4.0) crashed during the test (exit code 134), so this comparison proves little: run the test again.'
    }])
  })
})

describe('judgeShadowRun: state kept across the migration', () => {
  it('fails a migration that loses the identity or the age, showing both values', () => {
    const input = observations()
    input.state = input.state.map(entry => entry.field === 'identity' ? { ...entry, candidate: '12D3KooWSomeoneElse' } : entry.field === 'age' ? { ...entry, candidate: '0' } : entry)
    const verdict = judgeShadowRun(input)
    assert.equal(verdict.result, 'fail')
    assert.deepEqual(verdict.reasons.map(reason => `${reason.code}: ${reason.message}`), [
      'lost-state: The candidate lost the vault\'s identity in its data migration: it was "12D3KooWBaseline", it became "12D3KooWSomeoneElse".',
      'lost-state: The candidate lost the vault\'s age in its data migration: it was "7", it became "0".'
    ])
  })

  it('names settings, ports and the earnings address too', () => {
    for (const [field, words] of [['settings', 'settings'], ['ports', 'ports'], ['earnings', 'earnings address']] as const) {
      const input = observations()
      input.state = input.state.map(entry => entry.field === field ? { ...entry, candidate: '' } : entry)
      assert.match(judgeShadowRun(input).reasons[0]?.message ?? '', new RegExp(`^The candidate lost the vault's ${words} in its data migration`))
    }
  })
})

describe('judgeShadowRun: answers', () => {
  it('fails different bytes for a get, and counts the mismatch on both sides', () => {
    const requests = replay(2)
    requests[3] = { ...recordAt(requests, 3), digest: 'tampered' }
    requests[5] = { ...recordAt(requests, 5), digest: 'forged proof' }
    const verdict = judgeShadowRun(observations({ requests }))
    assert.equal(verdict.result, 'fail')
    assert.deepEqual(verdict.reasons, [{
      code: 'wrong-data',
      severity: 'critical',
      message: 'The candidate answered 2 of 180 requests differently from the current version (1 get, 1 audit): it returned wrong data.'
    }])
    assert.equal(verdict.baseline.mismatches, 2)
    assert.equal(verdict.candidate.mismatches, 2)
  })

  it('fails errors (and silence) where the current version answered, but not where it failed too', () => {
    const requests = replay(2).map((record, index) => index === 1 || index === 4 ? { ...record, ok: false, digest: 'error' } : record).slice(0, 179)
    const verdict = judgeShadowRun(observations({ requests }))
    assert.deepEqual(verdict.reasons, [{
      code: 'more-errors',
      severity: 'critical',
      message: 'The candidate failed 3 of 180 requests that the current version answered (2 puts, 1 audit).'
    }])
    assert.equal(verdict.candidate.errors, 2)

    const input = observations({ requests: requests.slice(0, 2).concat(replay(2).slice(2)) })
    input.baseline.requests = input.baseline.requests.map((record, index) => index === 1 ? { ...record, ok: false, digest: 'error' } : record)
    assert.equal(judgeShadowRun(input).result, 'pass')
  })

  it('refuses records that are not the same replay: a runner bug, not a verdict', () => {
    const swapped = replay(2)
    swapped[0] = { ...recordAt(swapped, 0), operation: 'put' }
    assert.throws(() => judgeShadowRun(observations({ requests: swapped })), {
      name: 'MisalignedRequestsError',
      message: '"candidate.requests[0]" expected a get as in the baseline\'s replay, got a put'
    })
    assert.throws(() => judgeShadowRun(observations({ requests: [...replay(2), ...replay(3).slice(0, 1)] })), { name: 'MisalignedRequestsError' })
  })
})
