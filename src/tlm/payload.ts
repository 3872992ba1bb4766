import { SimError } from '../util/index.js';

/** Command of a generic payload (TLM `tlm_command`). */
export type TlmCommand = 'read' | 'write' | 'ignore';

/** Response status (TLM `tlm_response_status`). */
export type TlmResponse =
  | 'incomplete'
  | 'ok'
  | 'generic-error'
  | 'address-error'
  | 'command-error'
  | 'burst-error'
  | 'byte-enable-error';

const RESPONSE_NAMES: Readonly<Record<TlmResponse, string>> = {
  incomplete: 'TLM_INCOMPLETE_RESPONSE',
  ok: 'TLM_OK_RESPONSE',
  'generic-error': 'TLM_GENERIC_ERROR_RESPONSE',
  'address-error': 'TLM_ADDRESS_ERROR_RESPONSE',
  'command-error': 'TLM_COMMAND_ERROR_RESPONSE',
  'burst-error': 'TLM_BURST_ERROR_RESPONSE',
  'byte-enable-error': 'TLM_BYTE_ENABLE_ERROR_RESPONSE',
};

/** A typed key for a payload extension (TLM `tlm_extension<T>`), compared by identity. */
export interface ExtensionKey<T> {
  readonly name: string;
  /** Phantom field carrying the value type; never set. */
  readonly __type?: T;
}

/** Declares an extension key; declare each once at module level and share it. */
export function defineExtension<T>(name: string): ExtensionKey<T> {
  return Object.freeze({ name }) as ExtensionKey<T>;
}

/** Options to build a {@link GenericPayload}. */
export interface PayloadInit {
  readonly command: TlmCommand;
  readonly address: number;
  /** Data buffer; its length is the data length unless `length` is given. */
  readonly data: Uint8Array;
  readonly length?: number;
  readonly byteEnable?: Uint8Array;
  /** Streaming width in bytes; defaults to the data length (no streaming). */
  readonly streamingWidth?: number;
}

/**
 * The TLM-2.0 generic payload: one memory-mapped transaction. Fields keep TLM's meaning:
 * `address` is a byte address (< 2^53), `data` a byte buffer in the initiator's memory that
 * targets read from (write) or fill (read), little-endian for words, `length` bytes long;
 * `byteEnable` masks bytes (0xff enabled, 0x00 disabled, repeated over the data); `streamingWidth`
 * makes the address wrap every that many bytes. No memory manager: payloads are plain garbage-
 * collected objects that initiators may reuse.
 */
export class GenericPayload {
  command: TlmCommand;
  address: number;
  data: Uint8Array;
  length: number;
  byteEnable: Uint8Array | null;
  streamingWidth: number;
  response: TlmResponse = 'incomplete';
  /** Set by a target that grants direct memory access to this address. */
  dmiAllowed = false;
  private ext: Map<ExtensionKey<unknown>, unknown> | null = null;

  constructor(init: PayloadInit) {
    this.command = init.command;
    this.address = init.address;
    this.data = init.data;
    this.length = init.length ?? init.data.length;
    this.byteEnable = init.byteEnable ?? null;
    this.streamingWidth = init.streamingWidth ?? this.length;
    if (!Number.isSafeInteger(this.address) || this.address < 0) {
      throw new SimError('bad-payload', `payload address ${this.address} must be a non-negative integer below 2^53`);
    }
    if (!Number.isSafeInteger(this.length) || this.length < 0 || this.length > this.data.length) {
      throw new SimError('bad-payload', `payload length ${this.length} must be between 0 and the data buffer size ${this.data.length}`);
    }
  }

  /** True if the response is `ok` (TLM `is_response_ok`). */
  get isResponseOk(): boolean {
    return this.response === 'ok';
  }
  /** True if the response is an error (anything but ok and incomplete). */
  get isResponseError(): boolean {
    return this.response !== 'ok' && this.response !== 'incomplete';
  }
  /** The response as TLM spells it, e.g. `TLM_OK_RESPONSE`. */
  get responseString(): string {
    return RESPONSE_NAMES[this.response];
  }

  /** Sets an extension. */
  setExtension<T>(key: ExtensionKey<T>, value: T): void {
    (this.ext ??= new Map()).set(key, value);
  }
  /** The extension's value, or undefined. */
  getExtension<T>(key: ExtensionKey<T>): T | undefined {
    return this.ext?.get(key) as T | undefined;
  }
  /** Removes an extension. */
  clearExtension<T>(key: ExtensionKey<T>): void {
    this.ext?.delete(key);
  }

  /** Reads a little-endian unsigned word of `bytes` (1-4) from the data buffer at `offset`. */
  readWord(offset = 0, bytes = 4): number {
    let v = 0;
    for (let i = bytes - 1; i >= 0; i--) v = v * 256 + (this.data[offset + i] ?? 0);
    return v;
  }
}

/** A payload for a little-endian word access of `bytes` bytes (default 4). */
export function wordPayload(command: TlmCommand, address: number, value = 0, bytes = 4): GenericPayload {
  const data = new Uint8Array(bytes);
  let v = value >>> 0;
  for (let i = 0; i < bytes; i++) {
    data[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return new GenericPayload({ command, address, data });
}
