// The outbox of attendance changes, kept on the phone (IndexedDB, through
// idb) so that nothing typed is lost when the network or the sign-in goes.
//
// Each change the trainer makes on a day grid is written here at once, with
// an id of its own and the version of the cell it was made on, for the
// signed-in user only. The outbox sends the changes to the session's sync
// endpoint (one way, online or not: Save, the network coming back, a retry
// every half minute while the last attempt failed, or opening any page) and
// keeps the answer: applied changes leave the outbox, a conflict waits for
// the trainer to choose, a refusal says why. A user's changes are never
// shown to, nor sent by, another user signed in on the same browser, and the
// server refuses a batch made by another user than the one signed in.
//
// window.AtelierOutbox is the outbox of the user signed in; js/attendance.js
// draws it on the day grid, and this file shows a line on other pages.
/* global idb */
(() => {
  "use strict";

  const user = document.body.dataset.user;
  const stringsElement = document.getElementById("outbox-strings");
  if (!user || !stringsElement || !window.indexedDB || !window.idb) {
    return;
  }
  const strings = JSON.parse(stringsElement.textContent);
  const language = document.documentElement.lang || "en";
  const pluralRules = new Intl.PluralRules(language);
  // Latin digits in every language, Arabic included, as the pages write them.
  const numbers = new Intl.NumberFormat(language, { numberingSystem: "latn" });

  // A message with its {placeholders} filled in.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.hasOwn(values, name) ? String(values[name]) : whole
    );
  }

  // The plural form for `count` (one per plural category of the page's
  // language, from the template, which gettext chose).
  function plural(forms, count, values = {}) {
    const form = forms[pluralRules.select(count)] || forms.other;
    return fill(form, { ...values, count: numbers.format(count) });
  }

  const RETRY_MS = 30000;
  const database = idb.openDB("atelier-attendance", 1, {
    upgrade(db) {
      db.createObjectStore("outbox", { keyPath: "id" }).createIndex("user", "user");
      db.createObjectStore("cells", { keyPath: "key" }).createIndex("user", "user");
    },
  });

  function newId() {
    if (crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function cellKey(owner, cell) {
    return [owner, cell.session, cell.day, cell.enrollment, cell.period].join("|");
  }

  function byCreation(first, second) {
    return first.created - second.created;
  }

  class Outbox extends EventTarget {
    constructor(owner) {
      super();
      this.user = String(owner);
      this.strings = strings;
      this.fill = fill;
      this.plural = plural;
      this.sending = null;
      this.batchSize = 100;
      this.lastOutcome = null;
      // Every page has one (the language switcher's form, at least).
      const field = document.querySelector('input[name="csrf_token"]');
      this.token = field ? field.value : "";
    }

    emit(type, detail = {}) {
      this.dispatchEvent(new CustomEvent(type, { detail }));
    }

    // This user's changes, oldest first (never another user's).
    async changes() {
      const db = await database;
      return (await db.getAllFromIndex("outbox", "user", this.user)).sort(byCreation);
    }

    async summary() {
      const changes = await this.changes();
      const count = (state) => changes.filter((change) => change.state === state).length;
      return {
        waiting: count("waiting"),
        conflicts: count("conflict"),
        refused: count("refused"),
        page: changes.length ? changes[0].page : null,
      };
    }

    // The cells of a day as the server last answered them to this user.
    async knownCells(session, day) {
      const db = await database;
      const cells = await db.getAllFromIndex("cells", "user", this.user);
      return cells.filter((cell) => cell.session === session && cell.day === day);
    }

    // Keep a change of one cell at once. `cell`: {session, day, enrollment,
    // period, syncUrl, page, label}; `value`: {status, note, baseVersion,
    // reason, unchanged (the value the server holds, as the page shows it)}.
    async record(cell, value) {
      const db = await database;
      const key = cellKey(this.user, cell);
      const tx = db.transaction("outbox", "readwrite");
      const mine = (await tx.store.index("user").getAll(this.user))
        .filter((change) => change.cell === key)
        .sort(byCreation);
      const last = mine[mine.length - 1];
      if (last && last.state === "waiting" && last.attempts === 0) {
        if (value.unchanged && mine.length === 1) {
          await tx.store.delete(last.id); // back to what the server holds
        } else {
          await tx.store.put({ ...last, status: value.status, note: value.note, reason: value.reason });
        }
      } else if (!(value.unchanged && !last)) {
        let base = value.baseVersion;
        if (last && last.state === "conflict") {
          base = last.theirs ? last.theirs.version : base; // a new choice over theirs
          await tx.store.delete(last.id);
        } else if (last && last.state === "refused") {
          await tx.store.delete(last.id);
        } else if (last) {
          base = last.baseVersion; // after one sent: moved onto its version when applied
        }
        await tx.store.put({
          id: newId(),
          user: this.user,
          cell: key,
          session: cell.session,
          day: cell.day,
          enrollment: cell.enrollment,
          period: cell.period,
          syncUrl: cell.syncUrl,
          page: cell.page,
          label: cell.label,
          status: value.status,
          note: value.note,
          reason: value.reason || null,
          baseVersion: base,
          created: Date.now(),
          attempts: 0,
          state: "waiting",
        });
      }
      await tx.done;
      this.emit("change");
    }

    // The reason for correcting a closed day, given to the changes not sent
    // yet, and to those refused for want of one (sent again with it).
    async giveReason(session, day, reason) {
      const db = await database;
      const tx = db.transaction("outbox", "readwrite");
      for (const change of await tx.store.index("user").getAll(this.user)) {
        if (change.session !== session || change.day !== day) {
          continue;
        }
        if (change.state === "waiting") {
          await tx.store.put({ ...change, reason });
        } else if (change.state === "refused" && change.code === "reason_required" && reason) {
          await tx.store.put({ ...change, reason, state: "waiting", code: null, message: null });
        }
      }
      await tx.done;
    }

    async discard(id) {
      const db = await database;
      const change = await db.get("outbox", id);
      if (change && change.user === this.user) {
        await db.delete("outbox", id);
      }
      this.emit("change");
    }

    // A conflict settled for the trainer's value: sent again over theirs.
    async keepMine(id) {
      const db = await database;
      const change = await db.get("outbox", id);
      if (!change || change.user !== this.user || change.state !== "conflict") {
        return;
      }
      const tx = db.transaction("outbox", "readwrite");
      await tx.store.delete(id);
      await tx.store.put({
        ...change,
        id: newId(),
        baseVersion: change.theirs.version,
        created: Date.now(),
        attempts: 0,
        state: "waiting",
        theirs: null,
      });
      await tx.done;
      this.emit("change");
    }

    // A conflict settled for the value found on the server.
    async keepTheirs(id) {
      const db = await database;
      const change = await db.get("outbox", id);
      if (!change || change.user !== this.user || change.state !== "conflict") {
        return null;
      }
      const tx = db.transaction(["outbox", "cells"], "readwrite");
      await tx.objectStore("outbox").delete(id);
      await tx.objectStore("cells").put(this.knownCell(change, change.theirs));
      await tx.done;
      this.emit("change");
      return change.theirs;
    }

    knownCell(change, cell) {
      return {
        key: change.cell,
        user: this.user,
        session: change.session,
        day: change.day,
        enrollment: change.enrollment,
        period: change.period,
        status: cell.status,
        note: cell.note || "",
        version: cell.version,
      };
    }

    // The earliest waiting change of each cell (a later one waits for it).
    async sendable() {
      const seen = new Set();
      const ready = [];
      for (const change of await this.changes()) {
        if (!seen.has(change.cell)) {
          seen.add(change.cell);
          if (change.state === "waiting") {
            ready.push(change);
          }
        }
      }
      return ready;
    }

    // Send what waits; resolves to "sent", "idle" or why it stopped:
    // "offline", "failed", "signed-out", "other-user".
    send() {
      if (!this.sending) {
        this.sending = this.sendAll().finally(() => {
          this.sending = null;
        });
      }
      return this.sending;
    }

    async sendAll() {
      let ready = await this.sendable();
      if (!ready.length) {
        return "idle";
      }
      let done = 0;
      let total = (await this.summary()).waiting;
      this.emit("progress", { done, total });
      for (let round = 0; ready.length && round < 100; round += 1) {
        const url = ready[0].syncUrl;
        const chunk = ready.filter((change) => change.syncUrl === url).slice(0, this.batchSize);
        const outcome = await this.post(url, chunk);
        if (outcome !== "answered" && outcome !== "smaller") {
          this.lastOutcome = outcome;
          this.emit("stopped", { reason: outcome });
          return outcome;
        }
        if (outcome === "answered") {
          done += chunk.length;
        }
        ready = await this.sendable();
        total = Math.max(total, done + ready.length);
        this.emit("progress", { done, total });
      }
      this.lastOutcome = "sent";
      this.emit("sent", { done });
      return "sent";
    }

    async post(url, ready, retried = false) {
      // Read again: a tap since may have changed a change not sent yet.
      const db = await database;
      const tx = db.transaction("outbox", "readwrite");
      const chunk = [];
      for (const { id } of ready) {
        const change = await tx.store.get(id);
        if (change && change.state === "waiting") {
          change.attempts += 1; // its content is now fixed: a new tap makes a new change
          await tx.store.put(change);
          chunk.push(change);
        }
      }
      await tx.done;
      if (!chunk.length) {
        return "answered";
      }
      const body = {
        user: Number(this.user),
        changes: chunk.map((change) => ({
          id: change.id,
          enrollment: change.enrollment,
          date: change.day,
          period: change.period,
          status: change.status,
          note: change.note || null,
          base_version: change.baseVersion,
          reason: change.reason || null,
        })),
      };
      let response;
      try {
        response = await fetch(url, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": this.token,
          },
          body: JSON.stringify(body),
        });
      } catch (error) {
        return navigator.onLine ? "failed" : "offline";
      }
      if (response.redirected) {
        return "signed-out";
      }
      let answer = null;
      try {
        answer = await response.json();
      } catch (error) {
        answer = null;
      }
      const results = answer && Array.isArray(answer.results) ? answer.results : null;
      if (response.status === 401) {
        return "signed-out";
      }
      if (response.status === 409 && answer && answer.error === "other_user") {
        return "other-user";
      }
      if (response.status === 400 && answer && answer.error === "csrf" && !retried) {
        const fresh = await this.refreshToken(url);
        return fresh === "ok" ? this.post(url, chunk, true) : fresh;
      }
      if (response.status === 413) {
        if (chunk.length > 1) {
          this.batchSize = Math.max(1, Math.floor(chunk.length / 2));
          return "smaller";
        }
        const message = (answer && answer.message) || "";
        await this.keep(chunk.map((change) => ({ id: change.id, outcome: "refused", message })));
        return "answered";
      }
      if (results && (response.ok || response.status === 403 || response.status === 400)) {
        await this.keep(results);
        if (response.status === 400 && !results.length) {
          return "failed";
        }
        return "answered";
      }
      return "failed";
    }

    // A fresh CSRF token, after a new sign-in: only for the same user.
    async refreshToken(url) {
      let response;
      try {
        response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      } catch (error) {
        return navigator.onLine ? "failed" : "offline";
      }
      if (response.status === 401 || response.redirected) {
        return "signed-out";
      }
      const answer = response.ok ? await response.json() : null;
      if (!answer) {
        return "failed";
      }
      if (String(answer.user) !== this.user) {
        return "other-user";
      }
      this.token = answer.csrf_token;
      return "ok";
    }

    // Keep the server's answers: applied changes leave the outbox (their
    // cell's new version moves the next change of that cell onto it),
    // conflicts and refusals stay to be shown.
    async keep(results) {
      const db = await database;
      const tx = db.transaction(["outbox", "cells"], "readwrite");
      const outbox = tx.objectStore("outbox");
      const mine = await outbox.index("user").getAll(this.user);
      for (const result of results) {
        const change = mine.find((item) => item.id === result.id);
        if (!change) {
          continue;
        }
        if (result.outcome === "applied" || result.outcome === "already_applied") {
          await outbox.delete(change.id);
          if (result.cell) {
            await tx.objectStore("cells").put(this.knownCell(change, result.cell));
            for (const next of mine) {
              if (next.cell === change.cell && next.id !== change.id && next.state === "waiting") {
                next.baseVersion = result.cell.version;
                await outbox.put(next);
              }
            }
          }
        } else if (result.outcome === "conflict") {
          await outbox.put({ ...change, state: "conflict", theirs: result.cell });
        } else {
          await outbox.put({
            ...change,
            state: "refused",
            code: result.code || "refused",
            message: result.message || "",
          });
        }
      }
      await tx.done;
      this.emit("results", { results });
      this.emit("change");
    }

    // Send on its own: now, when the network comes back, and every half
    // minute while changes wait after a failed attempt.
    start() {
      window.addEventListener("online", () => this.send());
      window.setInterval(async () => {
        const retry = ["offline", "failed", "signed-out"].includes(this.lastOutcome);
        if (retry && navigator.onLine && (await this.summary()).waiting) {
          this.send();
        }
      }, RETRY_MS);
      if (navigator.onLine) {
        this.send();
      }
    }
  }

  const outbox = new Outbox(user);
  window.AtelierOutbox = outbox;

  // Pages other than the day grid: one line saying what waits, and why.
  const banner = document.getElementById("outbox-banner");
  async function showBanner(reason) {
    if (!banner || document.getElementById("day-form")) {
      return;
    }
    const summary = await outbox.summary();
    const parts = [];
    if (summary.waiting) {
      parts.push(plural(strings.waiting, summary.waiting));
    }
    if (summary.conflicts) {
      parts.push(plural(strings.conflicts, summary.conflicts));
    }
    if (summary.refused) {
      parts.push(plural(strings.refused, summary.refused));
    }
    banner.replaceChildren();
    if (!parts.length) {
      banner.hidden = true;
      return;
    }
    const text = document.createElement("span");
    text.textContent = parts.join(" · ");
    banner.append(text);
    const why = { offline: strings.offline, failed: strings.failed, "signed-out": strings.signedOut, "other-user": strings.otherUser }[reason];
    if (why) {
      const line = document.createElement("span");
      line.textContent = why;
      banner.append(line);
    }
    if (reason === "signed-out") {
      const link = document.createElement("a");
      link.className = "btn btn-sm btn-primary";
      link.href = `${document.body.dataset.signIn}?next=${encodeURIComponent(location.pathname)}`;
      link.textContent = strings.signIn;
      banner.append(link);
    } else if (summary.page && summary.page !== location.pathname) {
      const link = document.createElement("a");
      link.href = summary.page;
      link.textContent = strings.open;
      banner.append(link);
    }
    banner.hidden = false;
  }
  let lastReason = null;
  outbox.addEventListener("change", () => showBanner(lastReason));
  outbox.addEventListener("stopped", (event) => {
    lastReason = event.detail.reason;
    showBanner(lastReason);
  });
  outbox.addEventListener("sent", () => {
    lastReason = null;
    showBanner(null);
  });
  showBanner(navigator.onLine ? null : "offline");
  outbox.start();
})();
