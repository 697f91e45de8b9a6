// End to end (issue 5, done means 2, dashboard part): a real headless host shadow-tests a
// development bundle of the unchanged engine; in Chromium the owner sees the verdict, defers by a
// day, approves (the switch happens), then rolls back by hand.
import assert from 'node:assert/strict'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { assembleEngineBundle } from '../../node-core/release/bundle/build-engine.ts'
import { launchChromium } from './browser.ts'
import { startHeadlessVault, type HeadlessVault } from './headless-vault.ts'

const repo = fileURLToPath(new URL('../../', import.meta.url))
const screenshotDir = fileURLToPath(new URL('../../test-results/', import.meta.url))
/** What an engine bundle is built from (build-engine.ts reads these parts of a checkout). */
const CHECKOUT_PARTS = ['node-core', 'contract', 'package-lock.json']
const SHADOW_SECONDS = 10
// Generous: a shadow run starts two engines beside the live one; a switch drains, backs up and
// watches a health window. These bound a hang, they do not measure speed.
const LONG = 240_000

/** A development bundle of this checkout as it is, written to `<dir>/candidate.tar.gz`. */
async function buildUnchangedCandidate (dir: string): Promise<{ path: string, sha256: string, engineVersion: string }> {
  const checkout = join(dir, 'checkout')
  for (const part of CHECKOUT_PARTS) await cp(join(repo, part), join(checkout, part), { recursive: true })
  const bundle = await assembleEngineBundle(checkout)
  const path = join(dir, 'candidate.tar.gz')
  await writeFile(path, bundle.bytes)
  return { path, sha256: bundle.sha256, engineVersion: bundle.manifest.engineVersion }
}

describe('upgrades from the dashboard', () => {
  let dir: string
  let vault: HeadlessVault
  let browser: Browser
  let page: Page
  let candidate: { path: string, sha256: string, engineVersion: string }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-e2e-upgrades-'))
    candidate = await buildUnchangedCandidate(dir)
    vault = await startHeadlessVault(join(dir, 'data'), ['--client-rate', '4', '--health-window', '5'])
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(vault.url)
    await page.locator('[data-testid="vault-state"][data-state="active"]').waitFor({ timeout: 60_000 })
  })

  after(async () => {
    await browser?.close()
    await vault?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('starts with the engine shipped with the app and no candidate', async () => {
    const panel = page.getByTestId('upgrades-panel')
    assert.equal(await panel.getByTestId('upgrade-current').getAttribute('data-value'), candidate.engineVersion)
    assert.equal(await panel.getByTestId('upgrade-current-bundle').getAttribute('data-sha'), '')
    await panel.getByTestId('no-candidate').waitFor()
    assert.equal(await panel.getByTestId('upgrade-policy').getAttribute('data-value'), 'ask')
  })

  it('shows the shadow test of a development bundle and its verdict with the evidence', async () => {
    const panel = page.getByTestId('upgrades-panel')
    // The host answers once the run is over; the dashboard shows the candidate meanwhile.
    const answered = vault.call('shadowUpgrade', { candidatePath: candidate.path, durationSeconds: SHADOW_SECONDS }).then(answer => {
      if (!answer.ok) throw new Error(`shadowUpgrade failed: ${answer.error.name}: ${answer.error.message}`)
    })
    const origin = panel.locator(`[data-testid="upgrade-candidate"][data-kind="development"][data-version="${candidate.engineVersion}"]`)
    const shown = origin.waitFor({ timeout: LONG })
    await Promise.race([shown, answered]) // a refusal fails the test now, not after the wait
    await shown
    assert.equal((await origin.getByTestId('candidate-verification').textContent())?.trim(), 'Unsigned local bundle')
    await answered
    const verdict = panel.getByTestId('upgrade-verdict')
    await verdict.waitFor({ timeout: LONG })
    const result = await verdict.getAttribute('data-result')
    // The unchanged engine must not fail; a short run may read as marginal on a busy machine.
    assert.ok(result === 'pass' || result === 'marginal', `verdict ${result ?? 'missing'}: ${await verdict.textContent() ?? ''}`)
    assert.ok(await panel.locator('[data-testid="verdict-reasons"] li').count() > 0)
    const metrics = panel.getByTestId('upgrade-metrics')
    for (const metric of ['requests', 'errors', 'mismatches', 'throughput', 'cpu', 'memory']) {
      assert.equal(await metrics.locator(`tr[data-metric="${metric}"]`).count(), 1, `metric ${metric}`)
    }
    assert.equal(await metrics.locator('tr[data-metric="mismatches"] td').first().textContent(), '0')
    assert.ok(await panel.locator('[data-testid="isolation-layers"] li').count() > 0)
    assert.equal(await panel.getByTestId('egress-attempts').getAttribute('data-outside'), '0')
    await mkdir(screenshotDir, { recursive: true })
    await page.screenshot({ path: join(screenshotDir, 'upgrades.png'), fullPage: true })
  })

  it('defers by a day and shows until when', async () => {
    const panel = page.getByTestId('upgrades-panel')
    const button = panel.getByTestId('defer-day')
    const offered = Number(await button.getAttribute('data-until'))
    await button.click()
    const deferred = panel.getByTestId('schedule-deferred')
    await deferred.waitFor({ timeout: 30_000 })
    const until = Number(await deferred.getAttribute('data-value'))
    // The page's clock ticks every few seconds, so the click may send a slightly later time than read.
    assert.ok(until >= offered && until - offered < 60_000, `deferred until ${until}, offered ${offered}`)
    assert.match(await deferred.textContent() ?? '', /\(in (23 h|1 d)/)
    await panel.locator('[data-testid="upgrade-history"] li[data-kind="deferred"]').waitFor()
  })

  it('approves: the switch happens and the bundle becomes current', async () => {
    const panel = page.getByTestId('upgrades-panel')
    await panel.getByTestId('approve-button').click()
    // A marginal verdict asks first (issue 5, deliver 6).
    const confirm = panel.getByTestId('approve-button-confirm')
    if (await confirm.count() > 0) await confirm.click()
    await panel.locator('[data-testid="upgrade-history"] li[data-kind="switched"]').waitFor({ timeout: LONG })
    await panel.locator(`[data-testid="upgrade-current-bundle"][data-sha="${candidate.sha256}"]`).waitFor({ timeout: LONG })
    assert.equal(await panel.getByTestId('upgrade-previous-bundle').getAttribute('data-sha'), '', 'the shipped engine is what a rollback returns to')
    await panel.locator('[data-testid="upgrade-history"] li[data-kind="approved"]').waitFor()
    await page.locator('[data-testid="vault-state"][data-state="active"]').waitFor({ timeout: LONG })
  })

  it('rolls back by hand after confirming: the shipped engine is current again', async () => {
    const panel = page.getByTestId('upgrades-panel')
    await panel.getByTestId('rollback-button').click()
    await panel.getByTestId('rollback-button-confirm').click()
    await panel.locator('[data-testid="upgrade-history"] li[data-kind="manual-rollback"]').waitFor({ timeout: LONG })
    await panel.locator('[data-testid="upgrade-current-bundle"][data-sha=""]').waitFor({ timeout: LONG })
    assert.equal(await panel.getByTestId('upgrade-current').getAttribute('data-value'), candidate.engineVersion)
    assert.equal(await panel.locator('[data-testid^="upgrade-error-"]').count(), 0, 'no control reported an error')
    await panel.screenshot({ path: join(screenshotDir, 'upgrades-after-rollback.png') })
    await page.locator('[data-testid="vault-state"][data-state="active"]').waitFor({ timeout: LONG })
  })
})
