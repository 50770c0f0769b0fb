export { startTopazSimulator } from './server.js';
export type { TopazSimulator, TopazSimulatorOptions, TopazSimulatorStats } from './server.js';
export type { TopazFaultControls, TopazRoute } from './faults.js';
