/* The planning wizard: plan a run from a template / from scratch, or edit a planned run,
   through the plannedexperiment API. Steps are shown one at a time (Back/Next or the step
   bar); the plan is saved once and each API message is shown at the step of its field. */
"use strict";
(function () {
  const form = document.getElementById("plan-form");
  const kits = JSON.parse(document.getElementById("barcode-kits-data").textContent);
  // Template values carried over as they are (the wizard's own fields are read from the form).
  const COPY = ["libraryKey", "tfKey", "platform", "flowsInOrder", "forward3primeadapter", "barcodeId", "notes"];
  let source = {};
  // A prepared plan (browser/views/plan.py prepopulated): {id, values, redirect} or {error}.
  const preparedEl = document.getElementById("prepopulated-data");
  const prepared = preparedEl ? JSON.parse(preparedEl.textContent) : null;
  const steps = [...form.querySelectorAll(".wizard-step")].map(f => f.dataset.step);
  let current = form.dataset.firstStep || steps[0];

  function showStep(name) {
    current = steps.includes(name) ? name : steps[0];
    form.querySelectorAll(".wizard-step").forEach(f => { f.hidden = f.dataset.step !== current; });
    document.querySelectorAll("#wizard-steps li").forEach(li => {
      const on = li.dataset.step === current;
      li.classList.toggle("current", on);
      if (on) li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
    });
    const i = steps.indexOf(current);
    $id("wizard-back").hidden = i === 0;
    $id("wizard-next").hidden = i === steps.length - 1;
    $id("plan-submit").hidden = i !== steps.length - 1;
  }

  /* Checks the form can make before asking the server (the server checks everything again). */
  function stepProblems(name) {
    const out = {};
    if (name === "plan" && !$id("planName").value.trim()) out.planName = ["Run Plan Name is required."];
    if (name === "monitoring") form.querySelectorAll("input.qc").forEach(inp => {
      const v = inp.value.trim();
      if (v !== "" && (!/^\d+$/.test(v) || +v < +inp.min || +v > +inp.max))
        out[inp.dataset.qc] = [`${inp.dataset.qc} should be a whole number from ${inp.min} to ${inp.max}.`];
    });
    return out;
  }

  function showRunTypes() {
    const group = (form.querySelector("input[name=applicationGroup]:checked") || {}).value;
    form.querySelectorAll("label.run-type").forEach(l => {
      const ok = !group || !l.dataset.groups || l.dataset.groups.split(" ").includes(group);
      l.hidden = !ok;
      if (!ok) l.querySelector("input").checked = false;
    });
  }

  function setSelect(id, value) {
    const sel = $id(id);
    if (!sel || value === undefined || value === null) return;
    if (value && ![...sel.options].some(o => o.value === value)) sel.add(new Option(value, value));
    sel.value = value || "";
  }

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
    document.querySelectorAll("#wizard-steps li").forEach(li => li.classList.remove("has-error"));
  }

  /* Puts each message beside its field and goes to the first step that has one. */
  function showErrors(errors) {
    const general = [];
    const failing = new Set();
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const text = [].concat(messages).map(m => typeof m === "string" ? m.trim() : JSON.stringify(m)).join(" ");
      const el = [...form.querySelectorAll("[data-error-for]")].find(e => e.dataset.errorFor === field);
      if (el) {
        el.textContent = text;
        failing.add(el.closest(".wizard-step").dataset.step);
      } else general.push(field + ": " + text);
    });
    $id("error-general").textContent = general.join(" ");
    document.querySelectorAll("#wizard-steps li").forEach(li => li.classList.toggle("has-error", failing.has(li.dataset.step)));
    const first = steps.find(st => failing.has(st));
    if (first) showStep(first);
  }

  function body() {
    const data = {};
    COPY.forEach(k => { if (source[k] !== undefined && source[k] !== null && source[k] !== "") data[k] = source[k]; });
    if (form.dataset.mode !== "edit") { data.isReusable = false; delete data.notes; }
    form.querySelectorAll("select.kit").forEach(sel => { data[sel.id] = sel.value; });
    const group = form.querySelector("input[name=applicationGroup]:checked");
    if (group) data.applicationGroup = "/rundb/api/v1/applicationgroup/" + group.value + "/";
    const runType = form.querySelector("input[name=runType]:checked");
    if (runType) data.runType = runType.value;
    if ($id("flows").value.trim()) data.flows = $id("flows").value.trim();
    form.querySelectorAll("input.qc").forEach(inp => { if (inp.value.trim() !== "") data[inp.dataset.qc] = inp.value.trim(); });
    data.planName = $id("planName").value.trim();
    if (form.dataset.mode === "edit") data.planDisplayedName = data.planName;  // the API derives it only on create
    data.library = $id("library").value;
    data.bedfile = $id("bedfile").value;
    data.regionfile = $id("regionfile").value;
    data.notes = $id("notes").value;
    const projects = [...form.querySelectorAll("input[name=project]:checked")].map(c => c.value);
    $id("newProjects").value.split(",").map(n => n.trim()).filter(Boolean).forEach(n => { if (!projects.includes(n)) projects.push(n); });
    data.projects = projects;
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
    const rt = form.querySelector("input[name=runType]:checked");
    const q = new URLSearchParams({ applicationGroup: source.applicationGroupDisplayedName || "", runTypeId: rt ? rt.value : (source.runType || "") });
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

  /* The steps' fields from a template or plan (API JSON), or those a prepared plan has. */
  function fill(src) {
    const group = String(src.applicationGroup || "").match(/(\d+)\/?$/);
    if (group) { const r = form.querySelector(`input[name=applicationGroup][value="${group[1]}"]`); if (r) r.checked = true; }
    showRunTypes();
    if (src.runType) { const r = form.querySelector(`input[name=runType][value="${CSS.escape(src.runType)}"]`); if (r) r.checked = true; }
    ["chipType", "templatingKitName", "sequencekitname", "librarykitname", "samplePrepKitName", "controlSequencekitname",
     "library", "bedfile", "regionfile"].forEach(k => { if (k in src) setSelect(k, src[k] || ""); });
    if (src.flows) $id("flows").value = src.flows;
    (src.qcValues || []).forEach(q => {
      const inp = [...form.querySelectorAll("input.qc")].find(i => i.dataset.qc === (q.qcType || {}).qcName);
      if (inp) inp.value = q.threshold;
    });
    (src.projects || []).forEach(name => {
      const box = [...form.querySelectorAll("input[name=project]")].find(c => c.value === name);
      if (box) box.checked = true;
      else $id("newProjects").value = [$id("newProjects").value, name].filter(Boolean).join(", ");
    });
  }

  /* Name, notes, sample or barcoded samples and plugins of a plan (edit) or a prepared plan. */
  function fillOwn(src) {
    const name = src.planDisplayedName || src.planName;
    if (name) $id("planName").value = name;
    if (src.notes) $id("notes").value = src.notes;
    if (src.sample) $id("sample").value = src.sample;
    const samples = src.barcodedSamples || {};
    if (src.barcodeId && Object.keys(samples).length) {
      form.querySelector("input[name=barcoding][value=barcoded]").checked = true;
      setSelect("barcodeId", src.barcodeId);
      const rows = [];
      Object.entries(samples).forEach(([sample, info]) => ((info || {}).barcodes || []).forEach(bc => rows.push({
        barcode: bc, sample: sample, type: ((info.barcodeSampleInfo || {})[bc] || {}).nucleotideType || "DNA" })));
      rows.sort((a, b) => a.barcode.localeCompare(b.barcode));
      $id("barcodeCount").value = rows.length;
      showMode();
      drawGrid(rows);
    } else if (src.barcodeId) {
      form.querySelector("input[name=barcoding][value=barcoded]").checked = true;
      setSelect("barcodeId", src.barcodeId);
      showMode();
    }
    const chosen = src.selectedPlugins;
    if (chosen && typeof chosen === "object") {
      form.querySelectorAll("input[name=plugin]").forEach(b => { b.checked = false; });
      // {name: {userInput, ...}} as the API has it, or a list of names.
      const entries = Array.isArray(chosen) ? chosen.map(n => [typeof n === "string" ? n : (n || {}).name, n]) : Object.entries(chosen);
      entries.forEach(([name, cfg]) => {
        const box = form.querySelector(`input[name=plugin][value="${CSS.escape(name)}"]`);
        if (!box) return;
        box.checked = true;
        const hidden = $id("plugin_config_" + box.dataset.id);
        if (hidden && cfg && cfg.userInput) hidden.value = JSON.stringify(cfg.userInput);
      });
    }
  }

  async function load() {
    if (form.dataset.mode !== "scratch") {
      const res = await TB.api("GET", `/rundb/api/v1/plannedexperiment/${form.dataset.plan}/`);
      if (!res.ok) { $id("error-general").textContent = "Error: Unable to load the plan: " + TB.errorText(res); return; }
      source = res.data;
      fill(source);
      if (form.dataset.mode === "edit") fillOwn(source);
      else if (source.barcodeId) fillOwn({ barcodeId: source.barcodeId });
    }
    if (prepared && prepared.error) $id("error-general").textContent = prepared.error;
    else if (prepared) {
      source = Object.assign({}, source, prepared.values);
      fill(prepared.values);
      fillOwn(prepared.values);
    }
  }

  form.addEventListener("change", ev => {
    if (ev.target.name === "applicationGroup") showRunTypes();
    if (ev.target.name === "barcoding") showMode();
    if (ev.target.id === "barcodeId") drawGrid([]);
    if (ev.target.id === "barcodeCount") drawGrid();
  });
  /* Leaving a step: its own checks first (forward only); its messages go once it passes them,
     the other steps' (from the server) stay until they are visited and left. */
  function go(target) {
    const problems = stepProblems(current);
    if (Object.keys(problems).length && steps.indexOf(target) > steps.indexOf(current)) { showErrors(problems); return; }
    const fieldset = form.querySelector(`.wizard-step[data-step="${current}"]`);
    if (!Object.keys(problems).length) {
      fieldset.querySelectorAll(".field-error").forEach(e => { e.textContent = ""; });
      const li = document.querySelector(`#wizard-steps li[data-step="${current}"]`);
      if (li) li.classList.remove("has-error");
    }
    showStep(target);
  }
  document.getElementById("wizard-steps").addEventListener("click", ev => {
    const b = ev.target.closest(".goto-step");
    if (b) go(b.dataset.step);
  });
  $id("wizard-next").addEventListener("click", () => go(steps[steps.indexOf(current) + 1]));
  $id("wizard-back").addEventListener("click", () => go(steps[steps.indexOf(current) - 1]));
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
    const problems = Object.assign({}, ...steps.map(stepProblems));
    if (Object.keys(problems).length) { showErrors(problems); return; }
    const editing = form.dataset.mode === "edit";
    const url = editing ? `/rundb/api/v1/plannedexperiment/${form.dataset.plan}/` : "/rundb/api/v1/plannedexperiment/";
    const res = await TB.api(editing ? "PATCH" : "POST", url, data);
    if (res.ok) {
      const id = editing ? form.dataset.plan : (res.data && res.data.id);
      if (prepared && prepared.id) {  // used: discard it (it would expire anyway)
        await TB.api("DELETE", `/rundb/api/v1/prepopulatedplanningsession/${prepared.id}/`);
        if (prepared.redirect) { location.href = prepared.redirect; return; }
      }
      location.href = "/plan/planned/?highlight=" + id;
      return;
    }
    const err = res.data && res.data.error;
    if (err && typeof err === "object") showErrors(err);
    else $id("error-general").textContent = TB.errorText(res);
  });
  showMode();
  showRunTypes();
  showStep(current);
  load();
})();
