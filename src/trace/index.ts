/**
 * Traces of a run: a hub selecting components by instance-path globs, resolved once at
 * elaboration into per-module recorders, and writers to VCD (GTKWave) and to the Chrome /
 * Perfetto trace-event JSON. Pure: builds strings and objects; the CLI writes the files.
 */
export { globToRegExp, selectPaths, parseGlobList, type PathSelection, type UnmatchedGlob } from './glob.js';
export { ModuleRecorder, TraceLevel, IntervalUnion, type EnergyCounterView, type SliceArgs, type TraceSlice, type TraceFlow } from './recorder.js';
export { TraceHub, type TraceOptions } from './hub.js';
export { formatVcd, vcdId, type VcdOptions } from './vcd.js';
export { perfettoTrace, formatPerfetto, energyWindows, type TraceEvent, type TraceEventFile, type PerfettoOptions, type ComponentPrices, type EnergyWindows } from './perfetto.js';
