/**
 * ResNet-8 and TFC-2W2A on hermes-like (see hundred.ts): the first 25 of ResNet-8's 100
 * onnxruntime reference samples (about 1 s of host time each here: the layers hermes-like's tiles
 * cannot hold exactly run on the host core; every sample takes the same code paths, and diana-like,
 * hermes-exact and pulp-cluster check more samples) and all 100 of TFC-2W2A's.
 */
import { resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('hermes-like', 25);
tfcOnHundredSamples('hermes-like');
