/**
 * The top bar's publishing side: who is signed in, what is live, how many
 * drafts wait, and the Publish button with its dialog (note, files, problems).
 */
import type { Problem, PublishResponse } from './api';
import { $, el, plural } from './dom';
import { ApiError, call, signedIn } from './http';
import { signOut } from './sign-in';
import { displayPath, isPublisher, notify, onStateChange, refreshState, showError, state } from './state';

export interface PublishingHooks {
  /** Edits not saved yet, as paths (`templates/birthday/ms.mjml`, `settings.json`): publishing takes saved drafts only. */
  unsavedWork(): string[];
  /** A 422: the problems go to the templates view's problems list, each naming its file. */
  showPublishProblems(problems: Problem[]): void;
  /** The History view, opened on the unpublished changes. */
  showDrafts(): void;
  /** A new version is live (`version`), or someone else's is (409): views showing versions reread them. */
  published(version?: number): void;
}

export const setUpPublishing = (hooks: PublishingHooks) => {
  const ui = {
    publishState: $('publish-state'),
    live: $('live-version'),
    drafts: $<HTMLButtonElement>('drafts-count'),
    publish: $<HTMLButtonElement>('publish'),
    user: $('user'),
    userAvatar: $('user-avatar'),
    userId: $('user-id'),
    userRole: $('user-role'),
    signOut: $<HTMLButtonElement>('sign-out'),
    dialog: $<HTMLDialogElement>('publish-dialog'),
    form: $<HTMLFormElement>('publish-form'),
    summary: $('publish-summary'),
    files: $<HTMLUListElement>('publish-files'),
    unsaved: $('publish-unsaved'),
    note: $<HTMLTextAreaElement>('publish-note'),
    cancel: $<HTMLButtonElement>('publish-cancel'),
    confirm: $<HTMLButtonElement>('publish-confirm'),
  };

  const render = () => {
    const { user, publishing } = state;
    ui.user.hidden = !user;
    if (user) {
      ui.userAvatar.textContent = user.id.trim().charAt(0).toUpperCase();
      ui.userId.textContent = user.id;
      ui.userRole.textContent = user.role === 'publisher' ? 'Publisher' : 'Editor';
      ui.user.title = user.role === 'publisher' ? 'You can save drafts, publish and roll back' : 'You can save drafts; a publisher publishes them';
    }
    ui.signOut.hidden = !signedIn;
    ui.publishState.hidden = !publishing;
    if (!publishing) return;
    ui.live.textContent = publishing.version === 0 ? 'Live: defaults' : `Live: version ${publishing.version}`;
    const count = publishing.drafts.length;
    ui.drafts.textContent = count ? `${plural(count, 'unpublished change')}` : 'No unpublished changes';
    ui.drafts.dataset.count = String(count);
    if (!isPublisher()) {
      ui.publish.disabled = true;
      ui.publish.title = 'Only publishers can publish. Your saved drafts wait for a publisher.';
    } else if (!count) {
      ui.publish.disabled = true;
      ui.publish.title = 'Nothing to publish: save a change first';
    } else {
      ui.publish.disabled = false;
      ui.publish.title = `Make ${plural(count, 'saved draft')} live for customers`;
    }
  };
  onStateChange(render);

  ui.drafts.addEventListener('click', () => hooks.showDrafts());
  ui.signOut.addEventListener('click', () => {
    if (hooks.unsavedWork().length && !confirm('Your changes are not saved. Sign out anyway?')) return;
    void signOut().catch(showError);
  });

  ui.publish.addEventListener('click', () => {
    const publishing = state.publishing;
    if (!publishing) return;
    const next = publishing.version + 1;
    ui.summary.textContent = `${plural(publishing.drafts.length, 'saved change goes', 'saved changes go')} live as version ${next}. Customers get ${publishing.drafts.length === 1 ? 'it' : 'them'} from the next send.`;
    ui.files.replaceChildren(...publishing.drafts.map((path) => el('li', {}, el('code', { textContent: displayPath(path) }))));
    const unsaved = hooks.unsavedWork();
    ui.unsaved.hidden = unsaved.length === 0;
    ui.unsaved.textContent = `Not included, because not saved yet: ${unsaved.join(', ')}. Save first to publish ${unsaved.length === 1 ? 'it' : 'them'}.`;
    ui.note.value = '';
    ui.dialog.showModal();
    ui.note.focus();
  });
  ui.cancel.addEventListener('click', () => ui.dialog.close());

  ui.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    ui.confirm.disabled = true;
    ui.cancel.disabled = true;
    ui.confirm.textContent = 'Publishing…';
    const note = ui.note.value.trim();
    try {
      const result = await call<PublishResponse>('POST', '/api/publish', note ? { note } : {});
      ui.dialog.close();
      if (result.ok) {
        hooks.showPublishProblems([]);
        notify('ok', `Version ${result.version} is live`, result.changed.length ? ` (${plural(result.changed.length, 'file')} changed)` : '', '.');
        await refreshState();
        hooks.published(result.version);
      } else {
        hooks.showPublishProblems(result.problems);
        notify('error', `Not published: ${plural(result.problems.length, 'problem')} to fix first, listed under the editor.`);
      }
    } catch (error) {
      ui.dialog.close();
      if (error instanceof ApiError && error.status === 409) {
        notify('error', `Not published: ${error.message}. The page now shows what is live; review it and publish again.`);
        await refreshState().catch(showError);
        hooks.published();
      } else {
        showError(error);
      }
    } finally {
      ui.confirm.disabled = false;
      ui.cancel.disabled = false;
      ui.confirm.textContent = 'Publish now';
    }
  });

  return { render };
};
