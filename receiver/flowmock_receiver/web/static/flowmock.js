// flowmock run history: copy buttons, confirmations, and live rows.
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
  const errors = entry.contract.errors.length;
  cell(row, entry.contract.valid ? span("conforms", "ok") : span(errors + (errors === 1 ? " error" : " errors"), "bad"));
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

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy")) {
    button.addEventListener("click", () => copyText(button.dataset.copy, button));
  }
  for (const form of document.querySelectorAll("form.confirm")) {
    form.addEventListener("submit", (event) => { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); });
  }
  const table = document.getElementById("history");
  if (table && table.dataset.live === "yes") liveHistory(table);
});
