// A small pool of worker threads that run importers' `importUnit` (reading and parsing files: most
// of an import's CPU time besides the store) while the main thread writes to the store. Workers
// start on first use, stop after a few idle seconds, and never keep the process alive by themselves.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SinkOperation } from './recordingSink';
import type { Diagnostic, FileCursor } from './types';

export interface UnitJob {
  readonly format: string;
  readonly unit: string;
  readonly root: string;
  readonly cursors: readonly (readonly [string, FileCursor])[];
}

export interface UnitJobResult {
  readonly operations: SinkOperation[];
  readonly diagnostics: Diagnostic[];
  readonly changedCursors: [string, FileCursor][];
  /** undefined when the importer failed (then `failure` says why). */
  readonly runUids: string[] | undefined;
  readonly failure?: string;
}

export interface WorkerRequest {
  readonly id: number;
  readonly job: UnitJob;
}

export interface WorkerReply {
  readonly id: number;
  readonly result: UnitJobResult;
}

const IDLE_STOP_MS = 10_000;

interface PoolWorker {
  readonly worker: Worker;
  pending: number;
}

export class UnitWorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly waiting = new Map<number, { resolve: (result: UnitJobResult) => void; reject: (error: Error) => void; owner: PoolWorker }>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly script: string,
    readonly size: number,
  ) {}

  /** True while workers are running (so a small job does not pay for starting one). */
  get started(): boolean {
    return this.workers.length > 0;
  }

  run(job: UnitJob): Promise<UnitJobResult> {
    const owner = this.leastBusy();
    const id = this.nextId++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (owner.pending++ === 0) owner.worker.ref(); // keep the process alive while a reply is due
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, owner });
      owner.worker.postMessage({ id, job } satisfies WorkerRequest);
    });
  }

  private leastBusy(): PoolWorker {
    if (this.workers.length < this.size && this.workers.every((w) => w.pending > 0)) return this.start();
    let best = this.workers[0];
    for (const w of this.workers) if (w.pending < best.pending) best = w;
    return best;
  }

  private start(): PoolWorker {
    const worker = new Worker(this.script);
    const entry: PoolWorker = { worker, pending: 0 };
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.settle(entry, reply));
    worker.on('error', (error) => this.fail(entry, error));
    worker.on('exit', () => this.fail(entry, new Error('the import worker stopped')));
    this.workers.push(entry);
    return entry;
  }

  private settle(entry: PoolWorker, reply: WorkerReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (--entry.pending === 0) entry.worker.unref();
    if (this.waiting.size === 0) {
      this.idleTimer = setTimeout(() => this.stop(), IDLE_STOP_MS);
      this.idleTimer.unref();
    }
    waiter.resolve(reply.result);
  }

  /** A crashed worker fails its own jobs (the engine reports them per unit) and is replaced on demand. */
  private fail(entry: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(entry);
    if (index >= 0) this.workers.splice(index, 1);
    for (const [id, waiter] of this.waiting) {
      if (waiter.owner !== entry) continue;
      this.waiting.delete(id);
      waiter.reject(error);
    }
    entry.pending = 0;
  }

  stop(): void {
    for (const entry of this.workers.splice(0)) {
      entry.worker.removeAllListeners('exit');
      void entry.worker.terminate();
    }
  }
}

let shared: UnitWorkerPool | null | undefined;

/**
 * The process's pool, or undefined when units are imported on the main thread: no worker script
 * next to this module (it is there in dist/ and in the compiled tests), or MODEL_LEDGER_WORKERS=0.
 */
export function unitWorkerPool(): UnitWorkerPool | undefined {
  if (shared === undefined) {
    const script = path.join(__dirname, 'unitWorker.js');
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    const wanted = process.env.MODEL_LEDGER_WORKERS === undefined ? Math.min(3, cores - 1) : Number(process.env.MODEL_LEDGER_WORKERS);
    // One worker even on a single core: reading files still overlaps with the store's writes.
    shared = existsSync(script) && wanted !== 0 && Number.isFinite(wanted) ? new UnitWorkerPool(script, Math.max(1, wanted)) : null;
  }
  return shared ?? undefined;
}

/** The buffers of typed-array metric batches, moved to the main thread instead of copied. */
export function transferablesOf(result: UnitJobResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const operation of result.operations) {
    if (operation.op !== 'metrics') continue;
    for (const column of [operation.batch.steps, operation.batch.timestamps, operation.batch.values]) {
      if (ArrayBuffer.isView(column) && column.buffer instanceof ArrayBuffer) buffers.add(column.buffer);
    }
  }
  return [...buffers];
}
