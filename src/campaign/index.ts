/**
 * Fault-injection campaigns: the items of a scenario (chip x inference), the faults each draws
 * from seeded streams, one item's simulation with its faults, and the order-independent summary.
 * File I/O, workers and progress live in the CLI (`src/cli/campaign-command.ts`).
 */
export { campaignItems, chipFaultStream, corruptionStream, drawFlips, drawStuckBits, faultStream, itemKey, MAX_FLIPS_PER_FAULT, type BitFlip, type CampaignItem, type StuckAtBit } from './plan.js';
export { checkCoverage, distribution, summarize, wilson95, type CampaignSummary, type Distribution, type ItemResult } from './stats.js';
export { CampaignRunner, HANG_FACTOR, type CampaignContext } from './run-item.js';
export { analogNonIdealities, idealPlatform } from './analog.js';
