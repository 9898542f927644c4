// Child process of ledger.test.ts: registers `count` versions of a model as fast as it can.
import { LedgerRegistry } from '../../../src/registry/ledgerRegistry';

async function main(): Promise<void> {
  const [file, writer, count] = process.argv.slice(2);
  const registry = new LedgerRegistry(file, async () => ({ name: writer }));
  for (let i = 0; i < Number(count); i++) {
    await registry.register({ model: 'shared-model', source: `artifacts/${writer}/${i}`, reason: `${writer} #${i}` });
  }
}

main().catch((error) => {
  process.stderr.write(String(error));
  process.exitCode = 1;
});
