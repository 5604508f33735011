# Sourced by build.sh and check.sh: the environment Marp and the check
# run in, and the npm packages they need.  Never a downloaded browser:
# the distribution's chromium (CHROME_PATH), headless, with a fresh
# profile, no GPU, no sandbox, and no background networking, component
# updates or sync (puppeteer's defaults, and check.mjs's own flags).

# Debian and Ubuntu: /usr/bin/chromium; Fedora: /usr/bin/chromium-browser.
if [ -z "${CHROME_PATH:-}" ]; then
  CHROME_PATH=/usr/bin/chromium
  [ -x $CHROME_PATH ] || [ ! -x /usr/bin/chromium-browser ] || CHROME_PATH=/usr/bin/chromium-browser
fi
export CHROME_PATH
# Marp: pass --no-sandbox.  Root cannot use Chromium's sandbox, and an
# ordinary user may lack the user namespaces it needs (stage 05's AppArmor
# story); the browser only ever opens our own files, offline.
export CHROME_NO_SANDBOX=1
export CHROME_DISABLE_GPU=1        # Marp: pass --disable-gpu
export PUPPETEER_SKIP_DOWNLOAD=1  # belt and braces: puppeteer-core fetches nothing

if [ ! -x "$CHROME_PATH" ]; then
  echo "slides: no browser at $CHROME_PATH: sudo apt-get install chromium (or set CHROME_PATH)" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  echo "slides: npm is missing: sudo apt-get install nodejs npm" >&2
  exit 1
fi
# npm ci when node_modules is missing or older than the lockfile.
if [ ! -x node_modules/.bin/marp ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "slides: npm ci (the versions pinned in slides/package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
