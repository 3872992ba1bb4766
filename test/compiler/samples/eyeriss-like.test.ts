/**
 * ResNet-8 and TFC-2W2A on eyeriss-like (see hundred.ts): the first 25 of ResNet-8's 100
 * onnxruntime reference samples (its host runs from DRAM: about 0.75 s of host time per sample;
 * every sample takes the same code paths, and diana-like, hermes-exact and pulp-cluster check
 * more samples) and all 100 of TFC-2W2A's.
 */
import { resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('eyeriss-like', 25);
tfcOnHundredSamples('eyeriss-like');
