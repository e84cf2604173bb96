// Bundles the Node-side targets: Electron main (ESM-free CJS), the sandboxed preload (one CJS file), the CLI.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

// tfjs is inlined (main checks a model with one forward pass before installing it); the package
// leaves node_modules/@tensorflow out, so main must not require it at run time.
await build({ ...common, entryPoints: ['src/electron/main.ts'], outfile: 'dist/electron/main.cjs', external: ['electron', 'sharp'] });
// Sandboxed preloads may only require('electron'): everything else is inlined.
await build({ ...common, entryPoints: ['src/electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] });
await build({
  ...common,
  entryPoints: ['src/cli/onirique.ts'],
  outfile: 'dist/cli/onirique.cjs',
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
});
await chmod('dist/cli/onirique.cjs', 0o755);
await build({ ...common, entryPoints: ['src/web-server/web-server.ts'], outfile: 'dist/web/server.cjs', packages: 'external' });
