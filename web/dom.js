// dom.js: building the page from data. Every string from the API becomes a
// text node or an attribute value, never markup: nothing here parses HTML.
"use strict";

window.vigil = window.vigil || {};
window.vigil.views = {};

(function (V) {
  const SVG_NS = "http://www.w3.org/2000/svg";

  // Attaches children: strings and numbers as text, nodes as they are,
  // arrays flattened, null/undefined/false skipped.
  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) append(node, child);
      else if (child instanceof Node) node.appendChild(child);
      else node.appendChild(document.createTextNode(String(child)));
    }
    return node;
  }

  // Sets attributes and handlers: "class", "on<event>" functions, booleans
  // as present/absent, everything else through setAttribute.
  function setAttrs(node, attrs) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") {
        node.addEventListener(key.slice(2), value);
      } else if (key === "dataset") {
        Object.assign(node.dataset, value);
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    }
  }

  // el("a", {href: "#/x"}, "text", child...)
  V.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    return append(node, children);
  };

  V.svg = function (tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    return append(node, children);
  };

  V.replace = function (node, ...children) {
    node.replaceChildren();
    return append(node, children);
  };

  const SEVERITIES = ["critical", "high", "medium", "low"];
  V.SEVERITIES = SEVERITIES;
  V.severityRank = (s) => {
    const i = SEVERITIES.indexOf(s);
    return i < 0 ? SEVERITIES.length : i;
  };

  V.badge = function (text, kind) {
    return V.el("span", { class: "badge badge-" + (kind || text) }, text);
  };

  // "2026-12-07 16:51 UTC"; "never" for null.
  V.time = function (iso) {
    if (!iso) return "never";
    const d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  };

  // "3 min ago", "2 h ago", "4 d ago"; the exact time in the title.
  V.ago = function (iso, now) {
    if (!iso) return V.el("span", { class: "muted" }, "never");
    const ms = (now || Date.now()) - new Date(iso).getTime();
    let text;
    if (ms < 60e3) text = "just now";
    else if (ms < 3600e3) text = Math.floor(ms / 60e3) + " min ago";
    else if (ms < 86400e3) text = Math.floor(ms / 3600e3) + " h ago";
    else text = Math.floor(ms / 86400e3) + " d ago";
    return V.el("time", { datetime: iso, title: V.time(iso) }, text);
  };

  // A definition list of a JSON object's keys and values, values as text.
  V.details = function (object) {
    const dl = V.el("dl", { class: "details" });
    for (const [key, value] of Object.entries(object || {})) {
      let text;
      if (Array.isArray(value)) text = value.length ? value.join(", ") : "(none)";
      else if (value !== null && typeof value === "object") text = JSON.stringify(value);
      else text = value === null ? "(none)" : String(value);
      dl.append(V.el("dt", null, key.replace(/_/g, " ")), V.el("dd", null, text));
    }
    return dl;
  };

  V.message = function (text, kind) {
    return V.el("p", { class: "message message-" + (kind || "info"), role: "status" }, text);
  };
})(window.vigil);
