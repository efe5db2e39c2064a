// The hosted challenge page: runs a challenge for one tracked action with the Client API, then hands the fresh
// token back to the application (redirectUrl?token=…), as the pre-built UI does.
(() => {
  "use strict";
  const root = document.getElementById("app");
  const token = root.dataset.token;
  const redirectUrl = root.dataset.redirectUrl;
  let accessToken = token;

  const api = async (method, path, body) => {
    const response = await fetch(path, {
      method,
      headers: { "Authorization": `Bearer ${accessToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(json.errorDescription || json.error || `HTTP ${response.status}`);
    }
    return json;
  };

  const el = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    Object.entries(attributes).forEach(([k, v]) => (k.startsWith("on") ? node.addEventListener(k.slice(2), v) : node.setAttribute(k, v)));
    children.forEach((c) => node.append(c));
    return node;
  };

  const show = (...children) => {
    const panel = document.getElementById("panel");
    panel.replaceChildren(...children);
  };

  const fail = (error) => show(el("p", { class: "error" }, error.message), el("button", { onclick: start }, "Start again"));

  const done = (verified) => {
    if (verified.accessToken) {
      accessToken = verified.accessToken;
    }
    if (redirectUrl) {
      const target = new URL(redirectUrl);
      target.searchParams.set("token", accessToken);
      window.location.assign(target.toString());
      return;
    }
    show(el("p", { class: "ok" }, "Verified. You can close this page."));
  };

  const codeForm = (label, path, extra) => {
    const input = el("input", { inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6", placeholder: "123456" });
    const message = el("p", { class: "error" });
    const submit = async (event) => {
      event.preventDefault();
      try {
        const result = await api("POST", path, { verificationCode: input.value.trim() });
        if (result.isVerified) {
          done(result);
        } else {
          message.textContent = result.failureReason === "MAX_ATTEMPTS_EXCEEDED"
            ? "Too many wrong codes. Start again." : "That code is wrong or has expired.";
        }
      } catch (error) {
        message.textContent = error.message;
      }
    };
    show(el("form", { onsubmit: submit }, el("label", {}, label, input), el("button", { type: "submit" }, "Verify")), message, extra ?? "");
  };

  const otp = (channel, name) => async () => {
    try {
      await api("POST", `/v1/client/challenge/${channel}`, {});
      codeForm(`Enter the code we sent by ${name}`, `/v1/client/verify/${channel}`);
    } catch (error) {
      fail(error);
    }
  };

  const push = async () => {
    try {
      const started = await api("POST", "/v1/client/challenge/push", {});
      const status = el("p", {}, "We sent a request to your phone. Approve it there.");
      show(status, started.verificationCode ? el("p", { class: "code" }, `Number to match: ${started.verificationCode}`) : "");
      const poll = async () => {
        try {
          const result = await api("POST", "/v1/client/verify/push", { challengeId: started.challengeId });
          if (result.isVerified) {
            done(result);
          } else if (result.isConsumed) {
            show(el("p", { class: "error" }, "The request was rejected or has expired."), el("button", { onclick: start }, "Start again"));
          } else {
            setTimeout(poll, 2000);
          }
        } catch (error) {
          fail(error);
        }
      };
      setTimeout(poll, 2000);
    } catch (error) {
      fail(error);
    }
  };

  const enrol = (kind) => async (event) => {
    event.preventDefault();
    const value = event.target.querySelector("input").value.trim();
    try {
      const path = kind === "sms" ? "/v1/client/user-authenticators/sms" : "/v1/client/user-authenticators/email-otp";
      await api("POST", path, kind === "sms" ? { phoneNumber: value } : { email: value });
      codeForm(`Enter the code we sent to ${value}`, kind === "sms" ? "/v1/client/verify/sms" : "/v1/client/verify/email-otp");
    } catch (error) {
      fail(error);
    }
  };

  async function start() {
    try {
      const authenticators = await api("GET", "/v1/client/user-authenticators");
      const verified = new Set(authenticators.filter((a) => a.verifiedAt).map((a) => a.verificationMethod));
      const choices = [];
      if (verified.has("PUSH")) choices.push(el("button", { onclick: push }, "Approve on my phone"));
      if (verified.has("SMS")) choices.push(el("button", { onclick: otp("sms", "SMS") }, "Send a code by SMS"));
      if (verified.has("SMS") || verified.has("WHATSAPP")) choices.push(el("button", { onclick: otp("whatsapp", "WhatsApp") }, "Send a code by WhatsApp"));
      if (verified.has("EMAIL_OTP")) choices.push(el("button", { onclick: otp("email-otp", "email") }, "Send a code by email"));
      if (verified.has("AUTHENTICATOR_APP")) {
        choices.push(el("button", { onclick: () => codeForm("Enter the code from your authenticator app", "/v1/client/verify/totp") },
          "Use my authenticator app"));
      }
      if (choices.length > 0) {
        show(el("p", {}, "Choose how to confirm it is you:"), ...choices);
        return;
      }
      show(
        el("p", {}, "Add a way to confirm it is you:"),
        el("form", { onsubmit: enrol("sms") }, el("label", {}, "Phone number", el("input", { type: "tel", placeholder: "+64270000000" })), el("button", { type: "submit" }, "Send code")),
        el("form", { onsubmit: enrol("email") }, el("label", {}, "Email", el("input", { type: "email", placeholder: "you@example.com" })), el("button", { type: "submit" }, "Send code")),
      );
    } catch (error) {
      fail(error);
    }
  }

  start();
})();
