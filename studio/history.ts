/**
 * History: the published versions (and the unpublished drafts), each with its
 * changes as a diff against the version before, a rollback for publishers, and
 * the audit of who saved, published and rolled back what.
 */
import type { AuditEntry, AuditResponse, DiffResponse, RollbackResponse, VersionInfo, VersionsResponse } from './api';
import { $, el, plural, time } from './dom';
import { call } from './http';
import { displayPath, isPublisher, notify, refreshState, showError, state } from './state';

export interface HistoryHooks {
  /** Opens a changed file in its editor (a template, or settings.json). */
  openFile(path: string): void;
  /** After a rollback: the drafts may have changed under the editors. */
  contentChanged(): void;
}

/** What the right-hand side shows: the drafts, a published version, or the defaults (version 0). */
type Selection = { kind: 'drafts' } | { kind: 'version'; version: VersionInfo } | { kind: 'defaults' };

export const setUpHistory = (hooks: HistoryHooks) => {
  const ui = {
    tabVersions: $<HTMLButtonElement>('history-tab-versions'),
    tabAudit: $<HTMLButtonElement>('history-tab-audit'),
    versions: $<HTMLOListElement>('versions'),
    audit: $<HTMLOListElement>('audit'),
    title: $('diff-title'),
    meta: $('diff-meta'),
    rollback: $<HTMLButtonElement>('rollback'),
    diff: $('diff'),
  };

  let versions: VersionsResponse = { published: 0, versions: [] };
  let selected: Selection = { kind: 'drafts' };
  /** Only the newest diff request's answer is shown. */
  let diffSeq = 0;

  const selectTab = (tab: 'versions' | 'audit') => {
    ui.tabVersions.setAttribute('aria-selected', String(tab === 'versions'));
    ui.tabAudit.setAttribute('aria-selected', String(tab === 'audit'));
    ui.versions.hidden = tab !== 'versions';
    ui.audit.hidden = tab !== 'audit';
  };
  ui.tabVersions.addEventListener('click', () => selectTab('versions'));
  ui.tabAudit.addEventListener('click', () => selectTab('audit'));

  const key = (s: Selection) => (s.kind === 'version' ? `v${s.version.version}` : s.kind);

  const fileChips = (paths: string[], max = 3) => {
    const chips = el('span', { className: 'chips' });
    for (const path of paths.slice(0, max)) chips.append(el('code', { className: 'chip', textContent: path }));
    if (paths.length > max) chips.append(el('span', { className: 'chip-more', textContent: `+${paths.length - max} more` }));
    return chips;
  };

  const entry = (selection: Selection, title: HTMLElement, ...details: (string | Node)[]) => {
    const button = el('button', { type: 'button', className: 'version' }, title, ...details);
    button.setAttribute('aria-current', String(key(selection) === key(selected)));
    button.addEventListener('click', () => void select(selection));
    return el('li', {}, button);
  };

  const renderVersions = () => {
    const items: HTMLLIElement[] = [];
    const drafts = state.publishing?.drafts ?? [];
    if (drafts.length) {
      items.push(
        entry({ kind: 'drafts' }, el('span', { className: 'version-title' }, 'Unpublished changes'), el('span', { className: 'version-meta' }, `${plural(drafts.length, 'saved draft')}, not live yet`), fileChips(drafts)),
      );
    }
    for (const version of versions.versions) {
      const title = el('span', { className: 'version-title' }, `Version ${version.version}`);
      if (version.version === versions.published) title.append(el('span', { className: 'badge live-badge', textContent: 'Live' }));
      if (version.rollbackOf !== undefined) title.append(el('span', { className: 'badge', textContent: `Rollback of ${version.rollbackOf || 'defaults'}` }));
      items.push(
        entry(
          { kind: 'version', version },
          title,
          el('span', { className: 'version-meta' }, time(version.publishedAt), ` · ${version.by}`),
          ...(version.note ? [el('span', { className: 'version-note', textContent: version.note })] : []),
          fileChips(version.changed),
        ),
      );
    }
    const defaults = el('span', { className: 'version-title' }, 'Defaults');
    if (versions.published === 0) defaults.append(el('span', { className: 'badge live-badge', textContent: 'Live' }));
    items.push(entry({ kind: 'defaults' }, defaults, el('span', { className: 'version-meta' }, 'Version 0: what the deployment ships')));
    ui.versions.replaceChildren(...items);
  };

  const describe = (item: AuditEntry) => {
    switch (item.action) {
      case 'save':
        return ['saved ', item.path ? el('code', { textContent: displayPath(item.path) }) : 'a draft'];
      case 'remove':
        return ['removed ', item.path ? el('code', { textContent: displayPath(item.path) }) : 'a file'];
      case 'publish':
        return [`published version ${item.version ?? '?'}`];
      case 'rollback':
        return [`rolled back${item.version !== undefined ? ` (version ${item.version})` : ''}`];
    }
  };

  const renderAudit = (entries: AuditEntry[]) => {
    if (!entries.length) {
      ui.audit.replaceChildren(el('li', { className: 'empty', textContent: 'Nothing saved or published yet.' }));
      return;
    }
    ui.audit.replaceChildren(
      ...entries.map((entry) =>
        el(
          'li',
          { className: 'audit-entry', dataset: { action: entry.action } },
          el('span', { className: 'audit-what' }, el('strong', { textContent: entry.by }), ' ', ...describe(entry)),
          ...(entry.note ? [el('span', { className: 'version-note', textContent: entry.note })] : []),
          el('span', { className: 'version-meta' }, time(entry.at)),
        ),
      ),
    );
  };

  // -------------------------------------------------------------------------
  // The diff of the selection

  /** A unified diff as lines with old and new line numbers, added and removed lines marked. */
  const renderPatch = (patch: string) => {
    const table = el('table', { className: 'patch' });
    let oldLine = 0;
    let newLine = 0;
    for (const line of patch.replace(/\n$/, '').split('\n')) {
      let kind: string;
      let oldNo = '';
      let newNo = '';
      const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      if (line.startsWith('---') || line.startsWith('+++') || line.startsWith('Index:') || line.startsWith('====')) continue;
      if (hunk) {
        oldLine = Number(hunk[1]);
        newLine = Number(hunk[2]);
        kind = 'hunk';
      } else if (line.startsWith('+')) {
        kind = 'add';
        newNo = String(newLine++);
      } else if (line.startsWith('-')) {
        kind = 'del';
        oldNo = String(oldLine++);
      } else if (line.startsWith('\\')) {
        kind = 'hunk';
      } else {
        kind = 'context';
        oldNo = String(oldLine++);
        newNo = String(newLine++);
      }
      table.append(
        el(
          'tr',
          { className: `patch-${kind}` },
          el('td', { className: 'patch-no', textContent: oldNo }),
          el('td', { className: 'patch-no', textContent: newNo }),
          el('td', { className: 'patch-mark', textContent: kind === 'add' ? '+' : kind === 'del' ? '−' : '' }),
          el('td', { className: 'patch-text', textContent: kind === 'hunk' ? line : line.slice(1) }),
        ),
      );
    }
    return table;
  };

  const renderFiles = (files: DiffResponse['files']) => {
    if (!files.length) {
      ui.diff.replaceChildren(el('p', { className: 'empty', textContent: 'No differences.' }));
      return;
    }
    ui.diff.replaceChildren(
      ...files.map((file) => {
        const lines = file.patch.split('\n');
        const added = lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
        const removed = lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length;
        const open = el('button', { type: 'button', className: 'link', textContent: 'Open' });
        open.addEventListener('click', () => hooks.openFile(file.path));
        return el(
          'section',
          { className: 'diff-file' },
          el(
            'header',
            {},
            el('code', { textContent: displayPath(file.path) }),
            el('span', { className: 'diff-count' }, el('span', { className: 'added', textContent: `+${added}` }), ' ', el('span', { className: 'removed', textContent: `−${removed}` })),
            open,
          ),
          renderPatch(file.patch),
        );
      }),
    );
  };

  const select = async (selection: Selection) => {
    selected = selection;
    renderVersions();
    const seq = ++diffSeq;
    const published = versions.published;
    ui.rollback.hidden = true;
    let query: string | undefined;
    switch (selection.kind) {
      case 'drafts':
        ui.title.textContent = 'Unpublished changes';
        ui.meta.textContent = published === 0 ? 'Saved drafts against the defaults, which are live.' : `Saved drafts against version ${published}, which is live.`;
        query = `from=${published}`;
        break;
      case 'defaults':
        ui.title.textContent = 'Defaults';
        ui.meta.textContent = 'Version 0: the templates and campaign settings the deployment ships, where the history starts.';
        break;
      case 'version': {
        const { version, publishedAt, by, note, rollbackOf, changed } = selection.version;
        ui.title.textContent = `Version ${version}${version === published ? ' (live)' : ''}`;
        ui.meta.replaceChildren(
          'Published ',
          time(publishedAt),
          ` by ${by}`,
          rollbackOf !== undefined ? `, a rollback of ${rollbackOf === 0 ? 'the defaults' : `version ${rollbackOf}`}` : '',
          `. ${plural(changed.length, 'file')} changed against ${version === 1 ? 'the defaults' : `version ${version - 1}`}.`,
          ...(note ? [el('span', { className: 'version-note', textContent: note })] : []),
        );
        query = `from=${version - 1}&to=${version}`;
        break;
      }
    }
    const target = selection.kind === 'version' ? selection.version.version : selection.kind === 'defaults' ? 0 : undefined;
    if (target !== undefined && target !== published) {
      ui.rollback.hidden = false;
      ui.rollback.textContent = target === 0 ? 'Roll back to the defaults' : 'Roll back to this version';
      ui.rollback.disabled = !isPublisher();
      ui.rollback.title = isPublisher()
        ? `Make ${target === 0 ? 'the defaults' : `version ${target}`} live again, as a new version`
        : 'Only publishers can roll back';
    }
    if (query === undefined) {
      ui.diff.replaceChildren();
      return;
    }
    ui.diff.replaceChildren(el('p', { className: 'empty', textContent: 'Loading…' }));
    try {
      const diff = await call<DiffResponse>('GET', `/api/diff?${query}`);
      if (seq === diffSeq) renderFiles(diff.files);
    } catch (error) {
      if (seq === diffSeq) ui.diff.replaceChildren(el('p', { className: 'empty error', textContent: error instanceof Error ? error.message : String(error) }));
    }
  };

  ui.rollback.addEventListener('click', async () => {
    const target = selected.kind === 'version' ? selected.version.version : selected.kind === 'defaults' ? 0 : undefined;
    if (target === undefined || !isPublisher()) return;
    const name = target === 0 ? 'the defaults' : `version ${target}`;
    if (!confirm(`Roll back to ${name}?\n\nIts templates and campaign settings go live again, as a new version, from the next send. The history keeps every version.`)) return;
    ui.rollback.disabled = true;
    try {
      const result = await call<RollbackResponse>('POST', '/api/rollback', { version: target });
      notify('ok', `Version ${result.version} is live: a rollback to ${result.rollbackOf === 0 ? 'the defaults' : `version ${result.rollbackOf}`}.`);
      await refreshState();
      hooks.contentChanged();
      // The new version, whose changes are the rollback's.
      selected = { kind: 'defaults' };
      await load(result.version);
    } catch (error) {
      showError(error);
    } finally {
      ui.rollback.disabled = !isPublisher();
    }
  });

  /** Reads versions and audit afresh; keeps the selection when it still exists. */
  const load = async (show?: number) => {
    const [list, audit] = await Promise.all([call<VersionsResponse>('GET', '/api/versions'), call<AuditResponse>('GET', '/api/audit')]);
    versions = list;
    renderAudit(audit.entries);
    const drafts = state.publishing?.drafts.length ?? 0;
    const wanted = show === undefined ? undefined : versions.versions.find((v) => v.version === show);
    if (wanted) selected = { kind: 'version', version: wanted };
    const was = selected;
    const same = was.kind === 'version' ? versions.versions.find((v) => v.version === was.version.version) : undefined;
    if (same) selected = { kind: 'version', version: same };
    else if (selected.kind === 'drafts' && !drafts) {
      const live = versions.versions.find((v) => v.version === versions.published);
      selected = live ? { kind: 'version', version: live } : { kind: 'defaults' };
    } else if (selected.kind === 'version') selected = { kind: 'defaults' };
    await select(selected);
  };

  return {
    load,
    /** Opens on the unpublished changes (or the live version when there are none). */
    showDrafts: async () => {
      selected = { kind: 'drafts' };
      selectTab('versions');
      await load();
    },
  };
};
