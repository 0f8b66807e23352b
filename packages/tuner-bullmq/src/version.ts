/** Version of `@rlvr/tuner-bullmq`, kept equal to package.json by `scripts/sync-versions.mjs`. */
export const VERSION = "0.0.0";
