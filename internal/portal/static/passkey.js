// rampart portal: passkeys (WebAuthn). This file is the portal's only
// script; pages that load it send a CSP allowing it and fetch to the portal,
// nothing else. It looks for blocks marked data-passkey="create" or "get",
// shows them (they are hidden for browsers without JavaScript or WebAuthn)
// and runs the ceremony when their button is pressed:
//
//   1. POST the block's data-begin with the CSRF token as a form; the
//      answer is the options of navigator.credentials.create or get, as
//      JSON with binary fields in base64url;
//   2. ask the browser for the credential;
//   3. POST it as JSON to data-finish (name and rd in the query), the
//      token in the X-CSRF-Token header; the answer names where to go.
"use strict";

(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function fromB64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) {
      s += "=";
    }
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(o) {
    var pk = o.publicKey;
    pk.challenge = fromB64url(pk.challenge);
    pk.user.id = fromB64url(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) {
      c.id = fromB64url(c.id);
    });
    return { publicKey: pk };
  }

  function requestOptions(o) {
    var pk = o.publicKey;
    pk.challenge = fromB64url(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) {
      c.id = fromB64url(c.id);
    });
    return { publicKey: pk };
  }

  // credentialJSON is the PublicKeyCredential as the server parses it
  // (what toJSON() gives where browsers have it).
  function credentialJSON(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) {
      out.authenticatorAttachment = cred.authenticatorAttachment;
    }
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) {
        out.response.transports = r.getTransports();
      }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) {
        out.response.userHandle = toB64url(r.userHandle);
      }
    }
    return out;
  }

  // post sends body and returns the JSON answer, or throws an Error whose
  // message is for the user.
  async function post(url, body, headers) {
    var resp = await fetch(url, {
      method: "POST",
      body: body,
      headers: headers,
      credentials: "same-origin",
      redirect: "manual"
    });
    if (resp.type === "opaqueredirect") {
      // The session ended or needs a step first: the page knows where to.
      window.location.reload();
      throw new Error("Reloading…");
    }
    var data = null;
    try {
      data = await resp.json();
    } catch (e) {
      data = null;
    }
    if (!resp.ok || !data) {
      throw new Error(data && data.error ? data.error : "Something went wrong. Reload the page and try again.");
    }
    return data;
  }

  function message(e) {
    switch (e && e.name) {
      case "NotAllowedError":
        return "The passkey request was cancelled or timed out.";
      case "InvalidStateError":
        return "This device already has a passkey for your account.";
      case "SecurityError":
        return "Passkeys cannot be used at this address.";
      default:
        return e && e.message ? e.message : "Something went wrong.";
    }
  }

  async function run(block, button, error) {
    var kind = block.getAttribute("data-passkey");
    var csrf = block.getAttribute("data-csrf");
    var rd = block.getAttribute("data-rd") || "";
    error.hidden = true;
    button.disabled = true;
    try {
      var form = new URLSearchParams();
      form.set("csrf", csrf);
      if (rd) {
        form.set("rd", rd);
      }
      var options = await post(block.getAttribute("data-begin"), form, { Accept: "application/json" });
      var cred = kind === "create"
        ? await navigator.credentials.create(creationOptions(options))
        : await navigator.credentials.get(requestOptions(options));
      var query = new URLSearchParams();
      if (rd) {
        query.set("rd", rd);
      }
      var name = block.querySelector("input[name=name]");
      if (name && name.value) {
        query.set("name", name.value);
      }
      var url = block.getAttribute("data-finish");
      if (query.toString()) {
        url += "?" + query.toString();
      }
      var done = await post(url, JSON.stringify(credentialJSON(cred)), {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRF-Token": csrf
      });
      window.location.assign(done.redirect);
    } catch (e) {
      error.textContent = message(e);
      error.hidden = false;
      button.disabled = false;
    }
  }

  document.querySelectorAll("[data-passkey]").forEach(function (block) {
    var button = block.querySelector("button");
    var error = block.querySelector(".error");
    if (!button || !error) {
      return;
    }
    block.hidden = false;
    button.addEventListener("click", function () {
      run(block, button, error);
    });
  });
})();
