// The committed PNGs in assets/ are what assets/make-icons.ts draws, and each is a well-formed
// PNG of the size Electron expects (name.png at 1x, name@2x.png at 2x).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { inflateSync } from 'node:zlib'
import { encodePng, PNG_SIGNATURE, renderIcons, TRAY_COLOURS } from '../../../assets/make-icons.ts'
import type { Rgb, TrayIconState } from '../../../assets/make-icons.ts'

interface DecodedPng {
  width: number
  height: number
  rgba: Uint8Array
}

/** Decodes the PNGs make-icons writes: 8-bit RGBA, no interlace, filter None on every row. */
function decodePng (bytes: Buffer): DecodedPng {
  assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE, 'PNG signature')
  let offset = 8
  let width = 0
  let height = 0
  const idat: Buffer[] = []
  let ended = false
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset)
    const type = bytes.toString('latin1', offset + 4, offset + 8)
    const data = bytes.subarray(offset + 8, offset + 8 + length)
    if (type === 'IHDR') {
      width = data.readUInt32BE(0)
      height = data.readUInt32BE(4)
      assert.deepEqual([...data.subarray(8)], [8, 6, 0, 0, 0], '8-bit RGBA, no interlace')
    } else if (type === 'IDAT') {
      idat.push(data)
    } else if (type === 'IEND') {
      ended = true
    }
    offset += 12 + length
  }
  assert.ok(ended, 'IEND present')
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * 4
  assert.equal(raw.length, (stride + 1) * height)
  const rgba = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (stride + 1)], 0, `row ${y} filter`)
    rgba.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride)
  }
  return { width, height, rgba }
}

function pixel (image: DecodedPng, x: number, y: number): [number, number, number, number] {
  const offset = (y * image.width + x) * 4
  return [image.rgba[offset] ?? -1, image.rgba[offset + 1] ?? -1, image.rgba[offset + 2] ?? -1, image.rgba[offset + 3] ?? -1]
}

const icons = renderIcons()

describe('assets icons', () => {
  it('has a 1x and a 2x tray icon per state and a 512 px app icon', () => {
    assert.deepEqual(icons.map((icon) => `${icon.file} ${icon.width}x${icon.height}`), [
      'tray-active.png 16x16', 'tray-active@2x.png 32x32',
      'tray-paused.png 16x16', 'tray-paused@2x.png 32x32',
      'tray-problem.png 16x16', 'tray-problem@2x.png 32x32',
      'icon.png 512x512'
    ])
  })

  for (const icon of icons) {
    it(`${icon.file} is committed as drawn`, () => {
      const committed = decodePng(readFileSync(new URL(`../../../assets/${icon.file}`, import.meta.url)))
      assert.equal(committed.width, icon.width)
      assert.equal(committed.height, icon.height)
      assert.ok(Buffer.from(committed.rgba).equals(Buffer.from(icon.rgba)), 'pixels differ: run `npx node assets/make-icons.ts`')
    })
  }

  it('round-trips through the encoder', () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 9])
    assert.deepEqual(decodePng(encodePng({ width: 2, height: 2, rgba })), { width: 2, height: 2, rgba })
    assert.throws(() => encodePng({ width: 2, height: 2, rgba: rgba.subarray(1) }), RangeError)
  })

  it('colours each tray state by its meaning: green active, amber paused, red problem', () => {
    const isColour = ([r, g, b]: Rgb, state: TrayIconState): boolean => {
      switch (state) {
        case 'active': return g > r && g > b
        case 'paused': return r > b && g > b && r >= g
        case 'problem': return r > g && r > b
      }
    }
    for (const state of ['active', 'paused', 'problem'] as const) {
      assert.ok(isColour(TRAY_COLOURS[state], state), `${state} palette`)
      const committed = decodePng(readFileSync(new URL(`../../../assets/tray-${state}@2x.png`, import.meta.url)))
      // A point on the coloured disc, clear of the white glyph.
      const [r, g, b, a] = pixel(committed, 16, 4)
      assert.equal(a, 255)
      assert.ok(isColour([r, g, b], state), `${state}: rgb(${r}, ${g}, ${b})`)
      assert.equal(pixel(committed, 0, 0)[3], 0, `${state}: transparent corner`)
    }
  })
})
