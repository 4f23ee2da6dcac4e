import assert from 'node:assert/strict';
import { it } from 'node:test';
import { escapeHtml } from './html.ts';

it('escapes what could end an element or a quoted attribute, and nothing else', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;');
  assert.equal(escapeHtml('한빛 면세점 · ₩39,000'), '한빛 면세점 · ₩39,000');
  assert.equal(escapeHtml('&amp;'), '&amp;amp;', 'escaped text is escaped again, never assumed safe');
});
