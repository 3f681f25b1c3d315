// Spar learner page: pick a scenario, call the persona over WebRTC, follow the live
// transcript (server-sent events), then see the summary. No framework, no inline script.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  // ?mic=raw turns off the browser's echo cancellation, noise suppression and gain control:
  // for headsets and test rigs that feed clean audio.
  const rawMic = params.get('mic') === 'raw';
  // ?trial=ticket: a trainer trying a studio version from the editor ("Try it"). The page
  // offers that one scenario, read from the console, and sends the ticket with its offer;
  // the call is recorded as a trial, which counts in no learner's progress.
  const trialTicket = params.get('trial') || '';
  const MOOD_MAX = 10;
  // The "we can't hear you" hint: the microphone below SILENT_DB for SILENT_HINT_MS before
  // it first carried sound on the call (a muted or wrong microphone), or for SILENT_AGAIN_MS
  // after (muted mid-call: a learner who listens to the persona is quiet for a while).
  const SILENT_DB = -55, SILENT_HINT_MS = 6000, SILENT_AGAIN_MS = 15000;

  const state = {
    scenarios: [], scenario: null, pc: null, stream: null, callId: '', events: null,
    started: 0, timer: 0, meterStop: null, ended: false, mood: null, endReason: '',
    lines: [], interim: null, lastPersona: null, lastLearner: null, learnerTurns: 0, audioCtx: null,
    ws: null, signaling: '', csrf: '', signedIn: '',
  };
  window.spar = state; // a handle for debugging and for the browser tests

  // ---- learner name (accounts come later) ----
  const nameInput = $('learner-name');
  nameInput.value = localStorage.getItem('spar.learner') || '';
  nameInput.addEventListener('input', () => localStorage.setItem('spar.learner', nameInput.value.trim()));
  // Signed in, the learner practises under their account: the name field gives way to it.
  fetch('/webrtc/config').then((r) => r.json()).then((cfg) => {
    if (!cfg.learner) return;
    state.signedIn = cfg.learner;
    nameInput.hidden = true;
    nameInput.disabled = true;
    const who = el('b', 'signed-in', cfg.learner);
    who.id = 'learner-signed-in';
    nameInput.after(who);
  }).catch(() => {});

  // ---- banner ----
  function banner(title, text, info) {
    $('banner-title').textContent = title;
    $('banner-text').textContent = text || '';
    $('banner').classList.toggle('info', !!info);
    $('banner').hidden = false;
  }
  $('banner-close').addEventListener('click', () => { $('banner').hidden = true; });

  function show(view) {
    for (const v of ['pick', 'call', 'summary']) $('view-' + v).hidden = v !== view;
    window.scrollTo(0, 0);
  }

  function initials(name) {
    return (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- scenario cards ----
  async function loadScenarios() {
    const box = $('scenarios');
    if (trialTicket) return loadTrial(box);
    try {
      const r = await fetch('/api/scenarios');
      if (!r.ok) throw new Error('HTTP ' + r.status);
      state.scenarios = (await r.json()) || [];
    } catch (e) {
      box.replaceChildren(el('p', 'empty', 'Could not load the scenarios. Is the server running? (' + e.message + ')'));
      return;
    }
    if (!state.scenarios.length) {
      box.replaceChildren(el('p', 'empty', 'No scenarios are installed on this server yet.'));
      return;
    }
    box.replaceChildren(...state.scenarios.map(card));
  }

  // loadTrial shows the one scenario a trial ticket calls, with what the trial is.
  async function loadTrial(box) {
    let sc;
    try {
      const r = await fetch('/console/api/trial/' + encodeURIComponent(trialTicket), { credentials: 'same-origin' });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
      sc = body;
    } catch (e) {
      box.replaceChildren(el('p', 'empty', 'This trial cannot start: ' + e.message + '. Sign in as the trainer who pressed Try it.'));
      return;
    }
    state.scenarios = [sc];
    const note = el('p', 'trial-note');
    note.id = 'trial-note';
    note.append(el('b', '', 'Trying version ' + sc.version + ' of ' + sc.title + '. '),
      document.createTextNode('Learners do not see it until it is published; this call is scored against this version and counts in nobody\'s progress. '));
    const back = el('a', '', 'Back to the editor');
    back.href = sc.editor;
    note.append(back);
    box.replaceChildren(note, card(sc));
  }

  function card(sc) {
    const c = el('article', 'card');
    c.dataset.scenario = sc.id;
    c.append(el('h3', '', sc.title));
    const who = el('div', 'who-line');
    who.append(el('span', 'mini-avatar', initials(sc.persona)), el('span', '', 'with ' + (sc.persona || 'a persona')));
    c.append(who, el('p', 'situation', sc.situation));
    const goal = el('div', 'goal-line');
    goal.append(el('b', '', 'Your goal: '), document.createTextNode(sc.learner_goal || ''));
    c.append(goal);
    const foot = el('div', 'foot-row');
    foot.append(el('span', 'tag ' + (sc.difficulty || ''), sc.difficulty || 'standard'));
    if (sc.category) foot.append(el('span', 'tag plain', sc.category.replace(/[-_]/g, ' ')));
    const btn = el('button', 'btn primary', 'Start call');
    btn.type = 'button';
    btn.addEventListener('click', () => startCall(sc));
    foot.append(btn);
    c.append(foot);
    return c;
  }

  // ---- microphone ----
  function micError(e) {
    switch (e && e.name) {
      case 'NotAllowedError':
      case 'SecurityError':
        return ['Microphone access is blocked.', 'Allow the microphone for this site (the icon in the address bar), then press Start call again.'];
      case 'NotFoundError':
      case 'OverconstrainedError':
        return ['No microphone found.', 'Plug in a headset or microphone, check your system sound settings, then try again.'];
      case 'NotReadableError':
      case 'AbortError':
        return ['Your microphone is busy.', 'Another app or tab is using it. Close it and try again.'];
      default:
        return ['Could not start the microphone.', (e && e.message) || String(e)];
    }
  }

  async function openMic() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw Object.assign(new Error('This page needs a secure connection (https, or localhost) to use the microphone.'), { name: 'Insecure' });
    }
    const audio = rawMic
      ? { echoCancellation: false, noiseSuppression: false, autoGainControl: false }
      : { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    return navigator.mediaDevices.getUserMedia({ audio, video: false });
  }

  function startLevelMeter(stream) {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return () => {};
    const ctx = new Ctx();
    state.audioCtx = ctx;
    const an = ctx.createAnalyser();
    an.fftSize = 1024;
    ctx.createMediaStreamSource(stream).connect(an);
    const buf = new Float32Array(an.fftSize);
    let raf = 0;
    const bar = $('level-bar'), hint = $('mic-hint');
    // Silence is timed on the audio clock, the microphone's own: on a busy machine the
    // wall clock runs ahead of the audio the page has actually analysed.
    const now = () => ctx.currentTime * 1000;
    let heard = now(), spoke = false; // last time the microphone carried sound; ever
    const tick = () => {
      an.getFloatTimeDomainData(buf);
      let sum = 0;
      for (let i = 0; i < buf.length; i++) sum += buf[i] * buf[i];
      const db = 10 * Math.log10(sum / buf.length + 1e-10);
      bar.style.width = Math.max(0, Math.min(100, ((db + 60) / 50) * 100)).toFixed(0) + '%';
      // A muted or wrong microphone sends silence: say so before the persona gives up.
      if (db > SILENT_DB) { heard = now(); spoke = true; }
      hint.hidden = now() - heard < (spoke ? SILENT_AGAIN_MS : SILENT_HINT_MS);
      raf = requestAnimationFrame(tick);
    };
    tick();
    return () => { cancelAnimationFrame(raf); hint.hidden = true; ctx.close(); };
  }

  // ---- call ----
  function setStatus(text, kind) {
    const s = $('status');
    s.textContent = text;
    s.className = 'status' + (kind ? ' ' + kind : '');
  }

  function resetCallView(sc) {
    $('persona-name').textContent = sc.persona || 'Persona';
    $('avatar').textContent = initials(sc.persona);
    $('scenario-title').textContent = sc.title;
    $('goal-text').textContent = sc.learner_goal || '';
    $('transcript').replaceChildren();
    $('transcript-empty').hidden = false;
    $('timer').textContent = '00:00';
    const meter = meterFor(sc);
    $('mood-label').textContent = meter.label;
    $('mood-bar').className = 'mood-bar ' + meter.cls;
    $('mood-bar').style.width = '0';
    $('mood-word').textContent = 'Unknown';
    $('mood-why').textContent = '';
    Object.assign(state, { lines: [], interim: null, lastPersona: null, lastLearner: null, learnerTurns: 0, mood: null, endReason: '', ended: false, callId: '' });
  }

  async function startCall(sc) {
    $('banner').hidden = true;
    state.scenario = sc;
    resetCallView(sc);
    show('call');
    setStatus('Asking for your microphone');
    try {
      state.stream = await openMic();
    } catch (e) {
      const [t, m] = e.name === 'Insecure' ? ['Microphone unavailable.', e.message] : micError(e);
      banner(t, m);
      show('pick');
      return;
    }
    const track = state.stream.getAudioTracks()[0];
    $('mic-name').textContent = (track && track.label) ? track.label.slice(0, 28) : '';
    state.meterStop = startLevelMeter(state.stream);
    setStatus('Connecting');
    try {
      await connect(sc, track);
    } catch (e) {
      banner('The call could not start.', e.message);
      teardown();
      show('pick');
    }
  }

  // connect signals over the WebSocket with trickle ICE; when the socket cannot open (a
  // proxy without WebSockets), it POSTs one offer carrying every candidate instead.
  async function connect(sc, track) {
    const cfg = await fetch('/webrtc/config').then((r) => r.json()).catch(() => ({ ice_servers: [] }));
    state.csrf = cfg.csrf || '';
    const pc = new RTCPeerConnection({ iceServers: cfg.ice_servers || [] });
    state.pc = pc;
    pc.addTrack(track, state.stream);
    pc.addEventListener('track', (e) => {
      const a = $('remote-audio');
      a.srcObject = e.streams[0] || new MediaStream([e.track]);
      a.play().catch(() => banner('Press anywhere to hear the persona.', 'Your browser blocked audio playback.', true));
    });
    pc.addEventListener('connectionstatechange', () => {
      const s = pc.connectionState;
      if (s === 'connected') onConnected();
      else if (s === 'disconnected') setStatus('Reconnecting', 'bad');
      else if (s === 'failed') { banner('The connection was lost.', 'Check your network and start the call again.'); finish('connection lost'); }
    });
    const ws = await openSocket();
    if (ws) return trickle(pc, ws, sc);
    state.signaling = 'post';
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    await gathered(pc);
    const headers = { 'Content-Type': 'application/json' };
    if (state.csrf) headers['X-CSRF-Token'] = state.csrf;
    const r = await fetch('/webrtc/offer', {
      method: 'POST', headers,
      body: JSON.stringify({ scenario: sc.id, learner: nameInput.value.trim(), sdp: pc.localDescription.sdp, trial: sc.trial || undefined }),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || ('server answered ' + r.status));
    state.callId = body.call_id;
    await pc.setRemoteDescription({ type: 'answer', sdp: body.sdp });
    follow(body.call_id);
  }

  // openSocket opens the signaling WebSocket, or resolves null when it cannot within 3 s.
  function openSocket() {
    if (!window.WebSocket) return Promise.resolve(null);
    return new Promise((resolve) => {
      let ws;
      try {
        ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/webrtc/ws');
      } catch (e) { resolve(null); return; }
      const t = setTimeout(() => { ws.close(); resolve(null); }, 3000);
      ws.addEventListener('open', () => { clearTimeout(t); resolve(ws); });
      ws.addEventListener('error', () => { clearTimeout(t); resolve(null); });
    });
  }

  // trickle sends the offer at once and candidates as they come, both ways; it resolves
  // once the answer is applied. The server's "ended" message ends the call on the page.
  function trickle(pc, ws, sc) {
    state.ws = ws;
    state.signaling = 'websocket';
    const send = (m) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m)); };
    return new Promise((resolve, reject) => {
      let answered = false, offered = false, remote = null;
      const held = [];
      ws.addEventListener('message', (e) => {
        let m;
        try { m = JSON.parse(e.data); } catch (err) { return; }
        if (m.type === 'answer' && !answered) {
          answered = true;
          state.callId = m.call_id;
          remote = pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
          remote.then(() => { follow(m.call_id); resolve(); }, reject);
        } else if (m.type === 'error' && !answered) {
          answered = true;
          reject(new Error(m.error || 'the server refused the call'));
        } else if (m.type === 'candidate' && m.candidate && remote) {
          remote.then(() => pc.addIceCandidate(m.candidate)).catch(() => {});
        } else if (m.type === 'ended') {
          if (!state.endReason) state.endReason = m.reason || '';
          finish(m.reason);
        }
      });
      ws.addEventListener('close', () => {
        if (!answered) { answered = true; reject(new Error('the signaling connection closed')); }
      });
      pc.addEventListener('icecandidate', (e) => {
        const m = { type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null };
        if (offered) send(m); else held.push(m);
      });
      pc.createOffer().then((o) => pc.setLocalDescription(o)).then(() => {
        send({ type: 'offer', scenario: sc.id, learner: nameInput.value.trim(), sdp: pc.localDescription.sdp, trial: sc.trial || undefined });
        offered = true;
        held.splice(0).forEach(send);
      }).catch(reject);
    });
  }

  // gathered waits for ICE gathering (at most 3 s: what is there by then is enough).
  function gathered(pc) {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, 3000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') { clearTimeout(t); resolve(); }
      });
    });
  }

  function onConnected() {
    if (state.started) { setStatus('Live', 'live'); return; }
    state.started = Date.now();
    setStatus('Live', 'live');
    $('hangup').disabled = false;
    state.timer = setInterval(() => { $('timer').textContent = clock(Date.now() - state.started); }, 250);
  }

  function clock(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    return String(Math.floor(s / 60)).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
  }

  // ---- live transcript ----
  // The feed is opened as soon as the offer is answered; the call begins a moment later,
  // when media connects, and until then the server answers 404 (it holds no feed open for a
  // call that does not exist). So a feed refused before any event is tried again, every half
  // second for up to 20 s.
  function follow(id, tries = 0) {
    const es = new EventSource('/api/calls/' + encodeURIComponent(id) + '/events');
    state.events = es;
    let heard = false;
    const on = (kind, fn) => es.addEventListener(kind, (m) => { heard = true; try { fn(JSON.parse(m.data)); } catch (e) { /* a bad event is skipped */ } });
    on('stt.interim', (e) => interim(e.text));
    on('learner.said', (e) => { learnerLine(e.text, e.data && e.data.joined === 'true'); });
    on('persona.says', (e) => personaLine(e.text, e.data && e.data.turn));
    on('turn.cancelled', (e) => dropPersona(e.data && e.data.turn));
    on('persona.heard', (e) => {
      if (!state.lastPersona) return;
      if (e.data && e.data.truncated === 'true') cutPersona(e.text);
      state.lastPersona.open = false;
    });
    on('barge_in', (e) => note(e.speaker === 'persona' ? (state.scenario.persona || 'They') + ' cut you off' : 'You cut in'));
    on('persona.mood', (e) => mood(e.mood, e.why)); // why: the reasons in plain words
    on('call.end', (e) => { state.endReason = e.detail || ''; finish(e.detail); });
    es.addEventListener('error', () => {
      if (state.ended) { es.close(); return; }
      if (es.readyState === EventSource.CLOSED && !heard && tries < 40 && state.events === es) {
        setTimeout(() => { if (!state.ended && state.events === es) follow(id, tries + 1); }, 500);
      }
    });
  }

  function addLine(li) {
    $('transcript-empty').hidden = true;
    const list = $('transcript');
    list.append(li);
    list.scrollTop = list.scrollHeight;
  }

  function bubble(who, text, cls) {
    const li = el('li', cls);
    li.append(el('span', 'speaker', who), el('span', 'text', text));
    return li;
  }

  function interim(text) {
    if (!text) return;
    if (!state.interim) {
      state.interim = bubble('You', text, 'learner interim');
      addLine(state.interim);
    } else {
      state.interim.querySelector('.text').textContent = text;
    }
  }

  // learnerLine shows a learner line; a joined one (the learner went on after a pause the
  // server took for the end) is the whole line and replaces the last one.
  function learnerLine(text, joined) {
    if (state.lastPersona) state.lastPersona.open = false;
    if (!text) { if (state.interim) { state.interim.remove(); state.interim = null; } return; }
    const last = state.lastLearner;
    if (joined && last) {
      last.line.text = text;
      last.li.querySelector('.text').textContent = text;
      if (state.interim) { state.interim.remove(); state.interim = null; }
      return;
    }
    state.learnerTurns++;
    const line = { speaker: 'learner', text };
    state.lines.push(line);
    let li = state.interim;
    if (li) {
      li.className = 'learner';
      li.querySelector('.text').textContent = text;
      state.interim = null;
    } else {
      li = bubble('You', text, 'learner');
      addLine(li);
    }
    state.lastLearner = { li, line };
  }

  // personaLine shows one sentence; the sentences of one reply share a bubble until the
  // reply ends (persona.heard) or the learner speaks.
  function personaLine(text, turn) {
    if (!text) return;
    const open = state.lastPersona && state.lastPersona.open ? state.lastPersona : null;
    if (open) {
      open.line.text += ' ' + text;
      open.li.querySelector('.text').textContent = open.line.text;
    } else {
      const li = bubble(state.scenario.persona || 'Persona', text, 'persona');
      state.lastPersona = { li, line: { speaker: 'persona', text }, open: true, turn };
      state.lines.push(state.lastPersona.line);
      addLine(li);
    }
    const av = $('avatar');
    av.classList.add('speaking');
    setTimeout(() => av.classList.remove('speaking'), Math.min(6000, 400 + text.length * 55));
  }

  // dropPersona takes away a reply the persona dropped (turn.cancelled): the learner went on
  // with their line before it was heard, or in its first words.
  function dropPersona(turn) {
    const p = state.lastPersona;
    if (!p || !turn || p.turn !== turn) return;
    p.li.remove();
    state.lines = state.lines.filter((l) => l !== p.line);
    state.lastPersona = null;
  }

  function cutPersona(heardText) {
    const p = state.lastPersona;
    p.li.classList.add('cut');
    p.li.querySelector('.text').textContent = heardText || '…';
    p.line.text = heardText;
    p.line.cut = true;
  }

  function note(text) { addLine(el('li', 'note', text)); }

  // A customer's meter reads their mood; a prospect's reads their interest, which rises as
  // their resistance (the persona's mood number) falls.
  function meterFor(sc) {
    if (sc && sc.category === 'sales') return { label: 'Interest', cls: 'interest', words: ['Interested', 'Open', 'Guarded', 'Ready to hang up'] };
    return { label: 'Mood', cls: '', words: ['Calm', 'Uneasy', 'Frustrated', 'Angry'] };
  }

  function moodWord(m) {
    const f = m / MOOD_MAX, w = meterFor(state.scenario).words;
    if (f < 0.2) return w[0];
    if (f < 0.45) return w[1];
    if (f < 0.7) return w[2];
    return w[3];
  }

  function mood(m, why) {
    if (typeof m !== 'number') return;
    state.mood = m;
    const interest = meterFor(state.scenario).cls === 'interest';
    const shown = interest ? MOOD_MAX - m : m;
    $('mood-bar').style.width = Math.max(4, Math.min(100, (shown / MOOD_MAX) * 100)) + '%';
    $('mood-word').textContent = moodWord(m) + ' · ' + shown + '/' + MOOD_MAX;
    $('mood-why').textContent = why || '';
  }

  // ---- ending ----
  function hangupOverSocket() {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return false;
    state.ws.send(JSON.stringify({ type: 'hangup' }));
    return true;
  }
  // hangUp tells the server the learner hung up and calls then() once the server has it (its
  // "ended" message, the socket closing, the POST answered) or after a moment. Closing the
  // connection at once would race the message, and the call would end as a dropped one.
  function hangUp(then) {
    let done = false;
    const go = () => { if (!done) { done = true; clearTimeout(t); then(); } };
    const t = setTimeout(go, 1500);
    const ws = state.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.addEventListener('message', (e) => {
        try { if (JSON.parse(e.data).type === 'ended') go(); } catch (err) { /* not ours */ }
      });
      ws.addEventListener('close', go);
      ws.send(JSON.stringify({ type: 'hangup' }));
      return;
    }
    fetch('/webrtc/calls/' + encodeURIComponent(state.callId) + '/hangup', { method: 'POST' })
      .catch(() => {}).finally(go);
  }
  $('hangup').addEventListener('click', () => {
    if (!state.callId) { finish('you hung up'); return; }
    $('hangup').disabled = true;
    hangUp(() => finish('you hung up'));
  });
  window.addEventListener('pagehide', () => {
    if (state.callId && !state.ended && !hangupOverSocket()) navigator.sendBeacon('/webrtc/calls/' + encodeURIComponent(state.callId) + '/hangup');
  });

  function teardown() {
    clearInterval(state.timer);
    if (state.meterStop) state.meterStop();
    state.meterStop = null;
    if (state.pc) state.pc.close();
    if (state.ws) { state.ws.close(); state.ws = null; }
    if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
    $('hangup').disabled = true;
  }

  function finish(reason) {
    if (state.ended) return;
    state.ended = true;
    const dur = state.started ? Date.now() - state.started : 0;
    teardown();
    setStatus('Call ended');
    // The server's own end reason arrives on the feed; give it a moment, then summarise.
    setTimeout(() => { if (state.events) state.events.close(); summary(dur, state.endReason || reason); }, 1200);
    repChanged();
  }

  // replayLink offers a signed-in learner the call's replay in the console, where trainers'
  // comments and overrides show (home.js sets window.sparMe; guests have no console).
  function replayLink() {
    const a = $('replay-link');
    a.hidden = !(window.sparMe && state.callId);
    if (!a.hidden) a.href = '/console/calls/' + encodeURIComponent(state.callId);
  }

  // repChanged tells home.js a rep was done or scored, so the assignment cards recount.
  function repChanged() { document.dispatchEvent(new CustomEvent('spar:rep')); }

  function summary(dur, reason) {
    const sc = state.scenario;
    $('summary-sub').textContent = sc.title + ' · with ' + (sc.persona || 'the persona');
    $('sum-duration').textContent = clock(dur);
    $('sum-turns').textContent = String(state.learnerTurns);
    const meter = meterFor(sc);
    $('sum-mood-label').textContent = 'Final ' + meter.label.toLowerCase();
    const shown = meter.cls === 'interest' && state.mood !== null ? MOOD_MAX - state.mood : state.mood;
    $('sum-mood').textContent = state.mood === null ? '–' : moodWord(state.mood) + ' (' + shown + '/' + MOOD_MAX + ')';
    $('sum-end').textContent = reason ? reason.charAt(0).toUpperCase() + reason.slice(1) : '–';
    const list = $('sum-transcript');
    list.replaceChildren();
    for (const l of state.lines) {
      const li = bubble(l.speaker === 'learner' ? 'You' : (sc.persona || 'Persona'), l.text, l.speaker + (l.cut ? ' cut' : ''));
      list.append(li);
    }
    if (!state.lines.length) list.append(el('li', 'note', 'Nothing was said on this call.'));
    $('score-wait').hidden = false;
    $('score-ready').hidden = true;
    replayLink();
    show('summary');
    pollScore(state.callId, 0);
  }

  // pollScore shows the scorecard once the scoring worker has written it (it answers 404
  // "pending" until then); the placeholder stays if scoring is not running.
  function pollScore(id, n) {
    if (!id || n > 40 || $('view-summary').hidden) return;
    const again = () => setTimeout(() => pollScore(id, n + 1), 3000);
    fetch('/api/calls/' + encodeURIComponent(id) + '/scorecard').then((r) => (r.ok ? r.json() : null)).then((card) => {
      if (!card || typeof card.overall !== 'number') { again(); return; }
      showScore(card);
    }).catch(again);
  }

  function mmss(ns) {
    const s = Math.round((ns || 0) / 1e9);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  // showScore renders a scorecard: overall, what to practise next, each criterion with its
  // evidence and a better line, and the learner's best lines.
  function showScore(card) {
    repChanged();
    $('score-value').textContent = card.overall + '/100';
    const v = $('score-verdict');
    v.textContent = card.pass ? 'Passed' : 'Not yet';
    v.className = 'verdict ' + (card.pass ? 'pass' : 'fail');
    $('score-text').textContent = 'Pass mark ' + card.pass_mark;
    notices(card);
    const next = $('score-next');
    next.replaceChildren();
    for (const p of card.practise_next || []) {
      const li = el('li', '', p.name || p.criterion);
      if (p.try) li.append(el('span', 'try', 'Try: “' + p.try + '”'));
      next.append(li);
    }
    if (!next.children.length) next.append(el('li', '', 'Keep it up: nothing stood out to fix.'));
    const crit = $('score-criteria');
    crit.replaceChildren();
    for (const c of card.criteria || []) {
      const li = el('li');
      const row = el('div', 'row');
      row.append(el('span', '', c.name), el('span', '', Math.round(c.score * 100) + '%'));
      const bar = el('div', 'bar');
      const fill = el('span');
      fill.style.width = Math.round(c.score * 100) + '%';
      bar.append(fill);
      li.append(row, bar);
      for (const q of (c.evidence || []).slice(0, 2)) {
        li.append(el('div', 'quote' + (q.positive ? '' : ' neg'), mmss(q.at) + '  “' + q.text + '”' + (q.misheard ? ' (may be misheard)' : '')));
      }
      if (c.score < 1 && c.better) li.append(el('span', 'try', 'Try: “' + c.better + '”'));
      crit.append(li);
    }
    const wins = $('score-wins');
    wins.replaceChildren();
    for (const w of (card.winning_lines || []).slice(0, 3)) wins.append(el('li', '', '“' + w.text + '”'));
    $('score-wins-wrap').hidden = !wins.children.length;
    $('score-wait').hidden = true;
    $('score-ready').hidden = false;
  }

  // notices lists what the card's flags mean in plain words (the card's notes; a card stored
  // before notes were kept names its flags), just under the score, above the criteria.
  function notices(card) {
    let box = $('score-notes');
    if (!box) {
      box = el('ul', 'score-notes');
      box.id = 'score-notes';
      box.setAttribute('aria-label', 'About this score');
      $('score-text').after(box);
    }
    const notes = card.notes && card.notes.length ? card.notes
      : (card.flags || []).map((f) => 'Flagged: ' + f.replace(/_/g, ' ') + '.');
    box.replaceChildren(...notes.map((n) => el('li', '', n)));
    box.hidden = !notes.length;
  }

  // openCall shows the summary of a finished call named in the address (/?call=ID), as the
  // text message after a phone call links to.
  async function openCall(id) {
    try {
      const r = await fetch('/api/calls/' + encodeURIComponent(id));
      if (!r.ok) throw new Error(r.status === 404 ? 'That call was not found.' : 'The call could not be loaded.');
      const rec = await r.json();
      state.callId = id;
      state.scenario = state.scenarios.find((s) => s.id === rec.scenario) || { title: rec.scenario, persona: '' };
      state.lines = (rec.transcript || []).map((u) => ({ speaker: u.speaker, text: u.text, cut: u.truncated }));
      state.learnerTurns = state.lines.filter((l) => l.speaker === 'learner').length;
      state.mood = typeof rec.final_mood === 'number' ? rec.final_mood : null;
      summary((rec.duration || 0) / 1e6, rec.end_reason);
    } catch (e) {
      banner('Call not available', e.message);
    }
  }

  // Hook for home.js (the signed-in learner's assignments): start a call of a scenario with
  // document.dispatchEvent(new CustomEvent('spar:practise', { detail: { scenario: id } })).
  document.addEventListener('spar:practise', (e) => {
    const id = e.detail && e.detail.scenario;
    const sc = state.scenarios.find((s) => s.id === id);
    if (sc) startCall(sc);
    else banner('Scenario not available.', state.scenarios.length ? 'This server has no scenario "' + id + '".' : 'The scenarios are still loading: try again in a moment.');
  });

  document.addEventListener('spar:me', replayLink); // the sign-in check may finish after a summary opened

  $('again').addEventListener('click', () => { if (state.scenario) startCall(state.scenario); });
  $('choose').addEventListener('click', () => show('pick'));

  loadScenarios().then(() => {
    const id = new URLSearchParams(location.search).get('call');
    if (id) openCall(id);
  });
})();
