/* Torrent Browser: small helpers shared by the pages (no framework). */
"use strict";
(function () {
  function cookie(name) {
    const m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  /* Calls the REST API with the session; writes carry the CSRF token. */
  async function api(method, url, body) {
    const opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET" && method !== "HEAD") opts.headers["X-CSRFToken"] = cookie("csrftoken");
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    const r = await fetch(url, opts);
    let data = null;
    const text = await r.text();
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
    return { ok: r.ok, status: r.status, data: data };
  }
  function errorText(res) {
    const d = res.data;
    if (d && typeof d === "object") return d.error || d.error_message || JSON.stringify(d);
    return "HTTP " + res.status;
  }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  const modal = {
    el: () => document.getElementById("modal"),
    open(title, html) {
      const d = modal.el();
      d.querySelector("#modal-title").textContent = title;
      const body = d.querySelector(".modal-body");
      if (html instanceof Node) { body.replaceChildren(html); } else { body.innerHTML = html; }
      if (!d.open) d.showModal();
      return body;
    },
    close() {
      const d = modal.el();
      if (d && d.open) d.close();
    },
  };
  document.addEventListener("click", async ev => {
    if (ev.target.closest("[data-close]")) modal.close();
    const dismiss = ev.target.closest(".dismiss-message");
    if (dismiss) {
      const p = dismiss.closest("[data-message]");
      const res = await api("DELETE", "/rundb/api/v1/message/" + p.dataset.message + "/");
      if (res.ok || res.status === 404) p.remove();
    }
  });
  document.addEventListener("DOMContentLoaded", () => {
    const d = modal.el();
    if (d) d.addEventListener("close", () => {
      d.querySelector(".modal-body").replaceChildren();  // drops any plugin iframe
      document.dispatchEvent(new CustomEvent("tb:modal-closed"));
    });
  });
  /* Plugin pages (instance.html, config.html, plan.html) close their dialog with
     parent.$.colorbox.close() / parent.$.fn.colorbox.close(); no jQuery here, just that. */
  const shim = window.$ || {};
  shim.colorbox = shim.colorbox || {};
  shim.colorbox.close = () => modal.close();
  shim.fn = shim.fn || {};
  shim.fn.colorbox = shim.fn.colorbox || {};
  shim.fn.colorbox.close = () => modal.close();
  window.$ = shim;
  /* Sandboxed plugin output frames report their height by postMessage. */
  window.addEventListener("message", ev => {
    const d = ev.data;
    if (!d || d.tbFrameHeight === undefined) return;
    document.querySelectorAll("iframe.autosize").forEach(f => {
      if (f.contentWindow === ev.source) f.style.height = Math.min(Math.max(+d.tbFrameHeight, 20), 5000) + "px";
    });
  });
  window.TB = { api, cookie, esc, modal, errorText };
})();
