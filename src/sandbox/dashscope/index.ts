export { startDashScopeSimulator } from './server.js';
export type { DashScopeSimulator, DashScopeSimulatorOptions, DashScopeSimulatorStats } from './server.js';
export type { DashScopeFaultControls, DashScopeRoute, TaskFailure } from './faults.js';
export { WAN_MODELS, type WanModel } from './models.js';
