/** PE array: declaration, functional model (`model.ts`), SCALE-Sim-compatible cycle/access/energy closed forms (`scalesim.ts`) and the simulated accelerator (`sim.ts`). */
export { PeArrayDef } from './def.js';
export { PeArraySim, peArraySim, PE_CMD, PE_OUT, PE_TYPE_CODES, PE_GEMM_DESCRIPTOR_BYTES, PE_CONV_DESCRIPTOR_BYTES, type PeCommandReport } from './sim.js';
export {
  gemm, conv2d, convDims, im2col, quantizeLightPe1, quantizeLightPe2, quantizeLightWeights, lightWeightValue, operandBits, defaultAccBits,
  PE_TYPES, DATAFLOWS, NO_SHIFT,
  type PeType, type Dataflow, type LightShiftMode, type LightWeights, type GemmOperands, type GemmDims, type ArrayShape, type NhwcShape,
  type ConvGeometry, type ConvDims, type ActivationArray,
} from './model.js';
export {
  scaleSimConvGemm, spatialMapping, foldPlan, scaleSimCompute, overallUtilization, foldDemands, bandwidthStalls, layerTiming, layerTimingFromParams, accessCounts, layerEnergy,
  type ArrayGeometry, type ScaleSimConvLayer, type FoldPlan, type ComputeReport, type Bandwidths, type FoldDemand, type TimingMode, type LayerTiming, type TimingOptions, type PeArrayTimingParams,
  type AccessCounts, type PeArrayTech, type EnergyBreakdown,
} from './scalesim.js';
