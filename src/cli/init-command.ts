/**
 * `edgesim init [dir] [--force]`: scaffolds a small project: a commented platform file (a host
 * core, an L1 scratchpad, a weight memory, a DMA engine, an 8x8 int8 PE array, L2, two buses, one
 * clock, the shipped technology files), a commented fault-injection scenario running the TFC-2W2A
 * MNIST model shipped with the package on it, a design-space sweep of its PE array and a README with the next commands. Paths to the
 * package's files (technology files, model, data) are written relative to the new files, so the
 * folder can be moved together with the package it points into. Existing files are never
 * overwritten without `force`.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimError } from '../util/index.js';
import type { CommandOutput } from './compile-command.js';

/** The package root (next to dist/ or src/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Default folder of `edgesim init`. */
export const DEFAULT_INIT_DIR = 'edgesim-project';

/** The files `init` writes, relative to the folder. */
export const INIT_FILES = ['platform.yaml', 'scenario.yaml', 'sweep.yaml', 'README.md'] as const;

/** The package files the scaffold refers to, relative to the package root. */
export const INIT_PACKAGE_FILES = {
  techDigital: 'platforms/tech/pulp-open.yaml',
  techPe: 'platforms/tech/diana-22nm.yaml',
  model: 'test/fixtures/models/qonnx_tfc_2w2a_mnist.qonnx.onnx',
  images: 'test/fixtures/models/data/mnist_test1000_images_u8.bin',
  labels: 'test/fixtures/models/data/mnist_test1000_labels_u8.bin',
} as const;

/** A path from `dir` to a package file, with forward slashes (YAML and shell friendly). */
function rel(dir: string, packageFile: string): string {
  const r = relative(dir, join(PACKAGE_ROOT, packageFile)).split(sep).join('/');
  return r.startsWith('.') || r.startsWith('/') ? r : `./${r}`;
}

function platformYaml(dir: string): string {
  return `# A small edge-AI cluster, scaffolded by 'edgesim init'. Check it with
#   npx edgesim check platform.yaml
# and look up any kind with 'npx edgesim describe <kind>' (params with units, defaults and ranges,
# ports, energy events, statistics, fault points). The shipped platforms (platforms/*.yaml of the
# edgesim package) are larger examples; platforms/README.md describes the format.
platform: my-cluster
doc: >-
  Scaffolded by edgesim init: one RISC-V host core (RV32IM + F + edgesim's DMA, SIMD, sync and
  accelerator extensions), a 128 KiB 8-bank L1 scratchpad, a 64 KiB weight memory, a 2-port DMA
  engine, an 8x8 int8 output-stationary PE array, 512 KiB L2, 250 MHz.

# Technology files (relative to this file): energy and power values, each with its source. Later
# files override earlier ones; instance params override both. pulp-open prices the core, memories,
# DMA and buses; diana-22nm adds the PE array's MAC energy.
include: [${rel(dir, INIT_PACKAGE_FILES.techPe)}, ${rel(dir, INIT_PACKAGE_FILES.techDigital)}]

# Clock domains: a frequency or a period (e.g. 4ns).
clocks:
  soc: 250MHz

instances:
  host:                  # the core that runs the compiled program and commands the PE array
    kind: core
    clock: soc
    params: { hartId: 0, extensions: [Xedma, Xesimd, Xesync, Xeacc, F] }
  pbus:                  # host peripheral bus: out[0] L2 (through l2bus), out[1] DMA registers, out[2] weight memory, out[3] PE-array status
    kind: xbar
    clock: soc
    params: { initiators: 1, targets: 4, dataWidthBits: 32, latencyCycles: 2, bandwidthBytesPerCycle: 4 }
  l2bus:                 # 64-bit path to L2, shared by the host and the DMA
    kind: xbar
    clock: soc
    params: { initiators: 2, targets: 1, dataWidthBits: 64, latencyCycles: 2, bandwidthBytesPerCycle: 8 }
  l1:                    # activation memory: word-interleaved banks (bank conflicts are simulated);
                         # ports: 0 host, 1-2 DMA, 3 PE array
    kind: scratchpad
    clock: soc
    params: { sizeBytes: 128KiB, banks: 8, wordBytes: 4, interleaving: word, ports: 4, accessCycles: 1 }
  wmem:                  # PE-array weight memory; ports: 0 host (through pbus), 1 PE array
    kind: scratchpad
    clock: soc
    params: { sizeBytes: 64KiB, banks: 16, wordBytes: 4, interleaving: word, ports: 2, accessCycles: 1 }
  dma:                   # L2 <-> L1 DMA engine with 2D transfers
    kind: dma
    clock: soc
    params: { bandwidthBytesPerCycle: 8, localPorts: 2, localWidthBits: 32, extWidthBits: 64, twoD: true }
  l2:                    # 512 KiB L2: program, weights and inputs are loaded here
    kind: memory
    clock: soc
    params: { sizeBytes: 512KiB, level: l2, banks: 1, ports: 1, dataWidthBits: 64, latencyCycles: 12, bandwidthBytesPerCycle: 8 }
  pe:                    # accelerator 0 of host (acc.* 0): 8x8 int8 PE array, output-stationary,
                         # SCALE-Sim-compatible timing; activations through l1, weights through wmem.
                         # Try dataflow: ws, or rows/cols 16 (then run 'edgesim compile' again).
    kind: pe-array
    clock: soc
    params: { rows: 8, cols: 8, peType: int8, dataflow: os, timing: scalesim, glbSize: 128KiB, memWidthBits: 32, accelId: 0, queueDepth: 4 }

# initiator.port -> target.port; [i] is an element of a port array.
connections:
  - host.data -> pbus.in[0]
  - host.tcdm -> l1.mem[0]
  - pbus.out[0] -> l2bus.in[0]
  - pbus.out[1] -> dma.cfg
  - pbus.out[2] -> wmem.mem[0]
  - pbus.out[3] -> pe.cfg
  - pe.mem -> l1.mem[3]
  - pe.wmem -> wmem.mem[1]
  - dma.ext -> l2bus.in[1]
  - dma.local[0] -> l1.mem[1]
  - dma.local[1] -> l1.mem[2]
  - l2bus.out[0] -> l2.mem[0]

# Where each target sits in the address space (size defaults to the target's sizeBytes).
addressMap:
  - { target: l1, base: 0x10000000 }
  - { target: wmem, base: 0x10100000 }
  - { target: dma, base: 0x10201800, size: 1KiB }
  - { target: pe, base: 0x10202000, size: 256B }
  - { target: l2, base: 0x1C000000 }
`;
}

function scenarioYaml(dir: string): string {
  return `# A fault-injection campaign on platform.yaml, scaffolded by 'edgesim init'. Run it with
#   npx edgesim campaign scenario.yaml
# Every item (chip x inference) is simulated with the faults drawn for it from streams seeded by
# seed, chip, inference and fault: the results do not depend on the number of workers, and a
# killed campaign resumes where it stopped. The full format: scenarios/README.md of the package.
scenario: my-first-campaign
doc: TFC-2W2A (MNIST) on my-cluster, 8 transient L1 bit flips per inference and 64 stuck weight-memory bits per chip

platform: platform.yaml          # relative to this file
# The model and the data ship with the edgesim package (relative to this file): the QONNX
# TFC-2W2A MLP (784-64-64-64-10, 2-bit weights and activations) and 1000 MNIST test images.
model: ${rel(dir, INIT_PACKAGE_FILES.model)}
data:
  images: ${rel(dir, INIT_PACKAGE_FILES.images)}    # raw uint8 samples, one after another
  labels: ${rel(dir, INIT_PACKAGE_FILES.labels)}    # one label byte per sample
  shape: [1, 28, 28]             # shape of one sample
  first: 0                       # first sample used

seed: 1                          # change it for other draws
chips: 2                         # chips (permanent faults are drawn once per chip)
inferences: 5                    # inferences per chip (samples first .. first + inferences - 1)
threshold: 80%                   # PASS when the accuracy is at least this

faults:
  - kind: bit-flip               # transient: 8 random bits of L1 flip at random times
    target: l1
    count: 8
    window: [0ns, 200us]         # one inference takes about 200 us on my-cluster
  - kind: stuck-at               # permanent: 64 weight-memory bits stuck at a random value, per chip
    target: wmem
    count: 64
    value: random

# Uncomment to run one campaign per point (one or two axes: a fault's count or rate, or a
# platform param by instance glob such as 'pe.rows'):
# sweep:
#   faults.1.count: [0, 8, 64]     # faults.1 is the first fault above
`;
}

function sweepYaml(dir: string): string {
  return `# A design-space sweep on platform.yaml, scaffolded by 'edgesim init'. Run it with
#   npx edgesim sweep sweep.yaml
# Every point (here: PE array shape x PE type) is compiled and evaluated analytically (the
# compiler's predicted cycles and event counts priced by the energy model, accuracy from the
# reference evaluator) and by simulation (the compiled program on the simulator); the analytic
# error is reported, the Pareto front of the objectives printed. Results are cached: a second
# run (or a killed one) only evaluates what is missing. The full format: README of the package,
# section "Design-space exploration".
sweep: my-first-sweep
doc: TFC-2W2A (MNIST) on my-cluster, PE array rows x columns x PE type

platform: platform.yaml
model: ${rel(dir, INIT_PACKAGE_FILES.model)}
data:
  images: ${rel(dir, INIT_PACKAGE_FILES.images)}
  labels: ${rel(dir, INIT_PACKAGE_FILES.labels)}
  shape: [1, 28, 28]
inferences: 2                    # per point: the same samples at every point
seed: 1
evaluate: both                   # analytic, simulate or both

axes:                            # '<instance glob>.<param>', 'target.<layer>', 'split.<layer>',
  'pe.rows': [4, 8]              # 'precision.<layer glob>.<weightBits|actBits|weights>',
  'pe.cols': [4, 8]              # or a linked axis setting several keys per value
  'pe.peType': [int8, int16]
sampling: grid                   # or { method: lhs, samples: 20 } / { method: random, samples: 20 }
constraints:
  latency: '<= 1 ms'
objectives: { latency: min, energy: min, area: min }
`;
}

function readme(dir: string): string {
  return `# my-cluster (scaffolded by edgesim init)

- \`platform.yaml\`: a host core, L1 and weight scratchpads, a DMA engine, an 8x8 int8 PE array and
  L2 at 250 MHz, with the package's technology files.
- \`scenario.yaml\`: a fault-injection campaign of the TFC-2W2A MNIST model (shipped with edgesim)
  on that platform.
- \`sweep.yaml\`: a design-space sweep of the PE array (rows x columns x PE type) for the same model.

Next, from this folder:

\`\`\`sh
npx edgesim check platform.yaml
npx edgesim compile ${rel(dir, INIT_PACKAGE_FILES.model)} --platform platform.yaml -o build
npx edgesim run --platform platform.yaml --model ${rel(dir, INIT_PACKAGE_FILES.model)} --data ${rel(dir, INIT_PACKAGE_FILES.images)} --labels ${rel(dir, INIT_PACKAGE_FILES.labels)} --shape 1,28,28 -n 10
npx edgesim campaign scenario.yaml
npx edgesim sweep sweep.yaml
npx edgesim rtl platform.yaml --ci-size -o rtl
\`\`\`

\`check\` lists every problem of the platform with its line and column; \`compile\` writes the
program and the per-layer mapping (which layers go to the PE array) to \`build/\`; \`run\` simulates
10 inferences, checks each bit for bit against the reference evaluator and writes
\`traces/<model>-my-cluster/\`; \`campaign\` injects the scenario's faults and prints the accuracy
with its confidence interval and PASS/FAIL; \`sweep\` explores PE array shapes and types and prints
the Pareto front of latency, energy and area; \`rtl\` generates Verilog of the platform.
Every command has \`--help\` with examples.
`;
}

/**
 * Writes the scaffold into `dir` (created if needed).
 * @throws SimError `file-exists` when a file to write exists (and `force` is not set),
 * `bad-argument` when `dir` is a file.
 */
export function initCommand(dir: string, o: { readonly force?: boolean } = {}): CommandOutput {
  const abs = resolve(dir);
  if (existsSync(abs) && !statSync(abs).isDirectory()) throw new SimError('bad-argument', `'${dir}' exists and is not a folder`);
  const existing = INIT_FILES.filter((f) => existsSync(join(abs, f)));
  if (existing.length > 0 && o.force !== true) {
    throw new SimError('file-exists', `${existing.map((f) => join(dir, f)).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing written (use --force to overwrite, or another folder)`);
  }
  mkdirSync(abs, { recursive: true });
  const bodies: Record<(typeof INIT_FILES)[number], string> = { 'platform.yaml': platformYaml(abs), 'scenario.yaml': scenarioYaml(abs), 'sweep.yaml': sweepYaml(abs), 'README.md': readme(abs) };
  for (const f of INIT_FILES) writeFileSync(join(abs, f), bodies[f]);
  const lines = [
    `wrote ${INIT_FILES.map((f) => join(dir, f)).join(', ')}${existing.length > 0 ? ` (overwrote ${existing.join(', ')})` : ''}`,
    'next:',
    `  cd ${dir}`,
    '  npx edgesim check platform.yaml',
    '  npx edgesim campaign scenario.yaml',
    '  npx edgesim sweep sweep.yaml',
    '  (README.md there lists compile, run and rtl too)',
  ];
  return { stdout: `${lines.join('\n')}\n`, stderr: '', exitCode: 0 };
}
