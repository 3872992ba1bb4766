/**
 * ResNet-8 and TFC-2W2A on pulp-cluster (see hundred.ts): the first 50 of ResNet-8's 100
 * onnxruntime reference samples (about 0.6 s of simulation each; every sample takes the same
 * code paths, and the CI budget is 15 minutes), all 100 of TFC-2W2A's, and TFC-2W2A's top-1
 * accuracy over all 1000 shipped MNIST images.
 */
import { accuracyOnDataset, resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('pulp-cluster', 50);
tfcOnHundredSamples('pulp-cluster');
accuracyOnDataset('pulp-cluster', 'tfc');
