// `vault leave`: its arguments, what it says leaving costs without --yes, and the command as a user
// runs it against a headless server over an in-memory host.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { VaultStatus } from '../../../../contract/host-api.ts'
import { formatLeft, leaveCost, parseLeaveArgs } from '../../../../node-core/cli/commands/leave.ts'
import { UsageError } from '../../../../node-core/cli/cli-errors.ts'
import { runVault, ScriptedHostServers, scriptedHost, type CliRun } from '../../../helpers/cli-host.ts'
import { sampleStatus } from '../../../helpers/sample-status.ts'

describe('vault leave arguments and output', () => {
  it('takes --yes, --data-dir relative to the working directory and --json', () => {
    assert.deepEqual(parseLeaveArgs(['--yes', '--data-dir', 'vault', '--json'], '/home/farmer'), { dataDir: '/home/farmer/vault', json: true, yes: true, help: false })
    assert.equal(parseLeaveArgs([]).yes, false)
    assert.throws(() => parseLeaveArgs(['now']), (err: Error) => err instanceof UsageError && /unexpected argument "now"/.test(err.message))
    assert.throws(() => parseLeaveArgs(['--force']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
  })

  it('says what leaving costs: the age a vault may come back at, half its own and at least 5', () => {
    assert.equal(leaveCost(12), 'leaving is for good: this vault of age 12 could come back only under a new name at age 6; run again with --yes to leave')
    assert.match(leaveCost(7), /at age 5;/)
    assert.deepEqual(formatLeft(12), [
      'left the network: the section decided this vault\'s Leave; the vault is stopped, its data kept on disk',
      'to farm again: vault resume starts it under a new name, at age 6'
    ])
  })
})

/** A host whose leave and resume answer as the real one's do: stopped with the notice, or NotAMemberError; started again under a new name. */
function hostWith (member: boolean): ReturnType<typeof scriptedHost> {
  let status = sampleStatus({ age: 12 })
  return scriptedHost(() => status, {
    async resume (): Promise<VaultStatus> {
      if (status.state === 'left') status = sampleStatus({ name: 'next-name', age: 6 })
      return status
    },
    async leave (): Promise<VaultStatus> {
      if (!member) throw Object.assign(new Error('this vault is not a member of its section: there is nothing to leave'), { name: 'NotAMemberError' })
      const notice = { id: 'vault-left', severity: 'info' as const, title: 'This vault left the network', detail: 'Its section decided its Leave.', fix: 'To farm again, press Resume: it joins under a new name, at age 6.', since: 1 }
      status = { ...status, state: 'left', section: null, notices: [notice] }
      return status
    }
  })
}

describe('vault leave against a headless server', () => {
  const hosts = new ScriptedHostServers('vault-leave-')
  before(async () => { await hosts.open() })
  after(async () => { await hosts.close() })

  const serve = async (name: string, member: boolean): Promise<string> => await hosts.serve(name, hostWith(member))
  const vault = async (...args: string[]): Promise<CliRun> => await runVault(args, { timeoutMs: 60_000 })

  it('exits 2 without --yes, saying what leaving would cost, and leaves with it', async () => {
    const dataDir = await serve('member', true)
    const asked = await vault('leave', '--data-dir', dataDir)
    assert.equal(asked.code, 2)
    assert.equal(asked.stderr, `vault: ${leaveCost(12)}\n`)
    const run = await vault('leave', '--yes', '--data-dir', dataDir)
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, `${formatLeft(12).join('\n')}\n`)
    const json = await vault('leave', '--yes', '--data-dir', dataDir, '--json')
    assert.equal(json.code, 0)
    const parsed = JSON.parse(json.stdout) as { left: boolean, age: number, rejoinAge: number, state: string, notice: { id: string } }
    assert.deepEqual([parsed.left, parsed.age, parsed.rejoinAge, parsed.state, parsed.notice.id], [true, 12, 6, 'left', 'vault-left'])
  })

  it('vault resume starts a vault that left again, under its next name, instead of asking the section to resume it', async () => {
    const dataDir = await serve('comes-back', true)
    assert.equal((await vault('leave', '--yes', '--data-dir', dataDir)).code, 0)
    const run = await vault('resume', '--data-dir', dataDir)
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, 'the vault had left the network: started again, it asks to join under a new name, at age 6\n')
    const again = await vault('resume', '--data-dir', dataDir, '--json')
    assert.deepEqual(JSON.parse(again.stdout), { resumed: true, standing: sampleStatus().section?.standing }, 'back in its section, resume is the section\'s again')
  })

  it('exits 1 saying why a vault that is not a member cannot leave', async () => {
    const dataDir = await serve('stranger', false)
    const run = await vault('leave', '--yes', '--data-dir', dataDir)
    assert.equal(run.code, 1)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, 'vault: cannot leave: this vault is not a member of its section: there is nothing to leave\n')
  })
})
