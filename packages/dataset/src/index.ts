/** Placeholder barrel. @packageDocumentation */
export { VERSION } from "./version.js";
