// Spar learner page, signed-in part: "Your assignments" above the scenario cards, from
// GET /api/me and /api/me/assignments. Anonymous visitors (401) see the page unchanged.
// Practise asks learner.js to start the call with the 'spar:practise' event; learner.js's
// 'spar:rep' (a call ended or was scored) reloads the cards.
'use strict';

(function () {
  const box = document.getElementById('assignments');
  if (!box) return;
  const DAY = 86400000;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // dueText says when an assignment is due, relative to now.
  function dueText(a, now) {
    if (a.state === 'done') return 'done';
    const ms = Date.parse(a.due) - now;
    if (!(ms > 0)) return 'overdue';
    const days = Math.floor(ms / DAY);
    if (days === 0) return 'due today';
    if (days === 1) return 'due tomorrow';
    return 'due in ' + days + ' days';
  }

  function item(a, now) {
    const li = el('li', 'assignment ' + a.state.replace(/\s+/g, '-'));
    li.dataset.assignment = a.id;
    const head = el('div', 'a-head');
    const due = el('span', 'a-due', dueText(a, now));
    due.title = 'last day ' + a.due_date;
    head.append(el('h3', '', a.title || a.scenario), due);
    li.append(head);

    const pct = a.required > 0 ? Math.min(100, Math.round((100 * a.reps) / a.required)) : 100;
    const bar = el('div', 'a-bar');
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', String(a.required));
    bar.setAttribute('aria-valuenow', String(Math.min(a.reps, a.required)));
    bar.setAttribute('aria-label', 'Reps done');
    const fill = el('span');
    fill.style.width = pct + '%';
    bar.append(fill);
    li.append(bar);

    const stats = el('div', 'a-stats');
    stats.append(el('span', 'a-reps', a.reps + ' of ' + a.required + ' reps'));
    const passes = el('span', 'a-passes', a.passes + ' passed · pass mark ' + a.pass_mark);
    stats.append(passes);
    if (a.best !== null && a.best !== undefined) stats.append(el('span', 'a-best', 'best ' + a.best));
    li.append(stats);
    if (a.note) li.append(el('p', 'a-note', a.note + (a.author_name ? ' — ' + a.author_name : '')));

    const btn = el('button', 'btn primary', a.state === 'done' ? 'Practise more' : 'Practise');
    btn.type = 'button';
    btn.addEventListener('click', () => {
      document.dispatchEvent(new CustomEvent('spar:practise', { detail: { scenario: a.scenario } }));
    });
    const foot = el('div', 'a-foot');
    foot.append(btn);
    li.append(foot);
    return li;
  }

  // accountNav links the practice page to the console for a signed-in user: their progress
  // (learners) or the console (trainers, admins), and Sign out.
  function accountNav(who) {
    const nav = document.getElementById('account-nav');
    if (!nav || nav.dataset.ready) return;
    nav.dataset.ready = 'true';
    nav.append(el('span', 'me', who.name));
    const link = el('a', '', who.role === 'learner' ? 'My progress' : 'Console');
    link.href = who.role === 'learner' ? '/console/learners/' + encodeURIComponent(who.id) : '/console/calls';
    nav.append(link);
    const form = el('form');
    form.method = 'post';
    form.action = '/console/logout';
    const csrf = el('input');
    csrf.type = 'hidden';
    csrf.name = 'csrf';
    csrf.value = who.csrf || '';
    const out = el('button', '', 'Sign out');
    out.type = 'submit';
    form.append(csrf, out);
    nav.append(form);
    nav.hidden = false;
  }

  async function load() {
    const me = await fetch('/api/me', { headers: { Accept: 'application/json' } });
    if (!me.ok) return; // nobody signed in: the page stays as it is
    const who = await me.json();
    const status = document.getElementById('status-link'); // needs a signed-in user
    if (status) status.hidden = false;
    accountNav(who);
    window.sparMe = who;
    document.dispatchEvent(new CustomEvent('spar:me'));
    const r = await fetch('/api/me/assignments', { headers: { Accept: 'application/json' } });
    if (!r.ok) return;
    const list = (await r.json()) || [];
    if (!list.length && who.role !== 'learner') return;
    const now = Date.now();
    const h = el('h2', '', 'Your assignments');
    h.id = 'assignments-h';
    const ul = el('ul', 'a-list');
    ul.append(...list.map((a) => item(a, now)));
    box.replaceChildren(h);
    if (list.length) box.append(ul);
    else box.append(el('p', 'muted', 'Nothing assigned right now: practise any scenario below.'));
    box.hidden = false;
  }

  load().catch(() => {}).finally(() => { box.dataset.ready = 'true'; });
  // learner.js says when a call ends and when its score arrives: recount the reps.
  document.addEventListener('spar:rep', () => { load().catch(() => {}); });
})();
