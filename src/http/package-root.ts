import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root folder (where package.json is), found from this module's own location so
 * the same code works from src/ (tsx) and from dist/src/ (the build). Static assets (the playground,
 * the docs page) and the vendored OpenAPI file are read from the source tree, not copied.
 */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'spec'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('vidgate: cannot find the project folder (package.json + spec/) above the running code');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
