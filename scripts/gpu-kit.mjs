// `npm run gpu-kit`: one folder (dist/gpu-kit, <= 60 MiB) that runs Onirique's CLI and bench:gpu on a
// Linux x86-64 machine with a GPU and neither network nor Node. Inside: run (POSIX sh launcher) and
// payload.tar.xz = this node binary, Dawn's dawn.node (the optional `webgpu` package), a Vulkan
// loader (where the machine has none), sharp's native files, the bundled CLI and bench, tfjs-wasm's
// binaries, the MobileNet model and the PyTorch scripts. `./run bench:gpu`, `./run onirique ARGS`.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'dist/gpu-kit');
const stage = join(out, 'payload');
const modelDir = resolve(root, '..', 'shared', 'models', 'mobilenet_v1_0.75_224');
const nm = (p) => join(root, 'node_modules', p);
const LIMIT = 60 * 1024 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(stage, 'node_modules'), { recursive: true });

// Native and optional modules stay outside the bundle, loaded from payload/node_modules.
const external = ['sharp', 'webgpu', '@tensorflow/tfjs-node'];
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', external, logLevel: 'warning', minify: true };
await build({ ...common, entryPoints: [join(root, 'src/cli/onirique.ts')], outfile: join(stage, 'onirique.cjs') });
await build({ ...common, entryPoints: [join(root, 'scripts/bench/gpu-entry.ts')], outfile: join(stage, 'bench-gpu.cjs') });
// tfjs-wasm finds its binaries beside the script that loaded it (__dirname).
for (const f of readdirSync(nm('@tensorflow/tfjs-backend-wasm/dist')).filter((f) => f.endsWith('.wasm'))) cpSync(nm(`@tensorflow/tfjs-backend-wasm/dist/${f}`), join(stage, f));

const copyPkg = (name, parts = null) => {
  const dst = join(stage, 'node_modules', name);
  if (!parts) return cpSync(nm(name), dst, { recursive: true });
  for (const p of parts) cpSync(nm(`${name}/${p}`), join(dst, p), { recursive: true });
};
for (const p of ['sharp', '@img/colour', '@img/sharp-linux-x64', '@img/sharp-libvips-linux-x64', 'detect-libc', 'semver']) copyPkg(p);
if (!existsSync(nm('webgpu/dist/linux-x64/dawn.node'))) throw new Error('the optional "webgpu" package is not installed: npm install');
copyPkg('webgpu', ['package.json', 'index.js', 'dist/linux-x64/dawn.node']);

cpSync(process.execPath, join(stage, 'node'));
// Dawn dlopens libvulkan.so.1; node-webgpu.ts preloads this one from beside node when the system has none.
const loader = ['/usr/lib/chromium/libvulkan.so.1', '/usr/lib/x86_64-linux-gnu/libvulkan.so.1'].find((p) => existsSync(p));
if (loader) cpSync(loader, join(stage, 'libvulkan.so.1'));
cpSync(modelDir, join(stage, 'model'), { recursive: true });
for (const [src, dst] of [['scripts/bench/gpu-torch.py', 'gpu-torch.py'], ['scripts/bench/dream-torch.py', 'dream-torch.py'], ['tests/reference/mobilenet_torch.py', 'mobilenet_torch.py']]) cpSync(join(root, src), join(stage, dst));

execFileSync('tar', ['-cf', join(out, 'payload.tar'), '-C', stage, '.']);
execFileSync('xz', ['-9', '-T0', join(out, 'payload.tar')]);
rmSync(stage, { recursive: true });

writeFileSync(
  join(out, 'run'),
  `#!/bin/sh
# Onirique GPU kit. ./run bench:gpu | ./run onirique COMMAND ARGS (every command takes --backend auto|webgpu|wasm|cpu)
set -e
kit=$(cd "$(dirname "$0")" && pwd)
dir="\${ONIRIQUE_KIT_DIR:-\${TMPDIR:-/tmp}/onirique-gpu-kit-$(cksum < "$kit/payload.tar.xz" | cut -d' ' -f1)}"
if [ ! -x "$dir/node" ]; then
  mkdir -p "$dir.part"
  if command -v xz >/dev/null 2>&1; then xz -dc "$kit/payload.tar.xz" | tar -xf - -C "$dir.part"
  else python3 -c 'import sys,tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$kit/payload.tar.xz" "$dir.part"; fi
  rm -rf "$dir" && mv "$dir.part" "$dir"
fi
export XDG_RUNTIME_DIR="\${XDG_RUNTIME_DIR:-$dir}"
cmd="\${1:-bench:gpu}"; [ $# -gt 0 ] && shift
case "$cmd" in
  bench:gpu) exec "$dir/node" "$dir/bench-gpu.cjs" "$dir/model" "$dir/gpu-torch.py" "$@" ;;
  onirique) ONIRIQUE_MODEL_DIR="\${ONIRIQUE_MODEL_DIR:-$dir/model}" exec "$dir/node" "$dir/onirique.cjs" "$@" ;;
  *) echo "usage: ./run bench:gpu | ./run onirique COMMAND ARGS" >&2; exit 2 ;;
esac
`,
);
chmodSync(join(out, 'run'), 0o755);

const size = readdirSync(out).reduce((s, f) => s + statSync(join(out, f)).size, 0);
console.log(`gpu-kit: ${out} ${(size / 1024 / 1024).toFixed(1)} MiB (limit 60 MiB)`);
if (size > LIMIT) throw new Error(`gpu-kit is ${(size / 1024 / 1024).toFixed(1)} MiB, over 60 MiB`);
