// Draws the tray icons (one per state, 16 px and 32 px @2x) and the 512 px app icon, and writes
// them as PNG with node:zlib alone. Run `npx node assets/make-icons.ts` after changing a shape
// or colour; test/unit/build/icons.test.ts checks that the committed PNGs match this drawing.
//
// Each tray state has its own glyph as well as its own colour (check, pause bars, exclamation
// mark), so the state reads without colour vision too.
import { writeFileSync } from 'node:fs'
import { crc32, deflateSync } from 'node:zlib'

export type Rgb = readonly [number, number, number]
export type TrayIconState = 'active' | 'paused' | 'problem'

export const TRAY_COLOURS: Record<TrayIconState, Rgb> = {
  active: [46, 157, 79], // green
  paused: [224, 161, 0], // amber
  problem: [214, 69, 65] // red
}

export interface IconImage {
  file: string
  width: number
  height: number
  /** width * height * 4 bytes, RGBA, not premultiplied. */
  rgba: Uint8Array
}

/** Signed distance from a point to a shape: negative inside. */
type Shape = (x: number, y: number) => number

const circle = (cx: number, cy: number, r: number): Shape => (x, y) => Math.hypot(x - cx, y - cy) - r

const ring = (cx: number, cy: number, r: number, halfWidth: number): Shape =>
  (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - halfWidth

/** A segment with round ends, halfWidth thick on each side. */
const capsule = (ax: number, ay: number, bx: number, by: number, halfWidth: number): Shape => (x, y) => {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(x - ax - t * dx, y - ay - t * dy) - halfWidth
}

const roundedSquare = (size: number, radius: number): Shape => (x, y) => {
  const half = size / 2
  const qx = Math.abs(x - half) - (half - radius)
  const qy = Math.abs(y - half) - (half - radius)
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius
}

const union = (...shapes: Shape[]): Shape => (x, y) => {
  let distance = Infinity
  for (const shape of shapes) distance = Math.min(distance, shape(x, y))
  return distance
}

interface Layer {
  shape: Shape
  /** Colour at a point; a function allows gradients. */
  colour: (x: number, y: number) => Rgb
}

const SAMPLES = 4 // per axis: 16 samples per pixel for anti-aliased edges

/** Paints the layers in order, each over the ones before, sampling SAMPLES² points per pixel. */
function paint (size: number, layers: Layer[]): Uint8Array {
  const rgba = new Uint8Array(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0
      let g = 0
      let b = 0
      let a = 0
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = px + (sx + 0.5) / SAMPLES
          const y = py + (sy + 0.5) / SAMPLES
          let cr = 0
          let cg = 0
          let cb = 0
          let ca = 0
          for (const layer of layers) {
            if (layer.shape(x, y) > 0) continue
            const [lr, lg, lb] = layer.colour(x, y)
            cr = lr
            cg = lg
            cb = lb
            ca = 1
          }
          // Accumulate premultiplied, so transparent samples do not darken the edge.
          r += cr * ca
          g += cg * ca
          b += cb * ca
          a += ca
        }
      }
      const offset = (py * size + px) * 4
      rgba[offset] = a === 0 ? 0 : Math.round(r / a)
      rgba[offset + 1] = a === 0 ? 0 : Math.round(g / a)
      rgba[offset + 2] = a === 0 ? 0 : Math.round(b / a)
      rgba[offset + 3] = Math.round((a / (SAMPLES * SAMPLES)) * 255)
    }
  }
  return rgba
}

const solid = (colour: Rgb) => (): Rgb => colour
const shade = ([r, g, b]: Rgb, factor: number): Rgb => [Math.round(r * factor), Math.round(g * factor), Math.round(b * factor)]
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [
  Math.round(a[0] + (b[0] - a[0]) * t),
  Math.round(a[1] + (b[1] - a[1]) * t),
  Math.round(a[2] + (b[2] - a[2]) * t)
]
const WHITE: Rgb = [255, 255, 255]

/** Glyph shapes drawn in a 16-unit box, scaled by `s`. */
function trayGlyph (state: TrayIconState, s: number): Shape {
  switch (state) {
    case 'active': return union(capsule(4.6 * s, 8.2 * s, 7 * s, 10.6 * s, 1.05 * s), capsule(7 * s, 10.6 * s, 11.4 * s, 5.6 * s, 1.05 * s))
    case 'paused': return union(capsule(6.2 * s, 5.2 * s, 6.2 * s, 10.8 * s, 1.05 * s), capsule(9.8 * s, 5.2 * s, 9.8 * s, 10.8 * s, 1.05 * s))
    case 'problem': return union(capsule(8 * s, 4.4 * s, 8 * s, 8.9 * s, 1.1 * s), circle(8 * s, 11.5 * s, 1.15 * s))
    default: {
      const unknownState: never = state
      throw new TypeError(`"state" expected a tray state, got ${String(unknownState)}`)
    }
  }
}

export function drawTrayIcon (state: TrayIconState, size: number): Uint8Array {
  const s = size / 16
  const colour = TRAY_COLOURS[state]
  return paint(size, [
    { shape: circle(8 * s, 8 * s, 7.5 * s), colour: solid(shade(colour, 0.72)) },
    { shape: circle(8 * s, 8 * s, 6.5 * s), colour: solid(colour) },
    { shape: trayGlyph(state, s), colour: solid(WHITE) }
  ])
}

/** A vault door on a teal tile: ring, bolts, and a three-spoke handle. */
export function drawAppIcon (size: number): Uint8Array {
  const c = size / 2
  const u = size / 512
  const top: Rgb = [20, 101, 111]
  const bottom: Rgb = [12, 52, 66]
  const tile = (_x: number, y: number): Rgb => mix(top, bottom, y / size)
  const light: Rgb = [232, 241, 242]
  const door: Rgb = [196, 222, 226]
  const metal: Rgb = [38, 84, 96]
  const bolts: Shape[] = []
  for (let i = 0; i < 8; i++) {
    const angle = (i * Math.PI) / 4 + Math.PI / 8
    bolts.push(circle(c + Math.cos(angle) * 178 * u, c + Math.sin(angle) * 178 * u, 11 * u))
  }
  const spokes: Shape[] = []
  for (let i = 0; i < 3; i++) {
    const angle = (i * 2 * Math.PI) / 3 - Math.PI / 2
    spokes.push(capsule(c, c, c + Math.cos(angle) * 92 * u, c + Math.sin(angle) * 92 * u, 13 * u))
  }
  return paint(size, [
    { shape: roundedSquare(size, 112 * u), colour: tile },
    { shape: circle(c, c, 206 * u), colour: solid(light) },
    { shape: circle(c, c, 158 * u), colour: solid(door) },
    { shape: union(...bolts), colour: solid(metal) },
    { shape: ring(c, c, 120 * u, 6 * u), colour: solid(light) },
    { shape: union(...spokes), colour: solid(metal) },
    { shape: circle(c, c, 30 * u), colour: solid(metal) },
    { shape: circle(c, c, 14 * u), colour: solid(light) }
  ])
}

export function renderIcons (): IconImage[] {
  const icons: IconImage[] = []
  for (const state of ['active', 'paused', 'problem'] as const) {
    icons.push({ file: `tray-${state}.png`, width: 16, height: 16, rgba: drawTrayIcon(state, 16) })
    icons.push({ file: `tray-${state}@2x.png`, width: 32, height: 32, rgba: drawTrayIcon(state, 32) })
  }
  icons.push({ file: 'icon.png', width: 512, height: 512, rgba: drawAppIcon(512) })
  return icons
}

function pngChunk (type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(typeAndData))
  return Buffer.concat([length, typeAndData, crc])
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** 8-bit RGBA, no interlace, filter type 0 (None) on every row. */
export function encodePng (image: Pick<IconImage, 'width' | 'height' | 'rgba'>): Buffer {
  const { width, height, rgba } = image
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`"rgba" expected ${width * height * 4} bytes for ${width}x${height}, got ${rgba.length}`)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // colour type: RGBA
  const stride = width * 4
  const raw = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0))
  ])
}

if (import.meta.main) {
  for (const icon of renderIcons()) {
    const path = new URL(icon.file, import.meta.url)
    writeFileSync(path, encodePng(icon))
    console.log(`wrote assets/${icon.file} (${icon.width}x${icon.height})`)
  }
}
