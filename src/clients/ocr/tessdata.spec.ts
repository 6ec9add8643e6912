import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkLanguages, OcrLanguageError, prepareLangPath, traineddataPath } from './tessdata.js';

describe('tessdata', () => {
  describe('traineddataPath', () => {
    it('finds the installed best_int data of a language', () => {
      const path = traineddataPath('deu');
      expect(path).toMatch(/@tesseract\.js-data\/deu\/4\.0\.0_best_int\/deu\.traineddata\.gz$/);
      expect(existsSync(path)).toBe(true);
    });

    it('refuses codes that are not language codes, and languages that are not installed', () => {
      expect(() => traineddataPath('../eng')).toThrow(OcrLanguageError);
      expect(() => traineddataPath('xyz')).toThrow('not installed (npm package @tesseract.js-data/xyz)');
    });
  });

  describe('prepareLangPath', () => {
    it('uses the package folder for one language', async () => {
      const { langPath, release } = await prepareLangPath(['eng']);
      expect(langPath).toMatch(/@tesseract\.js-data\/eng\/4\.0\.0_best_int$/);
      await release();
      expect(existsSync(langPath)).toBe(true);
    });

    it('links several languages into one temporary folder and removes it on release', async () => {
      const { langPath, release } = await prepareLangPath(['eng', 'deu']);
      expect(readdirSync(langPath).sort()).toEqual(['deu.traineddata.gz', 'eng.traineddata.gz']);
      expect(existsSync(join(langPath, 'deu.traineddata.gz'))).toBe(true);
      await release();
      expect(existsSync(langPath)).toBe(false);
    });

    it('names the language that is missing', async () => {
      await expect(checkLanguages(['eng', 'fra'])).rejects.toThrow('"fra" is not installed');
    });
  });
});
