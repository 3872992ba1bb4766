/**
 * Platform descriptions: YAML loading with positions, technology files, elaboration into a
 * frozen {@link PlatformGraph}, the resolved JSON dump and the JSON Schema. The module catalog
 * is passed in; this layer never imports the module library.
 */
export * from './graph.js';
export { loadPlatform, siblingPath, CONNECTION_RE, PLATFORM_KEYS, INSTANCE_KEYS, REGION_KEYS, type LoadOptions, type LoadResult, type ParamOverride } from './load.js';
export { TECH_KEYS, type TechValues } from './tech.js';
export * from './schema.js';
export { loadMapping, MAPPING_KEYS, type MappingFile } from './mapping.js';
export { sweepPoints, scenarioAtPoint, sweepLabel, formatSweepValue, MAX_SWEEP_AXES, type SweepAxis } from './scenario.js';
export { loadScenario, checkScenarioTargets, applyScenarioParams, globToRegExp, SCENARIO_KEYS, SCENARIO_DATA_KEYS, FAULT_KEYS, FAULT_KINDS, DEFAULT_FAULT_WINDOW, DEFAULT_FAULT_REGISTERS, registerName, type Scenario, type ScenarioFault, type ScenarioParams, type ScenarioParamValue, type FaultTargets, type SourcePos } from './scenario.js';
export { loadSweep, SWEEP_KEYS, OBJECTIVES, OBJECTIVE_SENSE, OBJECTIVE_UNIT, PRECISION_FIELDS, WEIGHT_SCHEMES, type SweepSpec, type DseAxis, type DseConstraint, type DseFixedParam, type SweepAxisWhat, type SweepDomain, type ObjectiveName } from './sweep.js';
