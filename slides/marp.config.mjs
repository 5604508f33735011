// Marp CLI settings for the container-lab deck (make slides, check.sh).
//
// A fenced code block whose info string names a file after the language,
//     ```c solutions/04-mount/runtime.c
// gets that file's name as a caption under it; excerpts.mjs checks that
// the excerpt is still in that file.

function sourceCaption(md) {
  const fence = md.renderer.rules.fence
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const html = fence(tokens, idx, options, env, self)
    const src = tokens[idx].info.trim().split(/\s+/)[1]
    if (!src) return html
    return `${html}<p class="src">${md.utils.escapeHtml(src)}</p>\n`
  }
}

export default {
  // Debian's chromium, never a browser of Marp's own (env.sh sets it).
  browser: 'chrome',
  browserPath: process.env.CHROME_PATH || '/usr/bin/chromium',
  // Emoji as text, not pictures fetched from a CDN: the room may be offline.
  options: { emoji: { shortcode: false, unicode: false } },
  html: true,
  allowLocalFiles: true,
  themeSet: ['./theme/lab.css'],
  engine: ({ marp }) => marp.use(sourceCaption),
}
