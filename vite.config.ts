/** Builds the renderer (and its module worker) into dist/renderer; serves tfjs's wasm binaries beside it. */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const wasmFiles = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Ships tfjs's .wasm files under /tfjs-wasm/ (they must be served locally, TECH-NOTES.md). */
function tfjsWasm(): Plugin {
  return {
    name: 'onirique-tfjs-wasm',
    generateBundle() {
      for (const f of wasmFiles) this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${f}`, source: readFileSync(join(wasmDir, f)) });
    },
    configureServer(server) {
      server.middlewares.use('/tfjs-wasm', (req, res, next) => {
        const f = wasmFiles.find((w) => req.url === `/${w}`);
        if (!f) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(join(wasmDir, f)));
      });
    },
  };
}

export default defineConfig({
  root: 'src/app',
  base: './',
  // The app's root is src/app; the Svelte config sits at the repository root.
  plugins: [svelte({ configFile: fileURLToPath(new URL('./svelte.config.mjs', import.meta.url)) }), tfjsWasm()],
  worker: { format: 'es' },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // Not minified: tfjs-wasm's threaded build turns a function's source text into its pthread workers,
    // and minification breaks that text's references ("e is not defined").
    minify: false,
  },
  server: {
    host: '127.0.0.1',
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
