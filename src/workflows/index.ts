/** What the workflow bundle exports: the workflow types the worker registers. */
export { fleetRollout } from './rollout/workflow.js';
export { clusterUpgrade } from './cluster/workflow.js';
export { apiBudget } from './api-budget/workflow.js';
export { notifyChannel } from './notify/channel.js';
export { notifyQueue } from './notify/queue.js';
