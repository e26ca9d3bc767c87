/** Small DOM helpers shared by the studio's views. */

export const $ = <T extends HTMLElement>(id: string) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
};

/** Properties set on the new element (`className`, `type`, `textContent`…), and its `data-` attributes. */
type Props = { [property: string]: unknown; dataset?: Record<string, string> };

/** `el('button', { type: 'button', className: 'x' }, 'Label', child)` */
export const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: (string | Node)[]): HTMLElementTagNameMap[K] => {
  const { dataset, ...rest } = props;
  const element = Object.assign(document.createElement(tag), rest);
  if (dataset) Object.assign(element.dataset, dataset);
  element.append(...children);
  return element;
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A `<time>` in the reader's own format, the exact instant in its tooltip. */
export const time = (iso: string) => {
  const date = new Date(iso);
  return el('time', { dateTime: iso, title: iso, textContent: Number.isNaN(date.getTime()) ? iso : dateTime.format(date) });
};

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
