// `npm start` runs this first: builds (npm run build) only when dist/ is missing or older than src/,
// so a built tree starts at once and an edited one is never run stale.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const built = 'dist/src/main.js';

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

const stale = !fs.existsSync(built) || newest('src') > fs.statSync(built).mtimeMs;
if (stale) {
  process.stderr.write('vidgate: building (src/ changed since the last build)…\n');
  execSync('npm run build', { stdio: 'inherit' });
}
