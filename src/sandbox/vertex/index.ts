export { startVertexSimulator, VertexFaultState } from './server.js';
export type { VertexSimulator, VertexSimulatorOptions, VertexSimulatorStats } from './server.js';
export { VERTEX_VEO_MODELS } from './models.js';
