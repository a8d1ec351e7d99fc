/** Renders search results: rank, score, language tag, source, and the text with matches marked. */
import { highlightRanges, splitByRanges } from '../highlight';
import { languageName } from '../lang';
import type { Hit, SearchMode } from '../search-service';
import { el } from './dom';

/** The passage text as DOM nodes, with the query's words wrapped in `<mark>`. */
export function highlightedText(text: string, query: string): Node[] {
  return splitByRanges(text, highlightRanges(text, query)).map((piece) =>
    piece.marked ? el('mark', {}, [piece.text]) : document.createTextNode(piece.text),
  );
}

/** A score as shown, with what it means: Hamming modes report a distance, hybrid a fused rank score. */
export function formatScore(score: number, mode: SearchMode): { text: string; title: string } {
  if (mode === 'hamming')
    return { text: `${Math.round(score)} bits`, title: 'Hamming distance (lower is closer)' };
  if (mode === 'hybrid')
    return { text: score.toFixed(4), title: 'reciprocal rank fusion score of BM25 and dense' };
  return { text: score.toFixed(3), title: 'cosine similarity' };
}

function resultItem(hit: Hit, rank: number, query: string, mode: SearchMode): HTMLLIElement {
  const meta = hit.metadata;
  const score = formatScore(hit.score, mode);
  const source =
    meta.source === 'user'
      ? el('span', { className: 'tag tag-user' }, [
          `your document: ${meta.title ?? hit.id}${hit.chunkIndex !== null ? ` · chunk ${hit.chunkIndex + 1}` : ''}`,
        ])
      : el('span', { className: 'tag' }, [meta.topic ?? 'passage']);
  const text = el(
    'p',
    { className: 'result-text', attrs: { lang: meta.lang === 'und' ? '' : meta.lang } },
    [],
  );
  text.append(...highlightedText(hit.text, query));
  if (meta.lang === 'ar') text.setAttribute('dir', 'rtl');
  return el('li', { className: 'result', attrs: { 'data-id': hit.id, 'data-lang': meta.lang } }, [
    el('div', { className: 'result-head' }, [
      el('span', { className: 'rank' }, [`#${rank}`]),
      el('span', { className: 'score', attrs: { title: score.title, 'data-score': String(hit.score) } }, [
        score.text,
      ]),
      el('span', { className: 'tag tag-lang', attrs: { title: languageName(meta.lang) } }, [meta.lang]),
      source,
    ]),
    text,
  ]);
}

/** Replaces the list's content with `hits`. */
export function renderResults(
  list: HTMLOListElement,
  hits: readonly Hit[],
  query: string,
  mode: SearchMode,
): void {
  list.replaceChildren(...hits.map((hit, i) => resultItem(hit, i + 1, query, mode)));
}
