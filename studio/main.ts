/**
 * The studio page: pick a template, edit it, watch it render, save it, send a test.
 * Plain DOM: the page has one screen and a handful of controls.
 */
import type {
  Catalog,
  Draft,
  ErrorResponse,
  PreviewResponse,
  Problem,
  SaveResponse,
  SendResponse,
  TemplateFile,
  TemplateRef,
} from './api';
import { createEditor } from './editor';

const previewDelayMs = 300;
/** The checker's limit: longer subjects are cut off by most inboxes. */
const subjectLimit = 100;

const $ = <T extends HTMLElement>(id: string) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
};

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
};

// ---------------------------------------------------------------------------
// The API

class ApiError extends Error {}

const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }))) as T | ErrorResponse;
  // 422 carries problems, the answer the page shows; any other failure is a message.
  if (!response.ok && response.status !== 422) throw new ApiError((json as ErrorResponse).error ?? response.statusText);
  return json as T;
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
  ui.saveState.textContent = dirty ? 'Unsaved changes' : 'Saved';
  ui.saveState.dataset.state = dirty ? 'dirty' : 'saved';
  document.title = `${dirty ? '• ' : ''}${current?.file ?? ''} · Email studio`;
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

const open = async () => {
  const seq = ++openSeq;
  const wanted = ref();
  const file = await call<TemplateFile>('GET', `/api/template?${new URLSearchParams(Object.entries(wanted))}`);
  if (seq !== openSeq) return;
  current = file;
  ui.notice.hidden = true;
  ui.subject.value = file.subject;
  ui.preheader.value = file.preheader;
  editor.load(file.body);
  savedDraft = edited();
  ui.fileName.textContent = `templates/${file.file}`;
  history.replaceState(null, '', toHash(wanted));
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

const showProblems = (problems: Problem[]) => {
  editor.showProblems(problems);
  for (const field of ['subject', 'preheader'] as const) {
    const mine = problems.filter((p) => p.field === field);
    const input = field === 'subject' ? ui.subject : ui.preheader;
    input.setAttribute('aria-invalid', String(mine.length > 0));
    ui.fieldProblem[field].hidden = mine.length === 0;
    ui.fieldProblem[field].textContent = mine.map((p) => p.message).join(' · ');
  }
  ui.problemsTitle.textContent = problems.length
    ? `${problems.length} problem${problems.length === 1 ? '' : 's'} to fix before saving`
    : 'Checks';
  ui.problemsTitle.dataset.state = problems.length ? 'error' : 'ok';
  if (!problems.length) {
    ui.problems.replaceChildren(Object.assign(document.createElement('li'), { className: 'all-good', textContent: 'No problems found. Ready to save.' }));
    return;
  }
  ui.problems.replaceChildren(
    ...problems.map((problem) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'problem';
      button.append(Object.assign(document.createElement('span'), { className: 'problem-where', textContent: where(problem) }), problem.message);
      button.addEventListener('click', () => {
        if (problem.field === 'subject') ui.subject.focus();
        else if (problem.field === 'preheader') ui.preheader.focus();
        else if (problem.line) editor.reveal(problem.line, problem.column);
      });
      item.append(button);
      return item;
    }),
  );
};

// ---------------------------------------------------------------------------
// Save and send

const notify = (kind: 'ok' | 'error', ...content: (string | Node)[]) => {
  ui.notice.replaceChildren(...content);
  ui.notice.dataset.kind = kind;
  ui.notice.hidden = false;
};
const showError = (error: unknown) => notify('error', error instanceof Error ? error.message : String(error));

const save = async () => {
  if (!current) return;
  ui.save.disabled = true;
  try {
    const sent = draft();
    const text = edited();
    const result = await call<SaveResponse>('PUT', '/api/template', sent);
    if (result.ok) {
      savedDraft = text;
      renderSaveState();
      notify('ok', 'Saved to ', Object.assign(document.createElement('code'), { textContent: `templates/${result.file}` }));
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
    void save();
  }
});
window.addEventListener('beforeunload', (event) => {
  if (isDirty()) event.preventDefault();
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
// Start

const start = async () => {
  catalog = await call<Catalog>('GET', '/api/catalog');
  fillSets();
  ui.sample.replaceChildren(...catalog.samples.map((s) => option(s.id, s.label)));
  ui.to.value = catalog.testAddress;
  ui.inboxFrom.textContent = catalog.from.name;
  ui.inboxAvatar.textContent = catalog.from.name.trim().charAt(0).toUpperCase();

  const wanted = fromHash();
  if (wanted.set && catalog.sets.some((s) => s.name === wanted.set)) ui.set.value = wanted.set;
  fillLocales(wanted.locale);
  fillVariants(wanted.variant);
  matchSample();
  rememberPick();
  await open();
  document.body.dataset.ready = 'true';
};

start().catch(showError);
