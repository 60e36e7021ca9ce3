/**
 * Models and data for the tests: re-exports src/eval/assets.ts (the one place that knows where they live).
 * Models are committed under models/; labeled data comes from QUANTGPU_ASSETS or ../shared/assets.
 */
import { DATA_HINT, assetsDir, hasData } from '../../src/eval/assets.ts';

export { REPO_ROOT, MODELS_DIR, assetPath, readAsset, modelPath, missingAssets, hasData } from '../../src/eval/assets.ts';

/** True when the labeled data is present (the models always are: they are committed). */
export const hasAssets = hasData;
if (!hasData) console.warn(`quantgpu tests: no labeled data at ${assetsDir()}/data, tests that need it skip; ${DATA_HINT}`);
