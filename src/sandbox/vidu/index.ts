export { startViduSimulator, API_PREFIX } from './server.js';
export type { ViduSimulator, ViduSimulatorOptions, ViduSimulatorStats } from './server.js';
export type { ViduFaultControls, ViduRoute } from './faults.js';
export { VIDU_MODELS, type ViduModel, type ViduEndpoint } from './models.js';
