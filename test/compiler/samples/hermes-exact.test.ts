/**
 * hermes-exact (every dot layer on AIMC tiles): the first 10 ResNet-8 reference samples (2.5 s of
 * host time each: samples 0 and 1 with every intermediate are in ../platforms.test.ts) and the
 * 100 TFC-2W2A samples (see hundred.ts).
 */
import { resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('hermes-exact', 10);
tfcOnHundredSamples('hermes-exact');
