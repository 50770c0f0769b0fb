export { startXaiSimulator } from './server.js';
export type { XaiSimulator, XaiSimulatorOptions, XaiSimulatorStats } from './server.js';
export type { XaiFaultControls, XaiRoute, JobError } from './faults.js';
export { GROK_MODELS, type GrokModel } from './models.js';
