/**
 * The studio page: pick a template, edit it, watch it render, save it, send a test.
 * With publishing (a deployed studio, or `npm start`), saves are drafts, and two
 * more views open: campaign settings (settings.ts) and history (history.ts);
 * the top bar shows what is live and publishes (publishing.ts).
 * Plain DOM: a few screens and a handful of controls.
 */
import type { Catalog, Draft, PreviewResponse, Problem, SaveResponse, SendResponse, TemplateFile, TemplateRef } from './api';
import { $, el, plural } from './dom';
import { createEditor } from './editor';
import { setUpHistory } from './history';
import { call } from './http';
import { setUpPublishing } from './publishing';
import { setUpSettings } from './settings';
import { displayPath, hideNotice, isDraft, notify, onStateChange, refreshState, setState, showError, state } from './state';

const previewDelayMs = 300;
/** The checker's limit: longer subjects are cut off by most inboxes. */
const subjectLimit = 100;

const ui = {
  set: $<HTMLSelectElement>('set'),
  locale: $<HTMLSelectElement>('locale'),
  variant: $<HTMLSelectElement>('variant'),
  variantPicker: $('variant-picker'),
  sample: $<HTMLSelectElement>('sample'),
  subject: $<HTMLInputElement>('subject'),
  subjectCount: $('subject-count'),
  preheader: $<HTMLInputElement>('preheader'),
  fileName: $('file-name'),
  saveState: $('save-state'),
  save: $<HTMLButtonElement>('save'),
  sendForm: $<HTMLFormElement>('send-form'),
  to: $<HTMLInputElement>('to'),
  send: $<HTMLButtonElement>('send'),
  notice: $('notice'),
  problems: $<HTMLUListElement>('problems'),
  problemsTitle: $('problems-title'),
  renderState: $('render-state'),
  inboxAvatar: $('inbox-avatar'),
  inboxFrom: $('inbox-from'),
  inboxSubject: $('inbox-subject'),
  inboxPreheader: $('inbox-preheader'),
  tabVisual: $<HTMLButtonElement>('tab-visual'),
  tabText: $<HTMLButtonElement>('tab-text'),
  visual: $('visual'),
  text: $('text'),
  frames: [$<HTMLIFrameElement>('desktop-frame'), $<HTMLIFrameElement>('mobile-frame')],
  fieldProblem: { subject: $('subject-problem'), preheader: $('preheader-problem') },
  viewNav: $('views'),
  views: { templates: $('view-templates'), settings: $('view-settings'), history: $('view-history') },
};

// ---------------------------------------------------------------------------
// State

let catalog: Catalog;
let current: TemplateFile | undefined;
/** The edited text as last loaded or saved, to tell whether there are unsaved changes. */
let savedDraft = '';
let previewTimer: ReturnType<typeof setTimeout> | undefined;
/** Only the newest preview's answer is shown; an older one arriving late is dropped. */
let previewSeq = 0;
/** What stopped the last publish (each naming its file), listed under the current file's own problems. */
let publishProblems: Problem[] = [];
/** The current file's own problems, as the last preview or save found them. */
let checkProblems: Problem[] = [];

const editor = createEditor($('editor'), () => changed());

const ref = (): TemplateRef => ({ set: ui.set.value, locale: ui.locale.value, ...(ui.variant.value && { variant: ui.variant.value }) });
/** The loaded file with the marketer's text: what is previewed, saved and sent. */
const draft = (): Draft => ({
  set: current!.set,
  locale: current!.locale,
  ...(current!.variant && { variant: current!.variant }),
  subject: ui.subject.value,
  preheader: ui.preheader.value,
  body: editor.text,
});
/** The text the marketer edits (not which file: the pickers may already name the next one). */
const edited = () => JSON.stringify([ui.subject.value, ui.preheader.value, editor.text]);
const isDirty = () => current !== undefined && edited() !== savedDraft;

const changed = () => {
  renderSaveState();
  schedulePreview();
};

const renderSaveState = () => {
  const dirty = isDirty();
  // With publishing, a saved file is a draft until published.
  const draftState = !state.publishing ? 'saved' : current && isDraft(current.file) ? 'draft' : 'live';
  ui.saveState.textContent = dirty ? 'Unsaved changes' : { saved: 'Saved', draft: 'Draft, not live', live: 'Published' }[draftState];
  ui.saveState.dataset.state = dirty ? 'dirty' : draftState === 'draft' ? 'draft' : 'saved';
  if (currentView === 'templates') document.title = `${dirty ? '• ' : ''}${current?.file ?? ''} · Email studio`;
};

// ---------------------------------------------------------------------------
// Pickers

const option = (value: string, label: string) => Object.assign(document.createElement('option'), { value, textContent: label });

const fillSets = () => {
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const set of catalog.sets) {
    let group = groups.get(set.group);
    if (!group) {
      group = Object.assign(document.createElement('optgroup'), { label: set.group });
      groups.set(set.group, group);
      ui.set.append(group);
    }
    group.append(option(set.name, set.label));
  }
};

const fillLocales = (preferred?: string) => {
  const set = catalog.sets.find((s) => s.name === ui.set.value);
  const previous = preferred ?? ui.locale.value;
  ui.locale.replaceChildren(...(set?.locales ?? []).map((l) => option(l.locale, l.label)));
  if (set?.locales.some((l) => l.locale === previous)) ui.locale.value = previous;
  else if (set?.locales.some((l) => l.locale === 'en')) ui.locale.value = 'en';
};

const fillVariants = (preferred?: string) => {
  const variants = catalog.sets.find((s) => s.name === ui.set.value)?.locales.find((l) => l.locale === ui.locale.value)?.variants ?? [];
  ui.variant.replaceChildren(option('', 'Main version'), ...variants.map((v) => option(v, `Variant ${v}`)));
  ui.variant.value = preferred && variants.includes(preferred) ? preferred : '';
  ui.variantPicker.hidden = variants.length === 0;
};

/** A sample customer who reads the template's language, so the preview reads as a customer would see it. */
const matchSample = () => {
  const reader = catalog.samples.find((s) => s.locale.split('-')[0]!.toLowerCase() === ui.locale.value.toLowerCase());
  if (reader) ui.sample.value = reader.id;
};

/** `#birthday/ms` or `#winback-1/en/b`: a template can be bookmarked and linked. */
const fromHash = () => {
  const [set, locale, variant] = decodeURIComponent(location.hash.slice(1)).split('/');
  return { set, locale, variant };
};
const toHash = (r: TemplateRef) => `#${[r.set, r.locale, r.variant].filter(Boolean).join('/')}`;

// ---------------------------------------------------------------------------
// Loading a template

/** Pickers can change faster than files load: only the newest load is shown. */
let openSeq = 0;

/** Loads the picked template; `reread` (after a rollback) keeps the notice that says why. */
const open = async ({ reread = false } = {}) => {
  const seq = ++openSeq;
  const wanted = ref();
  const file = await call<TemplateFile>('GET', `/api/template?${new URLSearchParams(Object.entries(wanted))}`);
  if (seq !== openSeq) return;
  current = file;
  if (!reread) hideNotice();
  ui.subject.value = file.subject;
  ui.preheader.value = file.preheader;
  editor.load(file.body);
  savedDraft = edited();
  ui.fileName.textContent = `templates/${file.file}`;
  if (currentView === 'templates') history.replaceState(null, '', toHash(wanted));
  renderSaveState();
  await preview();
};

/** A picker changed: keep the marketer's unsaved work unless they say otherwise. */
const switchTemplate = async (revert: () => void) => {
  if (isDirty() && !confirm(`Your changes to ${current?.file} are not saved. Discard them?`)) {
    revert();
    return;
  }
  await open().catch(showError);
};

/** `birthday/ms.mjml`, `winback-1/en.b.mjml` (the paths in drafts, diffs and problems) → which template. */
const templateOf = (path: string): TemplateRef | undefined => {
  const match = /^(?:templates\/)?([a-z0-9][a-z0-9-]*)\/([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8}){0,3})(?:\.([a-z0-9][a-z0-9-]*))?\.mjml$/.exec(path);
  if (!match) return undefined;
  const [, set, locale, variant] = match;
  return { set: set!, locale: locale!, ...(variant && { variant }) };
};

/** Opens a file named by a problem, a diff or the history: a template in the editor, or the settings. */
const openFile = async (path: string, at?: Pick<Problem, 'field' | 'line' | 'column'>) => {
  if (path === 'settings.json') {
    showView('settings');
    return;
  }
  const wanted = templateOf(path);
  if (!wanted || !catalog.sets.find((s) => s.name === wanted.set)?.locales.some((l) => l.locale === wanted.locale)) {
    notify('error', `The studio cannot open ${displayPath(path)} yet.`);
    return;
  }
  showView('templates');
  const isCurrent = current && current.set === wanted.set && current.locale === wanted.locale && (current.variant ?? '') === (wanted.variant ?? '');
  if (!isCurrent) {
    ui.set.value = wanted.set;
    fillLocales(wanted.locale);
    fillVariants(wanted.variant);
    matchSample();
    await switchTemplate(revertPick);
    rememberPick();
  }
  if (at?.field === 'subject') ui.subject.focus();
  else if (at?.field === 'preheader') ui.preheader.focus();
  else if (at?.field === 'body' && at.line) editor.reveal(at.line, at.column);
};

let lastPick = { set: '', locale: '', variant: '' };
const rememberPick = () => (lastPick = { set: ui.set.value, locale: ui.locale.value, variant: ui.variant.value });
const revertPick = () => {
  ui.set.value = lastPick.set;
  fillLocales(lastPick.locale);
  fillVariants(lastPick.variant);
};

ui.set.addEventListener('change', () => {
  fillLocales();
  fillVariants();
  matchSample();
  void switchTemplate(revertPick).then(rememberPick);
});
ui.locale.addEventListener('change', () => {
  fillVariants(ui.variant.value);
  matchSample();
  void switchTemplate(revertPick).then(rememberPick);
});
ui.variant.addEventListener('change', () => void switchTemplate(revertPick).then(rememberPick));
ui.sample.addEventListener('change', () => void preview());
ui.subject.addEventListener('input', changed);
ui.preheader.addEventListener('input', changed);

// ---------------------------------------------------------------------------
// Live preview

const schedulePreview = () => {
  clearTimeout(previewTimer);
  ui.renderState.textContent = 'Updating…';
  previewTimer = setTimeout(() => void preview(), previewDelayMs);
};

const preview = async () => {
  clearTimeout(previewTimer);
  if (!current) return;
  const seq = ++previewSeq;
  ui.renderState.textContent = 'Updating…';
  try {
    const result = await call<PreviewResponse>('POST', '/api/preview', { ...draft(), sample: ui.sample.value });
    if (seq !== previewSeq) return;
    showProblems(result.problems);
    // The last good render stays, dimmed, while the text does not render.
    ui.visual.dataset.stale = String(!result.ok);
    if (result.ok) {
      showEmail(result);
      ui.renderState.textContent = '';
    } else {
      ui.renderState.textContent = 'Preview paused: fix the problems on the left';
    }
    ui.renderState.dataset.state = result.ok ? 'ok' : 'error';
  } catch (error) {
    if (seq === previewSeq) showError(error);
  }
};

const showEmail = (email: Extract<PreviewResponse, { ok: true }>) => {
  ui.inboxSubject.textContent = email.subject;
  ui.inboxPreheader.textContent = email.preheader;
  const length = [...email.subject].length;
  ui.subjectCount.textContent = `${length} / ${subjectLimit} characters with this customer`;
  ui.subjectCount.classList.toggle('over', length > subjectLimit);
  ui.text.textContent = email.text;
  // Links open in a new tab, not inside the preview.
  const html = email.html.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">');
  for (const frame of ui.frames) frame.srcdoc = html;
};

// Each preview is as tall as its email, so the column scrolls, not the frames.
for (const frame of ui.frames) {
  frame.addEventListener('load', () => {
    const doc = frame.contentDocument;
    if (doc?.documentElement) frame.style.height = `${doc.documentElement.scrollHeight}px`;
  });
}

const selectTab = (tab: 'visual' | 'text') => {
  ui.tabVisual.setAttribute('aria-selected', String(tab === 'visual'));
  ui.tabText.setAttribute('aria-selected', String(tab === 'text'));
  ui.visual.hidden = tab !== 'visual';
  ui.text.hidden = tab !== 'text';
};
ui.tabVisual.addEventListener('click', () => selectTab('visual'));
ui.tabText.addEventListener('click', () => selectTab('text'));

// ---------------------------------------------------------------------------
// Problems: a list under the editor, marks in the editor, red fields

const where = (problem: Problem) => {
  switch (problem.field) {
    case 'subject':
    case 'preheader': {
      const name = problem.field === 'subject' ? 'Subject' : 'Preheader';
      return problem.column ? `${name}, column ${problem.column}` : name;
    }
    case 'body':
      return problem.line ? `Line ${problem.line}${problem.column ? `:${problem.column}` : ''}` : 'Email body';
    case 'file':
      return 'Template file';
  }
};

/**
 * A message that names its file, as publishing's do: `birthday/ms.mjml:12:8 unknown variable …`
 * (the checker's, lines of the whole file) or `settings.json: birthday.percentOff: …`.
 */
const fileOf = (problem: Problem) => {
  const match = /^((?:templates\/)?(?:[\w.-]+\/)*[\w.-]+\.(?:mjml|liquid|json))(?::(\d+)(?::(\d+))?)?(?::\s*|\s+)(.*)$/s.exec(problem.message);
  if (!match) return { file: undefined, message: problem.message };
  const [, file, line, column, message] = match;
  return { file: file!.replace(/^templates\//, ''), line: line && `line ${line}${column ? `:${column}` : ''}`, message: message! };
};

const problemButton = (label: string, message: string, onClick: () => void, stacked = false) => {
  const button = el('button', { type: 'button', className: `problem${stacked ? ' stacked' : ''}` }, el('span', { className: 'problem-where', textContent: label }), message);
  button.addEventListener('click', onClick);
  return el('li', {}, button);
};

const publishProblemItem = (problem: Problem) => {
  const { file, line, message } = fileOf(problem);
  const place = line ?? (problem.field === 'file' ? '' : where(problem).toLowerCase());
  return problemButton(
    file ? [displayPath(file), place].filter(Boolean).join(', ') : where(problem),
    message,
    // The file opens, and its own check places the problem in the editor (the lines here count the front matter).
    () => {
      if (file) void openFile(file, problem.field === 'file' ? undefined : problem);
    },
    true,
  );
};

/** Publishing stopped: its problems stay under the editor until they are fixed and saved, or a publish succeeds. */
const showPublishProblems = (problems: Problem[]) => {
  publishProblems = problems;
  if (problems.length) showView('templates');
  showProblems(checkProblems);
};

const showProblems = (problems: Problem[]) => {
  checkProblems = problems;
  editor.showProblems(problems);
  for (const field of ['subject', 'preheader'] as const) {
    const mine = problems.filter((p) => p.field === field);
    const input = field === 'subject' ? ui.subject : ui.preheader;
    input.setAttribute('aria-invalid', String(mine.length > 0));
    ui.fieldProblem[field].hidden = mine.length === 0;
    ui.fieldProblem[field].textContent = mine.map((p) => p.message).join(' · ');
  }
  ui.problemsTitle.textContent = problems.length
    ? `${plural(problems.length, 'problem')} to fix before saving`
    : publishProblems.length
      ? `${plural(publishProblems.length, 'problem')} to fix before publishing`
      : 'Checks';
  ui.problemsTitle.dataset.state = problems.length || publishProblems.length ? 'error' : 'ok';
  const own = problems.length
    ? problems.map((problem) =>
        problemButton(where(problem), problem.message, () => {
          if (problem.field === 'subject') ui.subject.focus();
          else if (problem.field === 'preheader') ui.preheader.focus();
          else if (problem.line) editor.reveal(problem.line, problem.column);
        }),
      )
    : [el('li', { className: 'all-good', textContent: state.publishing ? 'No problems found in this file. Ready to save.' : 'No problems found. Ready to save.' })];
  const publishing = publishProblems.length
    ? [el('li', { className: 'problems-group', textContent: 'Publishing stopped by:' }), ...publishProblems.map(publishProblemItem)]
    : [];
  ui.problems.replaceChildren(...own, ...publishing);
};

// ---------------------------------------------------------------------------
// Save and send

const save = async () => {
  if (!current) return;
  ui.save.disabled = true;
  try {
    const sent = draft();
    const text = edited();
    const result = await call<SaveResponse>('PUT', '/api/template', sent);
    if (result.ok) {
      savedDraft = text;
      const path = el('code', { textContent: `templates/${result.file}` });
      if (state.publishing) {
        // A draft: the publish problems of this file were about its old text.
        publishProblems = publishProblems.filter((problem) => fileOf(problem).file !== result.file);
        showProblems(checkProblems);
        notify('ok', 'Draft saved to ', path, ': customers get it once it is published.');
        await refreshState();
      } else {
        notify('ok', 'Saved to ', path);
      }
      renderSaveState();
    } else {
      showProblems(result.problems);
      notify('error', 'Not saved: fix the problems listed under the editor first.');
    }
  } catch (error) {
    showError(error);
  } finally {
    ui.save.disabled = false;
  }
};

ui.save.addEventListener('click', () => void save());
document.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
    event.preventDefault();
    if (currentView === 'templates') void save();
    else if (currentView === 'settings') void settings.save();
  }
});
window.addEventListener('beforeunload', (event) => {
  if (isDirty() || settings.isDirty()) event.preventDefault();
});

ui.sendForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!current) return;
  ui.send.disabled = true;
  ui.send.textContent = 'Sending…';
  try {
    const result = await call<SendResponse>('POST', '/api/send', { ...draft(), sample: ui.sample.value, to: ui.to.value });
    if (result.ok) {
      const link = Object.assign(document.createElement('a'), { href: result.inboxUrl, target: '_blank', rel: 'noopener', textContent: result.inboxUrl });
      notify('ok', `Sent to ${result.to}, see the inbox at `, link);
    } else {
      showProblems(result.problems);
      notify('error', 'Not sent: fix the problems listed under the editor first.');
    }
  } catch (error) {
    showError(error);
  } finally {
    ui.send.disabled = false;
    ui.send.textContent = 'Send test email';
  }
});

// ---------------------------------------------------------------------------
// Views: templates, campaign settings, history (the last two only with publishing)

type View = keyof typeof ui.views;
let currentView: View = 'templates';

const settings = setUpSettings();
const historyView = setUpHistory({
  openFile: (path) => void openFile(path),
  contentChanged: () => {
    // A rollback may have replaced the drafts: reread what nobody is editing.
    if (!isDirty()) void open({ reread: true }).catch(showError);
    void settings.load().catch(showError);
  },
});
setUpPublishing({
  unsavedWork: () => [...(isDirty() ? [`templates/${current!.file}`] : []), ...(settings.isDirty() ? ['settings.json'] : [])],
  showPublishProblems,
  showDrafts: () => {
    showView('history', false);
    void historyView.showDrafts().catch(showError);
  },
  published: (version) => {
    if (currentView === 'history') void historyView.load(version).catch(showError);
  },
});

const viewTitles: Record<View, string> = { templates: 'Templates', settings: 'Campaign settings', history: 'History' };

const showView = (view: View, load = true) => {
  if (view !== 'templates' && !state.publishing) view = 'templates';
  currentView = view;
  for (const [name, element] of Object.entries(ui.views)) element.hidden = name !== view;
  for (const tab of ui.viewNav.querySelectorAll<HTMLButtonElement>('button[data-view]')) {
    if (tab.dataset.view === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
  if (view === 'templates') {
    if (current) history.replaceState(null, '', toHash(current));
    renderSaveState();
    return;
  }
  history.replaceState(null, '', `#${view}`);
  document.title = `${viewTitles[view]} · Email studio`;
  if (!load) return;
  if (view === 'settings') void settings.load().catch(showError);
  else void historyView.load().catch(showError);
};

for (const tab of ui.viewNav.querySelectorAll<HTMLButtonElement>('button[data-view]')) {
  tab.addEventListener('click', () => showView(tab.dataset.view as View));
}

onStateChange(() => {
  ui.viewNav.hidden = !state.publishing;
  ui.save.textContent = state.publishing ? 'Save draft' : 'Save';
  ui.save.title = state.publishing ? 'Save a draft (Ctrl+S): customers get it once it is published' : 'Save to the template file (Ctrl+S)';
  ui.send.title = state.publishing ? 'Sends this text to the address, with [TEST] before the subject; not counted as a campaign send' : '';
  renderSaveState();
  settings.renderState();
});

// ---------------------------------------------------------------------------
// Start

const start = async () => {
  catalog = await call<Catalog>('GET', '/api/catalog');
  setState(catalog);
  fillSets();
  ui.sample.replaceChildren(...catalog.samples.map((s) => option(s.id, s.label)));
  ui.to.value = catalog.testAddress;
  ui.inboxFrom.textContent = catalog.from.name;
  ui.inboxAvatar.textContent = catalog.from.name.trim().charAt(0).toUpperCase();

  const wanted = fromHash();
  const startView = state.publishing && (wanted.set === 'settings' || wanted.set === 'history') ? wanted.set : 'templates';
  if (wanted.set && catalog.sets.some((s) => s.name === wanted.set)) ui.set.value = wanted.set;
  fillLocales(wanted.locale);
  fillVariants(wanted.variant);
  matchSample();
  rememberPick();
  if (startView !== 'templates') showView(startView);
  await open();
  document.body.dataset.ready = 'true';
};

start().catch(showError);
