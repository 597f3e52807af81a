// flowmock run history: copy buttons, confirmations, live rows, and a run's action tree (loop stepper, live run).
// Rows are built with textContent only: recorded payloads are never parsed as HTML.
"use strict";

function copyText(id, button) {
  const text = document.getElementById(id).textContent;
  const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy"; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
  } else {
    fallbackCopy(text, done);
  }
}

function fallbackCopy(text, done) {
  const area = document.createElement("textarea");
  area.value = text;
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); done(); } finally { area.remove(); }
}

function cell(row, text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  if (text instanceof Node) td.appendChild(text); else td.textContent = text;
  row.appendChild(td);
  return td;
}

function span(text, className) {
  const s = document.createElement("span");
  s.className = className;
  s.textContent = text;
  return s;
}

// The same words as the server's verdict macro: conforms, N errors, or not checked (a body never read).
function verdict(contract) {
  if (contract.valid === null || contract.valid === undefined) {
    const notChecked = span("not checked", "muted");
    notChecked.title = contract.reason || "";
    return notChecked;
  }
  const errors = contract.errors.length;
  return contract.valid ? span("conforms", "ok") : span(errors + (errors === 1 ? " error" : " errors"), "bad");
}

function renderRow(entry, detailBase) {
  const row = document.createElement("tr");
  row.dataset.callId = entry.id;
  const link = document.createElement("a");
  link.href = detailBase + encodeURIComponent(entry.id);
  link.textContent = entry.time;
  cell(row, link);
  const status = document.createElement("span");
  status.appendChild(span(entry.status, "status status-" + entry.status));
  if (entry.code) { status.appendChild(document.createTextNode(" ")); status.appendChild(span(entry.code, "code")); }
  cell(row, status);
  cell(row, String(entry.http_status), "num");
  cell(row, Number(entry.duration_ms).toFixed(1) + " ms", "num");
  const verdicts = document.createElement("span");
  verdicts.appendChild(verdict(entry.contract));
  if (entry.contract.strict) {
    const strict = span("strict: ", "strict");
    strict.title = entry.contract.strict.schema;
    strict.appendChild(verdict(entry.contract.strict));
    verdicts.appendChild(document.createTextNode(" "));
    verdicts.appendChild(strict);
  }
  cell(row, verdicts);
  const code = document.createElement("code");
  code.textContent = entry.client_tracking_id || "–";
  cell(row, code);
  return row;
}

function liveHistory(table) {
  const flowId = table.dataset.flowId;
  const status = table.dataset.status;
  const size = table.dataset.pageSize;
  const detailBase = table.dataset.detailBase;
  const body = table.tBodies[0];
  const total = document.getElementById("total");
  let newest = body.rows.length && body.rows[0].dataset.callId ? body.rows[0].dataset.callId : "";
  async function poll() {
    try {
      const query = new URLSearchParams({ limit: size });
      if (status) query.set("status", status);
      const response = await fetch(`/_flowmock/api/flows/${encodeURIComponent(flowId)}/triggers?${query}`,
                                   { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        const first = data.triggers.length ? data.triggers[0].id : "";
        if (first !== newest) {
          newest = first;
          body.replaceChildren(...data.triggers.map((entry) => renderRow(entry, detailBase)));
          if (total) total.textContent = data.total + (data.total === 1 ? " call" : " calls");
        }
      }
    } catch (error) {
      // the server may be restarting: try again on the next tick
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
}

// A loop's repetitions, one at a time: the page lists them all (readable without JavaScript); this shows the first
// failed one (else the first) with Previous / Next buttons, and the numbered links jump to one.
function stepper(loop, chosen) {
  const reps = Array.from(loop.querySelectorAll(":scope > .repetition"));
  const links = Array.from(loop.querySelectorAll(":scope > .stepper > a.rep-link"));
  if (reps.length < 2) return;
  const nav = loop.querySelector(":scope > .stepper");
  const prev = document.createElement("button");
  prev.type = "button"; prev.className = "prev"; prev.textContent = "‹ Previous";
  const next = document.createElement("button");
  next.type = "button"; next.className = "next"; next.textContent = "Next ›";
  const position = span("", "position");
  nav.append(prev, position, next);
  let current = 0;
  function show(index) {
    current = Math.max(0, Math.min(reps.length - 1, index));
    reps.forEach((rep, i) => rep.classList.toggle("current", i === current));
    links.forEach((link, i) => link.classList.toggle("current", i === current));
    position.textContent = `${current + 1} of ${reps.length}`;
    prev.disabled = current === 0;
    next.disabled = current === reps.length - 1;
    loop.dataset.current = String(current);
  }
  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  links.forEach((link, i) => link.addEventListener("click", (event) => { event.preventDefault(); show(i); }));
  loop.classList.add("stepping");
  const failed = reps.findIndex((rep) => rep.querySelector(":scope > h4 .status-Failed"));
  show(chosen !== undefined ? chosen : Math.max(0, failed));
}

function steppers(root) {
  for (const loop of root.querySelectorAll(".loop")) stepper(loop);
}

// While a run is Running, fetch this page again each second and swap in its run section (server-rendered, as
// escaped as the page itself), keeping open what the reader opened and the repetition each loop shows.
function liveRun(section) {
  async function poll() {
    try {
      const response = await fetch(window.location.pathname, { headers: { Accept: "text/html" } });
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("run");
        const current = document.getElementById("run");
        if (fresh && current) {
          const where = (details) => {
            const card = details.closest("[data-key]");
            return (card ? card.dataset.key : "") + "\u0000" + (details.dataset.part || details.className);
          };
          const opened = new Set();
          for (const details of current.querySelectorAll("details[open]")) opened.add(where(details));
          const loops = new Map();
          for (const loop of current.querySelectorAll(".loop.stepping")) {
            loops.set(loop.closest("li.card").dataset.key, Number(loop.dataset.current));
          }
          const adopted = document.adoptNode(fresh);
          for (const details of adopted.querySelectorAll("details")) {
            details.open = opened.has(where(details));
          }
          current.replaceWith(adopted);
          for (const loop of adopted.querySelectorAll(".loop")) {
            stepper(loop, loops.get(loop.closest("li.card").dataset.key));
          }
          if (adopted.dataset.runStatus !== "Running") return;
        }
      }
    } catch (error) {
      // the server may be restarting: try again on the next tick
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", () => copyText(button.dataset.copy, button));
  }
  for (const form of document.querySelectorAll("form.confirm")) {
    form.addEventListener("submit", (event) => { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); });
  }
  const table = document.getElementById("history");
  if (table && table.dataset.live === "yes") liveHistory(table);
  steppers(document);
  const run = document.getElementById("run");
  if (run && run.dataset.runStatus === "Running") liveRun(run);
});
