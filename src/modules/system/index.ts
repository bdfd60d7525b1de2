/**
 * The system module's public face: the only file the composition (`src/app.ts`) imports.
 * Re-exports only.
 */
export { type SystemPluginOptions, systemPlugin } from './plugin.js';
