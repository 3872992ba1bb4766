/** ResNet-8 and TFC-2W2A on hermes-like: the 100 onnxruntime reference samples of each (see hundred.ts). */
import { resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('hermes-like');
tfcOnHundredSamples('hermes-like');
