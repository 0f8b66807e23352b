/** Version of `@rlvr/serve`, kept equal to package.json by `scripts/sync-versions.mjs`. */
export const VERSION = "0.0.0";
