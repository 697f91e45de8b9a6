// The vault's self-check (issue 3 deliver 6; DESIGN §2 "pause, fix, demote"): what a paused vault
// runs before it may ask to resume. Each check says what it found and, when it fails, one concrete
// sentence for the farmer: what to do, then "press Reconnect". It reads the store's files itself,
// by the store's layout, and changes nothing but its own probe file: a diagnosis, not a repair.
// The report fits section/economy/pause-and-fix.ts SelfCheckResult, so requestResume takes it as is,
// and the contract's SelfCheckSchema (host-api.ts), so the status carries it as is.
import { randomBytes } from 'node:crypto'
import { open, readFile, rm, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { defaultRandom, type Random } from '../../section/crypto/scalar.ts'
import { chunkAddress, MAX_CHUNK_BYTES } from '../store/chunk-address.ts'
import { chunkFilePath, CHUNKS_DIR } from '../store/chunk-layout.ts'
import type { ChunkStore } from '../store/chunk-store.ts'
import { randomIndex } from './audit-material.ts'

export const SELF_CHECK_NAMES = ['chunk-folder', 'store-writable', 'chunks-intact', 'free-space', 'listening', 'peers'] as const
export type SelfCheckName = typeof SELF_CHECK_NAMES[number]

export const SelfCheckItemSchema = z.discriminatedUnion('passed', [
  z.object({ name: z.enum(SELF_CHECK_NAMES), passed: z.literal(true), detail: z.string().max(1000) }).strict(),
  z.object({ name: z.enum(SELF_CHECK_NAMES), passed: z.literal(false), detail: z.string().max(1000), fix: z.string().max(1000) }).strict()
])
export type SelfCheckItem = z.infer<typeof SelfCheckItemSchema>

/** Crosses to the host and the dashboard: parse it there with this schema. */
export const SelfCheckReportSchema = z.object({
  passed: z.boolean(),
  checks: z.array(SelfCheckItemSchema).min(1).max(SELF_CHECK_NAMES.length),
  /** When it ran, in ms since the Unix epoch. */
  at: z.number().int().nonnegative()
}).strict()
export type SelfCheckReport = z.infer<typeof SelfCheckReportSchema>

export interface SelfCheckInputs {
  store: Pick<ChunkStore, 'dir' | 'capacityBytes' | 'addresses' | 'stats'>
  /** Chunks the vault must still hold, read back whatever the sample (those it was challenged on lately). */
  alwaysCheck?: Iterable<string>
  /** The addresses the vault listens on now. */
  listenAddresses: () => readonly string[]
  /** Vaults it is connected to now. */
  connectedPeers: () => number
  random?: Random
  /** Bytes free to the vault on the filesystem holding `dir` (statfs by default). */
  freeBytes?: (dir: string) => Promise<number>
  now?: () => number
}

export interface SelfCheckOptions {
  /** Chunks of the index read back and hashed; all of them when the index is smaller. */
  sampleSize?: number
  /** Free space below which the vault cannot take new data (unless its capacity leaves it less to grow). */
  minFreeBytes?: number
}

export const DEFAULT_SELF_CHECK_SAMPLE = 256
/** Room for a few dozen of the largest chunks: less, and a put fails on the first busy minute. */
export const DEFAULT_MIN_FREE_BYTES = 64 * MAX_CHUNK_BYTES

const RECONNECT = 'then press Reconnect'

interface Check { passed: boolean, detail: string, fix?: string }

export async function runSelfCheck (inputs: SelfCheckInputs, options: SelfCheckOptions = {}): Promise<SelfCheckReport> {
  const { store } = inputs
  const chunksDir = join(store.dir, CHUNKS_DIR)
  const folder = await checkFolder(store.dir, chunksDir)
  const notChecked = (what: string): Check => ({ passed: false, detail: `${what} not checked: ${folder.detail}`, fix: folder.fix ?? '' })
  const checks: Array<[SelfCheckName, Check]> = [
    ['chunk-folder', folder],
    ['store-writable', folder.passed ? await checkWritable(chunksDir) : notChecked('writing')],
    ['chunks-intact', folder.passed ? await checkChunks(inputs, chunksDir, options.sampleSize ?? DEFAULT_SELF_CHECK_SAMPLE) : notChecked('the chunks were')],
    ['free-space', folder.passed ? await checkFreeSpace(inputs, chunksDir, options.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES) : notChecked('free space')],
    ['listening', inputs.listenAddresses().length > 0
      ? { passed: true, detail: `listening on ${inputs.listenAddresses().length} address(es)` }
      : { passed: false, detail: 'the vault listens on no address', fix: `The vault is not listening for other vaults: make sure no other program uses its port and that the firewall lets the vault accept connections, ${RECONNECT}.` }],
    ['peers', inputs.connectedPeers() > 0
      ? { passed: true, detail: `connected to ${inputs.connectedPeers()} vault(s)` }
      : { passed: false, detail: 'connected to no other vault', fix: `The vault cannot reach any other vault: check this computer's internet connection and that no firewall or VPN blocks the vault, ${RECONNECT}.` }]
  ]
  const items = checks.map(([name, check]) => SelfCheckItemSchema.parse(check.passed ? { name, passed: true, detail: check.detail } : { name, passed: false, detail: check.detail, fix: check.fix ?? '' }))
  return { passed: items.every(item => item.passed), checks: items, at: Math.floor((inputs.now ?? Date.now)()) }
}

async function checkFolder (storeDir: string, chunksDir: string): Promise<Check> {
  try {
    if ((await stat(chunksDir)).isDirectory()) return { passed: true, detail: `${chunksDir} is present` }
    return { passed: false, detail: `${chunksDir} is not a folder`, fix: `${chunksDir} is a file, not the vault's chunk folder: move it away and put the chunk folder back in its place, ${RECONNECT}.` }
  } catch (err) {
    const code = errorCode(err)
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const missing = await exists(storeDir) ? chunksDir : storeDir
      return { passed: false, detail: `${missing} is missing`, fix: `The folder ${missing} is missing: reconnect the drive that holds it, ${RECONNECT}.` }
    }
    return { passed: false, detail: `${chunksDir} cannot be read (${code})`, fix: diskFix(chunksDir, code) }
  }
}

/** Writes, fsyncs, reads back and deletes a probe on the drive itself; its name is never a chunk's. */
async function checkWritable (chunksDir: string): Promise<Check> {
  const probe = join(chunksDir, `.self-check-${randomBytes(8).toString('hex')}`)
  const content = randomBytes(64)
  try {
    const file = await open(probe, 'wx', 0o600)
    try {
      await file.writeFile(content)
      await file.sync()
    } finally {
      await file.close()
    }
    const back = await readFile(probe)
    if (!back.equals(content)) return { passed: false, detail: `a probe file in ${chunksDir} read back different bytes`, fix: diskFix(chunksDir, 'EIO') }
    return { passed: true, detail: `wrote, synced, read back and deleted a probe file in ${chunksDir}` }
  } catch (err) {
    const code = errorCode(err)
    return { passed: false, detail: `writing a probe file in ${chunksDir} failed (${code})`, fix: diskFix(chunksDir, code) }
  } finally {
    await rm(probe, { force: true }).catch(() => {})
  }
}

async function checkChunks (inputs: SelfCheckInputs, chunksDir: string, sampleSize: number): Promise<Check> {
  if (!Number.isSafeInteger(sampleSize) || sampleSize < 0) throw new RangeError(`"sampleSize" expected a non-negative integer, got ${sampleSize}`)
  const addresses = new Set([...sample(inputs.store.addresses(), sampleSize, inputs.random ?? defaultRandom), ...(inputs.alwaysCheck ?? [])])
  const missing: string[] = []
  const corrupt: string[] = []
  for (const address of addresses) {
    const state = await readBack(chunkFilePath(chunksDir, address), address)
    if (state === 'missing') missing.push(address)
    if (state === 'corrupt') corrupt.push(address)
  }
  const failed = missing.length + corrupt.length
  if (failed === 0) return { passed: true, detail: addresses.size === 0 ? 'no chunks held yet' : `${addresses.size} chunk(s) read back intact` }
  const detail = `${failed} of ${addresses.size} chunk(s) checked failed: ${missing.length} missing, ${corrupt.length} damaged (first: ${[...missing, ...corrupt][0]?.slice(0, 12) ?? ''}…)`
  const fix = corrupt.length > 0
    ? `${corrupt.length} chunk(s) in ${chunksDir} are damaged: check the drive for errors with your system's disk tool, then restart the vault (it sets damaged chunks aside when it reads them) and press Reconnect.`
    : `${missing.length} chunk(s) are missing from ${chunksDir}: if the folder was moved, or restored from an older copy, put the complete folder back, ${RECONNECT}. If they are lost for good, restart the vault: it forgets lost chunks when it starts and the network copies them again.`
  return { passed: false, detail, fix }
}

async function readBack (path: string, address: string): Promise<'intact' | 'missing' | 'corrupt'> {
  try {
    const info = await stat(path)
    if (!info.isFile() || info.size > MAX_CHUNK_BYTES) return 'corrupt'
    return chunkAddress(await readFile(path)) === address ? 'intact' : 'corrupt'
  } catch (err) {
    return errorCode(err) === 'ENOENT' ? 'missing' : 'corrupt'
  }
}

async function checkFreeSpace (inputs: SelfCheckInputs, chunksDir: string, minFreeBytes: number): Promise<Check> {
  const { store } = inputs
  let free: number
  try {
    free = await (inputs.freeBytes ?? statfsFree)(chunksDir)
  } catch (err) {
    return { passed: false, detail: `the free space of the drive holding ${chunksDir} could not be read (${errorCode(err)})`, fix: diskFix(chunksDir, errorCode(err)) }
  }
  const room = Math.max(0, store.capacityBytes - store.stats().bytes)
  const needed = Math.min(room, minFreeBytes)
  const detail = `${formatSize(free)} free on the drive; the vault may grow by ${formatSize(room)} more`
  if (free >= needed) return { passed: true, detail: free < room ? `${detail} (the drive fills first)` : detail }
  return {
    passed: false,
    detail,
    fix: `The drive holding ${chunksDir} has only ${formatSize(free)} free, less than the ${formatSize(needed)} the vault needs to take new data: free up space on that drive or lower the vault's storage capacity, ${RECONNECT}.`
  }
}

/** Up to `size` distinct items, uniformly, in one pass (reservoir sampling) with injected randomness. */
function sample (items: Iterable<string>, size: number, random: Random): string[] {
  const kept: string[] = []
  let seen = 0
  for (const item of items) {
    seen++
    if (kept.length < size) kept.push(item)
    else if (size > 0) {
      const slot = randomIndex(random, seen)
      if (slot < size) kept[slot] = item
    }
  }
  return kept
}

function diskFix (path: string, code: string): string {
  switch (code) {
    case 'ENOSPC': return `The drive holding ${path} is full: free up space on it, ${RECONNECT}.`
    case 'EROFS': return `The drive holding ${path} is read-only: reconnect it so that it can be written (or repair it with your system's disk tool), ${RECONNECT}.`
    case 'EACCES':
    case 'EPERM': return `The vault may not write to ${path}: give the account that runs the vault permission to write there, ${RECONNECT}.`
    default: return `The drive holding ${path} fails (${code}): check its cable and check it for errors with your system's disk tool, ${RECONNECT}.`
  }
}

async function statfsFree (dir: string): Promise<number> {
  const info = await statfs(dir)
  return info.bavail * info.bsize
}

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

function errorCode (err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' ? code : 'EIO'
}

function formatSize (bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
}
