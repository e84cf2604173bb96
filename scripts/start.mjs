// `npm start`: launches the desktop app, or explains why it cannot and points at `npm run web`.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
let electronPath;
try {
  electronPath = require('electron'); // the electron package exports the binary's path
} catch {
  electronPath = null;
}
if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
  console.error(
    [
      'Onirique: the Electron binary is not installed (npm was run with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed).',
      'On a machine with internet access, run `npm install` again to fetch it, then `npm start`.',
      'Meanwhile the same editor runs in your browser: `npm run web` and open the printed 127.0.0.1 address.',
    ].join('\n'),
  );
  process.exit(1);
}
const child = spawn(electronPath, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
