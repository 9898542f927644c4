/**
 * The parts of a model card only people can write (intended use, limitations, ethical
 * considerations…), kept in `.model-ledger/cards/<model>.md` beside the ledger and never written by
 * Model Ledger once it exists. Its optional YAML front matter adds card metadata (license, language,
 * tags, owners, datasets); `## Heading` sections fill the card's sections of the same name.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** Sections a person writes, by the heading that introduces them (case-insensitive). */
export const HUMAN_SECTIONS = {
  intendedUse: 'Intended Use',
  outOfScope: 'Out-of-Scope Use',
  limitations: 'Limitations',
  ethicalConsiderations: 'Ethical Considerations',
  risks: 'Risks',
  tradeoffs: 'Tradeoffs',
  trainingData: 'Training Data',
  environmentalImpact: 'Environmental Impact',
} as const;
export type HumanSection = keyof typeof HUMAN_SECTIONS;

export interface HumanParts {
  readonly file: string;
  readonly exists: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly sections: Readonly<Partial<Record<HumanSection, string>>>;
  /** Headings that match no card section: kept and shown under "More Information" (nothing dropped). */
  readonly extra: readonly { readonly heading: string; readonly text: string }[];
  /** Problems (invalid front matter…) with the line they are on. */
  readonly problems: readonly string[];
}

export function humanCardFile(ledgerFile: string, model: string): string {
  // A model name may hold "/" (e.g. `team/churn`): keep the file inside cards/.
  return path.join(path.dirname(ledgerFile), 'cards', `${model.replace(/[\\/:*?"<>|]/g, '_')}.md`);
}

function sectionKey(heading: string): HumanSection | undefined {
  const wanted = heading.trim().toLowerCase();
  return (Object.keys(HUMAN_SECTIONS) as HumanSection[]).find((key) => HUMAN_SECTIONS[key].toLowerCase() === wanted);
}

export function parseHumanParts(text: string, file: string): HumanParts {
  const problems: string[] = [];
  let metadata: Record<string, unknown> = {};
  let body = text.replace(/^\uFEFF/, '');
  const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(body);
  if (front) {
    body = body.slice(front[0].length);
    try {
      const parsed: unknown = parseYaml(front[1]);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
      else if (parsed !== null && parsed !== undefined) problems.push(`${file}:2: the front matter is not a mapping of keys to values; it was ignored`);
    } catch (error) {
      const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
      problems.push(`${file}:${line !== undefined ? line + 1 : 2}: invalid YAML front matter (${(error as Error).message.split('\n')[0]}); it was ignored, the sections below it are used`);
    }
  } else if (/^---\r?\n/.test(body)) {
    problems.push(`${file}:1: the front matter is not closed by a "---" line; the whole file is read as text`);
  }
  const sections: Partial<Record<HumanSection, string>> = {};
  const extra: { heading: string; text: string }[] = [];
  const parts = body.split(/^##[ \t]+(.+)$/m);
  for (let i = 1; i < parts.length; i += 2) {
    const heading = parts[i].trim();
    const content = (parts[i + 1] ?? '').trim();
    const key = sectionKey(heading);
    if (key) sections[key] = sections[key] ? `${sections[key]}\n\n${content}` : content;
    else extra.push({ heading, text: content });
  }
  const preamble = (parts[0] ?? '').replace(/^#[ \t].*$/m, '').trim();
  if (preamble) extra.unshift({ heading: 'Notes', text: preamble });
  return { file, exists: true, metadata, sections, extra, problems };
}

export async function readHumanParts(file: string): Promise<HumanParts> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { file, exists: false, metadata: {}, sections: {}, extra: [], problems: missing ? [] : [`${file}: cannot read (${(error as Error).message})`] };
  }
  if (text.includes('\u0000')) return { file, exists: true, metadata: {}, sections: {}, extra: [], problems: [`${file}: binary content, not a Markdown card; it was ignored`] };
  return parseHumanParts(text, file);
}

/** A starting point for the human parts; written only where no file exists (flag "wx"), never over one. */
export function humanPartsTemplate(model: string): string {
  const sections = Object.values(HUMAN_SECTIONS).map((heading) => `## ${heading}\n\n_To be written._\n`);
  return `---\nlicense: proprietary\nowners: []\n---\n# ${model}: the parts of the model card people write\n\n${sections.join('\n')}`;
}

export async function createHumanPartsIfMissing(file: string, model: string): Promise<boolean> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    await fs.writeFile(file, humanPartsTemplate(model), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
