// Replay page: waveform, synced transcript, markers, scorecard, comments, override, disagree.
// No inline script or style: the page's CSP allows only this origin's files.
(() => {
  'use strict';
  const root = document.getElementById('replay');
  const id = root.dataset.call;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const audio = document.getElementById('audio');
  const canvas = document.getElementById('wave');
  const api = '/console/api/calls/' + encodeURIComponent(id);
  const state = { data: null, peaks: null, lines: [], current: -1 };
  window.sparReplay = state;

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const clock = ms => {
    const s = Math.max(0, Math.floor(ms / 1000));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  };
  const status = msg => { document.getElementById('status').textContent = msg; };
  const durationMS = () => (state.peaks && state.peaks.duration_ms) || (state.data && state.data.call.duration_ms) || 1;

  function seek(ms) {
    audio.currentTime = ms / 1000;
    highlight();
    draw();
    slider(ms);
  }

  // slider tells assistive technology where the waveform's position is.
  function slider(ms) {
    canvas.setAttribute('aria-valuenow', String(Math.round(ms / 1000)));
    canvas.setAttribute('aria-valuemax', String(Math.round(durationMS() / 1000)));
    canvas.setAttribute('aria-valuetext', clock(ms) + ' of ' + clock(durationMS()));
  }

  async function send(method, url, body) {
    const res = await fetch(url, {
      method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      let msg = res.status + '';
      try { msg = (await res.json()).error || msg; } catch (e) { /* not JSON */ }
      throw new Error(msg);
    }
    return res.status === 204 ? null : res.json();
  }

  // Waveform: learner above the middle line, persona below; markers and the playhead on top.
  function draw() {
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height, mid = h / 2;
    ctx.clearRect(0, 0, w, h);
    // Colours are base.css's tokens: the waveform is drawn in the one visual system too.
    const css = getComputedStyle(document.documentElement);
    const token = name => css.getPropertyValue(name).trim();
    if (state.peaks) {
      const n = state.peaks.left.length;
      const lane = (vals, color, dir) => {
        ctx.fillStyle = color;
        for (let x = 0; x < w; x++) {
          const v = vals[Math.floor(x * n / w)] / 255;
          const y = Math.max(1, v * (mid - 6));
          if (dir < 0) ctx.fillRect(x, mid - 2 - y, 1, y); else ctx.fillRect(x, mid + 2, 1, y);
        }
      };
      lane(state.peaks.left, token('--learner'), -1);
      lane(state.peaks.right, token('--persona'), 1);
    }
    ctx.fillStyle = token('--line');
    ctx.fillRect(0, mid - 1, w, 1);
    const dur = durationMS();
    const colors = { barge_in: token('--bad'), silence: token('--muted'), mood: token('--meter-mid') };
    for (const m of (state.data && state.data.markers) || []) {
      const x = m.at_ms / dur * w;
      ctx.fillStyle = colors[m.kind] || token('--ink-2');
      if (m.dur_ms) { ctx.globalAlpha = 0.15; ctx.fillRect(x, 0, m.dur_ms / dur * w, h); ctx.globalAlpha = 1; }
      ctx.fillRect(x, 0, 2, 10);
    }
    for (const c of (state.data && state.data.comments) || []) {
      ctx.fillStyle = token('--brand');
      ctx.beginPath();
      const x = c.at_ms / dur * w;
      ctx.moveTo(x - 5, h); ctx.lineTo(x + 5, h); ctx.lineTo(x, h - 8); ctx.fill();
    }
    ctx.fillStyle = token('--ink');
    ctx.fillRect(audio.currentTime * 1000 / dur * w, 0, 2, h);
  }

  canvas.addEventListener('click', ev => {
    const r = canvas.getBoundingClientRect();
    seek((ev.clientX - r.left) / r.width * durationMS());
  });

  // Transcript: the line playing now is highlighted; a click seeks to its start.
  function renderTranscript() {
    const ol = document.getElementById('transcript');
    ol.textContent = '';
    state.lines = [];
    for (const [i, l] of state.data.transcript.entries()) {
      const li = el('li', l.speaker);
      li.dataset.index = i;
      li.dataset.start = l.start_ms;
      li.append(el('span', 't', clock(l.start_ms)), el('span', 'who', l.speaker === 'learner' ? 'Learner' : 'Persona'),
        el('span', 'text', l.text));
      if (l.truncated) li.append(el('span', 'cut', '(cut off)'));
      // Comments sit inline at their moment: under the last line that started before them.
      const next = state.data.transcript[i + 1];
      for (const c of state.data.comments) {
        if (c.at_ms >= (i === 0 ? -Infinity : l.start_ms) && (!next || c.at_ms < next.start_ms)) {
          li.append(el('div', 'inline-comment', c.author_name + ' at ' + clock(c.at_ms) + ': ' + c.text));
        }
      }
      li.tabIndex = 0;
      li.addEventListener('click', () => seek(l.start_ms));
      li.addEventListener('keydown', ev => { if (ev.key === 'Enter') { ev.preventDefault(); seek(l.start_ms); } });
      ol.append(li);
      state.lines.push(li);
    }
  }

  // follow keeps the current line in view by scrolling the transcript box only: the page (and
  // the player on it) stays where the trainer put it.
  function follow(li) {
    const box = li.parentElement, top = li.offsetTop;
    if (top < box.scrollTop || top + li.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  function highlight() {
    const t = audio.currentTime * 1000;
    let cur = -1;
    state.data.transcript.forEach((l, i) => { if (l.start_ms <= t + 1) cur = i; });
    if (cur === state.current) return;
    if (state.current >= 0 && state.lines[state.current]) state.lines[state.current].classList.remove('current');
    state.current = cur;
    if (cur >= 0) {
      state.lines[cur].classList.add('current');
      follow(state.lines[cur]);
    }
  }

  function renderMarkers() {
    const ul = document.getElementById('markers');
    ul.textContent = '';
    for (const m of state.data.markers) {
      const li = el('li', m.kind);
      const b = el('button', '', clock(m.at_ms) + ' ' + m.label);
      b.type = 'button';
      b.addEventListener('click', () => seek(m.at_ms));
      li.append(b);
      ul.append(li);
    }
  }

  function renderScorecard() {
    const box = document.getElementById('scorecard');
    box.textContent = '';
    box.append(el('h2', '', 'Scorecard'));
    const card = state.data.scorecard, o = state.data.override;
    if (!card && !o) { box.append(el('p', 'muted', 'Not scored yet.')); return; }
    const score = o ? o.score : card.overall, pass = o ? o.pass : card.pass;
    const head = el('p');
    head.append(el('span', 'overall', score + ''), ' ', el('span', pass ? 'pass' : 'fail', pass ? 'pass' : 'fail'));
    if (card) head.append(el('span', 'muted', ' pass mark ' + card.pass_mark));
    box.append(head);
    if (o) {
      box.append(el('p', 'flag', 'Overridden by ' + o.author_name + (card ? ' (judge: ' + card.overall + ')' : '') + ': ' + o.reason));
    }
    const d = state.data.disagree;
    if (d) box.append(el('p', 'flag', 'The learner disagrees' + (d.reason ? ': ' + d.reason : '.')));
    if (!card) return;
    // What the card's flags mean, in plain words, above the criteria (a card stored before
    // notes were kept names its flags).
    const notes = card.notes && card.notes.length ? card.notes
      : (card.flags || []).map(f => 'Flagged: ' + f.replace(/_/g, ' ') + '.');
    if (notes.length) {
      const nl = el('ul', 'notes');
      nl.setAttribute('aria-label', 'About this score');
      for (const n of notes) nl.append(el('li', '', n));
      box.append(nl);
    }
    const ul = el('ul', 'criteria');
    for (const c of card.criteria) {
      const li = el('li');
      li.append(el('strong', '', c.name), ' ', el('span', 'muted', Math.round(c.score * 100) + '%'));
      const bar = el('div', 'bar'), fill = el('span');
      fill.style.width = Math.round(c.score * 100) + '%';
      bar.append(fill);
      li.append(bar, el('div', 'muted', c.rationale));
      for (const q of c.evidence || []) {
        const b = el('button', 'quote' + (q.positive ? '' : ' neg'), clock(q.at / 1e6) + ' “' + q.text + '”' + (q.misheard ? ' (may be misheard)' : ''));
        b.type = 'button';
        b.dataset.at = Math.round(q.at / 1e6);
        b.addEventListener('click', () => seek(q.at / 1e6));
        li.append(b);
      }
      if (c.better) li.append(el('div', 'muted', 'Try: ' + c.better));
      ul.append(li);
    }
    box.append(ul);
  }

  function renderComments() {
    const ol = document.getElementById('comments');
    ol.textContent = '';
    if (!state.data.comments.length) ol.append(el('li', 'muted', 'No comments yet.'));
    for (const c of state.data.comments) {
      const li = el('li', 'comment');
      li.dataset.id = c.id;
      const meta = el('div', 'meta');
      const at = el('button', 'link', clock(c.at_ms));
      at.type = 'button';
      at.addEventListener('click', () => seek(c.at_ms));
      meta.append(at, el('span', '', c.author_name + (c.edited ? ' (edited)' : '')));
      const mine = state.data.can.comment && (c.author === state.data.me.id || state.data.me.role === 'admin');
      if (mine) {
        const edit = el('button', 'edit', 'Edit'), del = el('button', 'delete', 'Delete');
        edit.type = del.type = 'button';
        edit.addEventListener('click', () => editInline(li, c));
        del.addEventListener('click', () => act(() => send('DELETE', api + '/comments/' + c.id)));
        meta.append(edit, del);
      }
      li.append(meta, el('div', 'text', c.text));
      ol.append(li);
    }
  }

  // editInline swaps a comment's text for a box with Save and Cancel, in place.
  function editInline(li, c) {
    if (li.querySelector('form')) return;
    const text = li.querySelector('.text');
    const form = el('form', 'comment-edit');
    const box = el('textarea');
    box.value = c.text;
    box.rows = 3;
    box.setAttribute('aria-label', 'Edit comment');
    const save = el('button', '', 'Save'), cancel = el('button', 'link', 'Cancel');
    save.type = 'submit';
    cancel.type = 'button';
    cancel.addEventListener('click', () => { form.replaceWith(text); });
    form.addEventListener('submit', ev => {
      ev.preventDefault();
      act(() => send('PUT', api + '/comments/' + c.id, { text: box.value }));
    });
    form.append(box, save, cancel);
    text.replaceWith(form);
    box.focus();
  }

  async function act(fn) {
    try { await fn(); await load(); status(''); } catch (e) { status('Could not save: ' + e.message); }
  }

  function renderForms() {
    const can = state.data.can;
    document.getElementById('comment-form').hidden = !can.comment;
    document.getElementById('override-box').hidden = !can.override;
    document.getElementById('override-remove').hidden = !state.data.override;
    const dis = document.getElementById('disagree-box');
    dis.hidden = !can.disagree;
    document.getElementById('disagree-withdraw').hidden = !state.data.disagree;
    document.getElementById('disagree-btn').textContent = state.data.disagree ? 'Update' : 'I disagree';
  }

  // talkFigures are the talk-track panel's rows: the metric, its label, how to print it, and
  // what a trainer aims for.
  const pct = v => Math.round(100 * v) + '%', num = v => String(Math.round(v * 10) / 10), sec = v => num(v) + ' s';
  const talkFigures = [
    ['talk_ratio', 'Talk ratio (learner share)', pct],
    ['longest_monologue_s', 'Longest monologue', sec],
    ['learner_interruptions', 'Learner cut in', num],
    ['persona_interruptions', 'Persona cut in', num],
    ['words_per_minute', 'Pace (words per minute)', num],
    ['fillers_per_100', 'Fillers per 100 words', num],
    ['latency_mean_s', 'Patience (pause before answering)', sec],
    ['questions', 'Questions asked', num],
  ];

  // metricValue reads a figure from the scorecard's metrics (durations there are in ns).
  function metricValue(m, name) {
    switch (name) {
      case 'longest_monologue_s': return m.longest_monologue / 1e9;
      case 'latency_mean_s': return m.latency_mean / 1e9;
      case 'questions': return (m.open_questions || 0) + (m.closed_questions || 0);
      default: return m[name];
    }
  }

  // renderTalkTrack draws who talked when along the call (two lanes) and the call's
  // figures beside the typical range of the calls this viewer can see.
  function renderTalkTrack() {
    const box = document.getElementById('talk-track');
    const card = state.data.scorecard;
    const strip = document.getElementById('talk-strip');
    strip.textContent = '';
    const total = durationMS();
    for (const who of ['learner', 'persona']) {
      const lane = el('div', 'talk-lane ' + who);
      lane.append(el('span', 'talk-who', who === 'learner' ? 'Learner' : 'Persona'));
      const track = el('div', 'talk-bars');
      for (const l of state.data.transcript) {
        if (l.speaker !== who) continue;
        const b = el('span', 'talk-bar');
        b.style.left = (100 * l.start_ms / total).toFixed(2) + '%';
        b.style.width = Math.max(0.3, 100 * (l.end_ms - l.start_ms) / total).toFixed(2) + '%';
        b.title = clock(l.start_ms) + ' ' + l.text;
        track.append(b);
      }
      lane.append(track);
      strip.append(lane);
    }
    const dl = document.getElementById('talk-figures');
    dl.textContent = '';
    if (!card || !card.metrics) { box.hidden = state.data.transcript.length === 0; return; }
    const typical = state.data.typical || {};
    for (const [name, label, fmt] of talkFigures) {
      const v = metricValue(card.metrics, name);
      if (typeof v !== 'number' || Number.isNaN(v)) continue;
      const row = el('div', 'figure');
      row.dataset.metric = name;
      row.append(el('dt', '', label), el('dd', 'value', fmt(v)));
      const t = typical[name];
      row.append(el('dd', 'typical', t ? 'typical ' + fmt(t.low) + '–' + fmt(t.high) + ' (' + t.n + ' calls)' : 'no range yet'));
      dl.append(row);
    }
    box.hidden = false;
  }

  function render() {
    renderTalkTrack();
    renderTranscript();
    renderMarkers();
    renderScorecard();
    renderComments();
    renderForms();
    state.current = -1;
    highlight();
    draw();
  }

  async function load() {
    const res = await fetch(api, { credentials: 'same-origin' });
    if (!res.ok) throw new Error('load call: ' + res.status);
    state.data = await res.json();
    render();
  }

  document.getElementById('comment-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const text = document.getElementById('comment-text').value;
    const at = Math.round(audio.currentTime * 1000);
    act(async () => { await send('POST', api + '/comments', { at_ms: at, text }); document.getElementById('comment-text').value = ''; });
  });
  document.getElementById('override-form').addEventListener('submit', ev => {
    ev.preventDefault();
    const f = ev.target;
    act(() => send('PUT', api + '/override', { score: Number(f.score.value), pass: f.pass.checked, reason: f.reason.value }));
  });
  document.getElementById('disagree-form').addEventListener('submit', ev => {
    ev.preventDefault();
    act(() => send('PUT', api + '/disagree', { reason: ev.target.reason.value }));
  });
  document.getElementById('disagree-withdraw').addEventListener('click', () => act(() => send('DELETE', api + '/disagree')));
  document.getElementById('override-remove').addEventListener('click', () => {
    if (window.confirm('Remove the override? The judge\'s score counts again.')) act(() => send('DELETE', api + '/override'));
  });

  // Skip silence: while playing, a gap of more than skipGapMS with nobody speaking is jumped
  // to just before the next line.
  const skipGapMS = 1500;
  function skipSilence() {
    if (!document.getElementById('skip-silence').checked || audio.paused || !state.data) return;
    const t = audio.currentTime * 1000, lines = state.data.transcript;
    if (lines.some(l => l.start_ms <= t && t < l.end_ms)) return;
    const next = lines.find(l => l.start_ms > t);
    const prevEnd = Math.max(0, ...lines.filter(l => l.end_ms <= t).map(l => l.end_ms));
    if (next && next.start_ms - prevEnd > skipGapMS && next.start_ms - t > 400) seek(next.start_ms - 300);
  }

  const tick = () => {
    const now = audio.currentTime * 1000;
    document.getElementById('comment-at').textContent = clock(now);
    slider(now);
    skipSilence();
    if (state.data) { highlight(); draw(); }
    if (!audio.paused) requestAnimationFrame(tick);
  };

  // Playback speed, and a link to the moment playing now (#t=83 opens the call there).
  document.getElementById('speed').addEventListener('change', ev => { audio.playbackRate = Number(ev.target.value); });
  document.getElementById('moment-link').addEventListener('click', () => {
    const url = location.origin + location.pathname + '#t=' + Math.floor(audio.currentTime);
    history.replaceState(null, '', url);
    if (navigator.clipboard) navigator.clipboard.writeText(url).catch(() => {});
    status('Link to ' + clock(audio.currentTime * 1000) + ' copied: ' + url);
  });
  function fromHash() {
    const m = /^#t=(\d+(?:\.\d+)?)$/.exec(location.hash);
    if (m) seek(Number(m[1]) * 1000);
  }
  window.addEventListener('hashchange', fromHash);

  // Keyboard: space or k plays and pauses, left/right (or j/l) move 5 s, Home and End (on
  // the waveform) go to the start and the end, [ and ] the previous and next line. Not while typing in a form.
  document.addEventListener('keydown', ev => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.target.closest('input, textarea, select, button, audio')) return;
    const t = audio.currentTime * 1000, starts = state.data ? state.data.transcript.map(l => l.start_ms) : [];
    switch (ev.key) {
      case ' ': case 'k': if (audio.paused) audio.play().catch(() => {}); else audio.pause(); break;
      case 'ArrowLeft': case 'j': seek(Math.max(0, t - 5000)); break;
      case 'ArrowRight': case 'l': seek(Math.min(durationMS(), t + 5000)); break;
      case '[': { const p = starts.filter(s => s < t - 500).pop(); if (p !== undefined) seek(p); break; }
      case ']': { const n = starts.find(s => s > t + 50); if (n !== undefined) seek(n); break; }
      case 'Home': if (ev.target !== canvas) return; seek(0); break; // elsewhere they scroll the page
      case 'End': if (ev.target !== canvas) return; seek(durationMS()); break;
      default: return;
    }
    ev.preventDefault();
  });
  // The sticky transcript sits under the sticky player, whatever the player's height.
  const player = document.querySelector('.player');
  const playerHeight = () => document.documentElement.style.setProperty('--player-h', player.offsetHeight + 'px');
  playerHeight();
  new ResizeObserver(playerHeight).observe(player); // markers load later and wrap
  audio.addEventListener('play', () => requestAnimationFrame(tick));
  audio.addEventListener('seeked', tick);
  audio.addEventListener('timeupdate', tick);

  Promise.all([
    load(),
    fetch(api + '/peaks', { credentials: 'same-origin' }).then(r => r.ok ? r.json() : null).then(p => { state.peaks = p; }),
  ]).then(() => { draw(); fromHash(); state.ready = true; root.dataset.ready = 'true'; })
    .catch(e => status('Could not load this call: ' + e.message));
})();
