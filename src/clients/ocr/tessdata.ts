import { access, mkdtemp, rm, symlink, copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The traineddata flavour the tesseract.js LSTM engine is meant to use: small and fast, integer-quantised. */
const FLAVOUR = '4.0.0_best_int';
const LANGUAGE_CODE = /^[a-z]{3}(_[a-z]+)?$/;

export class OcrLanguageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Where the installed npm package `@tesseract.js-data/<lang>` keeps its gzipped traineddata. */
export function traineddataPath(language: string): string {
  if (!LANGUAGE_CODE.test(language)) {
    throw new OcrLanguageError(`"${language}" is not a tesseract language code (like eng, deu, chi_sim)`);
  }
  let packageJson: string;
  try {
    packageJson = require.resolve(`@tesseract.js-data/${language}/package.json`);
  } catch {
    throw new OcrLanguageError(
      `OCR language "${language}" is not installed (npm package @tesseract.js-data/${language})`,
    );
  }
  return join(dirname(packageJson), FLAVOUR, `${language}.traineddata.gz`);
}

/** Resolves every language and checks its file is readable; throws OcrLanguageError naming the first one that is not. */
export async function checkLanguages(languages: readonly string[]): Promise<string[]> {
  const files = languages.map(traineddataPath);
  for (const [index, file] of files.entries()) {
    try {
      await access(file);
    } catch {
      throw new OcrLanguageError(`OCR language data for "${languages[index]}" is missing: ${file}`);
    }
  }
  return files;
}

export interface LangPath {
  /** A folder holding `<lang>.traineddata.gz` for every language asked for. */
  langPath: string;
  /** Removes what was made for it (safe once workers have loaded their data). */
  release(): Promise<void>;
}

/**
 * tesseract.js reads every language of a worker from one `langPath` folder, while each language ships in its own
 * package. One language: its package folder. Several: a private temporary folder of links to them. (Passing the data
 * in memory as `{code, data}` objects would avoid the folder, but tesseract.js 7.0.0 then initialises with the data
 * bytes as the language name: naptha/tesseract.js#1052.)
 */
export async function prepareLangPath(languages: readonly string[]): Promise<LangPath> {
  const files = await checkLanguages(languages);
  if (files.length === 1) {
    return { langPath: dirname(files[0]), release: () => Promise.resolve() };
  }
  const folder = await mkdtemp(join(tmpdir(), 'ix-tessdata-'));
  try {
    for (const file of files) {
      const target = join(folder, basename(file));
      // A symlink costs nothing; a copy (a few MB) where links are not allowed.
      await symlink(file, target).catch(() => copyFile(file, target));
    }
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { langPath: folder, release: () => rm(folder, { recursive: true, force: true }) };
}
