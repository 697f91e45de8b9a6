// End to end (issue 3, done means 3): a real headless host joins a small embedded network whose
// elders audit every second. Its chunk folder goes away (a drive unplugged): the elders pause it,
// and in Chromium its owner sees why, what it costs and how to fix it, with Reconnect disabled
// while the self-check fails. The folder comes back: the self-check passes, Reconnect resumes the
// vault with its age intact. Unplugged again and left alone while vaults join and leave (each is
// a churn), its grace of three churns runs out and the section demotes it: it rejoins under a new
// name at half its age. The joiners are started here, one at a time, so the deadline comes when
// the test makes it come, not with the clock. A join switches the section's joins off until a
// member leaves (DESIGN §2 "Joins"), so joins and leaves take turns, and the section card shows
// whether the section admits new vaults. Last, its owner has it leave the network from the Vault
// card, after the question that says what it costs, and Resume brings it back under a new name.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { VaultStatusSchema } from '../../contract/host-api.ts'
import { grindKey } from '../../node-core/engine/identity/grind.ts'
import { createVault, type Vault } from '../../node-core/engine/vault.ts'
import { identityFromSeed, writeIdentity } from '../../node-core/engine/identity/identity-file.ts'
import { launchChromium } from './browser.ts'
import { startHeadlessVault, type HeadlessVault } from './headless-vault.ts'

/**
 * Old enough that half its age is not the newcomer's 5, young enough to be an adult: the 7 oldest
 * of the 13 founding vaults (local-network.ts foundingAge) are 13 to 20.
 */
const AGE = 12
const HALF_AGE = 6
const GRACE_CHURNS = 3
// Bounds on a hang, not measures of speed: forming a section, pausing, a grace of churns.
const LONG = 240_000

describe('pause and fix from the dashboard', () => {
  let dir: string
  let vault: HeadlessVault
  let browser: Browser
  let page: Page
  let chunks: string
  const joiners: Vault[] = []

  /** A new vault joins the embedded network's section: one churn. */
  const joinOne = async (bootstrap: string[]): Promise<void> => {
    const joiner = await createVault({ dataDir: join(dir, `joiner-${joiners.length}`), localNetwork: true, bootstrap })
    joiners.push(joiner)
    await joiner.start()
    const section = joiner.section
    assert.ok(section !== undefined)
    await new Promise<void>(resolve => {
      const check = (): void => { if (section.status().isMember) resolve() }
      for (const type of ['section:established', 'section:member-joined'] as const) section.addEventListener(type, check)
      check()
    })
  }

  /** The latest joiner leaves the section, which switches joins on again: one churn. */
  const leaveOne = async (): Promise<void> => {
    const joiner = joiners.pop()
    assert.ok(joiner !== undefined)
    await joiner.leave()
    await joiner.stop()
  }

  const unplug = async (): Promise<void> => { await rename(chunks, `${chunks}.unplugged`) }
  const plugBack = async (): Promise<void> => { await rename(`${chunks}.unplugged`, chunks) }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-e2e-pause-'))
    const engineDir = join(dir, 'data', 'vault')
    chunks = join(engineDir, 'store', 'chunks')
    await mkdir(engineDir, { recursive: true })
    await writeIdentity(engineDir, identityFromSeed((await grindKey({ prefix: '', age: AGE })).seed))
    vault = await startHeadlessVault(join(dir, 'data'), ['--nodes', '13', '--client-rate', '2', '--audit-interval', '1', '--grace-churns', String(GRACE_CHURNS), '--churn-interval', '0'])
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
    await page.goto(vault.url)
    await page.locator('[data-testid="section-self"][data-value="adult"]').waitFor({ timeout: LONG })
  })

  after(async () => {
    await Promise.allSettled(joiners.map(async joiner => { await joiner.stop() }))
    await browser?.close()
    await vault?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('shows the pause with its reasons, its cost and the fix, Reconnect disabled while the self-check fails', async () => {
    await unplug()
    const card = page.getByTestId('pause-card')
    await card.getByTestId('pause-reasons').waitFor({ timeout: LONG })
    assert.match(await card.getByTestId('pause-reasons').textContent() ?? '', /missed-audit/)
    assert.match(await card.getByTestId('pause-cost').textContent() ?? '', new RegExp(`Age ${AGE} is at risk.*rejoins at age ${HALF_AGE}`))
    assert.ok(Number(await card.getByTestId('pause-countdown').getAttribute('data-churns-left')) > 0)
    await card.getByTestId('run-self-check-button').click()
    await card.locator('[data-testid="self-check-results"][data-passed="false"]').waitFor({ timeout: LONG })
    assert.match(await card.getByTestId('self-check-chunk-folder').textContent() ?? '', /reconnect the drive that holds it/)
    assert.ok(await card.getByTestId('reconnect-button').isDisabled())
  })

  it('reconnects once the drive is back and the self-check passes: resumed, age intact', async () => {
    await plugBack()
    const card = page.getByTestId('pause-card')
    await card.getByTestId('run-self-check-button').click()
    await card.locator('[data-testid="self-check-results"][data-passed="true"]').waitFor({ timeout: LONG })
    await card.getByTestId('reconnect-button').click()
    await card.waitFor({ state: 'detached', timeout: LONG })
    assert.equal(await page.getByTestId('vault-age').textContent(), String(AGE))
    assert.equal(await page.locator('[data-testid="section-self"]').getAttribute('data-value'), 'adult')
  })

  it('demotes it when its grace of churns passes without a fix: it rejoins at half its age', async () => {
    const name = await page.getByTestId('vault-name').textContent()
    await unplug()
    const countdown = page.getByTestId('pause-card').getByTestId('pause-countdown')
    await countdown.waitFor({ timeout: LONG })
    // The pause was itself a churn: the deadline is its generation plus the grace.
    assert.equal(await countdown.getAttribute('data-churns-left'), String(GRACE_CHURNS - 1))
    const answer = await vault.call('getStatus', {})
    assert.ok(answer.ok)
    const bootstrap = VaultStatusSchema.parse(answer.value).network.bootstrap
    const demoted = page.locator('[data-testid="vault-age"]', { hasText: new RegExp(`^${HALF_AGE}$`) })
    // Founders alone so far, the host's vault among them: the section admits new vaults.
    await page.locator('[data-testid="section-joins"][data-value="open"]').waitFor({ timeout: LONG })
    // Exactly the churns left: the vault rejoins at half its age once demoted.
    for (let churn = 0; churn < GRACE_CHURNS - 1; churn++) {
      if (churn % 2 === 0) {
        await joinOne(bootstrap)
        await page.locator('[data-testid="section-joins"][data-value="closed"]').waitFor({ timeout: LONG })
      } else {
        await leaveOne()
      }
    }
    await demoted.waitFor({ timeout: LONG })
    assert.notEqual(await page.getByTestId('vault-name').textContent(), name, 'it rejoined under a new name')
    await page.locator('[data-testid="recent-events"]', { hasText: /demoted this vault/ }).waitFor({ timeout: LONG })
  })

  it('leaves the network once its owner confirms what it costs, and Resume joins again under a new name', async () => {
    // Offered once the section admitted the vault under the name it rejoined with.
    await page.getByTestId('leave-button').click({ timeout: LONG })
    const name = await page.getByTestId('vault-name').getAttribute('title')
    assert.match(await page.getByTestId('leave-button-question').textContent() ?? '', new RegExp(`this vault of age ${HALF_AGE} may come back only under a new name, at age 5\\.`))
    await page.getByTestId('leave-button-confirm').click()
    // The section decides the Leave, then the host stops the vault and keeps it stopped.
    await page.locator('[data-testid="vault-state"][data-state="left"]').waitFor({ timeout: LONG })
    await page.getByTestId('notices').getByText('This vault left the network').waitFor()
    assert.equal(await page.getByTestId('leave-button').count(), 0, 'nothing left to leave')
    await page.getByTestId('resume-button').click()
    // Active again only once the engine started under its next name: the same snapshot carries both.
    await page.locator('[data-testid="vault-state"][data-state="active"]').waitFor({ timeout: LONG })
    const rejoined = await page.getByTestId('vault-name').getAttribute('title')
    assert.ok(rejoined !== null && name !== null && rejoined !== name, `${String(rejoined)} after ${String(name)}`)
  })
})
