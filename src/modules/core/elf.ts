import { SimError } from '../../util/index.js';

/**
 * ELF32 little-endian RISC-V executables: the program headers to load, the entry point and the
 * symbol table. Only what a bare-metal program needs; relocatable and shared objects, 64-bit and
 * big-endian files are refused with a message saying what the file is.
 */

/** A PT_LOAD segment: `data` (file bytes) goes to `vaddr`, followed by `memSize - data.length` zero bytes. */
export interface ElfSegment {
  readonly vaddr: number;
  readonly paddr: number;
  readonly data: Uint8Array;
  readonly memSize: number;
  /** PF_X = 1, PF_W = 2, PF_R = 4. */
  readonly flags: number;
}

/** A symbol-table entry. */
export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_*: 0 none, 1 object, 2 func, 3 section, 4 file. */
  readonly type: number;
  /** STB_*: 0 local, 1 global, 2 weak. */
  readonly bind: number;
}

/** A parsed executable. */
export interface ElfImage {
  /** e_entry. */
  readonly entry: number;
  /** e_flags (EF_RISCV_*). */
  readonly flags: number;
  readonly segments: readonly ElfSegment[];
  /** Symbols by name (globals win over locals of the same name); empty when stripped. */
  readonly symbols: ReadonlyMap<string, ElfSymbol>;
}

const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
/** EF_RISCV_RVC: the file uses compressed instructions. */
const EF_RISCV_RVC = 1;

const hex = (a: number): string => `0x${(a >>> 0).toString(16)}`;

/**
 * Parses an ELF32 little-endian RISC-V executable (ET_EXEC). Throws `SimError` with codes
 * `elf-not-elf`, `elf-class`, `elf-endian`, `elf-machine`, `elf-type`, `elf-rvc` (compressed
 * code, which edgesim cores do not execute) or `elf-truncated`; messages start with `file`.
 */
export function parseElf(bytes: Uint8Array, file = '<elf>'): ElfImage {
  const fail = (code: string, msg: string): never => { throw new SimError(code, `${file}: ${msg}`); };
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    fail('elf-not-elf', `not an ELF file (no \\x7fELF magic${bytes.length < 4 ? `; only ${bytes.length} bytes` : ''})`);
  }
  if (bytes[4] !== 1) fail('elf-class', `ELF class ${bytes[4] === 2 ? 'ELF64' : String(bytes[4])}, expected ELF32 (compile with -march=rv32im -mabi=ilp32)`);
  if (bytes[5] !== 1) fail('elf-endian', `${bytes[5] === 2 ? 'big' : 'unknown'}-endian ELF, expected little-endian`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (off: number, n: number, what: string): void => {
    if (off < 0 || off + n > bytes.length) fail('elf-truncated', `truncated file: ${what} at offset ${off} needs ${n} bytes, the file has ${bytes.length}`);
  };
  need(0, 52, 'the ELF header');
  const u16 = (o: number): number => v.getUint16(o, true);
  const u32 = (o: number): number => v.getUint32(o, true);
  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_RISCV) fail('elf-machine', `machine ${machine}, expected RISC-V (${EM_RISCV})`);
  if (type !== 2) fail('elf-type', `ELF type ${type === 1 ? 'REL (an object file: link it)' : type === 3 ? 'DYN (shared object or PIE)' : String(type)}, expected EXEC`);
  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const flags = u32(36);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  if ((flags & EF_RISCV_RVC) !== 0) fail('elf-rvc', 'the file uses compressed (C) instructions, which edgesim cores do not execute (compile with -march=rv32im)');

  const segments: ElfSegment[] = [];
  if (phnum > 0) {
    if (phentsize < 32) fail('elf-truncated', `program header entry size ${phentsize} < 32`);
    need(phoff, phnum * phentsize, `${phnum} program headers`);
  }
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (u32(o) !== PT_LOAD) continue;
    const off = u32(o + 4), vaddr = u32(o + 8), paddr = u32(o + 12), filesz = u32(o + 16), memsz = u32(o + 20), pflags = u32(o + 24);
    need(off, filesz, `segment ${i} (${filesz} bytes for ${hex(vaddr)})`);
    if (memsz < filesz) fail('elf-truncated', `segment ${i}: memory size ${memsz} < file size ${filesz}`);
    segments.push({ vaddr, paddr, data: bytes.subarray(off, off + filesz), memSize: memsz, flags: pflags });
  }

  const symbols = new Map<string, ElfSymbol>();
  if (shoff !== 0 && shnum > 0) {
    if (shentsize < 40) fail('elf-truncated', `section header entry size ${shentsize} < 40`);
    need(shoff, shnum * shentsize, `${shnum} section headers`);
    for (let i = 0; i < shnum; i++) {
      const sh = shoff + i * shentsize;
      if (u32(sh + 4) !== SHT_SYMTAB) continue;
      const off = u32(sh + 16), size = u32(sh + 20), link = u32(sh + 24), entsize = u32(sh + 36) || 16;
      if (link >= shnum) fail('elf-truncated', `symbol table's string table index ${link} >= ${shnum}`);
      need(off, size, 'the symbol table');
      const strSh = shoff + link * shentsize;
      const strOff = u32(strSh + 16), strSize = u32(strSh + 20);
      need(strOff, strSize, 'the symbol string table');
      const name = (o: number): string => {
        let e = strOff + o;
        while (e < strOff + strSize && bytes[e] !== 0) e++;
        return new TextDecoder().decode(bytes.subarray(strOff + o, e));
      };
      for (let s = off + entsize; s + 16 <= off + size; s += entsize) {
        const nm = u32(s);
        if (nm === 0 || nm >= strSize) continue;
        const info = bytes[s + 12]!;
        const sym: ElfSymbol = { name: name(nm), value: u32(s + 4), size: u32(s + 8), type: info & 15, bind: info >> 4 };
        const old = symbols.get(sym.name);
        if (old === undefined || (old.bind === 0 && sym.bind !== 0)) symbols.set(sym.name, sym);
      }
    }
  }
  return { entry, flags, segments, symbols };
}

/** The value of symbol `name`; throws `SimError('elf-symbol')` listing a few known names when it is missing. */
export function elfSymbol(image: ElfImage, name: string): number {
  const s = image.symbols.get(name);
  if (s === undefined) {
    const known = [...image.symbols.values()].filter((x) => x.bind !== 0).map((x) => x.name).sort().slice(0, 12);
    throw new SimError('elf-symbol', `symbol '${name}' is not in the ELF symbol table${image.symbols.size === 0 ? ' (the file is stripped)' : ` (globals: ${known.join(', ')})`}`);
  }
  return s.value;
}

/**
 * Loads every segment through `write(addr, bytes)`: the file bytes, then zeros up to the
 * memory size (.bss). Returns the entry point.
 */
export function loadElfSegments(image: ElfImage, write: (addr: number, data: Uint8Array) => void): number {
  for (const s of image.segments) {
    if (s.data.length > 0) write(s.vaddr, s.data);
    if (s.memSize > s.data.length) write(s.vaddr + s.data.length, new Uint8Array(s.memSize - s.data.length));
  }
  return image.entry;
}
