// node check.mjs DECK.html [--shots DIR]
//
// Opens a deck that Marp rendered with `--template bare` in headless
// Chromium (Debian's, never a downloaded one) and looks at every slide as
// the room will: a slide with no text and no picture is blank; a slide
// whose content reaches past its margins, or a code block or table cut
// off at the right, is overflowing; a picture that does not load and any
// request that leaves the machine are errors too.  With --shots, every
// slide is also saved as DIR/slide-NN.png.
//
// Prints one line per problem, then `slides: N rendered, N blank, N
// overflowing`, and exits 1 if anything is wrong.

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import puppeteer from 'puppeteer-core'

const args = process.argv.slice(2)
const shotsAt = args.indexOf('--shots')
const shots = shotsAt >= 0 ? args.splice(shotsAt, 2)[1] : null
if (args.length !== 1 || (shotsAt >= 0 && !shots)) {
  console.error('usage: node check.mjs DECK.html [--shots DIR]')
  process.exit(2)
}
const deck = resolve(args[0])
const browserPath = process.env.CHROME_PATH || '/usr/bin/chromium'
const profile = mkdtempSync(join(tmpdir(), 'slides-check-'))

// What one slide measures, run inside the page.  Marp's bare template
// puts each slide in <svg data-marpit-svg><foreignObject><section>.
function measure() {
  const TOL = 2 // px of rounding we forgive
  const name = (el) => {
    let s = el.tagName.toLowerCase()
    if (el.className && typeof el.className === 'string')
      s += '.' + el.className.trim().split(/\s+/)[0]
    const t = (el.innerText || el.getAttribute('src') || '').trim().split('\n')[0]
    return t ? `${s} "${t.slice(0, 40)}"` : s
  }
  const sections = [...document.querySelectorAll('svg[data-marpit-svg] > foreignObject > section')]
  return sections.map((s, i) => {
    const sr = s.getBoundingClientRect()
    const scale = sr.width / s.offsetWidth
    const cs = getComputedStyle(s)
    const box = {
      top: sr.top + parseFloat(cs.paddingTop) * scale,
      left: sr.left + parseFloat(cs.paddingLeft) * scale,
      right: sr.right - parseFloat(cs.paddingRight) * scale,
      bottom: sr.bottom - parseFloat(cs.paddingBottom) * scale,
    }
    const title = (s.querySelector('h1, h2, h3')?.innerText || '').trim()
    // Marp's header and footer repeat on every slide: they are not content.
    const content = [...s.children].filter((el) => !el.matches('header, footer'))
    const text = content.map((el) => el.innerText).join('').trim()
    const imgs = content.flatMap((el) => [...(el.matches('img') ? [el] : []), ...el.querySelectorAll('img')])
    const shown = imgs.filter((im) => im.complete && im.naturalWidth > 0)
    const broken = imgs.filter((im) => !shown.includes(im)).map((im) => im.getAttribute('src'))
    const over = []
    // An element's box past the margins (a trailing margin may poke out:
    // it draws nothing), or a box that clips what it holds.
    for (const el of s.querySelectorAll('*')) {
      if (el.closest('header, footer')) continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 && r.height === 0) continue
      const below = (r.bottom - box.bottom) / scale
      const right = (r.right - box.right) / scale
      if (below > TOL) {
        over.push(`${name(el)} ends ${Math.round(below)}px below the bottom margin`)
        break
      }
      if (right > TOL) {
        over.push(`${name(el)} ends ${Math.round(right)}px past the right margin`)
        break
      }
      const st = getComputedStyle(el)
      if (st.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + TOL) {
        over.push(`${name(el)} is cut off: ${el.scrollWidth - el.clientWidth}px of it do not fit across`)
        break
      }
      if (st.overflowY !== 'visible' && el !== s && el.scrollHeight > el.clientHeight + TOL) {
        over.push(`${name(el)} is cut off: ${el.scrollHeight - el.clientHeight}px of it do not fit down`)
        break
      }
    }
    return {
      n: i + 1,
      title,
      blank: text === '' && shown.length === 0,
      over,
      broken,
    }
  })
}

let browser
let status = 0
try {
  browser = await puppeteer.launch({
    executablePath: browserPath,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
  const page = await browser.newPage()
  await page.setViewport({ width: 1280, height: 720 })
  // The deck must work in a room without a network: nothing may leave.
  const remote = []
  await page.setRequestInterception(true)
  page.on('request', (req) => {
    const url = req.url()
    if (/^(file|data|blob|about):/.test(url)) return req.continue()
    remote.push(url)
    req.abort()
  })
  await page.goto(pathToFileURL(deck).href, { waitUntil: 'load' })
  await page.evaluate(() => document.fonts.ready)
  const slides = await page.evaluate(measure)

  let blank = 0
  let overflowing = 0
  for (const s of slides) {
    const where = `slide ${s.n}${s.title ? ` "${s.title}"` : ''}`
    if (s.blank) {
      blank++
      console.log(`${where}: blank: no text and no picture`)
    }
    if (s.over.length) {
      overflowing++
      console.log(`${where}: overflowing: ${s.over.join('; ')}`)
    }
    for (const src of s.broken) {
      status = 1
      console.log(`${where}: the picture ${src} did not load`)
    }
  }
  for (const url of remote) {
    status = 1
    console.log(`the deck asked for ${url}: it must not need the network`)
  }
  if (shots) {
    mkdirSync(shots, { recursive: true })
    const svgs = await page.$$('svg[data-marpit-svg]')
    for (const [i, svg] of svgs.entries()) {
      await svg.screenshot({ path: join(shots, `slide-${String(i + 1).padStart(2, '0')}.png`) })
    }
  }
  console.log(`slides: ${slides.length} rendered, ${blank} blank, ${overflowing} overflowing`)
  if (slides.length === 0 || blank || overflowing) status = 1
} catch (err) {
  console.log(`slides: could not render the deck in ${browserPath}: ${err.message}`)
  status = 1
} finally {
  if (browser) await browser.close()
  rmSync(profile, { recursive: true, force: true })
}
process.exit(status)
