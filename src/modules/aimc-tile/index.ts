/** AIMC crossbar tile: declaration, the pure functional / timing / energy model, and the simulated accelerator. */
export { AimcTileDef, aimcConfigFromParams, aimcTimingFromParams } from './def.js';
export {
  AIMC_MAPPINGS, AIMC_SUBTRACTIONS, AIMC_DAC_MODES, aimcLayout, programTile, aimcMvm, aimcColumnRange, aimcMinimumExactAdc,
  aimcAdcRounds, aimcMvmTimePs, aimcProgramTimePs, aimcMvmEnergyPj, aimcProgramEnergyPj,
  type AimcMapping, type AimcSubtraction, type AimcDacMode, type AimcTileConfig, type AimcLayout, type AimcTileState,
  type AimcProgramCounts, type AimcMvmCounts, type AimcMvmResult, type AimcTimingParams, type AimcEnergyParams,
} from './model.js';
export { AimcTileSim, aimcTileSim, AIMC_COMMANDS, AIMC_DESCRIPTOR_BYTES } from './sim.js';
