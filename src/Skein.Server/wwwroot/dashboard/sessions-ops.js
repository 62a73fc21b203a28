// Skein dashboard: bulk Terminate / Mark complete on selected sessions (or all matching the filter), Rerun and
// Fork from here. Each calls the management API (same origin, the dashboard cookie) and shows its outcome.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const labels = { terminate: "Terminate", complete: "Mark complete" };

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(json.detail || json.title || ("Request failed (" + response.status + ")"));
    return json;
  }

  function say(text) {
    const t = $("[data-toast]");
    if (!t) { alert(text); return; }
    t.textContent = text;
    t.hidden = false;
    setTimeout(() => { t.hidden = true; }, 6000);
  }

  // Selection: row checkboxes, "this page", and "all matching the filter".
  function selection() {
    const bar = $("[data-bulk]");
    const all = $("[data-bulk-all]");
    const ids = $$("input[data-select]:checked").map(c => c.value);
    return { bar, all: !!(all && all.checked), ids };
  }

  function refreshBar() {
    const { bar, all, ids } = selection();
    if (!bar) return;
    const count = $("[data-bulk-count]", bar);
    count.textContent = all ? "All sessions matching the filter" : ids.length + " selected";
    bar.hidden = !all && ids.length === 0 && $("[data-bulk-results]", bar).hidden;
  }

  document.addEventListener("change", (ev) => {
    const target = ev.target;
    if (target.matches("input[data-select-page]")) {
      $$("input[data-select]").forEach(c => { c.checked = target.checked; });
    }
    if (target.matches("input[data-select], input[data-select-page], input[data-bulk-all]")) refreshBar();
  });

  let pending = null;

  document.addEventListener("click", async (ev) => {
    const actionButton = ev.target.closest("button[data-bulk-action]");
    if (actionButton) {
      const { all, ids } = selection();
      if (!all && ids.length === 0) return;
      const action = actionButton.dataset.bulkAction;
      const what = all ? "every session matching the filter" : (ids.length === 1 ? "1 session" : ids.length + " sessions");
      pending = { action, all, ids };
      $("[data-bulk-question]").textContent = labels[action] + " " + what + "?";
      $("[data-bulk-detail]").textContent = action === "terminate"
        ? "In-progress runs in these sessions will fail. This can't be undone. Finished sessions are skipped."
        : "Waiting sessions become Completed; others are skipped.";
      $("#bulk-dialog").showModal();
      return;
    }

    const confirmButton = ev.target.closest("button[data-bulk-confirm]");
    if (confirmButton && pending) {
      ev.preventDefault();
      $("#bulk-dialog").close();
      await runBulk(pending);
      pending = null;
      return;
    }

    const rerun = ev.target.closest("button[data-rerun]");
    if (rerun) {
      rerun.disabled = true;
      try {
        const started = await post("/api/sessions/" + rerun.dataset.rerun + "/rerun");
        location.href = "/sessions/" + started.sessionId;
      } catch (e) { say(e.message); rerun.disabled = false; }
      return;
    }

    const fork = ev.target.closest("button[data-fork]");
    if (fork) {
      fork.disabled = true;
      try {
        const started = await post("/api/sessions/" + fork.dataset.session + "/fork",
          { fromSequence: Number(fork.dataset.fork) });
        location.href = "/sessions/" + started.sessionId;
      } catch (e) { say(e.message); fork.disabled = false; }
    }
  });

  async function runBulk({ action, all, ids }) {
    const bar = $("[data-bulk]");
    const progress = $("[data-bulk-progress]", bar);
    const results = $("[data-bulk-results]", bar);
    const buttons = $$("button", bar);
    buttons.forEach(b => { b.disabled = true; });
    progress.hidden = false;
    results.hidden = true;
    try {
      const body = all ? { action, filter: JSON.parse(bar.dataset.bulkFilter || "{}") } : { action, ids };
      const answer = await post("/api/sessions/bulk", body);
      const counts = { done: 0, skipped: 0, failed: 0 };
      answer.results.forEach(r => { counts[r.outcome] = (counts[r.outcome] || 0) + 1; });
      results.replaceChildren();
      const summary = document.createElement("p");
      summary.dataset.bulkSummary = "";
      summary.textContent = labels[action] + ": " + counts.done + " done, " + counts.skipped + " skipped, "
        + counts.failed + " failed";
      results.append(summary);
      const list = document.createElement("ul");
      answer.results.filter(r => r.outcome !== "done").forEach(r => {
        const li = document.createElement("li");
        li.dataset.outcome = r.outcome;
        const link = document.createElement("a");
        link.href = "/sessions/" + r.sessionId;
        link.className = "mono";
        // As everywhere in the dashboard: the last 8 hex digits (time-ordered ids share their first ones).
        link.textContent = r.sessionId.replace(/-/g, "").slice(-8);
        li.append(link, " " + r.outcome + (r.reason ? ": " + r.reason : ""));
        list.append(li);
      });
      results.append(list);
      results.hidden = false;
      $$("input[data-select]:checked, input[data-select-page], input[data-bulk-all]").forEach(c => { c.checked = false; });
    } catch (e) {
      results.replaceChildren(document.createTextNode(e.message));
      results.hidden = false;
    } finally {
      progress.hidden = true;
      buttons.forEach(b => { b.disabled = false; });
      refreshBar();
    }
  }
})();
