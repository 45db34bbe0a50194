/* Configure > Plugins: toggles, install upload with progress, configure/about frames, uninstall. */
"use strict";
(function () {
  const status = () => document.getElementById("plugins-status");

  async function reloadRows() {
    const r = await fetch("/configure/plugins/?fragment=1", { credentials: "same-origin" });
    if (r.ok) document.getElementById("plugin-rows").innerHTML = await r.text();
  }

  function openFrame(title, src) {
    const f = document.createElement("iframe");
    f.src = src;
    f.title = title;
    f.id = "plugin-page-frame";
    TB.modal.open(title, f);
  }

  function installDialog() {
    const body = TB.modal.open("Install or Upgrade Plugin", document.getElementById("install-form").content.cloneNode(true));
    const form = body.querySelector("#install-upload");
    form.addEventListener("submit", ev => {
      ev.preventDefault();
      const file = form.querySelector("#plugin-zip").files[0];
      const msg = form.querySelector("#install-message");
      const bar = form.querySelector("#install-progress");
      if (!file) { msg.textContent = "Choose a plugin .zip file first."; return; }
      const data = new FormData();
      data.append("file", file);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/rundb/api/v1/plugin/install/");
      xhr.setRequestHeader("X-CSRFToken", TB.cookie("csrftoken"));
      xhr.upload.onprogress = e => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
      xhr.onload = () => {
        let body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          msg.textContent = "Started Plugin install";
          status().textContent = `Installed ${body.name} ${body.version}`;
          reloadRows();
        } else {
          msg.className = "error";
          msg.textContent = "Plugin install failed: " + ((body && body.error) || ("HTTP " + xhr.status));
        }
      };
      xhr.onerror = () => { msg.className = "error"; msg.textContent = "Upload failed (network error)."; };
      msg.className = "";
      msg.textContent = "Uploading...";
      xhr.send(data);
    });
  }

  document.addEventListener("change", async ev => {
    const box = ev.target.closest("input.toggle");
    if (!box) return;
    const row = box.closest("tr");
    const res = await TB.api("PATCH", `/rundb/api/v1/plugin/${row.dataset.pk}/`, { [box.dataset.field]: box.checked });
    if (!res.ok) { box.checked = !box.checked; status().textContent = "Could not save: " + TB.errorText(res); }
    else status().textContent = `Saved ${row.dataset.plugin}`;
  });

  document.addEventListener("click", async ev => {
    const row = ev.target.closest("tr[data-pk]");
    const t = ev.target;
    if (t.id === "install-plugin") return installDialog();
    if (t.id === "rescan") {
      const res = await TB.api("POST", "/rundb/api/v1/plugin/rescan/");
      status().textContent = res.ok ? "Rescan done" : "Rescan failed: " + TB.errorText(res);
      return reloadRows();
    }
    if (!row) return;
    const menu = t.closest("details");
    if (t.classList.contains("configure")) { menu.open = false; openFrame("Configure " + row.dataset.plugin, `/configure/plugins/plugin/${row.dataset.pk}/configure/config/`); }
    if (t.classList.contains("about")) { menu.open = false; openFrame("About " + row.dataset.plugin, `/configure/plugins/plugin/${row.dataset.pk}/configure/about/`); }
    if (t.classList.contains("rescan-one")) {
      menu.open = false;
      const res = await TB.api("POST", `/rundb/api/v1/plugin/${row.dataset.pk}/rescan_plugin/`);
      status().textContent = res.ok ? "Rescan done" : "Rescan failed: " + TB.errorText(res);
      reloadRows();
    }
    if (t.classList.contains("uninstall")) {
      menu.open = false;
      const body = TB.modal.open("Uninstall " + row.dataset.plugin,
        `<p>Are you sure you want to uninstall ${TB.esc(row.dataset.plugin)}?</p><button type="button" class="danger" id="confirm-uninstall">Yes, Uninstall!</button> <button type="button" data-close>Cancel</button>`);
      body.querySelector("#confirm-uninstall").addEventListener("click", async () => {
        const res = await TB.api("DELETE", `/rundb/api/v1/plugin/${row.dataset.pk}/uninstall/`);
        if (res.ok) { TB.modal.close(); status().textContent = `Uninstalled ${row.dataset.plugin}`; reloadRows(); }
        else body.insertAdjacentHTML("beforeend", `<p class="error">${TB.esc(TB.errorText(res))}</p>`);
      });
    }
  });
})();
