// The attendance day grid, enhanced. Without JavaScript the grid is a form
// posted to the server, as it always was; with it:
// - "Everyone present" fills a period at once in the browser;
// - the half-day links and the participant search work in the page, with no
//   round trip (and on a page opened without network);
// - where the outbox is available (js/outbox.js: IndexedDB), every mark is
//   kept on the phone at once and Save sends the outbox, online or not (one
//   way): marks entered without network wait, and say so, until the network
//   returns; conflicts are shown for the trainer to choose, refusals say why.
// Every text comes from the page (templates/attendance/_grid_strings.html).
(() => {
  "use strict";

  const form = document.getElementById("day-form");
  if (!form) {
    return;
  }
  const stringsElement = document.getElementById("attendance-strings");
  const strings = stringsElement ? JSON.parse(stringsElement.textContent) : null;
  const outbox = window.AtelierOutbox;
  const editable = form.dataset.editable === "true";
  const enhanced = Boolean(outbox && strings && editable);
  const rows = Array.from(form.querySelectorAll(".att-row[data-enrollment]"));
  const language = document.documentElement.lang || "en";
  // Latin digits in every language, Arabic included, as the pages write them.
  const numbers = new Intl.NumberFormat(language, { numberingSystem: "latn" });
  const pluralRules = new Intl.PluralRules(language);

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.hasOwn(values, name) ? String(values[name]) : whole
    );
  }

  function plural(forms, count, values = {}) {
    const form = forms[pluralRules.select(count)] || forms.other;
    return fill(form, { ...values, count: numbers.format(count) });
  }

  // --- The half-day view and the search ------------------------------------

  const wholeGrid = !form.dataset.half && form.dataset.filtered !== "true";
  const params = new URLSearchParams(location.search);
  const halves = document.getElementById("att-halves");

  function showHalf(half) {
    form.classList.toggle("att-only-am", half === "am");
    form.classList.toggle("att-only-pm", half === "pm");
    for (const link of halves.querySelectorAll("a[data-half]")) {
      const current = link.dataset.half === half;
      link.classList.toggle("btn-primary", current);
      link.classList.toggle("btn-outline-primary", !current);
      if (current) {
        link.setAttribute("aria-current", "page");
      } else {
        link.removeAttribute("aria-current");
      }
    }
  }

  if (halves && wholeGrid) {
    halves.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-half]");
      if (!link) {
        return;
      }
      event.preventDefault();
      showHalf(link.dataset.half);
      const url = new URL(location.href);
      if (link.dataset.half) {
        url.searchParams.set("half", link.dataset.half);
      } else {
        url.searchParams.delete("half");
      }
      history.replaceState(null, "", url);
    });
    showHalf(params.get("half") === "am" || params.get("half") === "pm" ? params.get("half") : "");
  }

  function fold(text) {
    return text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .join(" ");
  }

  const search = document.getElementById("att-search");
  const query = document.getElementById("att-query");
  const searchResult = document.getElementById("att-search-result");

  function filterRows(text) {
    const wanted = fold(text);
    const number = /^\d+$/.test(wanted);
    let shown = 0;
    for (const row of rows) {
      const matches =
        !wanted ||
        (number
          ? row.dataset.number === wanted
          : wanted.split(" ").every((word) => row.dataset.search.includes(word)));
      row.hidden = !matches;
      shown += matches ? 1 : 0;
    }
    searchResult.replaceChildren();
    if (wanted && strings) {
      searchResult.textContent = plural(strings.searchResult, shown, {
        total: numbers.format(rows.length),
        query: text.trim(),
      });
    }
    const url = new URL(location.href);
    if (text.trim()) {
      url.searchParams.set("q", text.trim());
    } else {
      url.searchParams.delete("q");
    }
    history.replaceState(null, "", url);
  }

  if (search && query && wholeGrid) {
    search.addEventListener("submit", (event) => {
      event.preventDefault();
      filterRows(query.value);
      const first = rows.find((row) => !row.hidden);
      if (first) {
        first.scrollIntoView({ block: "center" });
        const radio = first.querySelector('input[type="radio"]:not(:disabled)');
        if (radio) {
          radio.focus();
        }
      }
    });
    query.addEventListener("input", () => filterRows(query.value));
    if (params.get("q")) {
      query.value = params.get("q");
      filterRows(query.value);
    }
  }

  // --- The cells ----------------------------------------------------------

  const session = Number(form.dataset.session);
  const day = form.dataset.day;
  const cells = new Map();
  for (const fieldset of form.querySelectorAll("fieldset.att-cell[data-enrollment]")) {
    const enrollment = Number(fieldset.dataset.enrollment);
    const period = fieldset.dataset.period;
    const row = fieldset.closest(".att-row");
    const versionInput = fieldset.querySelector('input[type="hidden"]');
    const note = document.getElementById(`note-${enrollment}-${period}`);
    const checked = fieldset.querySelector('input[type="radio"]:checked');
    cells.set(`${enrollment}|${period}`, {
      fieldset,
      enrollment,
      period,
      versionInput,
      note,
      name: row.dataset.name,
      flag: fieldset.querySelector(".att-flag"),
      // What the server holds, as far as this page knows.
      server: {
        status: checked ? checked.value : "",
        note: note ? note.value : "",
        version: Number(versionInput.value),
      },
    });
  }

  function statusOf(cell) {
    const checked = cell.fieldset.querySelector('input[type="radio"]:checked');
    return checked ? checked.value : "";
  }

  function show(cell, status, note) {
    for (const radio of cell.fieldset.querySelectorAll('input[type="radio"]')) {
      radio.checked = radio.value === status;
    }
    if (cell.note && document.activeElement !== cell.note && !cell.typing) {
      cell.note.value = note || "";
    }
  }

  // "Everyone present": the period of every participant shown.
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-fill]");
    if (!button) {
      return;
    }
    event.preventDefault();
    const period = button.getAttribute("data-fill");
    for (const cell of cells.values()) {
      const row = cell.fieldset.closest(".att-row");
      if (cell.period !== period || row.hidden || cell.fieldset.disabled) {
        continue;
      }
      if (statusOf(cell) !== "present") {
        show(cell, "present", cell.note ? cell.note.value : "");
        if (enhanced) {
          keep(cell);
        }
      }
    }
  });

  if (!enhanced) {
    return; // the form is posted to the server as it always was
  }

  // --- The outbox on the grid ---------------------------------------------

  const statusLine = document.getElementById("att-outbox");
  const notices = document.getElementById("att-notices");
  const saveButton = form.querySelector('button[name="save"]');
  const saveLabel = saveButton ? saveButton.textContent : "";
  const reason = form.querySelector('textarea[name="reason"]');
  const outboxStrings = outbox.strings;
  const moments = new Intl.DateTimeFormat(language, {
    dateStyle: "medium",
    timeStyle: "short",
    numberingSystem: "latn",
  });
  let queue = Promise.resolve();
  let sending = false;
  let stopped = navigator.onLine ? null : "offline";
  const SAVED = "atelier-attendance-saved";
  const justSaved = sessionStorage.getItem(SAVED) === form.dataset.page;
  sessionStorage.removeItem(SAVED);
  let sentOnce = justSaved;

  function cellOf(change) {
    return cells.get(`${change.enrollment}|${change.period}`);
  }

  function keep(cell) {
    const status = statusOf(cell);
    if (!status) {
      return; // a note alone is not a mark
    }
    const note = cell.note ? cell.note.value.trim() : "";
    const value = {
      status,
      note,
      baseVersion: cell.server.version,
      reason: reason ? reason.value.trim() : null,
      unchanged: status === cell.server.status && note === (cell.server.note || ""),
    };
    const where = {
      session,
      day,
      enrollment: cell.enrollment,
      period: cell.period,
      syncUrl: form.dataset.syncUrl,
      page: form.dataset.page,
      label: `${cell.name}, ${strings.periods[cell.period]}`,
    };
    // Until kept, a redraw leaves the cell as the trainer set it.
    cell.pending = (cell.pending || 0) + 1;
    queue = queue
      .then(() => outbox.record(where, value))
      .catch(() => null)
      .then(() => {
        cell.pending -= 1;
      });
  }

  form.addEventListener("change", (event) => {
    const radio = event.target.closest('input[type="radio"]');
    const fieldset = radio && radio.closest("fieldset.att-cell");
    if (fieldset) {
      keep(cells.get(`${fieldset.dataset.enrollment}|${fieldset.dataset.period}`));
    }
  });
  for (const cell of cells.values()) {
    if (!cell.note) {
      continue;
    }
    let timer = null;
    cell.note.addEventListener("input", () => {
      cell.typing = true;
      clearTimeout(timer);
      timer = setTimeout(() => {
        cell.typing = false;
        keep(cell);
      }, 500);
    });
    cell.note.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter would press the first button of the form
      }
    });
  }

  // Save sends the outbox, online or not; nothing else posts the form.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (event.submitter !== saveButton || sending) {
      return;
    }
    await queue;
    if (reason) {
      await outbox.giveReason(session, day, reason.value.trim());
    }
    const outcome = await outbox.send();
    const left = (await outbox.changes()).some(
      (change) => change.session === session && change.day === day
    );
    if ((outcome === "sent" || outcome === "idle") && !left && navigator.onLine) {
      // All on the server: the page shows the day as the server holds it
      // (what is still missing, whether it can be closed), as after a post.
      sessionStorage.setItem(SAVED, form.dataset.page);
      location.reload();
    }
  });

  function flag(cell, state) {
    const fieldset = cell.fieldset;
    fieldset.classList.toggle("att-waiting", state === "waiting");
    fieldset.classList.toggle("att-conflict", state === "conflict");
    fieldset.classList.toggle("att-refused", state === "refused");
    const text = { waiting: strings.flagWaiting, conflict: strings.flagConflict, refused: strings.flagRefused }[state];
    cell.flag.textContent = text || "";
  }

  function button(text, style, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = `btn btn-sm ${style}`;
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function conflictNotice(conflicts) {
    const box = document.createElement("section");
    box.className = "alert alert-warning";
    box.setAttribute("role", "alert");
    const title = document.createElement("p");
    title.className = "fw-semibold mb-2";
    title.textContent = strings.conflictTitle;
    box.append(title);
    const list = document.createElement("ul");
    list.className = "list-unstyled mb-0 d-grid gap-2";
    for (const change of conflicts) {
      const theirs = change.theirs || {};
      const values = {
        name: cellOf(change) ? cellOf(change).name : change.label,
        period: strings.periods[change.period],
        yours: strings.statuses[change.status],
        theirs: strings.statuses[theirs.status] || theirs.status,
        who: theirs.recorded_by || "",
        when: theirs.recorded_at ? moments.format(new Date(theirs.recorded_at)) : "",
      };
      const item = document.createElement("li");
      item.className = "d-flex flex-wrap gap-2 align-items-center";
      const text = document.createElement("span");
      text.textContent = fill(theirs.recorded_by ? strings.conflict : strings.conflictAnonymous, values);
      item.append(
        text,
        button(strings.keepMine, "btn-primary", async () => {
          await outbox.keepMine(change.id);
          outbox.send();
        }),
        button(strings.keepTheirs, "btn-outline-secondary", () => outbox.keepTheirs(change.id))
      );
      list.append(item);
    }
    box.append(list);
    return box;
  }

  function refusalNotices(refused) {
    const groups = new Map();
    for (const change of refused) {
      const group = groups.get(change.message) || [];
      group.push(change);
      groups.set(change.message, group);
    }
    return Array.from(groups, ([message, changes]) => {
      const box = document.createElement("section");
      box.className = "alert alert-danger";
      box.setAttribute("role", "alert");
      const title = document.createElement("p");
      title.className = "fw-semibold mb-1";
      title.textContent = message;
      const intro = document.createElement("p");
      intro.className = "mb-1";
      intro.textContent = strings.refusedTitle;
      const list = document.createElement("ul");
      list.className = "mb-2";
      for (const change of changes) {
        const item = document.createElement("li");
        item.textContent = fill(strings.refusedCell, {
          name: cellOf(change) ? cellOf(change).name : change.label,
          period: strings.periods[change.period],
          status: strings.statuses[change.status],
        });
        list.append(item);
      }
      const dismiss = button(strings.dismiss, "btn-outline-danger", async () => {
        for (const change of changes) {
          await outbox.discard(change.id);
        }
      });
      // The cells as the server holds them (a closed day may hold others' marks).
      const recorded = document.createElement("a");
      recorded.className = "btn btn-sm btn-link";
      recorded.href = form.dataset.page;
      recorded.textContent = strings.showRecorded;
      box.append(title, intro, list, dismiss, recorded);
      return box;
    });
  }

  // After Save, once the page shows the day as the server holds it.
  function savedNotice() {
    if (!justSaved) {
      return [];
    }
    const box = document.createElement("div");
    box.className = "alert alert-success";
    box.setAttribute("role", "status");
    box.textContent = outboxStrings.saved;
    return [box];
  }

  // Why the marks wait: no network, no server, no sign-in, another account.
  function stopNotice(reasonStopped, waiting) {
    const text = {
      offline: outboxStrings.offline,
      failed: outboxStrings.failed,
      "signed-out": outboxStrings.signedOut,
      "other-user": outboxStrings.otherUser,
    }[reasonStopped];
    const quiet = reasonStopped === "offline" || reasonStopped === "failed";
    if (!text || (quiet && !waiting)) {
      return [];
    }
    const box = document.createElement("section");
    box.className = `alert ${quiet ? "alert-secondary py-2" : "alert-warning"} d-flex flex-wrap gap-2 align-items-center`;
    box.setAttribute("role", quiet ? "status" : "alert");
    const line = document.createElement("span");
    line.textContent = text;
    box.append(line);
    if (reasonStopped === "signed-out") {
      const link = document.createElement("a");
      link.className = "btn btn-sm btn-primary";
      link.href = `${document.body.dataset.signIn}?next=${encodeURIComponent(form.dataset.page + location.search)}`;
      link.textContent = outboxStrings.signIn;
      box.append(link);
    }
    return [box];
  }

  async function render() {
    const [changes, known] = await Promise.all([outbox.changes(), outbox.knownCells(session, day)]);
    for (const answer of known) {
      const cell = cells.get(`${answer.enrollment}|${answer.period}`);
      if (cell && answer.version > cell.server.version) {
        cell.server = { status: answer.status, note: answer.note, version: answer.version };
        cell.versionInput.value = String(answer.version);
      }
    }
    const latest = new Map();
    for (const change of changes) {
      if (change.session === session && change.day === day && cellOf(change)) {
        latest.set(`${change.enrollment}|${change.period}`, change);
      }
    }
    for (const [key, cell] of cells) {
      const change = latest.get(key);
      if (cell.pending) {
        continue; // a tap not kept yet: drawn once it is
      }
      if (change && change.state !== "refused") {
        show(cell, change.status, change.note);
      } else {
        show(cell, cell.server.status, cell.server.note);
      }
      flag(cell, change ? change.state : null);
    }
    const conflicts = changes.filter((change) => change.state === "conflict" && change.session === session && change.day === day);
    const refused = changes.filter((change) => change.state === "refused" && change.session === session && change.day === day);
    const waiting = changes.filter((change) => change.state === "waiting").length;
    notices.replaceChildren(
      ...savedNotice(),
      ...stopNotice(stopped, waiting),
      ...(conflicts.length ? [conflictNotice(conflicts)] : []),
      ...refusalNotices(refused)
    );
    if (!sending) {
      let text = "";
      if (waiting) {
        text = plural(outboxStrings.waiting, waiting);
      } else if (sentOnce && !conflicts.length && !refused.length) {
        text = outboxStrings.saved;
      }
      statusLine.textContent = text;
    }
  }

  function progress(done, total) {
    statusLine.replaceChildren();
    const text = document.createElement("span");
    text.textContent = fill(outboxStrings.sending, { done, total });
    const bar = document.createElement("progress");
    bar.className = "ms-2 align-middle";
    bar.max = Math.max(total, 1);
    bar.value = done;
    statusLine.append(text, bar);
  }

  function busy(on) {
    sending = on;
    if (saveButton) {
      saveButton.disabled = on;
      saveButton.setAttribute("aria-busy", on ? "true" : "false");
      saveButton.textContent = saveLabel;
    }
  }

  outbox.addEventListener("progress", (event) => {
    busy(true);
    progress(event.detail.done, event.detail.total);
  });
  // Every redraw waits for the marks being kept, so none is drawn over.
  function refresh() {
    queue = queue.then(render).catch(() => null);
  }

  outbox.addEventListener("stopped", (event) => {
    stopped = event.detail.reason;
    busy(false);
    refresh();
  });
  outbox.addEventListener("sent", (event) => {
    stopped = null;
    busy(false);
    sentOnce = sentOnce || event.detail.done > 0;
    refresh();
    if (window.AtelierOffline) {
      window.AtelierOffline.refresh([form.dataset.page, form.dataset.overview]);
    }
  });
  outbox.addEventListener("change", refresh);
  window.addEventListener("offline", () => {
    stopped = "offline";
    refresh();
  });
  window.addEventListener("online", () => {
    if (stopped === "offline") {
      stopped = null;
    }
  });
  refresh();
})();
