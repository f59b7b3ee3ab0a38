// Asks the server once who is signed in and whether this is the demo; in demo mode, puts a banner
// on top of the page saying that anyone can be anyone. Every page (chat, sign-in, guides) loads it.
(function () {
  "use strict";
  const session = fetch("/api/session", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : { demo: false, person: null }))
    .catch(() => ({ demo: false, person: null }));
  window.helpdeskSession = session;

  function addBanner() {
    const banner = document.createElement("div");
    banner.className = "demo-banner";
    banner.setAttribute("role", "alert");
    banner.textContent =
      "演示模式：任何人都可以选择任何身份，看到并操作他人的对话，请勿输入真实信息。" +
      " · Demo mode: anyone can be anyone here and read anyone's chat — do not enter real information.";
    document.body.prepend(banner);
  }

  session.then((s) => {
    if (!s.demo) return;
    if (document.body) addBanner();
    else document.addEventListener("DOMContentLoaded", addBanner);
  });
})();
