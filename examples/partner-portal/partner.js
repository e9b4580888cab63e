// Partner portal demo: embeds the Onramp console with protocol version 1.
// Loaded as a separate file (no inline script), so it works on a page with a strict CSP.
// The block between the snippet markers is the copy-paste snippet of docs/embedding.md.
"use strict";

// --- Onramp embed snippet (docs/embedding.md) ---
function mountOnramp(container, appUrl, getInit, on) {
  var appOrigin = new URL(appUrl).origin; // exact: scheme, host and port
  var iframe = document.createElement("iframe");
  iframe.className = "onramp-frame";
  iframe.title = "Connect a cloud account";
  iframe.allow = "clipboard-write"; // the console's Copy buttons
  // Only your origin goes in the URL, never the token.
  iframe.src = appOrigin + "/embed?parent=" + encodeURIComponent(window.location.origin);
  container.appendChild(iframe);

  function send(type, payload) {
    // Always the console's exact origin as target, never "*".
    iframe.contentWindow.postMessage(
      { source: "onramp", version: 1, type: type, payload: payload }, appOrigin);
  }

  function onMessage(event) {
    // Only the console in this iframe, from its exact origin.
    if (event.origin !== appOrigin || event.source !== iframe.contentWindow) return;
    var msg = event.data;
    if (!msg || msg.source !== "onramp" || msg.version !== 1 || !msg.payload) return;
    var p = msg.payload;
    switch (msg.type) {
      case "ready": // also after a reload inside the frame: answer every ready
        if (on.ready) on.ready(p.version);
        Promise.resolve(getInit()).then(function (init) { send("init", init); });
        break;
      case "resize":
        iframe.style.height = Math.max(0, Math.ceil(p.height)) + "px"; // CSSOM: CSP-safe
        break;
      case "account-created": if (on.accountCreated) on.accountCreated(p.accountId); break;
      case "account-connected":
        if (on.accountConnected) on.accountConnected(p.accountId, p.provider);
        break;
      case "error": if (on.error) on.error(p.code, p.message); break;
      case "close":
        window.removeEventListener("message", onMessage);
        iframe.remove();
        if (on.close) on.close(p.reason);
        break;
    }
  }
  window.addEventListener("message", onMessage);
  return iframe;
}
// --- end of snippet ---

// ---- Demo wiring (not part of the snippet) ----

// The console's origin: ?app=… wins over <body data-app-origin="…">.
function configuredAppOrigin() {
  var fromQuery = new URLSearchParams(window.location.search).get("app");
  return fromQuery || document.body.getAttribute("data-app-origin") || "";
}

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("embed-form");
  var appField = document.getElementById("app-origin");
  var log = document.getElementById("events");
  var host = document.getElementById("onramp");
  var status = document.getElementById("status");
  var current = null;

  appField.value = configuredAppOrigin();
  document.getElementById("own-origin").textContent = window.location.origin;

  function note(text) {
    var li = document.createElement("li");
    li.textContent = new Date().toLocaleTimeString() + "  " + text;
    log.prepend(li);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var appUrl;
    try {
      appUrl = new URL(appField.value).href;
    } catch (e) {
      status.textContent = "Enter the console's origin, e.g. http://127.0.0.1:8080";
      appField.focus();
      return;
    }
    var data = new FormData(form);
    // DEMO ONLY: a real portal gets a short-lived token from its own backend and keeps it in
    // memory; never in a URL, a cookie readable by scripts, or localStorage.
    var token = String(data.get("token") || "").trim();
    if (!token) {
      status.textContent = "Paste a session token first.";
      document.getElementById("token").focus();
      return;
    }
    var theme = { mode: String(data.get("mode")), radius: Number(data.get("radius")) };
    if (data.get("use-accent")) theme.accent = String(data.get("accent"));
    var init = { token: token, start: String(data.get("start")), theme: theme };
    var name = String(data.get("partner-name") || "").trim();
    if (name) init.partnerName = name;
    var locale = String(data.get("locale") || "").trim();
    if (locale) init.locale = locale;

    if (current) current.remove();
    host.textContent = "";
    status.textContent = "Waiting for the console to say ready…";
    current = mountOnramp(host, appUrl, function () { return init; }, {
      ready: function (version) {
        note("ready (protocol " + version + "), init sent");
        status.textContent = "The console is loading your flow.";
      },
      accountCreated: function (id) { note("account-created " + id); },
      accountConnected: function (id, provider) {
        note("account-connected " + id + " (" + provider + ")");
        status.textContent = "Connected " + id + " to " + provider + ".";
      },
      error: function (code, message) { note("error " + code + ": " + message); },
      close: function (reason) {
        note("close (" + reason + ")");
        status.textContent = "The console closed (" + reason + ").";
        current = null;
      },
    });
    note("iframe created: " + current.src);
  });
});
