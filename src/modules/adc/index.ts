/** ADC bank: declaration and the pure transfer / timing / energy model. */
export { AdcDef, adcConfigFromParams, adcErrorsFromParams, adcTimingFromParams } from './def.js';
export {
  IDEAL_ADC_ERRORS, adcConvertNonIdeal, adcHasStaticErrors, adcSarLevel, drawAdcErrors, normalSample,
  type AdcErrorParams, type AdcInstanceErrors,
} from './noise.js';
export {
  ADC_ARCHITECTURES, ADC_CODINGS, DEFAULT_ADC_TIMING, adcTransfer, adcConvert, adcClips, adcReconstruct, adcCodeToWord, roundHalfAwayFromZero,
  adcConversionTimePs, adcConversionEnergyPj, adcAreaUm2Zigzag,
  type AdcArchitecture, type AdcCoding, type AdcConfig, type AdcTransfer, type AdcTimingParams, type AdcEnergyLaw,
} from './model.js';
