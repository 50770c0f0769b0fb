export { startKlingSimulator } from './server.js';
export type { KlingSimulator, KlingSimulatorOptions, KlingSimulatorStats } from './server.js';
export type { KlingFaultControls, KlingRoute, InjectedError } from './faults.js';
export { checkToken } from './auth.js';
export { KLING_MODELS, type KlingSimModel } from './models.js';
