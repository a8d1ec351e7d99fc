/**
 * Tiny DOM helpers. Text always goes in as text nodes (`textContent`), never as HTML, so nothing a
 * user types or a document contains can become markup.
 */

type Child = Node | string | null | undefined | false;

/** Creates an element with a class, attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; attrs?: Readonly<Record<string, string>> } = {},
  children: readonly Child[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** The element with this id, typed; throws when the page lacks it (a build mistake). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`demo page is missing element #${id}`);
  return node as T;
}

/** Sets an element's text (no HTML). */
export function setText(node: HTMLElement, text: string): void {
  node.textContent = text;
}
