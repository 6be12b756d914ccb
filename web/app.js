// app.js: the shell: sign-in, navigation, the router over location.hash
// (#/overview, #/alerts?filter, #/alert/ID, #/trace/ID, #/tenant/NAME,
// #/jobs) and the live stream that keeps the open view current.
"use strict";

(function (V) {
  const { el } = V;
  V.views = V.views || {};
  let types = null;
  let generation = 0;
  let liveHandler = null;
  let liveTimer = null;

  V.alertTypes = async function () {
    if (!types) types = (await V.api("GET", "/alert-types")).items.map((t) => t.name);
    return types;
  };

  const $ = (id) => document.getElementById(id);

  function showSignIn(message) {
    V.stopLive();
    $("shell").hidden = true;
    $("signin").hidden = false;
    V.replace($("signin-message"), message || "");
    $("token").focus();
  }

  async function signIn(token) {
    V.session.signIn(token);
    try {
      V.session.me = await V.api("GET", "/session");
    } catch (e) {
      V.session.signOut();
      showSignIn(e.status === 401 ? "That token was not accepted." : e.message);
      return;
    }
    $("signin").hidden = true;
    $("shell").hidden = false;
    const me = V.session.me;
    V.replace($("who"), me.admin ? "admin · " + me.token : me.tenant + " · " + me.token);
    V.startLive();
    if (!location.hash || location.hash === "#/") location.hash = "#/overview";
    else V.route();
  }

  // Views call ctx.onLive(fn) to be told of live events: fn(events), the
  // list of a burst, or fn(null) when the stream was reset and everything
  // may have changed. A new route drops the old view's handler.
  function context(mine) {
    return {
      onLive: (fn) => {
        if (mine === generation) liveHandler = fn;
      },
    };
  }

  // Events that arrive together (a sync writes several) reach the view as
  // one list, 250 ms after the last of them.
  let burst = [];
  V.on("live-event", (event) => {
    if (!liveHandler) return;
    burst.push(event);
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => {
      const events = burst;
      burst = [];
      if (liveHandler) liveHandler(events);
    }, 250);
  });
  V.on("live-reset", () => liveHandler && liveHandler(null));
  V.on("live-state", (state) => {
    const node = $("live");
    node.className = "live live-" + state;
    V.replace(node, state === "live" ? "live" : state === "connecting" ? "connecting…" : state === "offline" ? "reconnecting…" : "");
  });
  V.on("unauthorized", (message) => {
    V.session.signOut();
    showSignIn("Signed out: " + message);
  });

  V.route = async function () {
    if (!V.session.me) return;
    const mine = ++generation;
    liveHandler = null;
    burst = [];
    const hash = location.hash.replace(/^#\/?/, "");
    const [path, search] = hash.split("?");
    const params = new URLSearchParams(search || "");
    const [name, ...rest] = path.split("/");
    const arg = rest.length ? decodeURIComponent(rest.join("/")) : undefined;
    const view = V.views[name || "overview"];
    for (const link of document.querySelectorAll("#nav a")) {
      link.setAttribute("aria-current", link.dataset.view === (name || "overview") ? "page" : "false");
    }
    const root = $("view");
    if (!view) {
      V.replace(root, V.message("No such page: " + hash, "error"));
      return;
    }
    root.setAttribute("aria-busy", "true");
    try {
      const staging = el("div");
      await view(staging, params, context(mine), arg);
      if (mine !== generation) return;
      V.replace(root, ...staging.childNodes);
      // For the benchmark and the tests: when a view's data is on screen.
      performance.mark("vigil:rendered:" + (name || "overview"));
      document.title = "vigil · " + (name || "overview") + (arg ? " " + arg : "");
    } catch (e) {
      if (mine !== generation) return;
      V.replace(root, V.message(e.status === 404 ? "Not found: " + e.message : e.message, "error"));
    } finally {
      if (mine === generation) root.removeAttribute("aria-busy");
    }
  };

  function start() {
    $("signin-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = $("token").value.trim();
      $("token").value = "";
      if (token) signIn(token);
    });
    $("signout").addEventListener("click", () => {
      V.session.signOut();
      location.hash = "";
      showSignIn("Signed out.");
    });
    window.addEventListener("hashchange", V.route);
    const token = V.session.token();
    if (token) signIn(token);
    else showSignIn("");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(window.vigil);
