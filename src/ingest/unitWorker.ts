// Worker thread entry: runs an importer's importUnit for the engine (see workerPool.ts) with the
// cursors it was given, and sends back what it emitted, its new cursors and its run uids.
import { parentPort } from 'node:worker_threads';
import { ALL_IMPORTERS } from './importers';
import { RecordingSink } from './recordingSink';
import type { FileCursor, ImportContext } from './types';
import { transferablesOf, type UnitJobResult, type WorkerReply, type WorkerRequest } from './workerPool';

const port = parentPort;
const importers = new Map(ALL_IMPORTERS.filter((i) => i.runsInWorker).map((i) => [i.format as string, i]));

async function runJob(request: WorkerRequest): Promise<UnitJobResult> {
  const { job } = request;
  const sink = new RecordingSink();
  const cursors = new Map(job.cursors);
  const changed = new Map<string, FileCursor>();
  const context: ImportContext = {
    root: job.root,
    sink,
    cursor: (file) => changed.get(file) ?? cursors.get(file),
    setCursor: (file, cursor) => changed.set(file, cursor),
  };
  const importer = importers.get(job.format);
  try {
    if (!importer) throw new Error(`no importer for ${job.format} in the worker`);
    const runUids = await importer.importUnit(job.unit, context);
    return { operations: sink.operations, diagnostics: sink.diagnostics, changedCursors: [...changed], runUids };
  } catch (error) {
    return { operations: sink.operations, diagnostics: sink.diagnostics, changedCursors: [...changed], runUids: undefined, failure: `${job.format} import failed: ${(error as Error).message}` };
  }
}

if (port) {
  port.on('message', (request: WorkerRequest) => {
    void runJob(request).then((result) => {
      const reply: WorkerReply = { id: request.id, result };
      port.postMessage(reply, transferablesOf(result));
    });
  });
}
