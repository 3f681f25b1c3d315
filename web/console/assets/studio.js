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

  // The form's lists (stages, objections, behaviours, criteria): one fieldset a row. A row
  // keeps in data-origin the index of the element it came from in the YAML the next request
  // carries, so the server keeps what the form does not show; new rows have -1.
  const lists = JSON.parse(root.dataset.lists || '{"defs":[],"rows":{}}');
  const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
  const listBox = (name) => document.querySelector('#studio-form [data-list="' + name + '"]');
  const rowsOf = (name) => Array.from(listBox(name).querySelectorAll('.studio-rows > fieldset'));
  const valueOf = (el) => (el.type === 'checkbox' ? (el.checked ? 'true' : '') : el.value);
  const rowValues = (fs) => {
    const v = {};
    fs.querySelectorAll('[data-key]').forEach((el) => { v[el.dataset.key] = valueOf(el); });
    return v;
  };
  // An objection's stage is picked from the stages' names (typing another is allowed: lint says).
  const stageNames = document.createElement('datalist');
  stageNames.id = 'studio-stage-names';
  document.getElementById('studio-form').append(stageNames);
  const refreshStages = () => {
    stageNames.replaceChildren(...(listBox('stages') ? rowsOf('stages') : []).map((fs) => {
      const o = document.createElement('option');
      o.value = fs.querySelector('[data-key="name"]').value;
      return o;
    }));
  };
  // renumber names each row and input by its place, as lint names them.
  const renumber = (def) => {
    rowsOf(def.name).forEach((fs, i) => {
      const key = fs.querySelector('[data-key="name"]');
      const at = def.keyed ? def.name + '.' + key.value.trim() : def.name + '[' + i + ']';
      fs.dataset.at = at;
      fs.querySelector('legend').textContent = cap(def.item) + ' ' + (i + 1);
      fs.querySelector('.remove').setAttribute('aria-label', 'Remove ' + def.item + ' ' + (i + 1));
      fs.querySelectorAll('[data-key]').forEach((el) => { el.dataset.at = at + '.' + el.dataset.key; });
    });
    listBox(def.name).querySelector('summary').textContent = def.title + ' (' + rowsOf(def.name).length + ')';
    if (def.name === 'stages') refreshStages();
  };
  const makeRow = (def, row) => {
    const fs = document.createElement('fieldset');
    fs.className = 'studio-item';
    fs.dataset.origin = String(row.origin);
    fs.append(document.createElement('legend'));
    def.cols.forEach((c) => {
      const label = document.createElement('label');
      const v = row.values[c.key] || '';
      let el;
      if (c.kind === 'bool') {
        el = document.createElement('input');
        el.type = 'checkbox';
        el.checked = v === 'true';
        label.className = 'check';
        label.append(el, ' ' + c.label);
      } else if (c.kind === 'choice') {
        el = document.createElement('select');
        el.append(new Option('anywhere not negated', ''), ...c.options.map((o) => new Option(o, o)));
        if (v && !c.options.includes(v)) el.append(new Option(v, v)); // lint names it
        el.value = v;
        label.append(c.label + ' ', el);
      } else {
        const multi = c.kind === 'lines' || c.kind === 'metrics';
        el = document.createElement(multi ? 'textarea' : 'input');
        if (multi) el.rows = Math.min(6, Math.max(2, v.split('\n').length));
        if (c.kind === 'metrics') el.placeholder = 'talk_ratio 0.55 0.8';
        if (c.kind === 'number') el.inputMode = 'decimal';
        if (def.name === 'objections' && c.key === 'stage') el.setAttribute('list', stageNames.id);
        el.value = v;
        label.append(c.label + ' ', el);
      }
      el.dataset.key = c.key;
      fs.append(label);
    });
    const rm = document.createElement('button');
    rm.type = 'button';
    rm.className = 'link remove';
    rm.textContent = 'Remove';
    rm.addEventListener('click', () => {
      const next = fs.nextElementSibling;
      fs.remove();
      renumber(def);
      (next ? next.querySelector('[data-key]') : listBox(def.name).querySelector('.add')).focus();
      changed('form')();
    });
    fs.append(rm);
    return fs;
  };
  const fillList = (def, rows) => {
    const box = listBox(def.name).querySelector('.studio-rows');
    box.replaceChildren(...rows.map((r) => makeRow(def, r)));
    renumber(def);
  };
  lists.defs.forEach((def) => {
    const box = listBox(def.name);
    // Long lists start folded; a problem or a new row unfolds them.
    const fold = document.createElement('details');
    fold.open = (lists.rows[def.name] || []).length <= 6;
    const h = document.createElement('summary');
    const rows = document.createElement('div');
    rows.className = 'studio-rows';
    const add = document.createElement('button');
    add.type = 'button';
    add.className = 'btn add';
    add.textContent = 'Add ' + def.item;
    add.addEventListener('click', () => {
      const fs = makeRow(def, { origin: -1, values: {} });
      rows.append(fs);
      fold.open = true;
      renumber(def);
      fs.querySelector('[data-key]').focus();
      changed('form')();
    });
    fold.append(h, rows, add);
    box.append(fold);
    fillList(def, lists.rows[def.name] || []);
    box.addEventListener('input', (e) => {
      if (!e.target.dataset.key) return;
      if ((def.keyed || def.name === 'stages') && e.target.dataset.key === 'name') renumber(def);
      changed('form')();
    });
  });
  // sent holds the rows of the request in flight, in the order sent.
  let sent = null;

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
      d.lists = {};
      sent = {};
      lists.defs.forEach((def) => {
        sent[def.name] = rowsOf(def.name);
        d.lists[def.name] = sent[def.name].map((fs) => ({ origin: Number(fs.dataset.origin), values: rowValues(fs) }));
      });
    }
    return d;
  };

  // fieldOf finds the form's element for a lint field, or for the nearest field around it
  // ("objections[1].says[0]" is in the says box of objection 2).
  const fieldOf = (field) => {
    for (let f = field; f; f = f.replace(/(\[\d+\]|\.[^.[]*)$/, '')) {
      const q = CSS.escape(f);
      const el = document.querySelector('#studio-form [data-field="' + q + '"], #studio-form [data-at="' + q + '"]');
      if (el) return el;
      if (!/(\[\d+\]|\.[^.[]*)$/.test(f)) break;
    }
    return null;
  };

  const showProblems = (list) => {
    document.querySelectorAll('#studio-form .bad').forEach((el) => {
      el.classList.remove('bad');
      el.removeAttribute('aria-invalid');
    });
    document.querySelectorAll('#studio-form .field-error').forEach((m) => m.remove());
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
      const el = p.field && fieldOf(p.field);
      if (el) {
        const fold = el.closest('details');
        if (fold) fold.open = true;
        el.classList.add('bad');
        el.setAttribute('aria-invalid', 'true');
        const m = document.createElement('small');
        m.className = 'field-error';
        m.textContent = p.msg;
        el.insertAdjacentElement('afterend', m);
        // The problem in the list takes the keyboard to its field.
        const go = document.createElement('button');
        go.type = 'button';
        go.className = 'link';
        go.textContent = li.textContent;
        go.addEventListener('click', () => {
          const f = el.closest('details');
          if (f) f.open = true;
          (el.matches('input, textarea, select') ? el : el.querySelector('input, textarea, select') || el).focus();
        });
        li.replaceChildren(go);
      }
    });
    root.dataset.problems = String((list || []).length);
  };

  const apply = (v, carried) => {
    if (carried && v.lists_applied) {
      // The YAML now lists the rows in the order sent: that is where they come from next.
      lists.defs.forEach((def) => carried[def.name].forEach((fs, i) => { fs.dataset.origin = String(i); }));
    } else if (!carried && source !== 'form') {
      lists.defs.forEach((def) => {
        const rows = v.lists[def.name] || [];
        const now = rowsOf(def.name).map((fs) => rowValues(fs));
        if (JSON.stringify(now) !== JSON.stringify(rows.map((r) => r.values))) fillList(def, rows);
        else rowsOf(def.name).forEach((fs, i) => { fs.dataset.origin = String(i); });
      });
    }
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
    sent = null;
    const d = draft();
    const carried = sent;
    post('/lint', d).then((r) => {
      if (n !== seq) return;
      root.dataset.linting = 'false';
      if (!r.ok) { msg.textContent = r.body.error || 'Lint failed (' + r.status + ').'; return; }
      apply(r.body, carried);
      if (!timer) source = null; // an edit made meanwhile is still to be sent
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
