/**
 * Campaign settings: a form generated from settings.json (a card per campaign,
 * checkboxes, number fields, a table of winback steps, a table of discounts by
 * tier), or the JSON itself; saved as a draft, checked by the server against
 * the configuration schema, whose messages are shown beside the fields they name.
 */
import type { Problem, SettingsFile, SettingsSaveResponse } from './api';
import { $, el, plural } from './dom';
import { call } from './http';
import { isDraft, notify, refreshState, showError } from './state';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What the marketer reads instead of a key, and a hint; keys not listed here are spelt out from their camelCase. */
const labels: Record<string, [label: string, hint?: string]> = {
  birthday: ['Birthday', 'One email on the customer’s birthday, with a discount code.'],
  winback: ['Winback', 'Emails to customers who have not ordered for longer than they usually do.'],
  nps: ['NPS survey', 'One question after delivery: how likely are you to recommend us?'],
  loyalty: ['Loyalty points and tiers', 'Points per order, expiring; tiers by the spend of the last 12 months. Emails: a tier reached, points about to expire.'],
  referral: ['Referral', 'Promoters and the top tier get a personal code for friends; each friend’s first order earns them a reward code.'],
  pointsPerUnit: ['Points per unit of currency', 'e.g. {"MYR": 1, "USD": 4}; rounded down.'],
  pointsExpireDays: ['Points expire after (days)'],
  expiryWarningDays: ['Warn before expiry (days)'],
  tiers: ['Tiers', 'Lowest first; each by spend per currency (e.g. {"MYR": 500}) or by points.'],
  rewardPercentOff: ['Reward discount (%)', 'The referrer’s code, for each friend’s first order.'],
  enabled: ['On', 'Off: the campaign sends nothing.'],
  holdoutShare: ['Holdout share', 'Customers kept out as a control group, 0 to 0.9 (0.1 = 10%).'],
  sendHour: ['Send hour', 'In the customer’s time zone, 0 to 24.'],
  percentOff: ['Discount (%)', '1 to 100.'],
  percentOffByTier: ['Discount by tier (%)', 'Customers of other tiers get the discount above.'],
  validDays: ['Code valid for (days)', '1 to 365.'],
  steps: ['Steps', 'Each email is due this many days after the customer becomes at risk; a step with a discount carries a code.'],
  offsetDays: ['Days after at risk'],
  defaultIntervalDays: ['Usual reorder interval (days)', 'For customers with fewer than three orders.'],
  riskFactor: ['At risk after (intervals)', 'Days since the last order, counted in reorder intervals.'],
  conversionWindowDays: ['Conversion window (days)', 'An order within this many days of an email counts as its conversion.'],
  afterDeliveryDays: ['Days after delivery'],
  afterOrderDays: ['Days after order', 'When no delivery is reported.'],
  fatigueDays: ['At most one survey in (days)'],
  linkValidDays: ['Score links valid for (days)', 'A later click within this time replaces the score.'],
};
/** Columns a table always has, even when no row fills them yet. */
const knownColumns: Record<string, string[]> = { steps: ['offsetDays', 'percentOff'] };

const spelt = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
const labelOf = (key: string) => labels[key]?.[0] ?? spelt(key);
const hintOf = (key: string) => labels[key]?.[1];

/** `winback.steps.1.percentOff` → `Winback › Steps › row 2 › Discount (%)` */
export const describePath = (path: string) =>
  path
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? `row ${Number(part) + 1}` : labelOf(part)))
    .join(' › ');

/** `settings.json: winback.steps.1.percentOff: Too big: …` → the path and the schema's own words. */
const parseProblem = (problem: Problem) => {
  const message = problem.message.replace(/^settings\.json:\s*/, '');
  const match = /^([\w-]+(?:\.[\w-]+)*): (.+)$/s.exec(message);
  return match ? { path: match[1]!, text: match[2]! } : { path: undefined, text: message };
};

const pretty = (value: Json) => `${JSON.stringify(value, null, 2)}\n`;
/** The same settings however they are laid out: tells whether there are unsaved changes. */
const canonical = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
};

export const setUpSettings = () => {
  const ui = {
    state: $('settings-state'),
    tabForm: $<HTMLButtonElement>('settings-tab-form'),
    tabJson: $<HTMLButtonElement>('settings-tab-json'),
    save: $<HTMLButtonElement>('settings-save'),
    form: $<HTMLFormElement>('settings-form'),
    json: $<HTMLTextAreaElement>('settings-json'),
    problemsTitle: $('settings-problems-title'),
    problems: $<HTMLUListElement>('settings-problems'),
  };

  let loaded = false;
  /** The text as last loaded or saved. */
  let savedText = '';
  let model: Json = {};
  let mode: 'form' | 'json' = 'form';
  let problems: Problem[] = [];

  const currentText = () => (mode === 'json' ? ui.json.value : pretty(model));
  const isDirty = () => loaded && canonical(currentText()) !== canonical(savedText);

  const renderState = () => {
    const dirty = isDirty();
    ui.state.textContent = dirty ? 'Unsaved changes' : isDraft('settings.json') ? 'Draft, not live' : 'Published';
    ui.state.dataset.state = dirty ? 'dirty' : isDraft('settings.json') ? 'draft' : 'saved';
  };
  const changed = (input?: HTMLElement) => {
    if (input?.getAttribute('aria-invalid') === 'true') input.setAttribute('aria-invalid', 'false');
    renderState();
  };

  // -------------------------------------------------------------------------
  // The form, generated from the JSON

  const numberInput = (value: Json | undefined, path: string, write: (value: number | undefined) => void) => {
    const input = el('input', { type: 'number', step: 'any', value: typeof value === 'number' ? String(value) : '', dataset: { path } });
    if (path.endsWith('holdoutShare')) input.step = '0.01';
    input.addEventListener('input', () => {
      write(input.value.trim() === '' || Number.isNaN(input.valueAsNumber) ? undefined : input.valueAsNumber);
      changed(input);
    });
    return input;
  };

  const textInput = (value: Json | undefined, path: string, write: (value: string) => void) => {
    const input = el('input', { type: 'text', value: typeof value === 'string' ? value : '', dataset: { path } });
    input.addEventListener('input', () => {
      write(input.value);
      changed(input);
    });
    return input;
  };

  /** Anything the form has no control for (a list of names, say): its JSON, in one line. */
  const jsonInput = (value: Json, path: string, write: (value: Json) => void) => {
    const input = el('input', { type: 'text', className: 'mono', value: JSON.stringify(value), dataset: { path } });
    input.addEventListener('input', () => {
      try {
        write(JSON.parse(input.value) as Json);
        input.setAttribute('aria-invalid', 'false');
      } catch {
        input.setAttribute('aria-invalid', 'true');
      }
      renderState();
    });
    return input;
  };

  const fieldShell = (key: string, path: string, control: HTMLElement, wide = false) => {
    const isInput = control instanceof HTMLInputElement;
    if (isInput) control.id = `setting-${path}`;
    return el(
      'div',
      { className: `setting${wide ? ' wide' : ''}`, dataset: { field: path } },
      isInput ? el('label', { className: 'setting-label', htmlFor: control.id }, labelOf(key)) : el('span', { className: 'setting-label' }, labelOf(key)),
      control,
      ...(hintOf(key) ? [el('small', { className: 'setting-hint', textContent: hintOf(key)! })] : []),
      el('span', { className: 'field-problem', hidden: true }),
    );
  };

  /** winback.steps: one row a step, columns for their keys, rows added and removed. */
  const objectTable = (rows: Json[], key: string, path: string) => {
    const wrapper = el('div', { className: 'table-wrap' });
    const render = () => {
      const columns = [...(knownColumns[key] ?? [])];
      for (const row of rows) if (isObject(row)) for (const column of Object.keys(row)) if (!columns.includes(column)) columns.push(column);
      const kinds = new Map(columns.map((c) => [c, rows.map((r) => (isObject(r) ? r[c] : undefined)).find((v) => v !== undefined && v !== null)]));
      const table = el(
        'table',
        { className: 'settings-table' },
        el('thead', {}, el('tr', {}, el('th', { textContent: '#' }), ...columns.map((c) => el('th', { textContent: labelOf(c) })), el('th'))),
      );
      const body = el('tbody');
      rows.forEach((row, index) => {
        const object: JsonObject = isObject(row) ? row : {};
        if (!isObject(row)) rows[index] = object;
        const cells = columns.map((column) => {
          const cellPath = `${path}.${index}.${column}`;
          const sample = kinds.get(column);
          // An empty cell leaves the key out: `percentOff` is optional, a missing `offsetDays` is the schema's to name.
          const write = (value: Json | undefined) => {
            if (value === undefined) delete object[column];
            else object[column] = value;
          };
          let control: HTMLElement;
          if (typeof sample === 'boolean') {
            const box = el('input', { type: 'checkbox', checked: object[column] === true, dataset: { path: cellPath } });
            box.addEventListener('change', () => {
              write(box.checked);
              changed(box);
            });
            control = box;
          } else if (typeof sample === 'string') control = textInput(object[column], cellPath, (v) => write(v === '' ? undefined : v));
          else control = numberInput(object[column], cellPath, write);
          control.setAttribute('aria-label', `${labelOf(column)}, row ${index + 1}`);
          if (column === 'percentOff' && control instanceof HTMLInputElement) control.placeholder = 'no discount';
          return el('td', {}, control);
        });
        const remove = el('button', { type: 'button', className: 'icon-button', title: `Remove row ${index + 1}`, textContent: '✕' });
        remove.setAttribute('aria-label', `Remove row ${index + 1}`);
        remove.addEventListener('click', () => {
          rows.splice(index, 1);
          render();
          changed();
        });
        body.append(el('tr', {}, el('td', { className: 'row-no', textContent: String(index + 1) }), ...cells, el('td', {}, remove)));
      });
      table.append(body);
      const add = el('button', { type: 'button', className: 'secondary small', textContent: `+ Add ${key === 'steps' ? 'step' : 'row'}` });
      add.addEventListener('click', () => {
        const last = rows.at(-1);
        const offset = isObject(last) && typeof last.offsetDays === 'number' ? last.offsetDays : undefined;
        rows.push(key === 'steps' ? { offsetDays: offset === undefined ? 0 : offset + 30 } : {});
        render();
        changed();
        wrapper.querySelector<HTMLInputElement>('tbody tr:last-child input')?.focus();
      });
      wrapper.replaceChildren(table, add);
    };
    render();
    wrapper.dataset.path = path;
    return wrapper;
  };

  /** percentOffByTier: names and numbers, rows added and removed; the object is rebuilt from the rows. */
  const recordTable = (parent: JsonObject, key: string, path: string) => {
    const pairs: [string, Json][] = Object.entries(parent[key] as JsonObject);
    const wrapper = el('div', { className: 'table-wrap' });
    const write = () => {
      const next: JsonObject = {};
      for (const [name, value] of pairs) if (name.trim() !== '') next[name.trim()] = value;
      parent[key] = next;
    };
    const render = () => {
      const body = el('tbody');
      pairs.forEach((pair, index) => {
        const name = el('input', { type: 'text', value: pair[0], placeholder: 'tier, e.g. gold' });
        name.setAttribute('aria-label', `Tier, row ${index + 1}`);
        const value = numberInput(pair[1], `${path}.${pair[0]}`, (v) => {
          pair[1] = v ?? null;
          write();
        });
        value.setAttribute('aria-label', `${labelOf(key)}, row ${index + 1}`);
        name.addEventListener('input', () => {
          pair[0] = name.value;
          value.dataset.path = `${path}.${name.value.trim()}`;
          write();
          changed(name);
        });
        const remove = el('button', { type: 'button', className: 'icon-button', title: `Remove ${pair[0] || `row ${index + 1}`}`, textContent: '✕' });
        remove.addEventListener('click', () => {
          pairs.splice(index, 1);
          write();
          render();
          changed();
        });
        body.append(el('tr', {}, el('td', {}, name), el('td', {}, value), el('td', {}, remove)));
      });
      if (!pairs.length) body.append(el('tr', {}, el('td', { colSpan: 3, className: 'empty', textContent: 'Every tier gets the same discount.' })));
      const head = el('thead', { hidden: pairs.length === 0 }, el('tr', {}, el('th', { textContent: 'Tier' }), el('th', { textContent: 'Discount (%)' }), el('th')));
      const table = el('table', { className: 'settings-table' }, head, body);
      const add = el('button', { type: 'button', className: 'secondary small', textContent: '+ Add tier' });
      add.addEventListener('click', () => {
        pairs.push(['', null]);
        render();
        wrapper.querySelector<HTMLInputElement>('tbody tr:last-child input')?.focus();
      });
      wrapper.replaceChildren(table, add);
    };
    render();
    wrapper.dataset.path = path;
    return wrapper;
  };

  /** One key of an object: the control its value calls for. */
  const field = (parent: JsonObject, key: string, path: string): HTMLElement => {
    const value = parent[key]!;
    if (typeof value === 'boolean') {
      const box = el('input', { type: 'checkbox', checked: value, id: `setting-${path}`, dataset: { path } });
      box.addEventListener('change', () => {
        parent[key] = box.checked;
        changed(box);
      });
      return el(
        'div',
        { className: 'setting check', dataset: { field: path } },
        el('label', {}, box, ` ${labelOf(key)}`),
        ...(hintOf(key) ? [el('small', { className: 'setting-hint', textContent: hintOf(key)! })] : []),
        el('span', { className: 'field-problem', hidden: true }),
      );
    }
    if (typeof value === 'number' || value === null) {
      const input = numberInput(value, path, (v) => (parent[key] = v ?? null));
      return fieldShell(key, path, input);
    }
    if (typeof value === 'string') {
      const input = textInput(value, path, (v) => (parent[key] = v));
      return fieldShell(key, path, input);
    }
    if (Array.isArray(value) && (value.every(isObject) && (value.length > 0 || key in knownColumns))) return fieldShell(key, path, objectTable(value, key, path), true);
    if (isObject(value) && Object.values(value).every((v) => typeof v === 'number' || v === null) && (Object.keys(value).length > 0 || key === 'percentOffByTier')) {
      return fieldShell(key, path, recordTable(parent, key, path), true);
    }
    if (isObject(value)) return group(value, key, path, 'subgroup');
    const input = jsonInput(value, path, (v) => (parent[key] = v));
    return fieldShell(key, path, input, true);
  };

  /** A campaign's card: its on/off switch in the heading, its numbers in a grid, its tables full width. */
  const group = (object: JsonObject, key: string, path: string, className = 'settings-card') => {
    const keys = Object.keys(object);
    const toggle = typeof object.enabled === 'boolean' ? field(object, 'enabled', `${path}.enabled`) : undefined;
    const head = el('header', {}, el('h3', { textContent: labelOf(key) }), ...(toggle ? [toggle] : []));
    const section = el('section', { className, dataset: { field: path } }, head);
    if (hintOf(key)) section.append(el('p', { className: 'setting-hint', textContent: hintOf(key)! }));
    section.append(el('div', { className: 'settings-grid' }, ...keys.filter((k) => !(toggle && k === 'enabled')).map((k) => field(object, k, `${path}.${k}`))));
    section.append(el('span', { className: 'field-problem', hidden: true }));
    return section;
  };

  const renderForm = () => {
    if (!isObject(model)) {
      ui.form.replaceChildren(el('p', { className: 'empty', textContent: 'The settings are not a JSON object: edit them as JSON.' }));
      return;
    }
    const root = model;
    const loose = Object.keys(root).filter((k) => !isObject(root[k]));
    ui.form.replaceChildren(
      ...Object.keys(root)
        .filter((k) => isObject(root[k]))
        .map((k) => group(root[k] as JsonObject, k, k)),
      ...(loose.length ? [el('section', { className: 'settings-card' }, el('header', {}, el('h3', { textContent: 'Other' })), el('div', { className: 'settings-grid' }, ...loose.map((k) => field(root, k, k))))] : []),
    );
    markProblems();
  };

  // -------------------------------------------------------------------------
  // Problems: the list beside the form, and each under the field it names

  const markProblems = () => {
    for (const old of ui.form.querySelectorAll<HTMLElement>('.field-problem')) {
      old.hidden = true;
      old.textContent = '';
    }
    for (const old of ui.form.querySelectorAll('[aria-invalid="true"]')) old.setAttribute('aria-invalid', 'false');
    for (const problem of problems) {
      const { path, text } = parseProblem(problem);
      if (!path) continue;
      const input = ui.form.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
      input?.setAttribute('aria-invalid', 'true');
      // The field, or the nearest one up the path (a table, a card) that is on the form.
      let holder: HTMLElement | null = input?.closest<HTMLElement>('[data-field]') ?? null;
      for (let parts = path.split('.'); !holder && parts.length; parts = parts.slice(0, -1)) {
        holder = ui.form.querySelector<HTMLElement>(`[data-field="${CSS.escape(parts.join('.'))}"]`);
      }
      const slot = holder?.querySelector<HTMLElement>(':scope > .field-problem');
      if (!slot || !holder) continue;
      const where = holder.dataset.field === path ? '' : `${describePath(path.slice(holder.dataset.field!.length + 1))}: `;
      slot.textContent = [slot.textContent, `${where}${text}`].filter(Boolean).join(' · ');
      slot.hidden = false;
    }
  };

  const showProblems = (list: Problem[]) => {
    problems = list;
    ui.problemsTitle.textContent = list.length ? `${plural(list.length, 'problem')} to fix before saving` : 'Checks';
    ui.problemsTitle.dataset.state = list.length ? 'error' : 'ok';
    ui.problems.replaceChildren(
      ...list.map((problem) => {
        const { path, text } = parseProblem(problem);
        const button = el(
          'button',
          { type: 'button', className: 'problem' },
          el('span', { className: 'problem-where', textContent: path ? describePath(path) : 'settings.json' }),
          text,
        );
        button.addEventListener('click', () => {
          if (!path) return;
          if (mode === 'json') selectMode('form');
          const input = ui.form.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
          (input ?? ui.form.querySelector<HTMLElement>(`[data-field="${CSS.escape(path)}"]`))?.scrollIntoView({ block: 'center' });
          input?.focus();
        });
        return el('li', {}, button);
      }),
    );
    markProblems();
  };

  // -------------------------------------------------------------------------
  // Form and JSON tabs

  const selectMode = (next: 'form' | 'json') => {
    if (next === mode) return;
    if (next === 'json') {
      ui.json.value = pretty(model);
    } else {
      try {
        model = JSON.parse(ui.json.value) as Json;
      } catch (error) {
        showProblems([{ field: 'file', message: `settings.json is not JSON: ${error instanceof Error ? error.message : String(error)}` }]);
        return;
      }
      renderForm();
    }
    mode = next;
    ui.tabForm.setAttribute('aria-selected', String(mode === 'form'));
    ui.tabJson.setAttribute('aria-selected', String(mode === 'json'));
    ui.form.hidden = mode !== 'form';
    ui.json.hidden = mode !== 'json';
  };
  ui.tabForm.addEventListener('click', () => selectMode('form'));
  ui.tabJson.addEventListener('click', () => selectMode('json'));
  ui.json.addEventListener('input', () => renderState());

  // -------------------------------------------------------------------------
  // Load and save

  const show = (text: string) => {
    savedText = text;
    try {
      model = JSON.parse(text) as Json;
      if (mode === 'json') ui.json.value = text;
      renderForm();
    } catch (error) {
      // Not JSON (edited by hand elsewhere): the text, for the marketer to mend.
      ui.json.value = text;
      mode = 'form';
      selectMode('json');
      showProblems([{ field: 'file', message: `settings.json is not JSON: ${error instanceof Error ? error.message : String(error)}` }]);
    }
    loaded = true;
    renderState();
  };

  /** Reads settings.json, unless the marketer is in the middle of changing it. */
  const load = async () => {
    if (isDirty()) return;
    const file = await call<SettingsFile>('GET', '/api/settings');
    if (isDirty()) return;
    showProblems([]);
    show(file.text);
  };

  const save = async () => {
    if (!loaded) return;
    ui.save.disabled = true;
    try {
      const text = currentText();
      const result = await call<SettingsSaveResponse>('PUT', '/api/settings', { text });
      if (result.ok) {
        showProblems([]);
        savedText = text;
        notify('ok', 'Campaign settings saved as a draft: campaigns use them once published.');
        await refreshState();
      } else {
        showProblems(result.problems);
        notify('error', `Not saved: ${plural(result.problems.length, 'problem')} to fix, listed beside the settings.`);
      }
    } catch (error) {
      showError(error);
    } finally {
      ui.save.disabled = false;
      renderState();
    }
  };
  ui.save.addEventListener('click', () => void save());

  return { load, save, isDirty, renderState };
};
