/**
 * ResNet-8 and TFC-2W2A on pulp-cluster: the 100 onnxruntime reference samples of each, and
 * TFC-2W2A's top-1 accuracy over all 1000 shipped MNIST images (see hundred.ts).
 */
import { accuracyOnDataset, resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('pulp-cluster');
tfcOnHundredSamples('pulp-cluster');
accuracyOnDataset('pulp-cluster', 'tfc');
