// Skein dashboard: live tables and session view over SSE, ⋯ Session actions, forms posted in place.
// No framework and no build step; every page also works as plain HTML forms and links without it.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  function toast(text) {
    const t = $("[data-toast]");
    if (!t) return;
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
  }

  // Posts a form with fetch; the server answers JSON or a problem whose detail is shown next to the form.
  async function submitAsync(form, submitter) {
    const data = new FormData(form);
    if (submitter && submitter.name) data.set(submitter.name, submitter.value);
    const error = $("[data-error]", form);
    if (error) error.hidden = true;
    const buttons = $$("button", form);
    buttons.forEach(b => { b.disabled = true; });
    try {
      const response = await fetch(form.action, { method: "POST", body: data, headers: { "X-Skein-Async": "1" }, credentials: "same-origin" });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.detail || body.title || ("Request failed (" + response.status + ")"));
      form.dispatchEvent(new CustomEvent("skein:done", { bubbles: true, detail: body }));
      return true;
    } catch (e) {
      if (error) { error.textContent = e.message; error.hidden = false; } else { toast(e.message); }
      return false;
    } finally {
      buttons.forEach(b => { b.disabled = false; });
    }
  }

  // Destructive forms carry data-confirm (the question), data-confirm-detail and data-confirm-action: they ask in a
  // dialog first. Capture phase, so the question comes before any other submit handling (data-async included).
  let confirmed = null;
  function confirmDialog() {
    let dialog = $("#confirm-dialog");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    dialog.innerHTML = '<form method="dialog"><h2 id="confirm-title"></h2><p data-confirm-detail></p>'
      + '<div class="buttons"><button type="submit" value="cancel" autofocus>Cancel</button>'
      + '<button type="submit" value="ok" class="danger" data-confirm-ok></button></div></form>';
    document.body.appendChild(dialog);
    return dialog;
  }

  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (confirmed === form) { confirmed = null; return; }
    ev.preventDefault();
    ev.stopImmediatePropagation();
    const submitter = ev.submitter;
    const dialog = confirmDialog();
    $("#confirm-title", dialog).textContent = form.dataset.confirm;
    $("[data-confirm-detail]", dialog).textContent = form.dataset.confirmDetail || "";
    $("[data-confirm-ok]", dialog).textContent = form.dataset.confirmAction || "Confirm";
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "ok") return;
      confirmed = form;
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    }, { once: true });
    dialog.showModal();
  }, true);

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-async")) return;
    ev.preventDefault();
    const ok = await submitAsync(form, ev.submitter);
    if (ok) {
      const dialog = form.closest("dialog");
      if (dialog) dialog.close();
      if (form.hasAttribute("data-reload")) location.reload();
      const region = form.closest("[data-refresh-region]");
      if (region) refreshRegion(region);
      refreshSession();
    }
  });

  // ⋯ Session actions: Mark complete posts at once; Terminate asks first in the confirm dialog.
  document.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button[data-action]");
    if (button) {
      const id = button.dataset.session;
      const menu = button.closest("details");
      if (menu) menu.open = false;
      if (button.dataset.action === "complete") {
        const form = $("#complete-form");
        form.action = "/sessions/" + id + "/complete";
        if (await submitAsync(form)) { toast("Session marked complete"); refreshSession(); }
      } else if (button.dataset.action === "terminate") {
        const form = $("#terminate-form");
        form.action = "/sessions/" + id + "/terminate";
        const error = $("[data-error]", form);
        if (error) error.hidden = true;
        $("#terminate-dialog").showModal();
      }
      return;
    }
    const close = ev.target.closest("[data-close]");
    if (close) close.closest("dialog").close();
    // Close an open ⋯ menu when clicking elsewhere.
    $$("details.menu[open]").forEach(d => { if (!d.contains(ev.target)) d.open = false; });
  });

  // Filters submit when changed (instead of inline onchange handlers, which the Content-Security-Policy forbids).
  document.addEventListener("change", (ev) => {
    const field = ev.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });

  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") $$("details.menu[open]").forEach(d => { d.open = false; $("summary", d).focus(); });
    // Arrow keys move between the items of an open ⋯ menu (Tab works too).
    const menu = ev.target.closest && ev.target.closest("details.menu[open]");
    if (menu && (ev.key === "ArrowDown" || ev.key === "ArrowUp")) {
      const items = $$("[role=menuitem]", menu);
      const at = items.indexOf(document.activeElement);
      const next = ev.key === "ArrowDown" ? (at + 1) % items.length : (at <= 0 ? items.length - 1 : at - 1);
      items[next].focus();
      ev.preventDefault();
    }
  });

  // Live sessions table: rows arrive rendered by the server, which also says whether each matches the list's whole
  // filter (the text search included; the feed URL carries it); new rows are added only when they match.
  function liveTable(table) {
    const body = $("tbody", table);
    const acceptsNew = table.dataset.acceptsNew === "true";
    const state = $("[data-live-state]");
    const source = new EventSource(table.dataset.liveSessions);
    source.onopen = () => { if (state) state.textContent = "Live"; table.dataset.live = "open"; };
    source.onerror = () => { if (state) state.textContent = "Reconnecting…"; };
    source.addEventListener("session", (ev) => {
      const row = JSON.parse(ev.data);
      const existing = document.getElementById("s-" + row.id);
      const tpl = document.createElement("template");
      tpl.innerHTML = row.html.trim();
      const fresh = tpl.content.firstElementChild;
      if (existing) {
        const open = existing.querySelector("details.menu[open]");
        if (open) return; // don't pull the menu away from under the operator; the next change will refresh it
        existing.replaceWith(fresh);
      } else if (acceptsNew && row.matches) {
        const first = body.firstElementChild;
        // Newest first: place by start time, so late notifications don't jump ahead.
        const started = $("time", fresh).getAttribute("datetime");
        let before = first;
        while (before && $("time", before) && $("time", before).getAttribute("datetime") > started) before = before.nextElementSibling;
        body.insertBefore(fresh, before);
        const empty = $(".empty");
        if (empty) empty.hidden = true;
      }
    });
  }

  // Re-reads the current page and swaps in the region's new content (e.g. Approvals after an answer).
  async function refreshRegion(region) {
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = doc.getElementById(region.id);
    if (fresh) region.innerHTML = fresh.innerHTML;
  }

  // Session view: re-render the live region whenever the session's stream grows.
  let refreshing = null;
  let pending = false;
  async function refreshSession() {
    const region = $("#session-live");
    if (!region) return;
    if (refreshing) { pending = true; return; }
    // Don't replace a form the operator is typing in; refresh once focus leaves it.
    const active = document.activeElement;
    if (active && region.contains(active) && active.matches("input, textarea, select")) {
      active.addEventListener("blur", () => refreshSession(), { once: true });
      return;
    }
    const openMenu = $("details.menu[open]", region);
    if (openMenu) {
      openMenu.addEventListener("toggle", () => refreshSession(), { once: true });
      return;
    }
    refreshing = fetch(region.dataset.refresh, { credentials: "same-origin" }).then(r => r.ok ? r.text() : null).then(html => {
      if (html !== null) { region.innerHTML = html; placeStreams(region); }
    }).finally(() => {
      refreshing = null;
      if (pending) { pending = false; refreshSession(); }
    });
  }

  // Model text as it is generated (engine.step.delta): one card per run and iteration at the end of the timeline,
  // until the committed step of that call (data-step-key) replaces it: its reasoning step, or the record of a call a
  // message interrupted.
  const streams = new Map();
  const settled = new Set();
  function placeStreams(region) {
    const timeline = $("ol.timeline", region);
    for (const [key, card] of streams) {
      const committed = '[data-step-key="' + key + '"]';
      const ended = 'li[data-step-type="reasoning"]' + committed + ', li[data-step-type="model_call_discarded"]' + committed;
      if ($(ended, region)) {
        streams.delete(key);
        settled.add(key);
        card.remove();
      } else if (timeline) {
        timeline.appendChild(card);
      }
    }
  }

  function streamDelta(region, delta) {
    const key = delta.runId + ":" + delta.iteration;
    if (settled.has(key)) return;
    let card = streams.get(key);
    if (!card) {
      card = document.createElement("li");
      card.className = "step step-streaming";
      card.dataset.streaming = key;
      const who = document.createElement("p");
      who.className = "who";
      who.textContent = "Model (generating…)";
      const text = document.createElement("p");
      text.className = "model-text";
      card.append(who, text);
      streams.set(key, card);
      placeStreams(region);
    }
    card.lastElementChild.textContent += delta.text;
  }

  function liveSession(region) {
    const source = new EventSource(region.dataset.liveSession);
    source.onopen = () => { region.dataset.live = "open"; };
    source.addEventListener("version", (ev) => {
      const version = JSON.parse(ev.data);
      region.dataset.version = version.version;
      if (version.status !== "Running") { streams.forEach(card => card.remove()); streams.clear(); }
      refreshSession();
    });
    source.addEventListener("delta", (ev) => streamDelta(region, JSON.parse(ev.data)));
  }

  // The pending user tasks, live (one feed per page): the navigation's count, and on Approvals' pending tab the
  // list itself, merged card by card so a comment being typed is never wiped. A card answered elsewhere stays,
  // marked: an answer given to it gets the clear "already answered" message instead of vanishing under the click.
  function liveTasks(link) {
    const count = $("[data-pending-count]", link);
    const list = $("ul[data-live-approvals=true]");
    const source = new EventSource(link.dataset.liveTasks);
    source.addEventListener("pending", (ev) => {
      const pending = JSON.parse(ev.data);
      if (count) {
        count.textContent = pending.count;
        count.dataset.pendingCount = pending.count;
        count.hidden = pending.count === 0;
      }
      if (list) mergeApprovals(list);
    });
  }

  let merging = null;
  async function mergeApprovals(list) {
    if (merging) { merging.again = true; return; }
    merging = { again: false };
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.getElementById(list.id);
      if (!fresh) return;
      const ids = new Set($$("li[data-task-card]", fresh).map(li => li.dataset.taskCard));
      $$("li[data-task-card]", list).forEach(li => {
        if (ids.has(li.dataset.taskCard) || $("[data-stale]", li)) return;
        const note = document.createElement("p");
        note.className = "hint";
        note.dataset.stale = "";
        note.textContent = "Answered or cancelled elsewhere; reload to see its outcome.";
        li.prepend(note);
      });
      let before = list.firstElementChild;
      $$("li[data-task-card]", fresh).forEach(li => {
        const existing = list.querySelector('li[data-task-card="' + li.dataset.taskCard + '"]');
        if (existing) { before = existing.nextElementSibling; return; }
        list.insertBefore(document.importNode(li, true), before);
      });
      const empty = $("[data-approvals-empty]");
      if (empty) empty.hidden = list.children.length > 0;
    } finally {
      const again = merging.again;
      merging = null;
      if (again) mergeApprovals(list);
    }
  }

  // Running durations tick once a second (finished ones carry no data-running-since).
  function tick() {
    const now = Date.now();
    $$("[data-running-since]").forEach(td => {
      const since = Date.parse(td.dataset.runningSince);
      if (Number.isNaN(since)) return;
      const s = Math.max(0, (now - since) / 1000);
      td.textContent = s < 60 ? s.toFixed(1) + " s" : s < 3600 ? Math.floor(s / 60) + "m " + String(Math.floor(s % 60)).padStart(2, "0") + "s"
        : Math.floor(s / 3600) + "h " + String(Math.floor(s % 3600 / 60)).padStart(2, "0") + "m";
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $$("table[data-live-sessions]").forEach(liveTable);
    const region = $("#session-live");
    if (region) liveSession(region);
    $$("[data-live-tasks]").forEach(liveTasks);
    setInterval(tick, 1000);
  });
})();
