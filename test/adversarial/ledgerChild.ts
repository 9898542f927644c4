// Child of run.ts: appends ledger events forever (kills) or `count` of them (writers), printing each
// version once its append has returned (fsynced): what a killed writer is owed.
import { LedgerRegistry } from '../../src/registry/ledgerRegistry';

async function main(): Promise<void> {
  const [file, writer, count] = process.argv.slice(2);
  const registry = new LedgerRegistry(file, async () => ({ name: writer }));
  const limit = count ? Number(count) : Infinity;
  for (let i = 0; i < limit; i++) {
    const event = await registry.register({ model: 'adversarial', source: `artifacts/${writer}/${i}`, reason: `${writer} #${i}` });
    process.stdout.write(`appended ${event.version} ${event.hash}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(String(error));
  process.exitCode = 1;
});
