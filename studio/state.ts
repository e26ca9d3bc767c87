/**
 * What every view shares: who is signed in, what is live and which drafts
 * wait to be published, and the notice line under the top bar.
 */
import type { Catalog, PublishingState, StudioUser } from './api';
import { $ } from './dom';
import { call } from './http';

export interface StudioState {
  user?: StudioUser;
  /** Absent when the studio edits a plain templates folder: no drafts, publishing or history. */
  publishing?: PublishingState;
}

export const state: StudioState = {};

const listeners = new Set<() => void>();
export const onStateChange = (listener: () => void) => listeners.add(listener);

export const setState = (catalog: Pick<Catalog, 'user' | 'publishing'>) => {
  state.user = catalog.user;
  state.publishing = catalog.publishing;
  for (const listener of listeners) listener();
};

/** After a save, publish or rollback: the live version and the drafts, as the server has them now. */
export const refreshState = async () => setState(await call<Catalog>('GET', '/api/catalog'));

export const isPublisher = () => state.user?.role === 'publisher';
export const isDraft = (path: string) => state.publishing?.drafts.includes(path) ?? false;

// ---------------------------------------------------------------------------
// The notice line

const notice = $('notice');

export const notify = (kind: 'ok' | 'error', ...content: (string | Node)[]) => {
  notice.replaceChildren(...content);
  notice.dataset.kind = kind;
  notice.hidden = false;
};
export const hideNotice = () => (notice.hidden = true);
export const showError = (error: unknown) => notify('error', error instanceof Error ? error.message : String(error));

/** `settings.json` or a template's path relative to the templates folder, as the page shows it. */
export const displayPath = (path: string) => (path === 'settings.json' || path.startsWith('templates/') ? path : `templates/${path}`);
