// End to end, as a new user: `vault start --headless` on a fresh data dir starts the embedded
// local network and the live vault; Chromium opens the printed URL and sees a live vault.
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './browser.ts'
import { startHeadlessVault, type HeadlessVault } from './headless-vault.ts'

const screenshotDir = fileURLToPath(new URL('../../test-results/', import.meta.url))

describe('headless dashboard', () => {
  let dir: string
  let vault: HeadlessVault
  let url: string
  let browser: Browser
  let page: Page

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-e2e-'))
    vault = await startHeadlessVault(dir, ['--client-rate', '4'])
    url = vault.url
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  })

  after(async () => {
    await browser.close()
    await vault.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('shows a live vault of age 5 with peers', async () => {
    await page.goto(url)
    const state = page.getByTestId('vault-state')
    await state.and(page.locator('[data-state="active"]')).waitFor({ timeout: 60_000 })
    assert.equal((await page.getByTestId('vault-age').textContent())?.trim(), '5')
    await page.locator('[data-testid="vault-peers"]:not([data-value="0"])').waitFor({ timeout: 30_000 })
    const peers = Number(await page.getByTestId('vault-peers').getAttribute('data-value'))
    assert.ok(peers > 0, `peers = ${peers}`)
    assert.match(await page.getByTestId('vault-name').getAttribute('title') ?? '', /^12D3KooW/)
    assert.match(await page.getByTestId('engine-version').textContent() ?? '', /0\.1\.0/)
    await page.getByTestId('notices').getByText('Running on an embedded local network').waitFor()
    await mkdir(screenshotDir, { recursive: true })
    await page.screenshot({ path: join(screenshotDir, 'dashboard.png') })
  })

  it('shows the Earnings card: nothing earned yet, and why (a vault of age 5 earns nothing until its first relocation)', async () => {
    const panel = page.getByTestId('earnings-panel')
    assert.equal(await panel.getByTestId('earnings-total').getAttribute('data-value'), '0')
    await panel.getByTestId('earnings-empty').getByText(/age 5 earns nothing until its first relocation/).waitFor()
  })

  it('shows the Section card with its phase in words and this vault among the known vaults, and the relocation outlook', async () => {
    const name = await page.getByTestId('vault-name').getAttribute('title') ?? ''
    const panel = page.getByTestId('section-panel')
    // This vault is listed in every phase but one: an active section that has not admitted it yet.
    const self = panel.locator(`[data-testid="section-members"] tr[data-self="true"][data-name="${name}"]`)
    const waiting = panel.locator('[data-testid="section-self"][data-value="waiting"]')
    await self.or(waiting).first().waitFor()
    // One read of the card, as the status pushes may change it between two reads.
    const card = await panel.evaluate(element => ({
      phase: element.querySelector('[data-testid="section-phase"]')?.getAttribute('data-phase'),
      phaseText: element.querySelector('[data-testid="section-phase"]')?.textContent ?? '',
      role: element.querySelector('[data-testid="section-self"]')?.getAttribute('data-value'),
      selfRows: [...element.querySelectorAll('[data-testid="section-members"] tr[data-self="true"]')].map(row => row.getAttribute('data-name'))
    }))
    const phaseWords = { forming: /vaults? (are )?known|knows \d+ of the 7 needed/, keying: /distributed key generation/, confirming: /5 of the 7 elders/, active: /decision signed by 5 of them/ }
    assert.ok(card.phase === 'forming' || card.phase === 'keying' || card.phase === 'confirming' || card.phase === 'active', `phase ${String(card.phase)}`)
    assert.match(card.phaseText, phaseWords[card.phase])
    assert.deepEqual(card.selfRows, card.role === 'waiting' ? [] : [name])
    const outlook = await page.getByTestId('relocation-outlook').evaluate(element => ({ kind: element.getAttribute('data-kind'), text: element.textContent ?? '' }))
    assert.match(outlook.text, outlook.kind === 'estimate' ? /Next relocation in about [\d,.]+( \w+)? churns?/ : /No relocation estimate yet/)
  })

  it('shows the Releases view: the active era, this vault\'s version, peers per version, and no release source', async () => {
    const panel = page.getByTestId('releases-panel')
    assert.equal(await panel.getByTestId('active-era').getAttribute('data-value'), '1')
    assert.equal((await panel.getByTestId('era-support').textContent())?.trim(), 'Supported')
    assert.equal(await panel.getByTestId('running-version').getAttribute('data-value'), '0.1.0')
    // The embedded network's other vaults run the same engine: their row is this vault's own.
    const own = panel.locator('[data-testid="known-versions"] tr[data-version="0.1.0"]')
    assert.match(await own.getAttribute('data-roles') ?? '', /\brunning\b/)
    await own.locator('li[data-compatibility="current"]').waitFor({ timeout: 30_000 })
    const current = Number(await own.locator('li[data-compatibility="current"]').getAttribute('data-count'))
    assert.ok(current > 0, `peers running 0.1.0 = ${current}`)
    assert.equal(await own.getAttribute('data-peers'), String(current))
    assert.equal(await own.getByTestId('version-evidence').first().getAttribute('data-label'), 'Shipped with the app')
    // No trusted release root is configured on a new vault: the view says so instead of implying a check.
    const release = panel.getByTestId('latest-release')
    assert.equal(await release.getAttribute('data-state'), 'none')
    assert.match(await release.textContent() ?? '', /No release trust is configured on this vault/)
    assert.equal(await panel.getByTestId('upgrade-required').count(), 0)
    await mkdir(screenshotDir, { recursive: true })
    await panel.screenshot({ path: join(screenshotDir, 'releases.png') })
  })

  it('pauses and resumes the vault from the dashboard', async () => {
    await page.getByTestId('pause-button').click()
    await page.locator('[data-testid="vault-state"][data-state="paused"]').waitFor()
    await page.getByTestId('notices').getByText('Paused by you').waitFor()
    await page.getByTestId('resume-button').click()
    await page.locator('[data-testid="vault-state"][data-state="active"]').waitFor()
  })

  it('refuses the dashboard to a browser without the token', async () => {
    const stranger = await browser.newContext()
    try {
      const response = await (await stranger.newPage()).goto(url.replace(/\?token=.*$/, ''))
      assert.equal(response?.status(), 401)
    } finally {
      await stranger.close()
    }
  })
})
