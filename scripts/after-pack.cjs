/**
 * electron-builder afterPack hook: flips Electron fuses in the packaged binary (before signing).
 * FUSES must equal fuseConfig in electron/security.ts (tests/unit/packaging-fuses.test.ts checks it).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS file electron-builder loads
const path = require('node:path');

/** Fuse settings by FuseV1Options name. */
const FUSES = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};

/** The file @electron/fuses patches for this platform (it finds the framework inside a .app itself). */
function electronBinaryPath(context) {
  const { electronPlatformName, appOutDir, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`);
  return path.join(appOutDir, packager.executableName);
}

async function afterPack(context) {
  // @electron/fuses 2 is ESM-only.
  const { flipFuses, FuseVersion, FuseV1Options } = await import('@electron/fuses');
  const ARM64 = 3; // builder-util Arch.arm64
  const config = {
    version: FuseVersion.V1,
    // Flipping fuses invalidates the ad-hoc signature arm64 macOS binaries need to start.
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === ARM64,
  };
  for (const [name, value] of Object.entries(FUSES)) {
    if (!(name in FuseV1Options)) throw new Error(`after-pack: unknown fuse ${name}`);
    config[FuseV1Options[name]] = value;
  }
  const binary = electronBinaryPath(context);
  await flipFuses(binary, config);
  console.log(`  • fuses flipped in ${path.relative(process.cwd(), binary) || binary}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.FUSES = FUSES;
module.exports.electronBinaryPath = electronBinaryPath;
