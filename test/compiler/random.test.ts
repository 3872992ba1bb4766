/**
 * Randomized small convolution and matrix-product graphs (random shapes, strides, pads,
 * dilations, groups incl. depthwise, per-tensor and per-channel zero points, uint8/int8, bias,
 * scales with exact .5 ties) compiled for pulp-cluster and simulated on 1 and 8 cores: every
 * output equals src/nn's reference evaluator bit for bit, and the two core counts agree.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, tensor, type Tensor } from '../../src/nn/index.js';
import { Rng } from '../../src/util/index.js';
import { GraphBuilder, addConv, addMatMul, pick, randInt, randQ, randomConv } from './graphs.js';
import { WORKERS, compileAndRun, pulpF, values } from './helpers.js';

const platform = pulpF();

function check(graph: ReturnType<GraphBuilder['build']>, inputs: Map<string, Tensor>): void {
  const want = evaluate(graph, inputs);
  for (const cores of [WORKERS.slice(0, 1), WORKERS]) {
    const { run } = compileAndRun(graph, platform, cores, inputs);
    for (const [name, t] of want) expect(values(run.outputs.get(name)), `${graph.name} ${name} on ${cores.length} core(s)`).toEqual(values(t));
  }
}

describe('random convolutions against the reference evaluator', () => {
  for (let seed = 1; seed <= 24; seed++) {
    it(`seed ${seed}: one ${seed % 2 === 0 ? 'QLinearConv' : 'ConvInteger'}`, () => {
      const r = new Rng(seed * 7919);
      const N = randInt(r, 1, 2);
      const C = pick(r, [1, 2, 3, 4]);
      const H = randInt(r, 3, 8);
      const W = randInt(r, 3, 8);
      const s = randomConv(r, H, W, C, seed % 2 === 0);
      const b = new GraphBuilder();
      const x = b.input('x', s.xType, [N, C, H, W]);
      b.output(addConv(b, r, x, s));
      check(b.build(`conv${seed}`), new Map([['x', tensor(s.xType, [N, C, H, W], randQ(r, s.xType, N * C * H * W))]]));
    });
  }
});

describe('random matrix products against the reference evaluator', () => {
  for (let seed = 1; seed <= 16; seed++) {
    it(`seed ${seed}: one ${seed % 2 === 0 ? 'QLinearMatMul' : 'MatMulInteger'}`, () => {
      const r = new Rng(seed * 104729);
      const aType = pick(r, ['uint8', 'int8'] as const);
      const aBatch = pick(r, [[], [2], [1], [2, 2]]);
      const bBatch = aBatch.length === 0 ? [] : pick(r, [[], [2], aBatch]);
      const M = randInt(r, 1, 5);
      const K = pick(r, [1, 3, 8, 17, 40, 64]);
      const N = randInt(r, 1, 11);
      const b = new GraphBuilder();
      const shape = [...aBatch, M, K];
      const a = b.input('a', aType, shape);
      b.output(addMatMul(b, r, a, { quantized: seed % 2 === 0, aType, bType: pick(r, ['uint8', 'int8']), yType: pick(r, ['uint8', 'int8']), K, N, bBatch, perColumn: r.int(2) === 1, symmetric: r.int(2) === 1 }));
      const n = shape.reduce((p, d) => p * d, 1);
      check(b.build(`matmul${seed}`), new Map([['a', tensor(aType, shape, randQ(r, aType, n))]]));
    });
  }
});

describe('random networks: QLinearConv -> QLinearConv -> Flatten -> QLinearMatMul', () => {
  for (let seed = 1; seed <= 6; seed++) {
    it(`seed ${seed}: every layer output (the first one also read from its padded buffer)`, () => {
      const r = new Rng(seed * 15485863);
      const C = pick(r, [1, 2, 3]);
      const H = randInt(r, 5, 9);
      const W = randInt(r, 5, 9);
      const b = new GraphBuilder();
      const s1 = randomConv(r, H, W, C, true);
      const x = b.input('x', s1.xType, [1, C, H, W]);
      const y1 = addConv(b, r, x, s1);
      const oh = Math.floor((H + s1.pads[0] + s1.pads[2] - ((s1.kh - 1) * s1.dilations[0] + 1)) / s1.strides[0]) + 1;
      const ow = Math.floor((W + s1.pads[1] + s1.pads[3] - ((s1.kw - 1) * s1.dilations[1] + 1)) / s1.strides[1]) + 1;
      const s2 = { ...randomConv(r, oh, ow, s1.M, true), xType: s1.yType };
      const y2 = addConv(b, r, y1, s2);
      const oh2 = Math.floor((oh + s2.pads[0] + s2.pads[2] - ((s2.kh - 1) * s2.dilations[0] + 1)) / s2.strides[0]) + 1;
      const ow2 = Math.floor((ow + s2.pads[1] + s2.pads[3] - ((s2.kw - 1) * s2.dilations[1] + 1)) / s2.strides[1]) + 1;
      const flat = b.node('Flatten', [y2], { axis: { kind: 'int', value: 1 } });
      const y3 = addMatMul(b, r, flat, { quantized: true, aType: s2.yType, bType: pick(r, ['uint8', 'int8']), yType: pick(r, ['uint8', 'int8']), K: s2.M * oh2 * ow2, N: randInt(r, 2, 10), bBatch: [], perColumn: r.int(2) === 1 });
      b.output(y1);
      b.output(y3);
      check(b.build(`net${seed}`), new Map([['x', tensor(s1.xType, [1, C, H, W], randQ(r, s1.xType, C * H * W))]]));
    });
  }
});
