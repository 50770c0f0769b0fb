export { startMinimaxSimulator } from './server.js';
export type { MinimaxSimulator, MinimaxSimulatorOptions, MinimaxSimulatorStats } from './server.js';
export type { MinimaxFaultControls, MinimaxRoute } from './faults.js';
export { HAILUO_MODELS, type HailuoModel } from './models.js';
