/** Loading the CommonJS packaging files (config, afterPack hook) from the ESM tests. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from './files-fixtures';

/** A require() rooted at the repository, for the .cjs packaging files and electron-builder internals. */
export const requireFromRoot = createRequire(join(repoRoot, 'package.json'));

/** The subset of the electron-builder configuration the tests read. */
export interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  afterPack: string;
  directories: { output: string; buildResources: string };
  fileAssociations: { ext: string[]; name: string; mimeType: string; role: string }[];
  linux: { target: string[]; icon: string; executableName: string; category: string };
  win: { target: { target: string; arch: string[] }[]; icon: string };
  mac: { target: string[]; icon: string };
}

/** The afterPack module's exports. */
export interface AfterPackModule {
  (context: unknown): Promise<void>;
  FUSES: Record<string, boolean>;
  electronBinaryPath(context: unknown): string;
}

/** A copy of the electron-builder configuration (electron-builder normalises the cached module object in place). */
export function loadBuilderConfig(): BuilderConfig {
  return structuredClone(requireFromRoot('./electron-builder.config.cjs') as BuilderConfig);
}

/** The afterPack hook module. */
export function loadAfterPack(): AfterPackModule {
  return requireFromRoot('./scripts/after-pack.cjs') as AfterPackModule;
}
