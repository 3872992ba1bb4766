/**
 * ResNet-8 and TFC-2W2A on diana-like (see hundred.ts): the first 50 of ResNet-8's 100
 * onnxruntime reference samples (bit for bit; the accuracy test below simulates all 500 images
 * anyway, and the CI budget is 15 minutes), all 100 of TFC-2W2A's, and ResNet-8's top-1 accuracy
 * over all 500 shipped CIFAR-10 images.
 */
import { accuracyOnDataset, resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('diana-like', 50);
tfcOnHundredSamples('diana-like');
accuracyOnDataset('diana-like', 'resnet8');
