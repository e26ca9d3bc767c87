/**
 * The studio's visual mode (issue 14): an edit in GrapesJS's spelling of a
 * text goes into the file's own spelling, the rest of the text untouched.
 */
import { describe, expect, it } from 'vitest';
import { spliceEdit } from '../../studio/splice';

const original = '\n          <p style="margin:0;">Kami di {{ shop.name }} &mdash; terima kasih,<br />Pasukan {{ shop.name }}</p>\n        ';
const base = '<p style="margin:0;">Kami di {{ shop.name }} — terima kasih,<br/>Pasukan {{ shop.name }}</p>';

describe('spliceEdit', () => {
  it('nothing changed: the original', () => {
    expect(spliceEdit(original, base, base)).toBe(original);
  });

  it('one word changed: only that word, the entities, the <br /> and the white space as written', () => {
    const now = base.replace('Kami', 'Kita');
    expect(spliceEdit(original, base, now)).toBe(original.replace('Kami', 'Kita'));
    const later = base.replace('Pasukan', 'Kumpulan');
    expect(spliceEdit(original, base, later)).toBe(original.replace('Pasukan', 'Kumpulan'));
  });

  it('an edit next to a difference takes the difference with it, and nothing else', () => {
    const now = base.replace('— terima', '– terima');
    const result = spliceEdit(original, base, now);
    expect(result).toBe(original.replace('&mdash; terima', '– terima'));
  });

  it('the same spelling: a plain splice', () => {
    expect(spliceEdit('\n  HELLO\n  ', '\n  HELLO\n  ', '\n  HELLO THERE\n  ')).toBe('\n  HELLO THERE\n  ');
    // Typed text read from the canvas loses the trailing white space: it is kept.
    expect(spliceEdit('\n  HELLO\n  ', 'HELLO', 'HELLO THERE')).toBe('\n  HELLO THERE\n  ');
  });

  it('everything replaced', () => {
    expect(spliceEdit(original, base, 'new')).toBe('\n          new\n        ');
  });
});

describe('spliceEdit with several edits', () => {
  it('two edits far apart: each made where it is, the spellings between them kept', () => {
    const now = base.replace('Kami', 'Kita').replace('Pasukan', 'Kumpulan');
    expect(spliceEdit(original, base, now)).toBe(original.replace('Kami', 'Kita').replace('Pasukan', 'Kumpulan'));
  });

  it('an insertion next to a stretch written differently leaves that stretch as written', () => {
    const now = base.replace('<br/>', '<br/><br/>');
    expect(spliceEdit(original, base, now)).toBe(original.replace('<br />', '<br /><br/>'));
  });

  it('an edit inside a stretch written differently replaces that stretch only', () => {
    const now = base.replace('—', '-');
    expect(spliceEdit(original, base, now)).toBe(original.replace('&mdash;', '-'));
  });
});
