// A vault reads its age history when it is created (issue 3 deliver 7): a first start shows its
// new name, and the vault recreated after a relocation shows both names, in its status.
import { after, before, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createVault } from '../../../../node-core/engine/vault.ts'
import { rejoinIdentity } from '../../../../node-core/engine/identity/identity-file.ts'

let dataDir = ''
before(async () => { dataDir = await mkdtemp(join(tmpdir(), 'age-history-vault-')) })
after(async () => { await rm(dataDir, { recursive: true, force: true }) })

it('the status carries the names the vault has had, oldest first', async () => {
  let clock = 1_000
  const now = (): number => clock
  const first = await createVault({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], localNetwork: true, now })
  assert.deepEqual(first.status().ageHistory, [{ at: 1_000, name: Buffer.from(first.identity.name).toString('hex'), age: 5, reason: 'new' }])

  clock = 2_000
  const moved = await rejoinIdentity(dataDir, 6, { keptAs: 'relocated', now })
  const second = await createVault({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], localNetwork: true, now })
  assert.deepEqual(second.status().ageHistory.map(entry => [entry.age, entry.reason]), [[5, 'new'], [6, 'relocated']])
  assert.deepEqual(second.status().ageHistory[1], { at: 2_000, name: Buffer.from(moved.name).toString('hex'), age: 6, reason: 'relocated' })
  await first.stop()
  await second.stop()
})
