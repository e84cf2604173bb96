/**
 * electron-builder configuration: `npm run dist` builds for the host OS into release/.
 * Linux AppImage + deb, Windows NSIS, macOS dmg. Which targets need the network: docs/packaging.md.
 * ONIRIQUE_ELECTRON_DIST points electronDist at an unpacked Electron (offline builds, the stand-in check).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file electron-builder loads
const path = require('node:path');

/** Image types registered as "open with Onirique"; mirrors ASSOCIATED_EXTENSIONS in src/services/file-associations.ts. */
const imageTypes = [
  { ext: ['jpg', 'jpeg'], name: 'JPEG image', mimeType: 'image/jpeg' },
  { ext: ['png'], name: 'PNG image', mimeType: 'image/png' },
  { ext: ['webp'], name: 'WebP image', mimeType: 'image/webp' },
  { ext: ['avif'], name: 'AVIF image', mimeType: 'image/avif' },
  { ext: ['tif', 'tiff'], name: 'TIFF image', mimeType: 'image/tiff' },
  { ext: ['gif'], name: 'GIF image', mimeType: 'image/gif' },
  { ext: ['heic', 'heif'], name: 'HEIF image', mimeType: 'image/heic' },
];

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'app.onirique.editor',
  productName: 'Onirique',
  copyright: 'Copyright © Onirique developers',
  directories: { output: 'release', buildResources: 'build' },
  // Only the built app ships: sources, tests, scripts, maps, the CLI and the dev web server stay out.
  // tfjs is bundled into dist/renderer by vite; main imports only its types, so its 287 MB stay out too.
  files: ['dist/**/*', 'package.json', '!**/*.map', '!dist/bench/**', '!dist/cli/**', '!dist/web/**', '!**/node_modules/@tensorflow/**', '!**/node_modules/@types/**'],
  asar: true,
  // sharp loads a native addon and libvips shared libraries, which cannot be read from inside an asar.
  asarUnpack: ['node_modules/sharp/**/*', 'node_modules/@img/**/*'],
  // sharp ships N-API prebuilt binaries per platform: nothing to rebuild, and rebuilding would need the network.
  npmRebuild: false,
  electronDist: process.env.ONIRIQUE_ELECTRON_DIST || undefined,
  afterPack: path.join(__dirname, 'scripts', 'after-pack.cjs'),
  publish: null,
  fileAssociations: imageTypes.map((t) => ({ ...t, role: 'Editor', rank: 'Alternate' })),
  linux: {
    target: ['AppImage', 'deb'],
    executableName: 'onirique',
    icon: 'build/icons',
    category: 'Graphics',
    synopsis: 'Convolution kernels, Deep Dream and Grad-CAM on your photos',
    description: 'A desktop image editor for convolution kernels, Deep Dream and Grad-CAM.',
    maintainer: 'Onirique developers',
    artifactName: '${productName}-${version}-${arch}.${ext}',
  },
  deb: { depends: ['libgtk-3-0', 'libnotify4', 'libnss3', 'libxss1', 'libxtst6', 'xdg-utils', 'libatspi2.0-0', 'libuuid1', 'libsecret-1-0'] },
  win: {
    target: [{ target: 'nsis', arch: ['x64'] }],
    icon: 'build/icon.ico',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    deleteAppDataOnUninstall: false,
    artifactName: '${productName}-Setup-${version}.${ext}',
  },
  mac: {
    target: ['dmg'],
    icon: 'build/icon.icns',
    category: 'public.app-category.graphics-design',
    hardenedRuntime: true,
  },
  dmg: { artifactName: '${productName}-${version}-${arch}.${ext}' },
};
