// Scenario studio editor: the form and the YAML views edit one draft. Whichever the trainer
// touched last wins: a form edit is sent as fields (the server writes them into the YAML), a
// YAML edit is sent as is (the server reads the form's fields back out). Every change is
// linted after a short pause, and each problem is shown at its form field when it has one.
(() => {
  'use strict';
  const csrfToken = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  // The list page's import: the chosen files go as JSON (forms carry no uploads here).
  const imp = document.getElementById('import-form');
  if (imp) {
    imp.addEventListener('submit', async (e) => {
      e.preventDefault();
      const out = document.getElementById('import-msg');
      const body = { scenario: await imp.scenario.files[0].text(), rubric: await imp.rubric.files[0].text() };
      const r = await fetch('/console/api/studio/import', { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken }, body: JSON.stringify(body) });
      const j = await r.json().catch(() => ({}));
      if (r.ok) location.href = j.editor; else out.textContent = j.error || 'Import failed (' + r.status + ').';
    });
  }
  // The draft form's file: the server reads its text (a recording is transcribed) and it goes
  // into the material box, to check or trim before drafting.
  const file = document.getElementById('material-file');
  if (file) {
    file.addEventListener('change', async () => {
      const f = file.files[0];
      const out = document.getElementById('material-msg');
      const box = document.querySelector('#draft-form textarea[name="material"]');
      if (!f) return;
      out.textContent = /\.wav$/i.test(f.name) ? 'Transcribing ' + f.name + '…' : 'Reading ' + f.name + '…';
      const data = await new Promise((resolve, reject) => {
        const rd = new FileReader();
        rd.onload = () => resolve(String(rd.result).replace(/^data:[^,]*,/, ''));
        rd.onerror = () => reject(rd.error);
        rd.readAsDataURL(f);
      }).catch(() => null);
      if (data === null) { out.textContent = 'The file could not be read.'; return; }
      const r = await fetch('/console/api/studio/material', { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken }, body: JSON.stringify({ name: f.name, data }) });
      const j = await r.json().catch(() => ({}));
      if (!r.ok) { out.textContent = j.error || 'Upload failed (' + r.status + ').'; return; }
      box.value = j.material;
      out.textContent = j.call ? 'Read as a call (' + j.lines + ' lines): the customer\'s side becomes the persona, the agent\'s best lines the rubric\'s better lines. Check the speakers, then Draft.'
        : 'Read ' + f.name + '. Check the text, then Draft.';
    });
  }
  const root = document.getElementById('studio');
  if (!root) return;
  const id = root.dataset.id;
  const csrf = csrfToken;
  const yaml = document.getElementById('yaml');
  const rubric = document.getElementById('rubric');
  const problems = document.getElementById('problems');
  const msg = document.getElementById('studio-msg');
  const save = document.getElementById('save');
  const publish = document.getElementById('publish');
  const fields = () => document.querySelectorAll('#studio-form [data-field]');
  const debounceMS = 400;
  let source = null; // 'form' or 'yaml': what the next request carries
  let timer = 0;
  let seq = 0; // answers to older requests are dropped

  const post = (path, body) => fetch('/console/api/studio/' + encodeURIComponent(id) + path, {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  }).then(async (r) => ({ ok: r.ok, status: r.status, body: await r.json().catch(() => ({})) }));

  const draft = () => {
    const d = { yaml: yaml.value, rubric: rubric.value };
    if (source === 'form') {
      d.fields = {};
      fields().forEach((el) => { d.fields[el.dataset.field] = el.value; });
    }
    return d;
  };

  const showProblems = (list) => {
    fields().forEach((el) => {
      el.classList.remove('bad');
      el.removeAttribute('aria-invalid');
      const m = el.parentElement.querySelector('.field-error');
      if (m) m.remove();
    });
    problems.replaceChildren();
    if (!list || list.length === 0) {
      const li = document.createElement('li');
      li.className = 'ok';
      li.textContent = 'No problems.';
      problems.append(li);
    }
    (list || []).forEach((p) => {
      const li = document.createElement('li');
      li.dataset.field = p.field || '';
      li.textContent = p.doc + ' ' + (p.field || 'file') + ' (line ' + p.line + '): ' + p.msg;
      problems.append(li);
      const el = p.field && document.querySelector('#studio-form [data-field="' + CSS.escape(p.field) + '"]');
      if (el) {
        el.classList.add('bad');
        el.setAttribute('aria-invalid', 'true');
        const m = document.createElement('small');
        m.className = 'field-error';
        m.textContent = p.msg;
        el.insertAdjacentElement('afterend', m);
      }
    });
    root.dataset.problems = String((list || []).length);
  };

  const apply = (v) => {
    if (source !== 'yaml') {
      if (yaml.value !== v.yaml) yaml.value = v.yaml;
      if (rubric.value !== v.rubric) rubric.value = v.rubric;
    }
    if (source !== 'form') {
      fields().forEach((el) => {
        const val = v.fields[el.dataset.field];
        if (el !== document.activeElement && val !== undefined && el.value !== val) el.value = val;
      });
    }
    showProblems(v.problems);
  };

  const lint = () => {
    timer = 0;
    const n = ++seq;
    root.dataset.linting = 'true';
    post('/lint', draft()).then((r) => {
      if (n !== seq) return;
      root.dataset.linting = 'false';
      if (!r.ok) { msg.textContent = r.body.error || 'Lint failed (' + r.status + ').'; return; }
      apply(r.body);
      source = null;
      root.dataset.linted = String(n);
    });
  };

  const changed = (from) => () => {
    source = from;
    root.dataset.dirty = 'true';
    clearTimeout(timer);
    timer = setTimeout(lint, debounceMS);
  };
  fields().forEach((el) => el.addEventListener('input', changed('form')));
  [yaml, rubric].forEach((el) => el.addEventListener('input', changed('yaml')));

  save.addEventListener('click', () => {
    clearTimeout(timer);
    save.disabled = true;
    post('/versions', draft()).then((r) => {
      save.disabled = false;
      if (!r.ok) { msg.textContent = r.body.error || 'Save failed (' + r.status + '); your text is still here.'; return; }
      location.reload();
    });
  });

  // Try it: a browser practice call against the draft, unpublished. Unsaved edits are saved
  // as a new version first; the practice page opens with a trial ticket for that version.
  const tryIt = document.getElementById('try');
  tryIt.addEventListener('click', async () => {
    clearTimeout(timer);
    tryIt.disabled = true;
    let n = Number(root.dataset.latest);
    if (root.dataset.dirty === 'true') {
      const s = await post('/versions', draft());
      if (!s.ok) { tryIt.disabled = false; msg.textContent = s.body.error || 'Save failed (' + s.status + '); your text is still here.'; return; }
      n = s.body.n;
      root.dataset.latest = String(n);
      root.dataset.dirty = 'false';
      if (s.body.problems && s.body.problems.length) showProblems(s.body.problems);
    }
    const r = await post('/try', { n });
    tryIt.disabled = false;
    if (!r.ok) { msg.textContent = 'Cannot try version ' + n + ': ' + (r.body.error || 'HTTP ' + r.status); return; }
    location.href = r.body.url;
  });

  // Hear it: the saved version's greeting in the voice chosen in the form, as a WAV.
  const hear = document.getElementById('hear');
  if (hear) {
    const audio = document.getElementById('voice-audio');
    const voice = document.querySelector('#studio-form [data-field="persona.voice"]');
    audio.addEventListener('error', () => { msg.textContent = 'The voice could not be played.'; });
    hear.addEventListener('click', () => {
      audio.hidden = false;
      audio.src = '/console/studio/' + encodeURIComponent(id) + '/voice.wav?n=' + encodeURIComponent(root.dataset.latest) +
        '&voice=' + encodeURIComponent(voice.value) + '&t=' + Date.now();
      audio.play().catch(() => {});
    });
  }

  publish.addEventListener('click', () => {
    publish.disabled = true;
    post('/publish', { n: Number(root.dataset.latest) }).then((r) => {
      if (!r.ok) { publish.disabled = false; msg.textContent = r.body.error || 'Publish failed (' + r.status + ').'; return; }
      location.reload();
    });
  });
  root.dataset.ready = 'true';
})();
