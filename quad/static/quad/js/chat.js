// Group chat: live messages over a websocket, with HTTP catch-up so nothing is ever missed.
// Every message has a per-group sequence number. The page remembers the last one it shows; on
// (re)connecting, on any gap, and every few seconds while the socket is down, it asks the server for
// what came after it. Without this script the page still works: htmx polls and forms post.
(() => {
  "use strict";
  const log = document.querySelector(".chat-log[data-socket]");
  if (!log) return;
  const me = log.dataset.me;
  const statusLine = document.querySelector("[data-chat-status]");
  const compose = document.getElementById("compose");
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  let lastSeq = Number(log.dataset.lastSeq || 0);
  let socket = null;
  let live = false;
  let stopped = false;
  let failures = 0;
  let everOpened = false;
  let pollTimer = null;
  let catching = null;
  let refs = 0;
  const pending = new Map();

  // The script takes over from htmx's poller.
  const poller = document.getElementById("catch-up");
  if (poller) poller.remove();

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  const actionsTemplate = document.getElementById("chat-actions");

  function addActions(row) {
    // Live rows arrive without their actions (most of a row's bytes, the same for every message):
    // they are made here from the page's template, for message 0, with this message's numbers.
    const slot = row.querySelector("[data-actions]");
    if (!slot || !actionsTemplate) return;
    const pk = row.dataset.pk;
    const html = actionsTemplate.innerHTML
      .replaceAll("/messages/0/", `/messages/${pk}/`)
      .replaceAll("/members/0/", `/members/${row.dataset.member || 0}/`)
      .replaceAll('-0"', `-${pk}"`)
      .replaceAll("reply=0#", `reply=${row.dataset.seq}#`)
      .replaceAll('data-reply="0"', `data-reply="${row.dataset.seq}"`);
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const actions = holder.firstElementChild;
    actions.querySelectorAll('[data-fill="name"]').forEach((el) => { el.textContent = row.dataset.name || ""; });
    actions.querySelectorAll('[data-fill="time"]').forEach((el) => { el.textContent = row.dataset.time || ""; });
    const reply = actions.querySelector("[data-reply]");
    if (reply) reply.dataset.replyName = row.dataset.name || "";
    if (!row.dataset.member || row.classList.contains("chat-notice")) {
      actions.querySelectorAll("[data-report-member]").forEach((el) => el.remove());
    }
    const body = row.querySelector(".chat-body");
    const edit = actions.querySelector("textarea[name=body]");
    if (body && edit) edit.value = body.innerText;
    slot.replaceWith(actions);
  }

  function prepare(row) {
    // Rows that arrive over the socket are the same for everyone: mark this reader's own messages,
    // add their actions, and give their forms this page's CSRF token.
    if (row.dataset.author && row.dataset.author === me) row.classList.add("mine");
    addActions(row);
    row.querySelectorAll("form[method=post]").forEach((form) => {
      if (csrf && !form.querySelector("input[name=csrfmiddlewaretoken]")) form.prepend(csrf.cloneNode());
    });
    return row;
  }

  function rowsFrom(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return Array.from(template.content.querySelectorAll("li.chat-message"));
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
  }

  function append(row) {
    const seq = Number(row.dataset.seq);
    if (seq <= lastSeq) return false;
    const follow = nearBottom();
    log.append(prepare(row));
    lastSeq = seq;
    if (follow) row.scrollIntoView({ block: "end" });
    return true;
  }

  let readTimer = null;
  function markRead() {
    if (document.hidden || !live) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(() => send({ type: "read", seq: lastSeq }), 500);
  }

  async function catchUp() {
    if (catching) return catching;
    catching = (async () => {
      try {
        for (let page = 0; page < 20; page += 1) {
          const response = await fetch(`${log.dataset.messages}?after=${lastSeq}`, {
            headers: { "HX-Request": "true" },
            credentials: "same-origin",
          });
          if (response.status === 404 || response.status === 403) {
            stop("You are no longer in this group.");
            return;
          }
          if (response.status !== 200) return;
          const rows = rowsFrom(await response.text());
          if (!rows.length) return;
          rows.forEach(append);
          if (rows.length < 50) return;
        }
      } catch (error) {
        // Offline for a moment: the next try catches up.
      } finally {
        catching = null;
      }
    })();
    return catching;
  }

  function startPolling() {
    if (!pollTimer) pollTimer = setInterval(catchUp, 3000);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function stop(text) {
    stopped = true;
    stopPolling();
    say(text);
    if (compose) compose.hidden = true;
    if (socket) socket.close();
  }

  function send(event) {
    if (socket && live) socket.send(JSON.stringify(event));
  }

  function onFrame(frame) {
    switch (frame.t) {
      case "hello":
        if (frame.last_seq > lastSeq) catchUp();
        break;
      case "msg": {
        if (frame.seq <= lastSeq) break;
        if (frame.seq === lastSeq + 1) {
          rowsFrom(frame.html).forEach(append);
          markRead();
        } else {
          catchUp();
        }
        break;
      }
      case "update": {
        const old = document.getElementById(`m${frame.seq}`);
        const [row] = rowsFrom(frame.html);
        if (old && row) old.replaceWith(prepare(row));
        break;
      }
      case "guidelines":
        window.location.reload();
        break;
      case "closed":
        stop(frame.reason === "removed" ? "You are no longer in this group." : "Disconnected.");
        break;
      case "ack":
      case "error":
      case "nudge":
      case "quiet": {
        const done = pending.get(frame.ref);
        if (done) {
          pending.delete(frame.ref);
          done(frame);
        } else if (frame.t === "error") {
          say(frame.message);
        }
        break;
      }
      default:
        break;
    }
  }

  function connect() {
    if (stopped || !("WebSocket" in window)) {
      startPolling();
      return;
    }
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}${log.dataset.socket}`);
    socket.addEventListener("open", () => {
      live = true;
      everOpened = true;
      failures = 0;
      stopPolling();
      log.dataset.live = "1";
      say("");
      catchUp();
    });
    socket.addEventListener("message", (event) => {
      try {
        onFrame(JSON.parse(event.data));
      } catch (error) {
        // A frame this page does not understand is ignored.
      }
    });
    socket.addEventListener("close", () => {
      live = false;
      delete log.dataset.live;
      pending.forEach((done) => done({ t: "down" }));
      pending.clear();
      if (stopped) return;
      failures += 1;
      startPolling();
      if (!everOpened && failures >= 3) {
        say("Live updates are blocked on this network: new messages appear every few seconds.");
        return;
      }
      const wait = Math.min(30000, 1000 * 2 ** Math.min(failures, 5));
      setTimeout(connect, wait);
    });
  }

  if (compose) {
    const body = compose.querySelector("textarea[name=body]");
    const replyTo = compose.querySelector("input[name=reply_to]");
    const replying = compose.querySelector("[data-replying]");
    compose.addEventListener("submit", (event) => {
      if (!live || !body.value.trim()) return; // the form posts over HTTP instead
      event.preventDefault();
      refs += 1;
      const ref = `p${refs}`;
      const reply = replyTo && replyTo.value ? Number(replyTo.value) : null;
      pending.set(ref, (frame) => {
        if (frame.t === "ack") {
          body.value = "";
          if (replyTo) replyTo.value = "";
          if (replying) replying.hidden = true;
          say("");
        } else if (frame.t === "error") {
          say(frame.message);
        } else {
          // A warning first (guidelines or quiet hours), or the socket dropped: post the form over
          // HTTP, which shows the warning with its choices, or just posts.
          compose.submit();
        }
      });
      send({ type: "post", body: body.value, reply_to: reply, ref });
    });
    document.addEventListener("click", (event) => {
      const link = event.target.closest("[data-reply]");
      if (link && replyTo) {
        event.preventDefault();
        replyTo.value = link.dataset.reply;
        if (replying) {
          replying.hidden = false;
          replying.firstChild.textContent = `Replying to ${link.dataset.replyName} `;
        }
        const details = link.closest("details");
        if (details) details.open = false;
        body.focus();
      }
      if (event.target.closest("[data-cancel-reply]")) {
        event.preventDefault();
        if (replyTo) replyTo.value = "";
        if (replying) replying.hidden = true;
      }
    });
  }

  log.querySelectorAll("li.chat-message").forEach(prepare);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      catchUp();
      markRead();
    }
  });
  connect();
})();
