// The dashboard's message table and language choice (services/dashboard/i18n.js, plain browser
// JavaScript with no DOM use, so it runs here as it runs in the page).
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- browser JavaScript without type declarations, served as is
import { MESSAGES, pickLocale, translator } from '../services/dashboard/i18n.js';

const table = MESSAGES as Record<string, Record<string, string>>;
const pick = pickLocale as (query: string | null, languages: string[]) => { lang: string; locale: string; htmlLang: string };
const translate = translator as (lang: string) => (key: string, values?: Record<string, unknown>) => string;

describe('dashboard messages', () => {
  it('has every English message in Chinese, with the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(table.zh).sort()).toEqual(Object.keys(table.en).sort());
    for (const key of Object.keys(table.en)) expect([key, placeholders(table.zh[key])]).toEqual([key, placeholders(table.en[key])]);
  });

  it('fills placeholders with values as given, $ patterns included', () => {
    expect(translate('zh')('nSteps', { n: '5,000' })).toBe('5,000 步');
    expect(translate('en')('loadError', { msg: "$& $' <b>" })).toBe("Could not load: $& $' <b>");
  });

  it('takes ?lang= first, then the browser, and skips tags Intl refuses', () => {
    expect(pick('zh', ['en-US'])).toEqual({ lang: 'zh', locale: 'zh-CN', htmlLang: 'zh-CN' });
    expect(pick(null, ['zh-TW', 'en'])).toEqual({ lang: 'zh', locale: 'zh-TW', htmlLang: 'zh-CN' });
    expect(pick(null, ['en-GB'])).toEqual({ lang: 'en', locale: 'en-GB', htmlLang: 'en' });
    expect(pick('en', ['zh-CN'])).toEqual({ lang: 'en', locale: 'en', htmlLang: 'en' });
    expect(pick('<script>', ['fr-FR'])).toEqual({ lang: 'en', locale: 'fr-FR', htmlLang: 'en' });
    expect(pick(null, [])).toEqual({ lang: 'en', locale: 'en', htmlLang: 'en' });
  });
});
