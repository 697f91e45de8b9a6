// The local network's churn and section policy flags (issue 3, deliver 8) of `vault testnet` and
// `vault start`: parsed in seconds, refused with a usage error naming the flag, and passed from
// the host to the embedded network's command line unchanged.
import assert from 'node:assert/strict'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { UsageError } from '../../../../node-core/cli/cli-errors.ts'
import { START_USAGE, startCommand } from '../../../../node-core/cli/commands/start.ts'
import { localNetworkPolicy, parseNetworkPolicy, parseTestnetArgs, TESTNET_USAGE } from '../../../../node-core/cli/commands/testnet.ts'
import { DEFAULT_EMBEDDED_CHURN_INTERVAL_MS, testnetArgs } from '../../../../node-core/host/embedded-network.ts'

describe('vault testnet and vault start policy flags', () => {
  it('are in both usages', () => {
    for (const usage of [TESTNET_USAGE, START_USAGE]) {
      assert.match(usage, /\[--churn-interval S\] \[--audit-interval S\] \[--grace-churns N\] \[--reward-epoch S\]/)
    }
  })

  it('default to no churn and the section defaults for vault testnet', () => {
    const options = parseTestnetArgs([])
    assert.deepEqual(options.policy, {})
    assert.deepEqual(localNetworkPolicy(options.policy), {})
    assert.equal(options.nodes, 20)
  })

  it('parse seconds into milliseconds and whole churns', () => {
    const options = parseTestnetArgs(['--nodes', '8', '--churn-interval', '1.5', '--audit-interval', '2', '--grace-churns', '3'])
    assert.deepEqual(options.policy, { churnIntervalMs: 1500, auditIntervalMs: 2000, graceChurns: 3 })
    assert.deepEqual(localNetworkPolicy(options.policy), {
      churn: { intervalMs: 1500 },
      section: { pauseAndFix: { graceChurns: 3 } },
      standing: { auditIntervalMs: 2000 }
    })
    assert.deepEqual(parseNetworkPolicy({ 'churn-interval': '0.0001', 'audit-interval': '0.1' }), { churnIntervalMs: 1, auditIntervalMs: 100 }, 'a positive interval stays on')
  })

  it('parse --reward-epoch seconds into the section\'s reward epoch', () => {
    const options = parseTestnetArgs(['--reward-epoch', '20', '--grace-churns', '3'])
    assert.deepEqual(options.policy, { graceChurns: 3, rewardEpochMs: 20_000 })
    assert.deepEqual(localNetworkPolicy(options.policy), { section: { pauseAndFix: { graceChurns: 3 }, rewardEpochMs: 20_000 } })
    assert.deepEqual(localNetworkPolicy({ rewardEpochMs: 5000 }), { section: { rewardEpochMs: 5000 } })
    assert.throws(() => parseNetworkPolicy({ 'reward-epoch': '0.5' }), /^UsageError|--reward-epoch/)
  })

  it('take --churn-interval 0 as no churn', () => {
    const policy = parseNetworkPolicy({ 'churn-interval': '0' })
    assert.deepEqual(policy, { churnIntervalMs: 0 })
    assert.deepEqual(localNetworkPolicy(policy), {})
  })

  it('refuse values out of range with a usage error naming the flag', () => {
    const refused: Array<[string[], RegExp]> = [
      [['--churn-interval=-1'], /^--churn-interval expects a number from 0 to 86400, got "-1"$/],
      [['--churn-interval', 'often'], /^--churn-interval expects a number/],
      [['--audit-interval', '0'], /^--audit-interval expects a number from 0.1 to 86400, got "0"$/],
      [['--grace-churns', '0'], /^--grace-churns expects a whole number from 1 to 1000000, got "0"$/],
      [['--grace-churns', '2.5'], /^--grace-churns expects a whole number/]
    ]
    for (const [args, message] of refused) {
      assert.throws(() => parseTestnetArgs(args), (err: Error) => err instanceof UsageError && message.test(err.message), args.join(' '))
    }
  })

  it('are refused by vault start before anything is created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-start-flags-'))
    try {
      const dataDir = join(dir, 'data')
      await assert.rejects(startCommand(['--headless', '--data-dir', dataDir, '--grace-churns', 'none']), (err: Error) =>
        err instanceof UsageError && /^--grace-churns expects a whole number from 1 to 1000000, got "none"$/.test(err.message))
      await assert.rejects(startCommand(['--headless', '--data-dir', dataDir, '--audit-interval=-5']), UsageError)
      await assert.rejects(access(dataDir), { code: 'ENOENT' })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('the embedded network command line', () => {
  const base = { dataDir: '/tmp/vault-net', nodes: 20, clientRate: 1 }

  it('churns every 30 s unless told otherwise, with the section defaults', () => {
    const options = parseTestnetArgs(testnetArgs(base).slice(1))
    assert.deepEqual(options.policy, { churnIntervalMs: DEFAULT_EMBEDDED_CHURN_INTERVAL_MS })
    assert.equal(DEFAULT_EMBEDDED_CHURN_INTERVAL_MS, 30_000)
    assert.equal(options.json, true)
    assert.equal(options.dataDir, '/tmp/vault-net')
  })

  it('carries the host options to vault testnet unchanged', () => {
    for (const policy of [{ churnIntervalMs: 0 }, { churnIntervalMs: 1234, auditIntervalMs: 1500, graceChurns: 2 }, { churnIntervalMs: 7, auditIntervalMs: 333 }, { churnIntervalMs: 5, rewardEpochMs: 12_000 }]) {
      assert.deepEqual(parseTestnetArgs(testnetArgs({ ...base, ...policy }).slice(1)).policy, policy)
    }
  })

  it('names the host\'s own vault as an expected founder, and refuses a founder that is not a vault name', () => {
    const name = 'ab'.repeat(32)
    assert.deepEqual(parseTestnetArgs(testnetArgs(base).slice(1)).founders, [])
    assert.deepEqual(parseTestnetArgs(testnetArgs({ ...base, founders: [name] }).slice(1)).founders, [name])
    assert.throws(() => parseTestnetArgs(['--founder', 'not-a-name']), { name: 'UsageError', message: '--founder expects a vault name (64 lowercase hex digits), got "not-a-name"' })
  })
})
