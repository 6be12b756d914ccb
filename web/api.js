// api.js: the session and calls to /api/v1.
//
// The session is the API token the user typed, kept in sessionStorage: it
// lives as long as the browser tab, is not shared with other tabs and is
// sent only as "Authorization: Bearer" on requests to this origin. It never
// goes into a URL or a cookie, so no other site can make the browser send
// it (no CSRF), and the strict Content-Security-Policy with text-only
// rendering (dom.js) is what keeps scripts away from it.
"use strict";

(function (V) {
  const KEY = "vigil.token";

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
  V.ApiError = ApiError;

  V.session = {
    token: () => sessionStorage.getItem(KEY),
    signIn: (token) => sessionStorage.setItem(KEY, token),
    signOut: () => {
      sessionStorage.removeItem(KEY);
      V.session.me = null;
    },
    me: null, // GET /api/v1/session: {"token", "admin", "tenant"}
  };

  function headers(extra) {
    const h = Object.assign({ Accept: "application/json" }, extra || {});
    const token = V.session.token();
    if (token) h.Authorization = "Bearer " + token;
    return h;
  }

  async function failure(response) {
    let code = "http_" + response.status;
    let message = response.status + " " + response.statusText;
    try {
      const body = await response.json();
      if (body && body.error) {
        code = body.error.code;
        message = body.error.message;
      }
    } catch (e) {
      // Not JSON: keep the status line.
    }
    if (response.status === 401) V.emit("unauthorized", message);
    return new ApiError(response.status, code, message);
  }

  // The JSON answer of `method path` (body: an object sent as JSON).
  V.api = async function (method, path, body) {
    const init = { method, headers: headers(), cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch("/api/v1" + path, init);
    if (!response.ok) throw await failure(response);
    return response.json();
  };

  // Downloads `path` (with the token in the header, never in the URL) as a
  // file named `filename`.
  V.download = async function (path, accept, filename) {
    const response = await fetch("/api/v1" + path, {
      headers: headers({ Accept: accept }),
      cache: "no-store",
    });
    if (!response.ok) throw await failure(response);
    const url = URL.createObjectURL(await response.blob());
    const link = V.el("a", { href: url, download: filename });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };

  V.query = function (params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== "") q.set(k, v);
    }
    const text = q.toString();
    return text ? "?" + text : "";
  };

  // A tiny event hub between the views, the live stream and the app.
  const listeners = {};
  V.on = (name, fn) => (listeners[name] = listeners[name] || []).push(fn);
  V.off = (name, fn) => {
    listeners[name] = (listeners[name] || []).filter((f) => f !== fn);
  };
  V.emit = (name, data) => (listeners[name] || []).slice().forEach((fn) => fn(data));
})(window.vigil);
