/** AIMC crossbar tile: declaration, the pure functional / timing / energy model, and the simulated accelerator. */
export { AimcTileDef, AIMC_NOISE_PARAMS, aimcConfigFromParams, aimcIdealNoiseParams, aimcNoiseFromParams, aimcTimingFromParams, type AimcNoiseParams } from './def.js';
export {
  AIMC_PROGRAM_NOISE, AIMC_READ_NOISE, AIMC_DRIFT, IDEAL_AIMC_NOISE, PCM_PROG_COEFF, HERMES1_PROG_COEFF, HERMES2_PROG_COEFF, RRAM_PROG_COEFF,
  AimcAnalogDevice, aimcActiveNonIdealities, aimcGmaxUs, aimcT0S, aimcMvmAnalog, programSigmaUs, driftNuParams, readNoiseQs, readNoiseTimeFactor,
  type AimcProgramNoise, type AimcReadNoise, type AimcDrift, type AimcNoiseConfig, type AimcStreams, type AimcAnalogState, type AimcAnalogOptions,
} from './noise.js';
export {
  AIMC_MAPPINGS, AIMC_SUBTRACTIONS, AIMC_DAC_MODES, aimcLayout, programTile, aimcMvm, aimcColumnRange, aimcMinimumExactAdc,
  aimcAdcRounds, aimcOutputInt32, aimcScaleValue, aimcMvmTimePs, aimcProgramTimePs, aimcMvmEnergyPj, aimcProgramEnergyPj,
  type AimcMapping, type AimcSubtraction, type AimcDacMode, type AimcTileConfig, type AimcLayout, type AimcTileState,
  type AimcProgramCounts, type AimcMvmCounts, type AimcMvmResult, type AimcTimingParams, type AimcEnergyParams,
} from './model.js';
export { AimcTileSim, aimcTileSim, AIMC_COMMANDS, AIMC_DESCRIPTOR_BYTES, type AimcModuleContext } from './sim.js';
