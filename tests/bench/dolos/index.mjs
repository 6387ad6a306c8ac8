// Dolos as installed here (see package.json): resolved from this directory, so the project's own
// packages never depend on it.
export { Dolos, File } from '@dodona/dolos-lib';
