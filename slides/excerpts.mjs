// node excerpts.mjs DECK.md
//
// The deck shows real code.  A fenced block whose info string names a
// file after the language,
//     ```c solutions/04-mount/runtime.c
// must still be in that file: each of its lines, spaces aside, in the
// same order, with anything in between.  A line that is only `...` (or
// `/* ... */`) marks a cut.  A block naming a file that does not exist
// yet (a stage still being written) is reported as pending, not failed;
// but one naming a stage by an old name (the stage table, .tools/stages,
// has its number under another) is stale: the deck must follow a rename.
//
// Prints one line per stale excerpt, then `excerpts: N checked, N
// pending, N stale`, and exits 1 if any is stale.

import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const deckPath = process.argv[2]
if (!deckPath) {
  console.error('usage: node excerpts.mjs DECK.md')
  process.exit(2)
}
// Paths in the deck are relative to the repository: slides/ is in it.
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const norm = (line) => line.trim().replace(/\s+/g, ' ')
const isCut = (line) => /^(\.\.\.|\/\* \.\.\. \*\/|\/\/ \.\.\.)$/.test(line)

const lines = readFileSync(deckPath, 'utf8').split('\n')
const blocks = []
let slide = 0
let inFront = lines[0] === '---'
let fence = null
for (let i = inFront ? 1 : 0; i < lines.length; i++) {
  const line = lines[i]
  if (inFront) {
    if (line === '---') {
      inFront = false
      slide = 1
    }
    continue
  }
  if (slide === 0) slide = 1
  const m = /^(```+|~~~+)(.*)$/.exec(line)
  if (fence) {
    if (m && m[1].startsWith(fence.mark) && m[2].trim() === '') {
      blocks.push(fence)
      fence = null
    } else fence.body.push(line)
  } else if (m) {
    const src = m[2].trim().split(/\s+/)[1]
    fence = { mark: m[1], src, slide, line: i + 1, body: [] }
  } else if (line === '---') slide++
}

// The stage table: "02" -> "02-ipc".
const stageNames = new Map(
  readFileSync(resolve(repo, '.tools/stages'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/)[0])
    .map((name) => [name.slice(0, 2), name])
)

let checked = 0
let pending = 0
let stale = 0
for (const b of blocks.filter((b) => b.src)) {
  const file = resolve(repo, b.src)
  const where = `slide ${b.slide} (deck line ${b.line})`
  const named = b.src.match(/^(?:solutions|steps)\/(\d\d)-[^/]+\//)
  const now = named && stageNames.get(named[1])
  if (now && !b.src.startsWith(b.src.split('/')[0] + '/' + now + '/')) {
    stale++
    console.log(`${where}: ${b.src}: stage ${named[1]} is ${now} now (.tools/stages)`)
    continue
  }
  if (!existsSync(file)) {
    pending++
    console.log(`${where}: ${b.src} does not exist yet: excerpt not checked`)
    continue
  }
  checked++
  const hay = readFileSync(file, 'utf8').split('\n').map(norm)
  let at = 0
  for (const raw of b.body) {
    const want = norm(raw)
    if (want === '' || isCut(want)) continue
    const found = hay.indexOf(want, at)
    if (found < 0) {
      stale++
      console.log(`${where}: not in ${b.src} (or out of order): ${want}`)
      break
    }
    at = found + 1
  }
}
console.log(`excerpts: ${checked} checked, ${pending} pending, ${stale} stale`)
process.exit(stale ? 1 : 0)
