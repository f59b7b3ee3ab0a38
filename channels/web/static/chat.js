// Web chat: choose who you are, chat, press buttons, receive pushed messages without reloading.
(function () {
  "use strict";
  const who = document.getElementById("who");
  const log = document.getElementById("log");
  const text = document.getElementById("text");
  const send = document.getElementById("send");
  const statusEl = document.getElementById("status");
  let ws = null;
  let person = "";
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

  async function choose(id) {
    if (ws) ws.close();
    log.innerHTML = "";
    shown.clear();
    person = id;
    text.disabled = send.disabled = !id;
    if (!id) return;
    const query = "?person=" + encodeURIComponent(id);
    const [greeting, items] = await Promise.all([
      fetch("/api/greeting" + query).then((r) => (r.ok ? r.json() : null)),
      fetch("/api/history" + query).then((r) => r.json()),
    ]);
    if (person !== id) return; // someone else was chosen meanwhile
    if (greeting) {
      // The examples are sent as if typed, so they are handled like any message.
      const examples = greeting.examples.map((example) => ({ title: example, send: example }));
      render({ id: "greeting", text: greeting.text }, false, examples).classList.add("greeting");
    }
    for (const item of items) render(item, item.from_person);
    connect();
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const current = person;
    ws = new WebSocket(proto + "://" + location.host + "/ws?person=" + encodeURIComponent(current));
    ws.onopen = () => { statusEl.textContent = "已连接 · online"; };
    ws.onclose = () => {
      statusEl.textContent = "连接断开，重连中…";
      if (current === person) setTimeout(() => { if (current === person) connect(); }, 2000);
    };
    ws.onmessage = (event) => {
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
  who.addEventListener("change", () => choose(who.value));

  fetch("/api/people").then((r) => r.json()).then((people) => {
    for (const p of people) {
      const opt = document.createElement("option");
      opt.value = p.id;
      opt.textContent = p.name + " · " + p.department + " (" + p.role + ")";
      who.appendChild(opt);
    }
  });
})();
