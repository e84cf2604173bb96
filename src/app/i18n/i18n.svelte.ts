/** English and French UI text: each area registers its messages; `t()` reads the live locale reactively. */

/** Supported UI languages. */
export type Locale = 'en' | 'fr';

/** One message in both languages; `{name}` placeholders are filled by `t()`'s params. */
export interface Message {
  en: string;
  fr: string;
}

const catalog = new Map<string, Message>();

/** Registers an area's messages (keys are global: prefix them, e.g. "filter.apply"). */
export function defineMessages<T extends Record<string, Message>>(messages: T): T {
  for (const [k, m] of Object.entries(messages)) catalog.set(k, m);
  return messages;
}

/** Picks the UI language from the OS/browser locale: the first of the user's languages we speak. */
export function systemLocale(languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages): Locale {
  for (const l of languages) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

class I18n {
  locale: Locale = $state('en');
}

/** The live locale (switch by assigning `i18n.locale`). */
export const i18n = new I18n();

/** Translates a key into the live locale; unknown keys show as themselves so gaps are visible. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const m = catalog.get(key);
  const text = m ? m[i18n.locale] : key;
  return text.replace(/\{(\w+)\}/g, (_, p: string) => String(params[p] ?? `{${p}}`));
}

/** Every registered key, for the completeness test. */
export function registeredKeys(): string[] {
  return [...catalog.keys()];
}
