/** ResNet-8 and TFC-2W2A on eyeriss-like: the 100 onnxruntime reference samples of each (see hundred.ts). */
import { resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('eyeriss-like');
tfcOnHundredSamples('eyeriss-like');
