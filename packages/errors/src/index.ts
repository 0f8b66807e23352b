export { createErrorBrand, type ErrorBrand, RlvrError, type RlvrErrorOptions } from "./errors.js";
export { VERSION } from "./version.js";
