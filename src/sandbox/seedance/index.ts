export { startSeedanceSimulator } from './server.js';
export type { SeedanceSimulator, SeedanceSimulatorOptions, SeedanceSimulatorStats } from './server.js';
export type { SeedanceFaultControls, SeedanceRoute, TaskFailure } from './faults.js';
export { SEEDANCE_MODELS, type SeedanceModel } from './models.js';
