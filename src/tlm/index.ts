/**
 * TLM-2.0 loosely-timed layer: generic payload, sockets with blocking transport and annotated
 * delay, DMI, debug transport and the quantum keeper. See README.md in this folder.
 */
export { GenericPayload, defineExtension, wordPayload } from './payload.js';
export type { TlmCommand, TlmResponse, ExtensionKey, PayloadInit } from './payload.js';
export { InitiatorSocket, TargetSocket, DmiRegion, tlmBase } from './socket.js';
export type { Protocol, BTransportHandler, TransportHandler, DmiHandler, DebugHandler, WordTarget } from './socket.js';
export { QuantumKeeper, setGlobalQuantum, getGlobalQuantum } from './quantum-keeper.js';
