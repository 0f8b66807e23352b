/**
 * `@rlvr/tuner`: skeleton package; its contents arrive with a later issue.
 * @packageDocumentation
 */
export { VERSION } from "./version.js";
