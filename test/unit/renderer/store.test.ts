import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RemoteError, type VaultStatus } from '../../../contract/host-api.ts'
import type { HostClient, HostClientListener } from '../../../renderer/src/host-client.ts'
import { HostUnavailableError } from '../../../renderer/src/host/errors.ts'
import { acceptStatus, createDashboardStore } from '../../../renderer/src/store.ts'
import { flushPromises } from './helpers/manual-timers.ts'
import { SAMPLE_SELF_CHECK_PASSED, sampleStanding, sampleStandingStatus, sampleStatus } from '../../helpers/sample-status.ts'

type Deferred = { resolve(value: VaultStatus): void, reject(error: Error): void }

/** A host client whose replies the test settles by hand, so in-flight states can be observed. */
function fakeClient () {
  let listener: HostClientListener | null = null
  const calls: string[] = []
  /** Each verb with the parameters it was sent. */
  const sent: Array<[string, unknown]> = []
  const waiting: Deferred[] = []
  const call = (verb: string) => (params: unknown) => {
    calls.push(verb)
    sent.push([verb, params])
    return new Promise<VaultStatus>((resolve, reject) => { waiting.push({ resolve, reject }) })
  }
  const client: HostClient = {
    transport: 'socket',
    connect (next) { listener = next },
    reconnectNow () { calls.push('reconnectNow') },
    close () { calls.push('close') },
    getStatus: call('getStatus'),
    pause: call('pause'),
    resume: call('resume'),
    checkUpgrade: call('checkUpgrade'),
    shadowUpgrade: call('shadowUpgrade'),
    approveUpgrade: call('approveUpgrade'),
    deferUpgrade: call('deferUpgrade'),
    rollbackUpgrade: call('rollbackUpgrade'),
    setUpgradePolicy: call('setUpgradePolicy'),
    runSelfCheck: call('runSelfCheck'),
    reconnect: call('reconnect'),
    leave: call('leave')
  }
  const host = (): HostClientListener => {
    assert.ok(listener, 'the store has not connected')
    return listener
  }
  const settle = (): Deferred => {
    const next = waiting.shift()
    assert.ok(next, 'no request is waiting')
    return next
  }
  return { client, calls, sent, host, settle }
}

function started () {
  const fake = fakeClient()
  const store = createDashboardStore({ client: fake.client, eventLimit: 5 })
  store.getState().start()
  return { ...fake, store }
}

/** A started store whose connection is open and whose first status has arrived. */
async function connected (status = sampleStatus()) {
  const s = started()
  s.host().onConnection({ phase: 'open' })
  s.settle().resolve(status)
  await flushPromises()
  return s
}

test('before anything arrives the store is connecting and has no status', () => {
  const { store } = started()
  const state = store.getState()
  assert.deepEqual(state.connection, { phase: 'connecting' })
  assert.equal(state.status, null)
  assert.deepEqual(state.events, [])
  assert.equal(state.transport, 'socket')
})

test('an open connection fetches the status and seeds the events from it', async () => {
  const status = sampleStatus()
  const { store, calls } = await connected(status)
  assert.deepEqual(calls, ['getStatus'])
  assert.deepEqual(store.getState().connection, { phase: 'open' })
  assert.deepEqual(store.getState().status, status)
  assert.deepEqual(store.getState().events, status.recentEvents)
})

test('a pushed status replaces the snapshot, but an older one does not', async () => {
  const { store, host } = await connected(sampleStatus({ updatedAt: 1000 }))
  host().onEvent({ type: 'status', status: sampleStatus({ updatedAt: 2000, peers: 3 }) })
  assert.equal(store.getState().status?.peers, 3)
  host().onEvent({ type: 'status', status: sampleStatus({ updatedAt: 1500, peers: 99 }) })
  assert.equal(store.getState().status?.peers, 3)
})

test('after a reconnect the first status is taken even if its clock is behind', async () => {
  const { store, host, settle } = await connected(sampleStatus({ updatedAt: 5000 }))
  host().onConnection({ phase: 'reconnecting', attempt: 1, retryAt: 10, reason: 'gone' })
  assert.equal(store.getState().status?.updatedAt, 5000, 'the last snapshot stays on screen while reconnecting')
  host().onConnection({ phase: 'open' })
  host().onEvent({ type: 'status', status: sampleStatus({ updatedAt: 100, age: 13 }) })
  assert.equal(store.getState().status?.age, 13)
  settle().resolve(sampleStatus({ updatedAt: 50, age: 99 })) // the slower getStatus reply
  await flushPromises()
  assert.equal(store.getState().status?.age, 13)
})

test('pushed vault events join the list, newest first, bounded', async () => {
  const { store, host } = await connected(sampleStatus({ recentEvents: [] }))
  for (let at = 1; at <= 7; at++) host().onEvent({ type: 'event', event: { at, kind: 'tick', message: `t${at}` } })
  assert.deepEqual(store.getState().events.map((e) => e.at), [7, 6, 5, 4, 3])
})

test('pause is pending until the host answers, then shows the returned status', async () => {
  const { store, calls, settle } = await connected()
  const done = store.getState().pause()
  assert.equal(store.getState().pendingAction, 'pause')
  void store.getState().pause() // a second click while pending
  void store.getState().resume()
  assert.deepEqual(calls, ['getStatus', 'pause'], 'no second request while one is pending')
  settle().resolve(sampleStatus({ state: 'paused', updatedAt: 2_000_000_000_000 }))
  await done
  assert.equal(store.getState().pendingAction, null)
  assert.equal(store.getState().status?.state, 'paused')
  assert.equal(store.getState().actionError, null)
})

test('a failed resume shows the host message and can be dismissed; a retry clears it', async () => {
  const { store, settle } = await connected(sampleStatus({ state: 'paused' }))
  const done = store.getState().resume()
  settle().reject(new RemoteError({ name: 'SelfCheckFailedError', message: 'self-check failed: disk not writable' }))
  await done
  assert.deepEqual(store.getState().actionError, { action: 'resume', message: 'self-check failed: disk not writable' })
  assert.equal(store.getState().pendingAction, null)
  assert.equal(store.getState().status?.state, 'paused')
  store.getState().dismissActionError()
  assert.equal(store.getState().actionError, null)

  const failedAgain = store.getState().resume()
  settle().reject(new Error('again'))
  await failedAgain
  const retry = store.getState().resume()
  assert.equal(store.getState().actionError, null, 'a new attempt clears the old error')
  settle().resolve(sampleStatus({ state: 'active', updatedAt: 2_000_000_000_000 }))
  await retry
})

test('a host error on getStatus is shown, and cleared by the next status', async () => {
  const { store, host, settle } = started()
  host().onConnection({ phase: 'open' })
  settle().reject(new RemoteError({ name: 'EngineUnavailableError', message: 'engine RPC timed out' }))
  await flushPromises()
  assert.equal(store.getState().hostError, 'engine RPC timed out')
  host().onEvent({ type: 'status', status: sampleStatus() })
  assert.equal(store.getState().hostError, null)
})

test('a lost connection during getStatus is left to the connection state, not shown as a host error', async () => {
  const { store, host, settle } = started()
  host().onConnection({ phase: 'open' })
  settle().reject(new HostUnavailableError('The connection to the host was lost.'))
  await flushPromises()
  assert.equal(store.getState().hostError, null)
})

test('protocol errors are kept until dismissed; retry and stop reach the client', () => {
  const { store, host, calls } = started()
  host().onProtocolError('bad frame')
  assert.equal(store.getState().protocolError, 'bad frame')
  store.getState().dismissProtocolError()
  assert.equal(store.getState().protocolError, null)
  store.getState().retryNow()
  store.getState().stop()
  assert.deepEqual(calls, ['reconnectNow', 'close'])
})

test('a blocked connection is mirrored into the state', () => {
  const { store, host } = started()
  host().onConnection({ phase: 'blocked', problem: 'bad-token' })
  assert.deepEqual(store.getState().connection, { phase: 'blocked', problem: 'bad-token' })
})

test('acceptStatus keeps the newer of two snapshots', () => {
  const older = sampleStatus({ updatedAt: 1 })
  const newer = sampleStatus({ updatedAt: 2 })
  assert.equal(acceptStatus(null, older), older)
  assert.equal(acceptStatus(older, newer), newer)
  assert.equal(acceptStatus(newer, older), newer)
})

test('approving is pending until the host answers; other upgrade requests wait their turn', async () => {
  const { store, calls, settle } = await connected()
  const done = store.getState().approveUpgrade()
  assert.equal(store.getState().pendingUpgrade, 'approve')
  void store.getState().rollbackUpgrade()
  void store.getState().deferUpgrade(5)
  assert.deepEqual(calls, ['getStatus', 'approveUpgrade'], 'one upgrade request at a time')
  const switched = sampleStatus({ updatedAt: 2_000_000_000_000, engineVersion: '1.5.0' })
  settle().resolve(switched)
  await done
  assert.equal(store.getState().pendingUpgrade, null)
  assert.equal(store.getState().status?.engineVersion, '1.5.0')
  assert.equal(store.getState().upgradeError, null)
})

test('defer, rollback, setPolicy and check send their verb with its parameters', async () => {
  const fake = await connected()
  const actions = [
    () => fake.store.getState().deferUpgrade(1_900_000_000_000),
    () => fake.store.getState().rollbackUpgrade(),
    () => fake.store.getState().setUpgradePolicy('manual'),
    () => fake.store.getState().checkUpgrade()
  ]
  for (const action of actions) {
    const done = action()
    fake.settle().resolve(sampleStatus())
    await done
  }
  assert.deepEqual(fake.sent.slice(1), [
    ['deferUpgrade', { until: 1_900_000_000_000 }],
    ['rollbackUpgrade', {}],
    ['setUpgradePolicy', { policy: 'manual' }],
    ['checkUpgrade', {}]
  ])
})

test('leave takes the status the host answers with, and a refusal is kept as the leave\'s error', async () => {
  const { store, calls, settle } = await connected()
  const refused = store.getState().leave()
  assert.equal(store.getState().pendingAction, 'leave')
  settle().reject(new RemoteError({ name: 'NotAMemberError', message: 'this vault is not a member of its section: there is nothing to leave' }))
  await refused
  assert.deepEqual(store.getState().actionError, { action: 'leave', message: 'this vault is not a member of its section: there is nothing to leave' })
  const left = store.getState().leave()
  assert.equal(store.getState().actionError, null, 'a new attempt clears the old error')
  settle().resolve(sampleStatus({ state: 'left', section: null, updatedAt: 2_000_000_000_000 }))
  await left
  assert.equal(store.getState().status?.state, 'left')
  assert.deepEqual(calls.filter(call => call === 'leave'), ['leave', 'leave'])
})

test('a refused upgrade request keeps its message for the control that sent it, until dismissed or retried', async () => {
  const { store, settle } = await connected()
  const deferred = store.getState().deferUpgrade(1)
  settle().reject(new RemoteError({ name: 'DeferPastDeadlineError', message: 'the deadline is sooner' }))
  await deferred
  assert.deepEqual(store.getState().upgradeError, { action: 'defer', message: 'the deadline is sooner' })
  assert.equal(store.getState().pendingUpgrade, null)
  assert.equal(store.getState().actionError, null, 'the pause/resume error stays untouched')
  store.getState().dismissUpgradeError()
  assert.equal(store.getState().upgradeError, null)

  const rollback = store.getState().rollbackUpgrade()
  settle().reject(new Error('no previous version'))
  await rollback
  const retry = store.getState().rollbackUpgrade()
  assert.equal(store.getState().upgradeError, null, 'a new attempt clears the old error')
  settle().resolve(sampleStatus({ updatedAt: 2_000_000_000_000 }))
  await retry
})

test('an upgrade request and pause/resume do not block each other', async () => {
  const { store, calls } = await connected()
  void store.getState().approveUpgrade()
  void store.getState().pause()
  assert.deepEqual(calls, ['getStatus', 'approveUpgrade', 'pause'])
  assert.equal(store.getState().pendingUpgrade, 'approve')
  assert.equal(store.getState().pendingAction, 'pause')
})

test('the pause-and-fix requests take the returned status, one at a time, and keep a refusal for the control that sent it', async () => {
  const { store, settle, sent } = await connected()
  const check = store.getState().runSelfCheck()
  assert.equal(store.getState().pendingStanding, 'selfCheck')
  await store.getState().reconnect()
  assert.deepEqual(sent.slice(1), [['runSelfCheck', {}]], 'a second request waits for the first')
  settle().resolve(sampleStandingStatus(sampleStanding({ selfCheck: SAMPLE_SELF_CHECK_PASSED }), 58))
  await check
  assert.equal(store.getState().pendingStanding, null)
  assert.equal(store.getState().status?.section?.standing.selfCheck?.passed, true)

  const refused = store.getState().reconnect()
  settle().reject(new RemoteError({ name: 'SelfCheckFailedError', message: 'the self-check failed: the drive is read-only' }))
  await refused
  assert.deepEqual(store.getState().standingError, { action: 'reconnect', message: 'the self-check failed: the drive is read-only' })
  assert.equal(store.getState().upgradeError, null, 'the upgrade error stays untouched')
  store.getState().dismissStandingError()
  assert.equal(store.getState().standingError, null)
  assert.deepEqual(sent.slice(-1), [['reconnect', {}]])
})
