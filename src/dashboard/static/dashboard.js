// hookrelay dashboard: the only script besides htmx. Confirmation for plain forms
// (htmx elements use hx-confirm) and copy-to-clipboard buttons. No inline handlers, so the
// page's Content-Security-Policy can forbid inline script.
'use strict';

document.addEventListener('submit', (event) => {
  const button = event.submitter;
  const question = button && button.getAttribute('data-confirm');
  if (question && !window.confirm(question)) event.preventDefault();
}, true);

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!target) return;
  const source = document.getElementById(target.getAttribute('data-copy') || '');
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.textContent || '').then(() => {
    target.textContent = 'Copied';
  }, () => undefined);
});
