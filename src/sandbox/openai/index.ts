export { startOpenAISimulator } from './server.js';
export type { OpenAISimulator, OpenAISimulatorOptions, OpenAISimulatorStats } from './server.js';
export type { OpenAIFaultControls, OpenAIRoute, VideoError } from './faults.js';
export type { VideoJson } from './jobs.js';
export { SORA_MODELS, type SoraModel } from './models.js';
