import type { Catalog } from './catalog.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { zhCN } from './zh-cn.js';

export { format } from './catalog.js';
export type { Catalog } from './catalog.js';

export const CATALOGS: Record<string, Catalog> = { en, de, es, 'zh-CN': zhCN };

/**
 * The catalog for a BCP 47 tag: exact match, then the language alone, then Chinese
 * variants to zh-CN, then English. `lang` wins over the page's language.
 */
export function pickLocale(lang: string | undefined | null): { locale: string; catalog: Catalog } {
  const tag = (lang || '').trim();
  const lower = tag.toLowerCase();
  const exact = Object.keys(CATALOGS).find((key) => key.toLowerCase() === lower);
  if (exact) return { locale: exact, catalog: CATALOGS[exact]! };
  const base = lower.split('-')[0] ?? '';
  if (base === 'zh') return { locale: 'zh-CN', catalog: zhCN };
  if (base in CATALOGS) return { locale: base, catalog: CATALOGS[base]! };
  return { locale: 'en', catalog: en };
}
