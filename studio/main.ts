/**
 * The studio page: pick a template, edit it (as code, or visually: visual.ts),
 * watch it render, save it, send a test; add a language or an A/B variant;
 * edit the shared header and footer.
 * With publishing (a deployed studio, or `npm start`), saves are drafts, and two
 * more views open: campaign settings (settings.ts) and history (history.ts);
 * the top bar shows what is live and publishes (publishing.ts).
 * Plain DOM: a few screens and a handful of controls.
 */
import type {
  Catalog,
  CopyRequest,
  CopyResponse,
  Draft,
  PartialFile,
  PartialSaveResponse,
  PreviewResponse,
  Problem,
  SaveResponse,
  SendResponse,
  TemplateFile,
  TemplateRef,
  VariablesResponse,
} from './api';
import { attachSuggestions, type Variable } from './completion';
import { $, el, plural } from './dom';
import { createEditor } from './editor';
import { setUpHistory } from './history';
import { ApiError, call } from './http';
import { setUpPublishing } from './publishing';
import { setUpSettings } from './settings';
import { displayPath, hideNotice, isDraft, notify, onStateChange, refreshState, setState, showError, state } from './state';
import type { VisualEditor } from './visual';

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
  layout: $('view-templates').querySelector<HTMLElement>('.layout')!,
  editor: $('editor'),
  editorTitle: $('editor-title'),
  editorHint: $('editor-hint'),
  templateFields: $('template-fields'),
  modeSwitch: $('mode-switch'),
  modeVisual: $<HTMLButtonElement>('mode-visual'),
  modeCode: $<HTMLButtonElement>('mode-code'),
  visualEditor: $('visual-editor'),
  newLocale: $<HTMLButtonElement>('new-locale'),
  newVariant: $<HTMLButtonElement>('new-variant'),
  partials: $('partials'),
  partialBar: $('partial-bar'),
  partialTitle: $('partial-title'),
  partialClose: $<HTMLButtonElement>('partial-close'),
  copy: {
    dialog: $<HTMLDialogElement>('copy-dialog'),
    form: $<HTMLFormElement>('copy-form'),
    title: $('copy-dialog-title'),
    summary: $('copy-summary'),
    localeField: $('copy-locale-field'),
    locale: $<HTMLInputElement>('copy-locale'),
    variantField: $('copy-variant-field'),
    variant: $<HTMLInputElement>('copy-variant'),
    from: $<HTMLSelectElement>('copy-from'),
    problem: $('copy-problem'),
    cancel: $<HTMLButtonElement>('copy-cancel'),
    confirm: $<HTMLButtonElement>('copy-confirm'),
  },
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

const editor = createEditor(ui.editor, () => changed());

/** A shared partial open in the code editor instead of the template's body (which waits in `stash`). */
interface OpenPartial {
  name: string;
  file: string;
  /** Its text as last loaded or saved. */
  saved: string;
  /** The template's body while the partial is open: still what is previewed, saved and sent. */
  stash: string;
}
let partial: OpenPartial | undefined;
const partialDirty = () => partial !== undefined && editor.text !== partial.saved;
/** The template's body: in the code editor, or waiting while a partial is open there. */
const bodyText = () => partial?.stash ?? editor.text;

const ref = (): TemplateRef => ({ set: ui.set.value, locale: ui.locale.value, ...(ui.variant.value && { variant: ui.variant.value }) });
/** The loaded file with the marketer's text: what is previewed, saved and sent. */
const draft = (): Draft => ({
  set: current!.set,
  locale: current!.locale,
  ...(current!.variant && { variant: current!.variant }),
  subject: ui.subject.value,
  preheader: ui.preheader.value,
  body: bodyText(),
});
/** The text the marketer edits (not which file: the pickers may already name the next one). */
const edited = () => JSON.stringify([ui.subject.value, ui.preheader.value, bodyText()]);
const isDirty = () => current !== undefined && edited() !== savedDraft;

const changed = () => {
  renderSaveState();
  // A partial is previewed once saved: the preview renders the template with the saved partials.
  if (!partial) schedulePreview();
};

const renderSaveState = () => {
  if (partial) {
    const dirty = partialDirty();
    const draftState = !state.publishing ? 'saved' : isDraft(partial.file) ? 'draft' : 'live';
    ui.saveState.textContent = dirty ? 'Unsaved changes' : { saved: 'Saved', draft: 'Draft, not live', live: 'Published' }[draftState];
    ui.saveState.dataset.state = dirty ? 'dirty' : draftState === 'draft' ? 'draft' : 'saved';
    if (currentView === 'templates') document.title = `${dirty ? '• ' : ''}${partial.file} · Email studio`;
    return;
  }
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
  // With a partial open, the template waits for it to close.
  if (partial) partial.stash = file.body;
  else editor.load(file.body);
  savedDraft = edited();
  ui.fileName.textContent = `templates/${file.file}`;
  if (currentView === 'templates') history.replaceState(null, '', toHash(wanted));
  renderSaveState();
  void loadVariables(file);
  if (mode === 'visual' && !partial) await loadVisual();
  await preview();
};

/** A picker changed: keep the marketer's unsaved work unless they say otherwise. */
const switchTemplate = async (revert: () => void) => {
  if (!closePartial()) {
    revert();
    return;
  }
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
  const partialName = /^(?:templates\/)?partials\/([a-z0-9][a-z0-9-]*)\.liquid$/.exec(path)?.[1];
  if (partialName && catalog.partials.includes(partialName)) {
    showView('templates');
    await openPartial(partialName).catch(showError);
    return;
  }
  const wanted = templateOf(path);
  if (!wanted || !catalog.sets.find((s) => s.name === wanted.set)?.locales.some((l) => l.locale === wanted.locale)) {
    notify('error', `The studio cannot open ${displayPath(path)} yet.`);
    return;
  }
  showView('templates');
  const isCurrent = current && current.set === wanted.set && current.locale === wanted.locale && (current.variant ?? '') === (wanted.variant ?? '');
  if (isCurrent && !closePartial()) return;
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
  else if (at?.field === 'body' && at.line) await revealInCode(at.line, at.column);
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
// Variables at the cursor: after {{ or {% in the body, the subject and the preheader

/** Per set and language: the same for every template of them. */
const variablesCache = new Map<string, Variable[]>();
let variables: Variable[] = [];

const loadVariables = async (ref: TemplateRef) => {
  const key = `${ref.set}/${ref.locale}`;
  let list = variablesCache.get(key);
  if (!list) {
    try {
      list = (await call<VariablesResponse>('GET', `/api/variables?${new URLSearchParams({ set: ref.set, locale: ref.locale })}`)).variables;
    } catch {
      // Without the list the fields and the editor work as before; the checks still name a misspelt variable.
      return;
    }
    variablesCache.set(key, list);
  }
  if (current?.set !== ref.set || current.locale !== ref.locale) return;
  variables = list;
  editor.setVariables(list);
};

attachSuggestions(ui.subject, () => variables, changed);
attachSuggestions(ui.preheader, () => variables, changed);

// ---------------------------------------------------------------------------
// Visual mode: GrapesJS (visual.ts, loaded on first use) edits the body; each
// change it makes is put in the code editor, so the draft, preview, checks
// and save read the body where they always did.

type Mode = 'code' | 'visual';
let mode: Mode = 'code';
let visual: VisualEditor | undefined;
let visualModule: Promise<typeof import('./visual')> | undefined;

const renderMode = () => {
  ui.modeVisual.setAttribute('aria-pressed', String(mode === 'visual'));
  ui.modeCode.setAttribute('aria-pressed', String(mode === 'code'));
  ui.editor.hidden = mode === 'visual';
  ui.visualEditor.hidden = mode === 'code';
  ui.layout.dataset.mode = mode;
  ui.editorHint.replaceChildren(
    ...(mode === 'visual'
      ? ['click a text to change it; select a block for its colours, a button or an image for its link']
      : ['MJML layout, with ', el('code', { textContent: '{{ customer.firstName }}' }), '-style variables: type ', el('code', { textContent: '{{' }), ' for the list']),
  );
};

/** The visual editor's body, into the code editor (one edit there, undoable in Code). */
const syncFromVisual = () => {
  if (mode === 'visual' && visual && !partial) editor.replace(visual.text());
};

/** The shared partials' texts, so the canvas shows the real header and footer. */
let partialTexts: Promise<Record<string, string>> | undefined;
const loadPartialTexts = () =>
  (partialTexts ??= Promise.all(
    catalog.partials.map(async (name) => [name, (await call<PartialFile>('GET', `/api/partial?name=${encodeURIComponent(name)}`)).text] as const),
  )
    .then(Object.fromEntries)
    .catch(() => ({})));

const loadVisual = async () => {
  const { createVisualEditor, VisualUnavailable } = await (visualModule ??= import('./visual'));
  visual ??= createVisualEditor(ui.visualEditor, syncFromVisual);
  const partials = await loadPartialTexts();
  try {
    visual.load(editor.text, { partials });
  } catch (error) {
    mode = 'code';
    renderMode();
    if (error instanceof VisualUnavailable) notify('error', error.message);
    else throw error;
  }
};

const showVisual = async () => {
  if (mode === 'visual' || !current || partial) return;
  mode = 'visual';
  // Shown first: GrapesJS measures its container.
  renderMode();
  ui.modeVisual.disabled = true;
  try {
    await loadVisual();
  } catch (error) {
    mode = 'code';
    renderMode();
    showError(error);
  } finally {
    ui.modeVisual.disabled = false;
  }
};

/** Ends typing in the canvas and takes the visual editor's last changes. */
const flushVisual = async () => {
  if (mode !== 'visual' || !visual) return;
  await visual.flush();
  syncFromVisual();
};

const showCode = async () => {
  if (mode === 'code') return;
  await flushVisual();
  mode = 'code';
  renderMode();
};

const revealInCode = async (line: number, column?: number) => {
  if (!closePartial()) return;
  await showCode();
  editor.reveal(line, column);
};

ui.modeVisual.addEventListener('click', () => void showVisual());
ui.modeCode.addEventListener('click', () => void showCode().catch(showError));

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
  // The body's marks, not in a partial that is open in its place.
  editor.showProblems(partial ? [] : problems);
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
        // A partial's problems name the template each was found in.
        problem.field === 'file' && fileOf(problem).file
          ? publishProblemItem(problem)
          : problemButton(where(problem), problem.message, () => {
              if (problem.field === 'subject') ui.subject.focus();
              else if (problem.field === 'preheader') ui.preheader.focus();
              else if (problem.line) void revealInCode(problem.line, problem.column);
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
  if (partial) return savePartial();
  if (!current) return;
  ui.save.disabled = true;
  try {
    await flushVisual();
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
  if (isDirty() || partialDirty() || settings.isDirty()) event.preventDefault();
});

ui.sendForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!current) return;
  ui.send.disabled = true;
  ui.send.textContent = 'Sending…';
  try {
    await flushVisual();
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
// The shared partials (header, footer): edited in the code editor in the template's place

const partialLabel = (name: string) => name.charAt(0).toUpperCase() + name.slice(1).replace(/-/g, ' ');

const fillPartials = () => {
  ui.partials.hidden = catalog.partials.length === 0;
  ui.partials.replaceChildren(
    el('span', { className: 'partials-label', textContent: 'Shared in every email:' }),
    ...catalog.partials.map((name) => {
      const button = el('button', { type: 'button', className: 'link', id: `partial-${name}`, textContent: partialLabel(name), title: `Edit templates/partials/${name}.liquid` });
      button.addEventListener('click', () => void openPartial(name).catch(showError));
      return button;
    }),
  );
};

const renderPartialMode = () => {
  ui.templateFields.hidden = partial !== undefined;
  ui.modeSwitch.hidden = partial !== undefined;
  ui.partialBar.hidden = partial === undefined;
  for (const button of ui.partials.querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.id === `partial-${partial?.name}`));
  if (partial) {
    ui.fileName.textContent = `templates/${partial.file}`;
    ui.editorTitle.textContent = `Shared ${partial.name}`;
    ui.editorHint.replaceChildren('MJML and Liquid, in every email: saved only when every template still passes its checks');
    ui.partialTitle.replaceChildren(
      'Editing the shared ',
      el('strong', { textContent: partial.name }),
      '. The preview shows the template with the saved one: save to see your change.',
    );
  } else {
    if (current) ui.fileName.textContent = `templates/${current.file}`;
    ui.editorTitle.textContent = 'Email body';
    renderMode();
  }
  renderSaveState();
};

const openPartial = async (name: string) => {
  if (partial?.name === name) return;
  if (partialDirty() && !confirm(`Your changes to ${partial!.file} are not saved. Discard them?`)) return;
  await showCode();
  const file = await call<PartialFile>('GET', `/api/partial?name=${encodeURIComponent(name)}`);
  const stash = partial?.stash ?? editor.text;
  partial = { name, file: file.file, saved: file.text, stash };
  editor.load(file.text);
  editor.showProblems([]);
  renderPartialMode();
};

/** After a rollback: the partial as the store has it now. */
const reloadPartial = async () => {
  if (!partial) return;
  const file = await call<PartialFile>('GET', `/api/partial?name=${encodeURIComponent(partial.name)}`);
  partial.saved = file.text;
  editor.load(file.text);
  renderSaveState();
};

/** Back to the template: false when the marketer keeps the partial's unsaved changes. */
const closePartial = () => {
  if (!partial) return true;
  if (partialDirty() && !confirm(`Your changes to ${partial.file} are not saved. Discard them?`)) return false;
  const { stash } = partial;
  partial = undefined;
  editor.load(stash);
  renderPartialMode();
  showProblems(checkProblems);
  return true;
};

const savePartial = async () => {
  if (!partial) return;
  const saving = partial;
  const text = editor.text;
  ui.save.disabled = true;
  try {
    const result = await call<PartialSaveResponse>('PUT', '/api/partial', { name: saving.name, text });
    if (result.ok) {
      saving.saved = text;
      partialTexts = undefined;
      const path = el('code', { textContent: `templates/${result.file}` });
      if (state.publishing) {
        notify('ok', 'Draft saved to ', path, ': every email gets it once it is published.');
        await refreshState();
      } else {
        notify('ok', 'Saved to ', path, ': every email uses it now.');
      }
      renderSaveState();
      // The template's preview, with the partial as saved.
      await preview();
    } else {
      showProblems(result.problems);
      notify('error', `Not saved: with this ${saving.name}, the templates listed under the editor do not pass their checks.`);
    }
  } catch (error) {
    showError(error);
  } finally {
    ui.save.disabled = false;
  }
};

ui.partialClose.addEventListener('click', () => {
  if (closePartial()) void preview();
});

// ---------------------------------------------------------------------------
// A new language or A/B variant, copied from a template of the same step

const localePattern = /^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8}){0,3}$/;
const variantPattern = /^[a-z0-9][a-z0-9-]{0,31}$/;
let copyKind: 'locale' | 'variant' = 'locale';

const openCopyDialog = (kind: 'locale' | 'variant') => {
  const set = catalog.sets.find((s) => s.name === ui.set.value);
  if (!set) return;
  copyKind = kind;
  const locale = set.locales.find((l) => l.locale === ui.locale.value);
  ui.copy.title.textContent = kind === 'locale' ? 'New language' : 'New A/B variant';
  ui.copy.summary.textContent =
    kind === 'locale'
      ? `A new language of “${set.label}”, copied from one that exists: translate its subject, preheader and texts, then save.`
      : `A second version of “${set.label}” in ${locale?.label ?? ui.locale.value}, copied from one that exists: change what you want to test, then save. The campaign settings decide who gets which.`;
  ui.copy.localeField.hidden = kind !== 'locale';
  ui.copy.variantField.hidden = kind !== 'variant';
  ui.copy.locale.value = '';
  ui.copy.variant.value = '';
  ui.copy.problem.hidden = true;
  const sources = set.locales.flatMap((l) => [
    { locale: l.locale, variant: '', label: l.label },
    ...l.variants.map((v) => ({ locale: l.locale, variant: v, label: `${l.label}, variant ${v}` })),
  ]);
  ui.copy.from.replaceChildren(...sources.map((source) => option(JSON.stringify([source.locale, source.variant]), source.label)));
  ui.copy.from.value = JSON.stringify([current?.locale ?? ui.locale.value, current?.variant ?? '']);
  ui.copy.dialog.showModal();
  (kind === 'locale' ? ui.copy.locale : ui.copy.variant).focus();
};

const copyProblem = (message: string) => {
  ui.copy.problem.textContent = message;
  ui.copy.problem.hidden = false;
};

ui.copy.form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const set = ui.set.value;
  const [fromLocale, fromVariant] = JSON.parse(ui.copy.from.value) as [string, string];
  const locale = copyKind === 'locale' ? ui.copy.locale.value.trim() : ui.locale.value;
  const variant = copyKind === 'variant' ? ui.copy.variant.value.trim() : '';
  if (copyKind === 'locale' && !localePattern.test(locale)) return copyProblem('Write a language tag such as fr, zh-Hant or pt-BR.');
  if (copyKind === 'variant' && !variantPattern.test(variant)) return copyProblem('Use lower case letters, digits and dashes, such as b or short-subject.');
  // Known already: said here, not by a 409 (which the browser would also log as a failed request).
  const locales = catalog.sets.find((s) => s.name === set)?.locales ?? [];
  const existing = locales.find((l) => l.locale.toLowerCase() === locale.toLowerCase());
  if (copyKind === 'locale' && existing) return copyProblem(`${existing.label} exists already: pick it under Language.`);
  if (copyKind === 'variant' && existing?.variants.includes(variant)) return copyProblem(`Variant ${variant} exists already: pick it under Version.`);
  const request: CopyRequest = { set, locale, ...(variant && { variant }), from: { locale: fromLocale, ...(fromVariant && { variant: fromVariant }) } };
  ui.copy.confirm.disabled = true;
  try {
    const result = await call<CopyResponse>('POST', '/api/copy', request);
    ui.copy.dialog.close();
    catalog = await call<Catalog>('GET', '/api/catalog');
    setState(catalog);
    fillLocales(locale);
    fillVariants(variant);
    matchSample();
    await switchTemplate(revertPick);
    rememberPick();
    if (current?.file === result.file) {
      notify('ok', 'Created ', el('code', { textContent: `templates/${result.file}` }), copyKind === 'locale' ? ': translate it, then save.' : ': change what you want to test, then save.');
    }
  } catch (error) {
    copyProblem(error instanceof ApiError ? error.message : String(error));
  } finally {
    ui.copy.confirm.disabled = false;
  }
});
ui.copy.cancel.addEventListener('click', () => ui.copy.dialog.close());
ui.newLocale.addEventListener('click', () => openCopyDialog('locale'));
ui.newVariant.addEventListener('click', () => openCopyDialog('variant'));

// ---------------------------------------------------------------------------
// Views: templates, campaign settings, history (the last two only with publishing)

type View = keyof typeof ui.views;
let currentView: View = 'templates';

const settings = setUpSettings();
const historyView = setUpHistory({
  openFile: (path) => void openFile(path),
  contentChanged: () => {
    // A rollback may have replaced the drafts: reread what nobody is editing.
    partialTexts = undefined;
    if (partial && !partialDirty()) void reloadPartial().catch(showError);
    if (!isDirty()) void open({ reread: true }).catch(showError);
    void settings.load().catch(showError);
  },
});
setUpPublishing({
  unsavedWork: () => [
    ...(isDirty() ? [`templates/${current!.file}`] : []),
    ...(partialDirty() ? [`templates/${partial!.file}`] : []),
    ...(settings.isDirty() ? ['settings.json'] : []),
  ],
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
    if (current && !partial) history.replaceState(null, '', toHash(current));
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
  fillPartials();
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
