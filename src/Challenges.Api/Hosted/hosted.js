// The hosted challenge page: runs a challenge for one tracked action with the Client API, one step at a time, then
// hands the fresh token back to the application (redirectUrl?token=…), or an error it documents
// (redirectUrl?error=cancelled | challenge_failed). Every word comes from data-strings (Hosted/Strings/<language>.json);
// every value is put into the page as text, never as markup.
//
// Adding a verification method: add an entry to `methods` below (its button's string key and what it runs), give it a
// step function like `push` or `sendOtp`, add its name to HostedEndpoints.PageMethods, and its words to Strings/*.json.
(() => {
  "use strict";
  const root = document.getElementById("app");
  const data = root.dataset;
  const t = JSON.parse(data.strings);
  const allowed = new Set(JSON.parse(data.methods));
  const cooldownSeconds = Number(data.cooldown) || 0;
  const callingCode = data.callingCode || "";
  const redirectUrl = safeUrl(data.redirectUrl);
  const panel = document.getElementById("panel");
  const errorBox = document.getElementById("error");
  const statusBox = document.getElementById("status");
  let accessToken = data.token;
  let generation = 0;
  let leaving = new AbortController();
  let lastPhone = "";
  let lastEmail = "";

  // ---- words, markup, requests -------------------------------------------------------------------------------------

  const say = (key, values = {}) => t[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

  function safeUrl(text) {
    try {
      const url = new URL(text);
      return url.protocol === "https:" || url.protocol === "http:" ? url : null;
    } catch {
      return null;
    }
  }

  const el = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name.startsWith("on")) {
        node.addEventListener(name.slice(2), value);
      } else if (value !== false && value !== undefined) {
        node.setAttribute(name, value === true ? "" : value);
      }
    }
    node.append(...children.filter((c) => c !== null && c !== undefined && c !== ""));
    return node;
  };

  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      super(`HTTP ${status}`);
      this.status = status;
      this.body = body;
      this.retryAfter = retryAfter;
    }
  }

  const api = async (method, path, body, signal) => {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (error.name === "AbortError") {
        throw error;
      }
      throw new ApiError(0, {}, 0);
    }
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiError(response.status, json, Number(response.headers.get("Retry-After")) || 0);
    }
    return json;
  };

  /** The words for a failed request; never the API's own text. */
  const messageFor = (error, fallback = "failed") => {
    if (error.status === 429) {
      return error.retryAfter ? say("tooMany", { seconds: error.retryAfter }) : say("tooManyLater");
    }
    if (error.status === 502) {
      return say("notSent");
    }
    return say(fallback);
  };

  const clearError = () => {
    errorBox.textContent = "";
    panel.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
  };

  /** Shows an error in the alert region; with an input, marks it invalid, ties the message to it and focuses it. */
  const showError = (text, input) => {
    errorBox.textContent = text;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [input.dataset.hint, "error"].filter(Boolean).join(" "));
      input.focus();
    }
  };

  const setStatus = (text) => {
    statusBox.textContent = text;
  };

  /** Replaces the panel with a new step; stops whatever the previous step was waiting for. Focus goes to `focus`, else the step's heading. */
  const step = (heading, children, focus) => {
    generation += 1;
    leaving.abort();
    leaving = new AbortController();
    clearError();
    setStatus("");
    const title = el("h2", { tabindex: "-1", id: "step" }, heading);
    panel.replaceChildren(title, ...children.filter(Boolean));
    (focus ?? title).focus();
    return generation;
  };

  const current = (mine) => mine === generation;

  const button = (key, onclick, primary = false) => el("button", { type: "button", class: primary ? "primary" : "", onclick }, say(key));

  /** Runs `work` with `control` disabled, so a double click sends one request. */
  const busy = async (control, work) => {
    control.disabled = true;
    try {
      await work();
    } finally {
      control.disabled = false;
    }
  };

  const withParameters = (parameters) => {
    const target = new URL(redirectUrl.toString());
    for (const [name, value] of Object.entries(parameters)) {
      target.searchParams.set(name, value);
    }
    return target.toString();
  };

  const leave = (parameters) => {
    generation += 1;
    leaving.abort();
    window.location.assign(withParameters(parameters));
  };

  // ---- endings -----------------------------------------------------------------------------------------------------

  const notice = (headingKey, textKey, ...more) => step(say(headingKey), [el("p", {}, say(textKey)), ...more]);

  const expired = () => notice("expiredHeading", "expiredText");

  /** Where every failure that a request cannot recover from ends. */
  const fatal = (error) => {
    if (error.status === 401) {
      expired();
      return true;
    }
    if (error.status === 404) {
      notice("expiredHeading", "goneText");
      return true;
    }
    if (error.status === 409) {
      stopped();
      return true;
    }
    return false;
  };

  const finish = (token) => {
    if (token) {
      accessToken = token;
    }
    if (redirectUrl) {
      step(say("doneHeading"), []);
      setStatus(say("approved"));
      leave({ token: accessToken });
      return;
    }
    notice("doneHeading", "doneText");
  };

  const cancel = () => {
    if (redirectUrl) {
      leave({ error: "cancelled" });
      return;
    }
    step(say("cancel"), [el("p", {}, say("cancelledText"))]);
  };

  /**
   * The action has failed for good (too many wrong codes, a rejected push): it cannot be challenged again, so starting
   * again means a new attempt, which the application makes when it gets error=challenge_failed.
   */
  const ended = (headingKey, textKey) =>
    notice(headingKey, textKey, redirectUrl ? button("startAgain", () => leave({ error: "challenge_failed" }), true) : el("p", {}, say("backToApp")));
  const locked = () => ended("lockedHeading", "lockedText");
  const stopped = () => ended("stoppedHeading", "stoppedText");

  const cancelButton = () => el("div", { class: "actions" }, button("cancel", cancel));

  // ---- one-time codes (SMS, WhatsApp, email) -----------------------------------------------------------------------

  const otp = {
    SMS: { start: "/v1/client/challenge/sms", verify: "/v1/client/verify/sms", enrol: "/v1/client/user-authenticators/sms", channel: "channelSms" },
    WHATSAPP: { start: "/v1/client/challenge/whatsapp", verify: "/v1/client/verify/whatsapp", channel: "channelWhatsApp" },
    EMAIL_OTP: { start: "/v1/client/challenge/email-otp", verify: "/v1/client/verify/email-otp", enrol: "/v1/client/user-authenticators/email-otp", channel: "channelEmail" },
  };

  /** Counts down on the resend button; it is enabled again when the tenant's cooldown (or the server's Retry-After) is over. */
  const cooldown = (control, seconds, mine) => {
    let left = seconds;
    const tick = () => {
      if (!current(mine)) {
        return;
      }
      if (left <= 0) {
        control.disabled = false;
        control.textContent = say("resend");
        return;
      }
      control.disabled = true;
      control.textContent = say("resendIn", { seconds: left });
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  };

  /**
   * The code step. `send` sends another code; `back` is the step "Use another method" returns to; `to` (optional) is
   * where the code went.
   */
  const codeStep = (kind, send, back, to) => {
    const channel = say(otp[kind].channel);
    const input = el("input", {
      id: "code", name: "code", class: "code", inputmode: "numeric", autocomplete: "one-time-code", maxlength: "10",
      "aria-describedby": "code-hint", "data-hint": "code-hint", spellcheck: "false",
    });
    const verify = el("button", { type: "submit", class: "primary" }, say("verify"));
    const resend = el("button", { type: "button" }, say("resend"));
    const form = el("form", { novalidate: true },
      el("label", { for: "code" }, say("codeLabel")),
      el("p", { class: "hint", id: "code-hint" }, say("codeHint")),
      input,
      verify);
    const mine = step(say("codeHeading"), [
      el("p", {}, to ? say("codeSentTo", { channel, to }) : say("codeSent", { channel })),
      form,
      resend,
      el("div", { class: "actions" }, button("anotherMethod", back), button("cancel", cancel)),
    ], input);

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = input.value.replace(/[\s-]/g, "");
      if (!code) {
        showError(say("codeEmpty"), input);
        return;
      }
      busy(verify, async () => {
        try {
          const result = await api("POST", otp[kind].verify, { verificationCode: code });
          if (!current(mine)) {
            return;
          }
          if (result.isVerified) {
            finish(result.accessToken);
          } else if (result.failureReason === "MAX_ATTEMPTS_EXCEEDED") {
            locked();
          } else {
            showError(say("codeWrong"), input);
            input.select();
          }
        } catch (error) {
          if (!fatal(error)) {
            showError(messageFor(error), input);
          }
        }
      });
    });

    resend.addEventListener("click", async () => {
      resend.disabled = true;
      clearError();
      try {
        await send();
        if (current(mine)) {
          setStatus(say("resent"));
          input.value = "";
          input.focus();
          cooldown(resend, cooldownSeconds, mine);
        }
      } catch (error) {
        if (!fatal(error) && current(mine)) {
          showError(messageFor(error));
          cooldown(resend, error.retryAfter || 0, mine);
        }
      }
    });
    cooldown(resend, cooldownSeconds, mine);
  };

  /** Sends a code to an authenticator the user has, then asks for it. */
  const sendOtp = (kind) => async (event) => {
    const send = () => api("POST", otp[kind].start, {});
    await busy(event.currentTarget, async () => {
      try {
        await send();
        codeStep(kind, send, choose);
      } catch (error) {
        if (!fatal(error)) {
          showError(messageFor(error));
        }
      }
    });
  };

  // ---- push --------------------------------------------------------------------------------------------------------

  /** Waits for the phone's answer: long polling on /hosted/push/wait, falling back to polling /v1/client/verify/push. */
  const waitForAnswer = (challengeId, mine) => {
    let fallback = false;
    const check = async () => {
      if (!current(mine)) {
        return;
      }
      try {
        const path = fallback ? "/v1/client/verify/push" : "/hosted/push/wait";
        const result = await api("POST", path, { challengeId }, leaving.signal);
        if (!current(mine)) {
          return;
        }
        if (result.isVerified) {
          finish(result.accessToken);
        } else if (result.isConsumed) {
          pushEnded();
        } else {
          setTimeout(check, fallback ? 2000 : 0);
        }
      } catch (error) {
        if (error.name === "AbortError" || !current(mine) || fatal(error)) {
          return;
        }
        if (!fallback && ([0, 404, 405, 429].includes(error.status) || error.status >= 500)) {
          fallback = true;
        }
        setTimeout(check, 2000);
      }
    };
    check();
  };

  const push = async (event) => {
    await busy(event.currentTarget, async () => {
      try {
        const started = await api("POST", "/v1/client/challenge/push", {});
        const number = started.verificationCode
          ? [el("p", {}, say("pushNumber")), el("p", { class: "number", id: "number" }, started.verificationCode)]
          : [];
        const mine = step(say("pushHeading"), [
          el("p", {}, say("pushSent")),
          ...number,
          el("div", { class: "actions" }, button("anotherMethod", choose), button("cancel", cancel)),
        ]);
        setStatus(say("pushWaiting"));
        waitForAnswer(started.challengeId, mine);
      } catch (error) {
        if (!fatal(error)) {
          showError(messageFor(error));
        }
      }
    });
  };

  const pushEnded = () => {
    step(say("pushHeading"), [
      button("pushRetry", push, true),
      el("div", { class: "actions" }, button("anotherMethod", choose), button("cancel", cancel)),
    ]);
    showError(say("pushRejected"));
  };

  // ---- choosing and enrolling --------------------------------------------------------------------------------------

  /** The methods the page offers a user who has them, in this order: string key of the button, what it runs. */
  const methods = {
    PUSH: { label: "usePush", run: push },
    SMS: { label: "useSms", run: sendOtp("SMS") },
    WHATSAPP: { label: "useWhatsApp", run: sendOtp("WHATSAPP") },
    EMAIL_OTP: { label: "useEmail", run: sendOtp("EMAIL_OTP") },
  };

  /**
   * A phone number as typed, made E.164: spaces, dashes, dots and brackets go; 00 becomes +; a number without a
   * country code gets the tenant's (a leading trunk 0 dropped). Null when it cannot be a phone number.
   */
  const normalisePhone = (typed) => {
    let number = typed.trim().replace(/[\s\-.()/\u00a0]/g, "");
    if (number.startsWith("00")) {
      number = `+${number.slice(2)}`;
    }
    if (!number.startsWith("+")) {
      if (!callingCode) {
        return null;
      }
      number = `+${callingCode}${number.replace(/^0/, "")}`;
    }
    return /^\+[1-9]\d{6,14}$/.test(number) ? number : null;
  };

  const enrolForm = (kind, field) => {
    const phone = kind === "SMS";
    const input = el("input", {
      id: field, name: field, type: phone ? "tel" : "email", autocomplete: phone ? "tel" : "email",
      "aria-describedby": phone ? `${field}-hint` : undefined, "data-hint": phone ? `${field}-hint` : undefined,
      spellcheck: "false", value: phone ? lastPhone : lastEmail,
    });
    const submit = el("button", { type: "submit", class: "primary" }, say("sendCode"));
    const form = el("form", { novalidate: true },
      el("h3", {}, say(phone ? "enrolPhoneHeading" : "enrolEmailHeading")),
      el("label", { for: field }, say(phone ? "phoneLabel" : "emailLabel")),
      phone ? el("p", { class: "hint", id: `${field}-hint` }, callingCode ? say("phoneHintLocal", { code: callingCode }) : say("phoneHint")) : null,
      input,
      submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearError();
      const typed = input.value;
      const value = phone ? normalisePhone(typed) : typed.trim();
      if (phone) {
        lastPhone = typed;
      } else {
        lastEmail = typed;
      }
      if (!value || (!phone && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))) {
        showError(say(phone ? "phoneInvalid" : "emailInvalid"), input);
        return;
      }
      const send = () => api("POST", otp[kind].enrol, phone ? { phoneNumber: value } : { email: value });
      busy(submit, async () => {
        try {
          await send();
          codeStep(kind, send, enrol, value);
        } catch (error) {
          if (!fatal(error)) {
            showError(error.status === 400 ? say(phone ? "phoneRejected" : "emailRejected") : messageFor(error), input);
          }
        }
      });
    });
    return form;
  };

  function enrol() {
    const forms = [];
    if (allowed.has("SMS")) {
      forms.push(enrolForm("SMS", "phone"));
    }
    if (allowed.has("EMAIL_OTP")) {
      forms.push(enrolForm("EMAIL_OTP", "email"));
    }
    if (forms.length === 0) {
      notice("enrolHeading", "noMethods", cancelButton());
      return;
    }
    step(say("enrolHeading"), [el("p", {}, say("enrolIntro")), ...forms, cancelButton()]);
  }

  async function choose() {
    try {
      const authenticators = await api("GET", "/v1/client/user-authenticators");
      const verified = new Set(authenticators.filter((a) => a.verifiedAt).map((a) => a.verificationMethod));
      const offered = Object.keys(methods).filter((method) => allowed.has(method) && verified.has(method));
      if (offered.length === 0) {
        enrol();
        return;
      }
      step(say("chooseHeading"), [
        ...offered.map((method, i) => button(methods[method].label, methods[method].run, i === 0)),
        cancelButton(),
      ]);
    } catch (error) {
      if (!fatal(error)) {
        step(say("title"), [button("startAgain", choose, true), cancelButton()]);
        showError(messageFor(error));
      }
    }
  }

  const begin = {
    ready: choose,
    used: () => notice("usedHeading", "usedText"),
    stopped,
    blocked: () => notice("blockedHeading", "blockedText"),
  };
  (begin[data.step] ?? begin.blocked)();
})();
