/**
 * Run reports: self-contained `report.html` pages (every chart and the charting library inlined,
 * no external resource) of a run, a campaign, a sweep or a design-space sweep. Pure functions from the run folder's
 * data and the library's source text to the HTML string; the CLI reads and writes the files.
 */
export { renderRunReport, type RunReportInput, type RunCore, type ProgramRunInfo, type LayerRow, type SimulatedLayer, type InferenceRow, type ModelRunSummary, type BusyInterval } from './run.js';
export { renderCampaignReport, renderSweepReport, type CampaignReportInput, type SweepReportInput, type SweepPointInput } from './campaign.js';
export { renderDseReport, type DseReportInput, type DsePointInput, type DseObjective, type DseErrorStats, type DseAxisValue } from './dse.js';
export { escapeHtml, jsonForScript, inlineScript } from './html.js';
export { histogram, timeUnit, energyUnit, type ChartSpec, type ChartDataset, type ChartKind, type AxisUnit, type XY } from './charts.js';
