/**
 * ResNet-8 and TFC-2W2A on diana-like: the 100 onnxruntime reference samples of each, and
 * ResNet-8's top-1 accuracy over all 500 shipped CIFAR-10 images (see hundred.ts).
 */
import { accuracyOnDataset, resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('diana-like');
tfcOnHundredSamples('diana-like');
accuracyOnDataset('diana-like', 'resnet8');
