import { spawnSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';

// The processes a benchmark measures run as production runs them (Dockerfile: `tsc`, then plain
// `node`), not through tsx, whose transpiler stays resident in every process it starts.
// `tsconfig.bench.json` compiles the services with the benchmark's own entry points into
// dist/bench-build (incremental: seconds after the first build).

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'dist', 'bench-build');
let built = false;

/** Path of the compiled counterpart of a TypeScript file of this repository, compiling first if needed. */
export function compiledPath(tsFile: string): string {
  if (!built) {
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.bench.json')], { cwd: ROOT, stdio: 'inherit' });
    if (tsc.status !== 0) throw new Error('compiling the benchmark build (tsconfig.bench.json) failed');
    // The API serves the pages from `web/` beside its code's root, as in the image (Dockerfile copies them).
    const pages = path.join(OUT, 'web');
    if (!existsSync(pages)) symlinkSync(path.join(ROOT, 'web'), pages, 'dir');
    built = true;
  }
  return path.join(OUT, path.relative(ROOT, tsFile)).replace(/\.ts$/, '.js');
}
