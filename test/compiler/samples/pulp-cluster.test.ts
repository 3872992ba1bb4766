/** ResNet-8 and TFC-2W2A on pulp-cluster: the 100 onnxruntime reference samples of each (see hundred.ts). */
import { resnet8OnHundredSamples, tfcOnHundredSamples } from './hundred.js';

resnet8OnHundredSamples('pulp-cluster');
tfcOnHundredSamples('pulp-cluster');
