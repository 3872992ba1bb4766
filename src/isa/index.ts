/**
 * The instruction set: RV32IM plus the edgesim custom extensions (DMA, accelerator commands,
 * packed int8 SIMD, synchronization). One opcode table drives the encoder, decoder, assembler,
 * disassembler and `docs/ISA.md`.
 */
export * from './opcodes.js';
export * from './instr.js';
export * from './encode.js';
export * from './decode.js';
export * from './disasm.js';
export * from './asm.js';
export * from './doc.js';
export * from './simd.js';
export * from './fpu.js';
