/* Plan a run from a template / edit a planned run, through the plannedexperiment API. */
"use strict";
(function () {
  const form = document.getElementById("plan-form");
  const kits = JSON.parse(document.getElementById("barcode-kits-data").textContent);
  const COPY = ["chipType", "templatingKitName", "sequencekitname", "librarykitname", "runType", "flows", "libraryKey",
                "tfKey", "platform", "samplePrepKitName", "controlSequencekitname", "bedfile", "regionfile", "library",
                "barcodeId", "notes", "applicationGroupDisplayedName"];
  let source = {};

  const $id = id => document.getElementById(id);
  const barcoded = () => form.querySelector("input[name=barcoding]:checked").value === "barcoded";

  function showMode() {
    form.querySelectorAll(".bc").forEach(e => { e.hidden = !barcoded(); });
    form.querySelectorAll(".nobc").forEach(e => { e.hidden = barcoded(); });
    if (barcoded()) drawGrid();
  }

  function drawGrid(values) {
    const body = $id("samples-grid").querySelector("tbody");
    const ids = kits[$id("barcodeId").value] || [];
    const n = Math.max(1, Math.min(+$id("barcodeCount").value || 1, ids.length || 1));
    const old = values || [...body.querySelectorAll("tr")].map(tr => ({
      barcode: tr.querySelector(".bc-barcode").value, sample: tr.querySelector(".bc-sample").value,
      type: tr.querySelector(".bc-type").value }));
    body.replaceChildren();
    for (let i = 0; i < n; i++) {
      const v = old[i] || { barcode: ids[i] || "", sample: "", type: "DNA" };
      const tr = document.createElement("tr");
      tr.innerHTML = `<td>${i + 1}</td>
        <td><select class="bc-barcode" aria-label="Barcode ${i + 1}">${ids.map(b => `<option ${b === v.barcode ? "selected" : ""}>${TB.esc(b)}</option>`).join("")}</select></td>
        <td><input class="bc-sample" aria-label="Sample Name ${i + 1}" value="${TB.esc(v.sample)}"></td>
        <td><select class="bc-type" aria-label="DNA/RNA ${i + 1}"><option ${v.type === "DNA" ? "selected" : ""}>DNA</option><option ${v.type === "RNA" ? "selected" : ""}>RNA</option></select></td>`;
      body.appendChild(tr);
    }
  }

  function clearErrors() {
    form.querySelectorAll(".field-error, #error-general").forEach(e => { e.textContent = ""; });
  }

  function showErrors(errors) {
    const general = [];
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const text = [].concat(messages).map(m => String(m).trim()).join(" ");
      const el = $id("error-" + field);
      if (el) el.textContent = text; else general.push(field + ": " + text);
    });
    $id("error-general").textContent = general.join(" ");
  }

  function body() {
    const data = {};
    COPY.forEach(k => { if (source[k] !== undefined && source[k] !== null && source[k] !== "") data[k] = source[k]; });
    if (form.dataset.mode !== "edit") { data.isReusable = false; delete data.notes; }
    form.querySelectorAll("select.kit").forEach(sel => { if (sel.value) data[sel.id] = sel.value; });
    data.planName = $id("planName").value.trim();
    if (form.dataset.mode === "edit") data.planDisplayedName = data.planName;  // the API derives it only on create
    data.library = $id("library").value;
    data.notes = $id("notes").value;
    if (barcoded()) {
      data.barcodeId = $id("barcodeId").value;
      const samples = {};
      $id("samples-grid").querySelectorAll("tbody tr").forEach(tr => {
        const name = tr.querySelector(".bc-sample").value.trim();
        const bc = tr.querySelector(".bc-barcode").value;
        const entry = samples[name] = samples[name] || { barcodes: [], barcodeSampleInfo: {} };
        entry.barcodes.push(bc);
        entry.barcodeSampleInfo[bc] = { nucleotideType: tr.querySelector(".bc-type").value, reference: data.library };
      });
      data.barcodedSamples = samples;
      delete data.sample;
    } else {
      data.barcodeId = "";
      data.barcodedSamples = {};
      data.sample = $id("sample").value.trim();
    }
    const plugins = {};
    form.querySelectorAll("input[name=plugin]:checked").forEach(c => {
      const cfg = $id("plugin_config_" + c.dataset.id);
      let userInput = {};
      if (cfg && cfg.value) { try { userInput = JSON.parse(cfg.value); } catch (e) { userInput = {}; } }
      plugins[c.value] = { id: +c.dataset.id, name: c.value, version: c.dataset.version, userInput: userInput };
    });
    data.selectedPlugins = plugins;
    return data;
  }

  /* plan.html: the plugin's serializeForm()/restoreForm() when it has them, else every field by name. */
  function serializeFrame(win) {
    if (typeof win.serializeForm === "function") {
      const out = win.serializeForm();
      return typeof out === "string" ? JSON.parse(out) : out;
    }
    const out = {};
    win.document.querySelectorAll("input[name], select[name], textarea[name]").forEach(el => {
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      out[el.name] = el.value;
    });
    return out;
  }
  function restoreFrame(win, obj) {
    if (typeof win.restoreForm === "function") return win.restoreForm(obj);
    Object.entries(obj || {}).forEach(([k, v]) => {
      win.document.querySelectorAll(`[name="${CSS.escape(k)}"]`).forEach(el => {
        if (el.type === "checkbox" || el.type === "radio") el.checked = (el.value === String(v));
        else el.value = v;
      });
    });
  }

  function configure(id, name) {
    const wrap = document.createElement("div");
    const frame = document.createElement("iframe");
    frame.title = "Configure " + name;
    frame.id = "plan-plugin-frame";
    const q = new URLSearchParams({ applicationGroup: source.applicationGroupDisplayedName || "", runTypeId: source.runType || "" });
    frame.src = `/configure/plugins/plugin/${id}/configure/plan/?${q}`;
    const save = document.createElement("button");
    save.type = "button";
    save.className = "primary";
    save.textContent = "Save Changes";
    wrap.append(frame, save);
    const hidden = $id("plugin_config_" + id);
    frame.addEventListener("load", () => {
      if (hidden.value) { try { restoreFrame(frame.contentWindow, JSON.parse(hidden.value)); } catch (e) { /* keep defaults */ } }
    });
    save.addEventListener("click", () => {
      hidden.value = JSON.stringify(serializeFrame(frame.contentWindow));
      const box = form.querySelector(`input[name=plugin][data-id="${id}"]`);
      if (box) box.checked = true;
      TB.modal.close();
    });
    TB.modal.open("Configure Plugin", wrap);
  }

  async function load() {
    if (form.dataset.mode === "scratch") return;  // nothing to start from
    const res = await TB.api("GET", `/rundb/api/v1/plannedexperiment/${form.dataset.plan}/`);
    if (!res.ok) { $id("error-general").textContent = "Error: Unable to load the plan: " + TB.errorText(res); return; }
    source = res.data;
    $id("library").value = source.library || "";
    if (form.dataset.mode === "edit") {
      $id("planName").value = source.planDisplayedName || source.planName || "";
      $id("notes").value = source.notes || "";
      const samples = source.barcodedSamples || {};
      if (source.barcodeId && Object.keys(samples).length) {
        form.querySelector("input[name=barcoding][value=barcoded]").checked = true;
        $id("barcodeId").value = source.barcodeId;
        const rows = [];
        Object.entries(samples).forEach(([name, info]) => (info.barcodes || []).forEach(bc => rows.push({
          barcode: bc, sample: name, type: ((info.barcodeSampleInfo || {})[bc] || {}).nucleotideType || "DNA" })));
        rows.sort((a, b) => a.barcode.localeCompare(b.barcode));
        $id("barcodeCount").value = rows.length;
        showMode();
        drawGrid(rows);
      }
      Object.entries(source.selectedPlugins || {}).forEach(([name, cfg]) => {
        const box = form.querySelector(`input[name=plugin][value="${CSS.escape(name)}"]`);
        if (box) {
          box.checked = true;
          const hidden = $id("plugin_config_" + box.dataset.id);
          if (hidden && cfg && cfg.userInput) hidden.value = JSON.stringify(cfg.userInput);
        }
      });
    } else if (source.barcodeId) {
      form.querySelector("input[name=barcoding][value=barcoded]").checked = true;
      $id("barcodeId").value = source.barcodeId;
      showMode();
    }
  }

  form.addEventListener("change", ev => {
    if (ev.target.name === "barcoding") showMode();
    if (ev.target.id === "barcodeId") drawGrid([]);
    if (ev.target.id === "barcodeCount") drawGrid();
  });
  form.addEventListener("click", ev => {
    const c = ev.target.closest(".configure-plugin");
    if (c) configure(c.dataset.id, c.dataset.name);
    if (ev.target.id === "plugins-all") form.querySelectorAll("input[name=plugin]").forEach(b => { b.checked = true; });
    if (ev.target.id === "plugins-clear") form.querySelectorAll("input[name=plugin]").forEach(b => { b.checked = false; });
  });
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    clearErrors();
    const data = body();
    if (!data.planName) { showErrors({ planName: ["Run Plan Name is required."] }); return; }
    const editing = form.dataset.mode === "edit";
    const url = editing ? `/rundb/api/v1/plannedexperiment/${form.dataset.plan}/` : "/rundb/api/v1/plannedexperiment/";
    const res = await TB.api(editing ? "PATCH" : "POST", url, data);
    if (res.ok) {
      const id = editing ? form.dataset.plan : (res.data && res.data.id);
      location.href = "/plan/planned/?highlight=" + id;
      return;
    }
    const err = res.data && res.data.error;
    if (err && typeof err === "object") showErrors(err);
    else $id("error-general").textContent = TB.errorText(res);
  });
  showMode();
  load();
})();
