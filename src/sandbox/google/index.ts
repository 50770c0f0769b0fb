export { startGoogleSimulator } from './server.js';
export type { GoogleSimulator, GoogleSimulatorOptions, GoogleSimulatorStats } from './server.js';
export type { FaultControls, GoogleRoute } from './faults.js';
export type { OperationError } from './errors.js';
export { VEO_MODELS, type VeoModel } from './models.js';
