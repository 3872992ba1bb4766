/** DMA engine: declaration and behaviour. */
export { DmaDef } from './def.js';
export { Dma, dmaSim, DMA_REGS, type DmaTransfer, type DmaTransferRecord } from './sim.js';
