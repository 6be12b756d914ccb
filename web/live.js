// live.js: the live stream of events (GET /api/v1/events/stream, Server-Sent
// Events). EventSource cannot send an Authorization header, so the stream is
// read with fetch and parsed here; the token stays out of the URL. After a
// drop it reconnects with Last-Event-ID, so the server resumes after the
// last event seen and nothing is missed; an "event: reset" (the events after
// ours were pruned) makes the views reload instead.
"use strict";

(function (V) {
  let controller = null;
  let lastId = null;
  let retryMs = 2000;
  let state = "off";

  function setState(next) {
    state = next;
    V.emit("live-state", next);
  }
  V.liveState = () => state;

  // Parses one SSE message block into {id, event, data}.
  function parseBlock(block) {
    const message = { id: null, event: "message", data: [] };
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "id") message.id = value;
      else if (field === "event") message.event = value;
      else if (field === "data") message.data.push(value);
      else if (field === "retry" && /^\d+$/.test(value)) retryMs = Number(value);
    }
    return message;
  }

  function dispatch(message) {
    if (message.id !== null) lastId = message.id;
    if (message.data.length === 0) return;
    let data = null;
    try {
      data = JSON.parse(message.data.join("\n"));
    } catch (e) {
      data = message.data.join("\n");
    }
    if (message.event === "reset") V.emit("live-reset", data);
    else V.emit("live-event", { type: message.event, id: message.id, data });
  }

  async function run(signal) {
    const headers = { Accept: "text/event-stream", Authorization: "Bearer " + V.session.token() };
    if (lastId !== null) headers["Last-Event-ID"] = lastId;
    const response = await fetch("/api/v1/events/stream", { headers, signal, cache: "no-store" });
    if (response.status === 401) {
      V.emit("unauthorized", "the token is no longer valid");
      return false;
    }
    if (!response.ok || !response.body) throw new Error("stream: HTTP " + response.status);
    setState("live");
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        dispatch(parseBlock(buffer.slice(0, end)));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  V.startLive = function () {
    V.pauseLive();
    const mine = new AbortController();
    controller = mine;
    (async () => {
      while (controller === mine && !mine.signal.aborted) {
        setState("connecting");
        let again = true;
        try {
          again = await run(mine.signal);
        } catch (e) {
          if (mine.signal.aborted) return;
        }
        if (!again) break;
        setState("offline");
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
      if (controller === mine) setState("off");
    })();
  };

  // Stops the stream; the next start begins with the newest events.
  V.stopLive = function () {
    V.pauseLive();
    lastId = null;
  };

  // Stops the stream but remembers the last event seen: the next start
  // resumes right after it (Last-Event-ID), so nothing is missed meanwhile.
  V.pauseLive = function () {
    if (controller) controller.abort();
    controller = null;
    setState("off");
  };

  // A browser allows about six connections to one server, and a stream holds
  // one for as long as it is open: a page that is left or hidden gives its
  // connection back, so other tabs and pages of the console are never
  // starved, and takes the stream up again where it left off.
  function resume() {
    if (V.session.me && !controller && document.visibilityState === "visible") V.startLive();
  }
  window.addEventListener("pagehide", () => V.pauseLive());
  window.addEventListener("pageshow", resume);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") V.pauseLive();
    else resume();
  });
})(window.vigil);
