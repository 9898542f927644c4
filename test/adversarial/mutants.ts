// Seeds and mutations for the fuzz run: small valid files of each format, mutated by byte flips,
// cuts, repeats and hostile insertions (deep nesting, alias bombs, huge numbers, NULs, FIFOs aside).
import { readFileSync } from 'node:fs';
import { fixturePath } from '../fixturePath';
import { mulberry32 } from '../unit/drift/fixtures';

interface FormatSpec {
  /** 'ledger' | 'policy' | 'filter' | 'dataset', or the workspace-relative path a file is imported from. */
  readonly kind: string;
  readonly seed: () => Buffer;
}

const LEDGER_SEED = [
  '{"v":1,"id":"0123456789abcdef","time":"2026-11-01T00:01:00.000Z","actor":{"name":"Ada"},"action":"register","model":"m","version":1,"after":{"source":"a"},"prev":[],"hash":"' + '0'.repeat(64) + '"}',
].join('\n');

export const FORMATS: Readonly<Record<string, FormatSpec>> = {
  ledger: { kind: 'ledger', seed: () => Buffer.from(LEDGER_SEED + '\n' + LEDGER_SEED.replace('"version":1', '"version":2') + '\n') },
  policy: { kind: 'policy', seed: () => Buffer.from('version: 1\nstages:\n  Production:\n    gates:\n      - val_loss <= production.val_loss * 1.02\n      - approvals >= 1\n    approvers: [ann@example.com]\n') },
  filter: { kind: 'filter', seed: () => Buffer.from('metrics.val_loss < 0.3 and params.lr = 0.01 and status = FINISHED') },
  'mlrun.jsonl': {
    kind: 'logs/run.mlrun.jsonl',
    seed: () => Buffer.from('{"type":"header","version":1,"run_id":"r1","experiment":"e","name":"n","start_time":1700000000000}\n{"type":"params","params":{"lr":0.01}}\n{"type":"metrics","step":1,"timestamp":1700000000100,"values":{"loss":0.5}}\n'),
  },
  'mlflow meta.yaml': { kind: 'mlruns/1/meta.yaml', seed: () => Buffer.from("artifact_location: mlruns/1\nexperiment_id: '1'\nlifecycle_stage: active\nname: exp\n") },
  'params.yaml': { kind: 'dvclive/params.yaml', seed: () => Buffer.from('train:\n  lr: 0.01\n  layers: [64, 32]\nbase: &b {a: 1}\nuse: *b\n') },
  'dvclive metrics.json': { kind: 'dvclive/metrics.json', seed: () => Buffer.from('{"loss": 0.25, "acc": {"train": 0.9}, "step": 3}') },
  tfevents: {
    kind: 'tb/events.out.tfevents.1700000000.host',
    seed: () => readFileSync(fixturePath('tensorboard', 'PacktPublishing__Practical-Deep-Learning-at-Scale-with-MLFlow', 'chapter01', 'lightning_logs', 'version_4', 'events.out.tfevents.1677120861.MININT-M682FNV.12447.0')).subarray(0, 4096),
  },
  'metrics csv': { kind: 'logs/training.log.csv', seed: () => Buffer.from('epoch,loss,val_loss\n0,0.9,1.0\n1,0.5,0.6\n2,0.3,0.4\n') },
  'dataset csv': { kind: 'dataset', seed: () => Buffer.from('a,b,c\n1,x,2020-01-01\n2,y,2020-01-02\n3,"z,w",2020-01-03\n') },
};

const HOSTILE = [
  '['.repeat(50_000),
  '{'.repeat(20_000),
  'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
  Array.from({ length: 5_000 }, (_, i) => `k${i}:\n  <<: *b`).join('\n'),
  ' '.repeat(200_000),
  '9'.repeat(400),
  '\u0000\uFEFF\uFFFF',
  '"'.repeat(10_000),
  '\n'.repeat(100_000),
  '=cmd|\' /C calc\'!A0',
  'constructor = 1 and __proto__ = 2',
];

/** One mutant of `seed`: 1–4 mutations drawn from byte flips, cuts, repeats and hostile insertions. */
export function mutate(seed: Buffer, n: number): Buffer {
  const next = mulberry32(n);
  let bytes = Buffer.from(seed);
  const count = 1 + Math.floor(next() * 4);
  for (let k = 0; k < count; k++) {
    const at = Math.floor(next() * (bytes.length + 1));
    switch (Math.floor(next() * 6)) {
      case 0: // flip bytes
        for (let j = 0; j < 1 + next() * 8 && bytes.length > 0; j++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
        break;
      case 1: // cut
        bytes = bytes.subarray(0, at);
        break;
      case 2: // repeat a slice many times
        bytes = Buffer.concat([bytes.subarray(0, at), ...Array(2 + Math.floor(next() * 500)).fill(bytes.subarray(at, at + 1 + Math.floor(next() * 40))), bytes.subarray(at)]);
        break;
      case 3: // hostile insertion
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(HOSTILE[Math.floor(next() * HOSTILE.length)]), bytes.subarray(at)]);
        break;
      case 4: // delete a slice
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + Math.floor(next() * 30))]);
        break;
      default: // random binary
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: Math.floor(next() * 200) }, () => Math.floor(next() * 256))), bytes.subarray(at)]);
    }
  }
  return bytes;
}
