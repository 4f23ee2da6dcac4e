/// <reference lib="dom" />
/**
 * Signing in to a console: paste the role's key (a user token, a terminal
 * key, an operator key), or, on the machine that runs the demo, take the
 * demo's. The key is checked with one read before it is kept.
 */
import type { MessageKey } from '../i18n.ts';
import { clearSession, demoKey, loadSession, saveSession, type Answer, type Session } from './api.ts';
import { appRoot, field, h, notice, show, t, failure } from './dom.ts';

export interface SignInOptions {
  readonly role: string;
  readonly keyLabel: MessageKey;
  /** One read with the key: what to call the signed-in party, or why not. */
  readonly check: (key: string) => Promise<Answer<{ readonly label: string; readonly merchantId?: string }>>;
  readonly onSignedIn: (session: Session) => void;
}

/** Shows the console for a kept session, or the sign-in form. */
export function start(options: SignInOptions): void {
  const kept = loadSession(options.role);
  if (kept !== null) options.onSignedIn(kept);
  else signInForm(options);
}

export function signOut(role: string): void {
  clearSession(role);
  location.reload();
}

function signInForm(options: SignInOptions): void {
  const root = appRoot();
  const status = h('div', { class: 'form-status' });
  const key = field({ label: t(options.keyLabel), name: 'key', type: 'password', hint: t('common.keyHint'), autocomplete: 'off', required: true });
  const submit = h('button', { type: 'submit' }, t('common.signIn'));
  const form = h('form', { class: 'sign-in', 'aria-labelledby': 'sign-in-title' }, h('h1', { id: 'sign-in-title' }, t('common.signInTitle')), key.wrapper, submit, status);

  const accept = async (value: string): Promise<void> => {
    submit.disabled = true;
    const checked = await options.check(value);
    submit.disabled = false;
    if (!checked.ok) {
      show(status, notice('error', checked.status === 401 || checked.status === 403 ? t('common.rejected') : checked.status === 0 ? t('common.offline') : failure(checked)));
      key.input.focus();
      return;
    }
    const session: Session = { key: value, label: checked.body.label, ...(checked.body.merchantId === undefined ? {} : { merchantId: checked.body.merchantId }) };
    saveSession(options.role, session);
    options.onSignedIn(session);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = key.input.value.trim();
    if (value !== '') void accept(value);
  });

  const offersDemo = root.dataset['demo'] === 'true';
  const demo = offersDemo
    ? h('button', {
        type: 'button',
        class: 'secondary demo',
        onclick: () =>
          void demoKey(options.role).then((answer) => {
            if (answer.ok) void accept(answer.body.key);
            else show(status, notice('error', failure(answer)));
          }),
      }, t('common.useDemo'))
    : null;
  show(root, h('div', { class: 'panel narrow' }, form, demo));
  key.input.focus();
}
