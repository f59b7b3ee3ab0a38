// The sign-in page: a password, or (from a one-time link, #link=<token>) setting one's password.
(function () {
  "use strict";
  const TEXTS = {
    wrong: "账号或密码不正确。 · Wrong user ID or password.",
    limited: "尝试次数过多，请 15 分钟后再试。 · Too many attempts; try again in 15 minutes.",
    weak_password: "密码至少 8 位。 · A password needs 8 characters or more.",
    bad_link: "此链接无效、已使用或已过期，请向 IT 管理员索取新的链接。 · This link is not valid, used or expired; ask IT for a new one.",
    mismatch: "两次输入的密码不一致。 · The two passwords differ.",
    busy: "系统繁忙，请稍后再试。 · The system is busy; try again shortly.",
    other: "登录失败，请稍后再试。 · Could not sign in; try again shortly.",
  };
  const signInForm = document.getElementById("sign-in-form");
  const linkForm = document.getElementById("set-password-form");

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (response.ok) return null;
    const answer = await response.json().catch(() => ({}));
    return TEXTS[answer.error] || TEXTS.other;
  }

  // The token sits in the fragment, which no server log or Referer ever sees; read it and drop it
  // (also when the link is opened over this very page, which changes only the fragment).
  let token = null;
  function readLink() {
    const match = /[#&]link=([A-Za-z0-9_-]+)/.exec(location.hash);
    if (!match) return;
    token = match[1];
    history.replaceState(null, "", location.pathname);
    signInForm.hidden = true;
    linkForm.hidden = false;
    document.getElementById("link-error").textContent = "";
  }
  readLink();
  window.addEventListener("hashchange", readLink);

  signInForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = await post("/api/sign-in", {
      person: document.getElementById("person").value.trim(),
      password: document.getElementById("password").value,
    });
    if (error) {
      document.getElementById("error").textContent = error;
      document.getElementById("password").value = "";
    } else {
      location.assign("/");
    }
  });

  linkForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = document.getElementById("new-password").value;
    const errorEl = document.getElementById("link-error");
    if (password !== document.getElementById("again").value) {
      errorEl.textContent = TEXTS.mismatch;
      return;
    }
    const error = await post("/api/sign-in/link", { token: token, password: password });
    if (error) errorEl.textContent = error;
    else location.assign("/");
  });

  window.helpdeskSession.then((s) => {
    if (s.person && !token) location.assign("/");  // signed in already
    else if (s.demo) document.getElementById("demo-pick").hidden = false;
  });
})();
