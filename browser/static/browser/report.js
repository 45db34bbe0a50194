/* Run report: plugins section, plugin launch dialogs, image zoom, progress banner. */
"use strict";
(function () {
  const pk = window.TB_REPORT;
  const esc = TB.esc;
  const box = () => document.getElementById("plugin-results");

  function humanSize(n) {
    if (n === null || n === undefined || n < 0) return "";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + units[i];
  }

  function renderGroup(name, results) {
    const sec = document.createElement("div");
    sec.className = "plugin-group";
    sec.id = name + "-section";
    sec.dataset.plugin = name;
    let current = results[0];
    const draw = () => {
      const r = current;
      let versions = "";
      if (results.length === 1) versions = `<span class="version">v${esc(r.Version)} (${esc(r.id)})</span>`;
      else versions = `<select class="version-select" aria-label="Versions of ${esc(name)}">` +
        results.map((x, i) => `<option value="${i}" ${x === r ? "selected" : ""}>v${esc(x.Version)} #${results.length - i} (${esc(x.id)})</option>`).join("") + "</select>";
      const failed = r.validation_errors && r.validation_errors.length;
      const buttons = [];
      if (!failed) buttons.push(`<button type="button" class="view-log">View Log</button>`);
      if (r.can_terminate) buttons.push(`<button type="button" class="stop">Stop</button>`);
      else if (r.id) buttons.push(`<button type="button" class="delete">Delete</button>`);
      let body = "";
      if (failed) {
        body = "<p>Plugin did not pass validation step and returned the reasons.</p><ul>" +
          r.validation_errors.map(e => `<li>${esc(e)}</li>`).join("") + "</ul>";
      } else {
        const files = r.Files || [];
        const blocks = files.filter(f => /_block\.(html|php)$/.test(f));
        const others = files.filter(f => !/_block\.(html|php)$/.test(f));
        // Output pages run sandboxed (no allow-same-origin): they cannot reach this page or the API as the viewer.
        body = blocks.map(f => `<iframe class="autosize" sandbox="allow-scripts allow-popups allow-forms allow-downloads" title="${esc(name)} ${esc(f)}" src="${esc(r.URL + f)}"></iframe>`).join("");
        if (others.length) body += "<ul>" + others.map(f => `<li><a href="${esc(r.URL + f)}" target="_blank" rel="noopener">${esc(f)}</a></li>`).join("") + "</ul>";
        if (!files.length) body += "<p>No Data</p>";
      }
      sec.innerHTML = `<header><h3>${esc(name)}</h3> ${versions} <span class="state" data-state="${esc(r.State)}">${esc(r.State)}</span>
        <span class="size" title="${esc(r.Size)} bytes, ${esc(r.inodes)} inodes">${humanSize(r.Size)}</span> ${buttons.join(" ")}</header><div class="plugin-body">${body}</div>`;
      const sel = sec.querySelector(".version-select");
      if (sel) sel.addEventListener("change", () => { current = results[+sel.value]; draw(); });
      const log = sec.querySelector(".view-log");
      if (log) log.addEventListener("click", () => viewLog(name, r));
      const stop = sec.querySelector(".stop");
      if (stop) stop.addEventListener("click", async () => {
        stop.textContent = "Stopping"; stop.disabled = true;
        await TB.api("POST", `/rundb/api/v1/pluginresult/${r.id}/stop/`);
        setTimeout(loadPlugins, 3000);
      });
      const del = sec.querySelector(".delete");
      if (del) del.addEventListener("click", async () => {
        if (!confirm("Are you sure you want to delete this plugin result?")) return;
        const res = await TB.api("DELETE", `/rundb/api/v1/pluginresult/${r.id}/delete/`);
        if (!res.ok) alert("Failed to remove plugin result. " + TB.errorText(res));
        loadPlugins();
      });
    };
    draw();
    return sec;
  }

  async function viewLog(name, r) {
    const body = TB.modal.open("Plugin Log " + name, "Loading...");
    const resp = await fetch(r.URL + "drmaa_stdout.txt", { credentials: "same-origin" });
    if (!resp.ok) { body.textContent = "Unable to read plugin log: " + resp.status; return; }
    const pre = document.createElement("pre");
    pre.className = "log";
    pre.textContent = await resp.text();  // shown as text, never as html
    body.replaceChildren(pre);
  }

  async function loadPlugins() {
    const res = await TB.api("GET", `/rundb/api/v1/results/${pk}/pluginresults/`);
    const el = box();
    if (!res.ok || !Array.isArray(res.data)) { el.textContent = "Failed to get Plugin Status"; return; }
    if (!res.data.length) { el.textContent = "No plugins have been run"; return; }
    const groups = {};
    res.data.forEach(r => { (groups[r.Name] = groups[r.Name] || []).push(r); });
    const names = Object.keys(groups).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
    el.replaceChildren(...names.map(n => renderGroup(n, groups[n])));
    const nav = document.getElementById("plugin-nav");
    if (nav) nav.replaceChildren(...names.map(n => {
      const a = document.createElement("a");
      a.href = "#" + n + "-section";
      a.textContent = "› " + n;
      return a;
    }));
  }
  window.TB_loadPlugins = loadPlugins;

  async function selectPlugins() {
    const body = TB.modal.open("Select a Plugin to Run", "Loading Plugin List");
    const res = await TB.api("GET", "/rundb/api/v1/plugin/?selected=true&limit=0&order_by=name");
    if (!res.ok) { body.textContent = "Failed to get the plugin list: " + TB.errorText(res); return; }
    const plugins = res.data.objects || [];
    if (!plugins.length) {
      body.innerHTML = 'No plugins enabled. Go to <a href="/configure/plugins/">Plugins</a> to install and enable plugins.';
      return;
    }
    body.innerHTML = `<div class="filters"><label>Search <input type="search" id="plugin-search"></label>
      <button type="button" id="plugin-search-clear">Clear</button> <button type="button" data-close>Close</button></div>
      <p id="launch-status" role="status"></p><ul id="plugin-list"></ul>`;
    const list = body.querySelector("#plugin-list");
    plugins.forEach(p => {
      const li = document.createElement("li");
      li.dataset.name = p.name;
      li.innerHTML = `<button type="button" class="link">${esc(p.name)} — v${esc(p.version)}</button>`;
      li.querySelector("button").addEventListener("click", () => launch(p));
      list.appendChild(li);
    });
    const search = body.querySelector("#plugin-search");
    const filter = () => list.querySelectorAll("li").forEach(li => {
      li.hidden = !li.dataset.name.toLowerCase().includes(search.value.toLowerCase());
    });
    search.addEventListener("input", filter);
    body.querySelector("#plugin-search-clear").addEventListener("click", () => { search.value = ""; filter(); });
    search.focus();
  }

  async function launch(p) {
    if (p.isInstance) {
      const frame = document.createElement("iframe");
      frame.title = "Configure Plugin " + p.name;
      frame.id = "plugin-config-frame";
      frame.src = `/configure/plugins/plugin/${p.id}/configure/report/?report=${pk}`;
      TB.modal.open("Configure Plugin", frame);  // replaces the list in the open dialog
      const reload = () => { document.removeEventListener("tb:modal-closed", reload); setTimeout(loadPlugins, 500); };
      document.addEventListener("tb:modal-closed", reload);
      return;
    }
    const status = document.getElementById("launch-status");
    status.textContent = "Launching Plugin " + p.name;
    const res = await TB.api("POST", `/rundb/api/v1/results/${pk}/plugin/`, { plugin: { id: p.id, name: p.name }, pluginconfig: {} });
    if (res.status === 202) { TB.modal.close(); loadPlugins(); }
    else status.textContent = "ERROR: Failed to launch Plugin " + p.name + ": " + TB.errorText(res);
  }

  function zoom(img) {
    const big = document.createElement("img");
    big.src = img.dataset.zoom || img.dataset.full || img.src;
    big.alt = img.alt || img.dataset.title || "";
    big.style.maxWidth = "100%";
    TB.modal.open(img.dataset.title || img.alt, big);
  }

  async function pollProgress() {
    const banner = document.getElementById("progress-banner");
    if (!banner) return;
    const res = await TB.api("GET", `/rundb/api/v1/results/${pk}/?noplugin=True`);
    if (res.ok && res.data) {
      const st = res.data.status || "";
      document.getElementById("progress-status").textContent = st;
      if (st.startsWith("Completed") || st === "No Live Beads") {
        banner.querySelector("strong").textContent = "The report has been completed. The page will reload in 5 seconds";
        setTimeout(() => location.reload(), 5000);
        return;
      }
    }
    setTimeout(pollProgress, +(document.body.dataset.poll || 60000));
  }

  /* Barcode table: client-side pages; barcodes without reads hidden unless asked for. */
  function barcodePager() {
    const table = document.getElementById("barcode-table");
    if (!table) return;
    const rows = [...table.querySelectorAll("tbody tr")];
    const size = document.getElementById("barcode-page-size");
    const empty = document.getElementById("barcode-show-empty");
    const label = document.getElementById("barcode-page");
    let pageNo = 0;
    const draw = () => {
      const shown = rows.filter(r => empty.checked || +r.dataset.reads > 0);
      const n = +size.value;
      const pages = Math.max(1, Math.ceil(shown.length / n));
      pageNo = Math.min(Math.max(pageNo, 0), pages - 1);
      rows.forEach(r => { r.hidden = true; });
      shown.slice(pageNo * n, pageNo * n + n).forEach(r => { r.hidden = false; });
      label.textContent = shown.length ? `${pageNo * n + 1} - ${Math.min(shown.length, pageNo * n + n)} of ${shown.length}` : "0 of 0";
      document.getElementById("barcode-prev").disabled = pageNo === 0;
      document.getElementById("barcode-next").disabled = pageNo >= pages - 1;
    };
    size.addEventListener("change", () => { pageNo = 0; draw(); });
    empty.addEventListener("change", () => { pageNo = 0; draw(); });
    document.getElementById("barcode-prev").addEventListener("click", () => { pageNo--; draw(); });
    document.getElementById("barcode-next").addEventListener("click", () => { pageNo++; draw(); });
    draw();
  }

  document.addEventListener("DOMContentLoaded", () => {
    loadPlugins();
    barcodePager();
    document.getElementById("select-plugins").addEventListener("click", ev => { ev.target.closest("details").open = false; selectPlugins(); });
    document.getElementById("refresh-plugins").addEventListener("click", ev => { ev.target.closest("details").open = false; loadPlugins(); });
    document.getElementById("report-switch").addEventListener("change", ev => { location.href = "/report/" + ev.target.value + "/"; });
    document.querySelectorAll("img[data-zoom]").forEach(img => img.addEventListener("click", () => zoom(img)));
    // Barcode table: each sparkline is a button opening that barcode's full read-length histogram.
    document.querySelectorAll("button.sparkline-button").forEach(b => b.addEventListener("click", () => zoom(b.querySelector("img"))));
    document.getElementById("reanalyze").addEventListener("click", ev => {
      ev.target.closest("details").open = false;
      const body = TB.modal.open("Reanalyze", `<form id="reanalyze-form"><label for="reanalyze-name">Report Name</label>
        <input id="reanalyze-name" value="${TB.esc(document.getElementById("report-name").textContent.trim())}_reanalysis">
        <p class="error" id="reanalyze-error" role="alert"></p><button type="submit" class="primary">Start Analysis</button></form>`);
      body.querySelector("#reanalyze-form").addEventListener("submit", async e => {
        e.preventDefault();
        const name = body.querySelector("#reanalyze-name").value.trim().replace(/ /g, "_");
        const res = await TB.api("POST", `/rundb/api/v1/results/${pk}/reanalyze/`, { name: name });
        if (res.status === 202) location.href = "/report/" + res.data.id + "/";
        else body.querySelector("#reanalyze-error").textContent = "Error: " + TB.errorText(res);
      });
    });
    const kt = document.getElementById("key-traces");
    if (kt) kt.addEventListener("click", () => {
      const img = document.createElement("img");
      img.src = kt.dataset.src;
      img.alt = "Key incorporation traces";
      img.style.maxWidth = "100%";
      TB.modal.open("Key Incorporation Traces", img);
    });
    const cw = document.getElementById("chip-well-details");
    if (cw) cw.addEventListener("click", () => {
      const t = document.getElementById("isp-tables");
      TB.modal.open("Chip well details", t.content.cloneNode(true));
    });
    const bg = document.getElementById("beadogram");
    if (bg) bg.addEventListener("click", () => cw.click());
    if (document.getElementById("progress-banner")) setTimeout(pollProgress, +(document.body.dataset.poll || 60000));
  });
})();
