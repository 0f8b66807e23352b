/** Version of `@rlvr/rlvr-loop`, kept equal to package.json by `scripts/sync-versions.mjs` (checked by a test). */
export const VERSION = "0.0.0";
