/** ADC bank: declaration and the pure transfer / timing / energy model. */
export { AdcDef, adcConfigFromParams, adcTimingFromParams } from './def.js';
export {
  ADC_ARCHITECTURES, ADC_CODINGS, DEFAULT_ADC_TIMING, adcTransfer, adcConvert, adcClips, adcReconstruct, adcCodeToWord, roundHalfAwayFromZero,
  adcConversionTimePs, adcConversionEnergyPj, adcAreaUm2Zigzag,
  type AdcArchitecture, type AdcCoding, type AdcConfig, type AdcTransfer, type AdcTimingParams, type AdcEnergyLaw,
} from './model.js';
