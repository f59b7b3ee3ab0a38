// Web chat: the signed-in person chats, presses buttons and receives pushed messages without
// reloading. Everything is asked for as "me" (the session cookie): the page never names a person,
// except in demo mode, where a picker signs in as anyone.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const text = document.getElementById("text");
  const send = document.getElementById("send");
  const statusEl = document.getElementById("status");
  let ws = null;
  let person = "";
  let generation = 0; // each choice of person gets a number; late answers to an earlier one are dropped
  const shown = new Map(); // message id -> element; pushes may repeat, each id is shown once

  // A guide's path (/kb, /kb/printer-jam) or a web address, standing alone in a reply.
  // A web address does not take the punctuation that ends its sentence.
  const LINK = /(?<![\w/.:-])(\/kb(?:\/[a-z0-9-]+)?|https?:\/\/[^\s<>"'，。）)」]*[^\s<>"'，。）)」.,;:!?])(?![\w/-])/gi;

  // Text as text nodes, with each link an <a>: built node by node, never parsed as HTML.
  function appendLinkified(el, text) {
    let last = 0;
    for (const match of text.matchAll(LINK)) {
      if (match.index > last) el.appendChild(document.createTextNode(text.slice(last, match.index)));
      const a = document.createElement("a");
      a.href = match[0];
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = match[0];
      el.appendChild(a);
      last = match.index + match[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }

  // buttons: [{title, send}] — pressing one sends `send` and shows `title` as what the person said.
  function render(item, fromPerson, buttons) {
    let el = shown.get(item.id);
    if (!el) {
      el = document.createElement("div");
      el.dataset.id = item.id;
      shown.set(item.id, el);
      log.appendChild(el);
    }
    el.className = "msg " + (fromPerson ? "me" : "bot");
    el.replaceChildren();
    appendLinkified(el, item.text);
    buttons = buttons || (item.buttons || []).map((b) => ({ title: b.title, send: b.payload }));
    if (buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const b of buttons) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", () => say(b.send, b.title));
        row.appendChild(btn);
      }
      el.appendChild(row);
    }
    // Files (the monthly report's PDF and XLSX): a download link each, served by the bot by name.
    if ((item.files || []).length) {
      const row = document.createElement("div");
      row.className = "files";
      for (const f of item.files) {
        const a = document.createElement("a");
        a.href = f.url;
        a.download = f.name;
        a.textContent = "📎 " + f.name;
        row.appendChild(a);
      }
      el.appendChild(row);
    }
    log.scrollTop = log.scrollHeight;
    return el;
  }

  function say(message, shownText) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const id = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
    const el = render({ id: "c" + id, text: shownText || message }, true);
    el.classList.add("pending");
    el.dataset.text = message;
    ws.send(JSON.stringify({ type: "message", id: id, text: message }));
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
  }

  // Demo mode only: "who are you", signing in as anyone picked.
  async function showPicker(current) {
    const label = document.createElement("label");
    label.textContent = "我是 / I am ";
    const who = document.createElement("select");
    who.id = "who";
    who.appendChild(new Option("— 请选择 —", ""));
    label.appendChild(who);
    document.getElementById("me").replaceWith(label);
    const people = await fetch("/api/people").then((r) => r.json());
    for (const p of people) who.appendChild(new Option(p.name + " · " + p.department + " (" + p.role + ")", p.id));
    if (current) who.value = current.id;
    who.addEventListener("change", async () => {
      if (!who.value) return choose(null);
      const response = await postJson("/api/demo/sign-in", { person: who.value });
      if (response.ok) choose((await response.json()).person);
    });
  }

  // Managers: the contract's reports to download (the bot answers 403 to anyone else).
  async function showReports() {
    const panel = document.getElementById("reports");
    const list = document.getElementById("report-links");
    panel.hidden = true;
    list.replaceChildren();
    const response = await fetch("/api/reports");
    if (!response.ok) return;
    for (const f of await response.json()) {
      const a = document.createElement("a");
      a.href = f.url;
      a.download = f.name;
      a.textContent = f.name;
      list.appendChild(a);
    }
    panel.hidden = false;
  }

  async function choose(me) {
    const gen = ++generation;
    if (ws) ws.close();
    ws = null;
    log.innerHTML = "";
    shown.clear();
    const id = me ? me.id : "";
    person = id;
    text.disabled = send.disabled = !id;
    statusEl.textContent = "未连接";
    if (!id) return;
    showReports();
    const [greeting, items] = await Promise.all([
      fetch("/api/greeting").then((r) => (r.ok ? r.json() : null)),
      fetch("/api/history").then((r) => (r.ok ? r.json() : [])),
    ]);
    if (gen !== generation) return; // chosen again meanwhile
    if (greeting) {
      // The examples are sent as if typed, so they are handled like any message.
      const examples = greeting.examples.map((example) => ({ title: example, send: example }));
      render({ id: "greeting", text: greeting.text }, false, examples).classList.add("greeting");
    }
    for (const item of items) render(item, item.from_person);
    connect(gen);
  }

  function connect(gen) {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const current = person;
    const socket = new WebSocket(proto + "://" + location.host + "/ws");
    ws = socket;
    socket.onopen = () => { if (gen === generation) statusEl.textContent = "已连接 · online"; };
    socket.onclose = () => {
      if (gen !== generation) return;
      statusEl.textContent = "连接断开，重连中…";
      // Signed out meanwhile (elsewhere, or the session expired)? Then to the sign-in page.
      setTimeout(async () => {
        if (gen !== generation) return;
        const s = await fetch("/api/session").then((r) => r.json()).catch(() => null);
        if (gen !== generation) return;
        if (s && (!s.person || s.person.id !== current)) {
          if (s.demo) choose(s.person);
          else location.assign("/sign-in");
        } else {
          connect(gen);
        }
      }, 2000);
    };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === "ack") {
        const el = shown.get("c" + frame.id);
        if (el) el.classList.remove("pending");
      } else if (frame.type === "message" || frame.type === "edit") {
        render(frame, false);
      } else if (frame.type === "error") {
        const mine = frame.id ? shown.get("c" + frame.id) : null;
        if (frame.retry && mine && (mine.dataset.tries || 0) < 3) {
          // The store was busy and did not take it: send the same message (same id) again.
          mine.dataset.tries = Number(mine.dataset.tries || 0) + 1;
          setTimeout(() => ws.send(JSON.stringify({ type: "message", id: frame.id, text: mine.dataset.text })), 3000);
        } else {
          render({ id: "e" + Date.now(), text: "⚠ " + frame.error }, false);
        }
      }
    };
  }

  document.getElementById("compose").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    say(value);
    text.value = "";
  });
  const signOut = document.getElementById("sign-out");
  signOut.addEventListener("click", async () => {
    person = "";
    if (ws) ws.close();
    await postJson("/api/sign-out");
    location.assign("/sign-in");
  });

  window.helpdeskSession.then((s) => {
    if (s.demo) {
      showPicker(s.person);
    } else if (!s.person) {
      location.assign("/sign-in");
      return;
    } else {
      document.getElementById("me").textContent = s.person.name;
      signOut.hidden = false;
    }
    if (s.person) choose(s.person);
  });
})();
