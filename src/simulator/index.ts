/** The platform simulator: both dialects on one port, a generated or loaded fleet, fault injection. */
export { startSimulator, type RunningSimulator, type SimulatorOptions } from './server.js';
export { loadFleetFile, parseFleetDefinition, type FleetDefinition } from './fleet.js';
export { generateFleet, type GenerateOptions } from './generate.js';
export type { FaultOptions } from './faults.js';
export { AVISI_OUTCOMES, AETHER_OUTCOMES, type AvisiOutcome, type AetherOutcome } from './outcomes.js';
