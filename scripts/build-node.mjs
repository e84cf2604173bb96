// Bundles the Node-side targets: Electron main (ESM-free CJS), the sandboxed preload (one CJS file), the CLI.
import { build } from 'esbuild';
import { chmod } from 'node:fs/promises';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

await build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs', packages: 'external' });
// Sandboxed preloads may only require('electron'): everything else is inlined.
await build({ ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist/electron/preload.cjs', external: ['electron'] });
await build({
  ...common,
  entryPoints: ['electron/cli/onirique.ts'],
  outfile: 'dist/cli/onirique.cjs',
  packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
});
await chmod('dist/cli/onirique.cjs', 0o755);
await build({ ...common, entryPoints: ['electron/web-server.ts'], outfile: 'dist/web/server.cjs', packages: 'external' });
