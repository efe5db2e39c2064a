// The hosted challenge page: runs a challenge for one tracked action with the Client API, one step at a time, then
// hands the fresh token back to the application (redirectUrl?token=…), or an error it documents
// (redirectUrl?error=cancelled | challenge_failed). Every word comes from data-strings (Hosted/Strings/<language>.json);
// every value is put into the page as text, never as markup.
//
// Adding a verification method: add an entry to `methods` below (its button's string key and what it runs), give it a
// step function like `push`, `sendOtp` or `magicLink`, add its name to HostedEndpoints.PageMethods, and its words to
// Strings/*.json.
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

  // ---- after a verification ----------------------------------------------------------------------------------------

  /**
   * A verification succeeded with `result` (a verify answer); `enrolled` when it verified the user's new authenticator.
   * A user's first authenticator comes with recovery codes where the tenant enables them: shown once, then on.
   */
  const succeeded = async (result, enrolled) => {
    accessToken = result.accessToken || accessToken;
    if (enrolled && allowed.has("RECOVERY_CODE")) {
      try {
        const issued = await api("POST", "/hosted/recovery-codes");
        showRecoveryCodes(issued.recoveryCodes);
        return;
      } catch {
        // None to show (the user had an authenticator before): the answer is the same as without recovery codes.
      }
    }
    finish();
  };

  const showRecoveryCodes = (codes) => {
    const list = el("ul", { class: "codes", "aria-label": say("recoveryListLabel") }, ...codes.map((code) => el("li", {}, el("code", {}, code))));
    const copy = el("button", { type: "button" }, say("recoveryCopy"));
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(codes.join("\n"));
        setStatus(say("recoveryCopied"));
      } catch {
        setStatus(say("recoveryCopyFailed"));
      }
    });
    step(say("recoveryHeading"), [
      el("p", {}, say("recoveryText")),
      list,
      copy,
      el("div", { class: "actions" }, button("recoverySaved", () => finish(), true)),
    ]);
  };

  // ---- codes: one-time codes (SMS, WhatsApp, email), the authenticator app, recovery codes ---------------------------

  const codeKinds = {
    SMS: { start: "/v1/client/challenge/sms", verify: "/v1/client/verify/sms", enrol: "/v1/client/user-authenticators/sms", channel: "channelSms" },
    WHATSAPP: { start: "/v1/client/challenge/whatsapp", verify: "/v1/client/verify/whatsapp", channel: "channelWhatsApp" },
    EMAIL_OTP: { start: "/v1/client/challenge/email-otp", verify: "/v1/client/verify/email-otp", enrol: "/v1/client/user-authenticators/email-otp", channel: "channelEmail" },
    AUTHENTICATOR_APP: { verify: "/v1/client/verify/totp", intro: "appCodeIntro" },
    RECOVERY_CODE: { verify: "/v1/client/verify/recovery-code", intro: "recoveryIntro", label: "recoveryLabel", hint: "recoveryHint", text: true },
  };

  /** Counts down on the resend button; it is enabled again when the tenant's cooldown (or the server's Retry-After) is over. */
  const cooldown = (control, seconds, mine, key = "resend") => {
    let left = seconds;
    const tick = () => {
      if (!current(mine)) {
        return;
      }
      if (left <= 0) {
        control.disabled = false;
        control.textContent = say(key);
        return;
      }
      control.disabled = true;
      control.textContent = say(`${key}In`, { seconds: left });
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  };

  /**
   * The code step. `send` (codes that are sent) sends another one; `back` is the step "Use another method" returns to;
   * `to` (optional) is where the code went; `lead` replaces the sentence above the code box.
   */
  const codeStep = (kind, { send, back, to, lead } = {}) => {
    const spec = codeKinds[kind];
    const input = el("input", {
      id: "code", name: "code", class: spec.text ? "" : "code", inputmode: spec.text ? "text" : "numeric",
      autocomplete: spec.text ? "off" : "one-time-code", autocapitalize: spec.text ? "none" : undefined, maxlength: spec.text ? "16" : "10",
      "aria-describedby": "code-hint", "data-hint": "code-hint", spellcheck: "false",
    });
    const verify = el("button", { type: "submit", class: "primary" }, say("verify"));
    const resend = send ? el("button", { type: "button" }, say("resend")) : null;
    const form = el("form", { novalidate: true },
      el("label", { for: "code" }, say(spec.label ?? "codeLabel")),
      el("p", { class: "hint", id: "code-hint" }, say(spec.hint ?? "codeHint")),
      input,
      verify);
    const channel = spec.channel ? say(spec.channel) : "";
    const intro = spec.intro ? say(spec.intro) : to ? say("codeSentTo", { channel, to }) : say("codeSent", { channel });
    const mine = step(say(kind === "RECOVERY_CODE" ? "recoveryCodeHeading" : "codeHeading"), [
      ...(lead ?? [el("p", {}, intro)]),
      form,
      resend,
      el("div", { class: "actions" }, button("anotherMethod", back ?? choose), button("cancel", cancel)),
    ], lead ? undefined : input);

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = spec.text ? input.value.trim() : input.value.replace(/[\s-]/g, "");
      if (!code) {
        showError(say("codeEmpty"), input);
        return;
      }
      busy(verify, async () => {
        try {
          const result = await api("POST", spec.verify, { verificationCode: code });
          if (!current(mine)) {
            return;
          }
          if (result.isVerified) {
            await succeeded(result, Boolean(result.userAuthenticator));
          } else if (result.failureReason === "MAX_ATTEMPTS_EXCEEDED") {
            locked();
          } else {
            showError(say(spec.text ? "recoveryWrong" : "codeWrong"), input);
            input.select();
          }
        } catch (error) {
          if (kind === "RECOVERY_CODE" && error.status === 404) {
            showError(say("recoveryNone"), input);
          } else if (!fatal(error)) {
            showError(messageFor(error), input);
          }
        }
      });
    });

    resend?.addEventListener("click", async () => {
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
    if (resend) {
      cooldown(resend, cooldownSeconds, mine);
    }
  };

  /** Sends a code to an authenticator the user has, then asks for it. */
  const sendOtp = (kind) => async (event) => {
    const send = () => api("POST", codeKinds[kind].start, {});
    await busy(event.currentTarget, async () => {
      try {
        await send();
        codeStep(kind, { send });
      } catch (error) {
        if (!fatal(error)) {
          showError(messageFor(error));
        }
      }
    });
  };

  /** The QR code of an otpauth:// URI, drawn from the modules the server computed (black on white in either scheme). */
  const qrCode = (rows) => {
    const ns = "http://www.w3.org/2000/svg";
    const size = rows.length;
    const svg = document.createElementNS(ns, "svg");
    const attributes = { viewBox: `0 0 ${size} ${size}`, class: "qr", role: "img", "aria-label": say("appQrLabel"), "shape-rendering": "crispEdges" };
    for (const [name, value] of Object.entries(attributes)) {
      svg.setAttribute(name, value);
    }
    const background = document.createElementNS(ns, "rect");
    background.setAttribute("width", size);
    background.setAttribute("height", size);
    background.setAttribute("fill", "#ffffff");
    let modules = "";
    rows.forEach((row, y) => {
      for (let x = 0; x < row.length; x += 1) {
        if (row[x] === "1") {
          modules += `M${x} ${y}h1v1h-1z`;
        }
      }
    });
    const dark = document.createElementNS(ns, "path");
    dark.setAttribute("d", modules);
    dark.setAttribute("fill", "#000000");
    svg.append(background, dark);
    return svg;
  };

  /** Adds an authenticator app: its QR code and key, then its first code verifies it. */
  const enrolApp = async (event) => {
    await busy(event.currentTarget, async () => {
      try {
        const enrolled = await api("POST", "/hosted/totp");
        const key = enrolled.secret.replace(/(.{4})(?=.)/g, "$1 ");
        codeStep("AUTHENTICATOR_APP", {
          back: enrol,
          lead: [
            el("p", {}, say("appScan")),
            qrCode(enrolled.qr),
            el("details", {}, el("summary", {}, say("appCantScan")),
              el("p", {}, say("appKey")), el("p", {}, el("code", { id: "app-key", class: "key" }, key)),
              el("p", {}, el("a", { href: enrolled.uri }, say("appOpen")))),
            el("p", {}, say("appThenCode")),
          ],
        });
      } catch (error) {
        if (!fatal(error)) {
          showError(messageFor(error));
        }
      }
    });
  };

  // ---- email magic link --------------------------------------------------------------------------------------------

  /**
   * Waits while the user opens the link in their email (on any device): polls the finalize call, as the SDK does. `send`
   * mails a new link and answers its challenge id; `back` is where "Use another method" returns to.
   */
  const linkStep = (challengeId, { send, back, to }) => {
    const resend = el("button", { type: "button" }, say("linkResend"));
    const mine = step(say("linkHeading"), [
      el("p", {}, to ? say("linkSentTo", { to }) : say("linkSent")),
      el("p", { class: "hint" }, say("linkHint")),
      resend,
      el("div", { class: "actions" }, button("anotherMethod", back), button("cancel", cancel)),
    ]);
    let waiting = challengeId;
    const poll = async (id) => {
      if (!current(mine) || id !== waiting) {
        return;
      }
      try {
        const result = await api("POST", "/v1/client/verify/email-magic-link/finalize", { challengeId: id }, leaving.signal);
        if (!current(mine) || id !== waiting) {
          return;
        }
        if (result.isVerified) {
          await succeeded(result, Boolean(result.userAuthenticator));
        } else if (result.failureReason) {
          setStatus("");
          showError(say("linkExpired"));
        } else {
          setTimeout(() => poll(id), 2000);
        }
      } catch (error) {
        if (error.name === "AbortError" || !current(mine)) {
          return;
        }
        if (error.status === 401 || error.status === 409) {
          fatal(error);
          return;
        }
        setTimeout(() => poll(id), Math.max(2, error.retryAfter) * 1000);
      }
    };
    resend.addEventListener("click", async () => {
      resend.disabled = true;
      clearError();
      try {
        waiting = (await send()).challengeId;
        if (current(mine)) {
          setStatus(say("linkResent"));
          cooldown(resend, cooldownSeconds, mine, "linkResend");
          poll(waiting);
        }
      } catch (error) {
        if (!fatal(error) && current(mine)) {
          showError(messageFor(error));
          cooldown(resend, error.retryAfter || 0, mine, "linkResend");
        }
      }
    });
    cooldown(resend, cooldownSeconds, mine, "linkResend");
    setStatus(say("linkWaiting"));
    poll(waiting);
  };

  const magicLink = async (event) => {
    const send = () => api("POST", "/v1/client/challenge/email-magic-link", {});
    await busy(event.currentTarget, async () => {
      try {
        linkStep((await send()).challengeId, { send, back: choose });
      } catch (error) {
        if (!fatal(error)) {
          showError(messageFor(error));
        }
      }
    });
  };

  // ---- passkeys ----------------------------------------------------------------------------------------------------

  const webAuthn = Boolean(window.PublicKeyCredential && navigator.credentials);

  const fromBase64Url = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "=")), (c) => c.charCodeAt(0)).buffer;
  };

  const toBase64Url = (buffer) => {
    let binary = "";
    for (const byte of new Uint8Array(buffer)) {
      binary += String.fromCharCode(byte);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const withIds = (credentials) => (credentials ?? []).map((c) => ({ ...c, id: fromBase64Url(c.id) }));

  /** A PublicKeyCredential as the JSON the Client API takes (base64url, as the browser SDK sends it). */
  const credentialJson = (credential) => {
    const r = credential.response;
    const response = r.attestationObject
      ? { clientDataJSON: toBase64Url(r.clientDataJSON), attestationObject: toBase64Url(r.attestationObject), transports: r.getTransports?.() ?? [] }
      : {
        clientDataJSON: toBase64Url(r.clientDataJSON), authenticatorData: toBase64Url(r.authenticatorData),
        signature: toBase64Url(r.signature), userHandle: r.userHandle ? toBase64Url(r.userHandle) : undefined,
      };
    return { id: credential.id, rawId: toBase64Url(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults() };
  };

  /** The words for a ceremony that did not finish: the browser's refusals first, then the server's. */
  const passkeyMessage = (error) => {
    if (error.name === "NotAllowedError" || error.name === "AbortError") {
      return say("passkeyCancelled");
    }
    if (error.name === "InvalidStateError") {
      return say("passkeyExists");
    }
    if (error.status === 404) {
      return say("passkeyUnknown");
    }
    return error.status === undefined ? say("passkeyFailed") : messageFor(error);
  };

  /** Runs a WebAuthn ceremony from a button: `ceremony` answers the verify result. */
  const passkeyCeremony = (ceremony, enrolled) => async (event) => {
    await busy(event.currentTarget, async () => {
      const mine = generation;
      clearError();
      setStatus(say("passkeyWaiting"));
      try {
        const result = await ceremony();
        if (!current(mine)) {
          return;
        }
        setStatus("");
        if (result.isVerified) {
          await succeeded(result, enrolled);
        } else {
          showError(say(result.failureReason === "CREDENTIAL_ALREADY_REGISTERED" ? "passkeyExists" : "passkeyFailed"));
        }
      } catch (error) {
        if (current(mine)) {
          setStatus("");
          const unknown = error.status === 404 && error.body?.error === "unknown_credential";
          if (error.status === undefined || unknown || !fatal(error)) {
            showError(passkeyMessage(error));
          }
        }
      }
    });
  };

  /** The options of a ceremony as the browser takes them: the challenge and every credential id as bytes. */
  const requestOptions = (options) => ({ ...options, challenge: fromBase64Url(options.challenge), allowCredentials: withIds(options.allowCredentials) });
  const creationOptions = (options) => ({
    ...options,
    challenge: fromBase64Url(options.challenge),
    user: { ...options.user, id: fromBase64Url(options.user.id) },
    excludeCredentials: withIds(options.excludeCredentials),
  });

  const usePasskey = passkeyCeremony(async () => {
    const { challengeId, options } = await api("POST", "/v1/client/user-authenticators/passkey/authentication-options", {});
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    return api("POST", "/v1/client/verify/passkey", { challengeId, authenticationCredential: credentialJson(credential) });
  }, false);

  const createPasskey = passkeyCeremony(async () => {
    const { challengeId, options } = await api("POST", "/v1/client/user-authenticators/passkey/registration-options", {});
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    return api("POST", "/v1/client/user-authenticators/passkey", { challengeId, registrationCredential: credentialJson(credential) });
  }, true);

  // Security keys: the same ceremonies on their own paths, which take and answer the bare WebAuthn JSON.
  const useSecurityKey = passkeyCeremony(async () => {
    const options = await api("POST", "/v1/client/user-authenticators/security-key/authentication-options", {});
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    return api("POST", "/v1/client/verify/security-key", credentialJson(credential));
  }, false);

  const addSecurityKey = passkeyCeremony(async () => {
    const options = await api("POST", "/v1/client/user-authenticators/security-key/registration-options", {});
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
    return api("POST", "/v1/client/user-authenticators/security-key", credentialJson(credential));
  }, true);

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

  /**
   * The methods the page offers a user who has them, in this order: string key of the button, what it runs. A passkey
   * comes first where the browser can use one.
   */
  const methods = {
    PASSKEY: { label: "usePasskey", run: usePasskey, available: webAuthn },
    SECURITY_KEY: { label: "useSecurityKey", run: useSecurityKey, available: webAuthn },
    PUSH: { label: "usePush", run: push },
    AUTHENTICATOR_APP: { label: "useApp", run: () => codeStep("AUTHENTICATOR_APP") },
    SMS: { label: "useSms", run: sendOtp("SMS") },
    WHATSAPP: { label: "useWhatsApp", run: sendOtp("WHATSAPP") },
    EMAIL_OTP: { label: "useEmail", run: sendOtp("EMAIL_OTP") },
    EMAIL_MAGIC_LINK: { label: "useLink", run: magicLink },
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

  /**
   * The form that enrols a phone (SMS) or an email address: by a code (EMAIL_OTP), or by a link where the tenant
   * offers email only as a magic link.
   */
  const enrolForm = (kind, field) => {
    const phone = kind === "SMS";
    const link = kind === "EMAIL_MAGIC_LINK";
    const input = el("input", {
      id: field, name: field, type: phone ? "tel" : "email", autocomplete: phone ? "tel" : "email",
      "aria-describedby": phone ? `${field}-hint` : undefined, "data-hint": phone ? `${field}-hint` : undefined,
      spellcheck: "false", value: phone ? lastPhone : lastEmail,
    });
    const submit = el("button", { type: "submit", class: "primary" }, say(link ? "sendLink" : "sendCode"));
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
      const path = link ? "/v1/client/user-authenticators/email-magic-link" : codeKinds[kind].enrol;
      const send = () => api("POST", path, phone ? { phoneNumber: value } : { email: value });
      busy(submit, async () => {
        try {
          const sent = await send();
          if (link) {
            linkStep(sent.challengeId, { send, back: enrol, to: value });
          } else {
            codeStep(kind, { send, back: enrol, to: value });
          }
        } catch (error) {
          if (!fatal(error)) {
            showError(error.status === 400 ? say(phone ? "phoneRejected" : "emailRejected") : messageFor(error), input);
          }
        }
      });
    });
    return form;
  };

  /** An enrolment that runs from one button (a passkey, an authenticator app): its heading, words and button. */
  const enrolButton = (headingKey, textKey, buttonKey, run) =>
    el("section", {}, el("h3", {}, say(headingKey)), el("p", {}, say(textKey)), button(buttonKey, run, true));

  function enrol() {
    const ways = [];
    if (allowed.has("PASSKEY") && webAuthn) {
      ways.push(enrolButton("enrolPasskeyHeading", "enrolPasskeyText", "createPasskey", createPasskey));
    }
    if (allowed.has("SECURITY_KEY") && webAuthn) {
      ways.push(enrolButton("enrolSecurityKeyHeading", "enrolSecurityKeyText", "addSecurityKey", addSecurityKey));
    }
    if (allowed.has("SMS")) {
      ways.push(enrolForm("SMS", "phone"));
    }
    if (allowed.has("EMAIL_OTP") || allowed.has("EMAIL_MAGIC_LINK")) {
      ways.push(enrolForm(allowed.has("EMAIL_OTP") ? "EMAIL_OTP" : "EMAIL_MAGIC_LINK", "email"));
    }
    if (allowed.has("AUTHENTICATOR_APP")) {
      ways.push(enrolButton("enrolAppHeading", "enrolAppText", "setUpApp", enrolApp));
    }
    if (ways.length === 0) {
      notice("enrolHeading", "noMethods", cancelButton());
      return;
    }
    step(say("enrolHeading"), [el("p", {}, say("enrolIntro")), ...ways, cancelButton()]);
  }

  async function choose() {
    try {
      const authenticators = await api("GET", "/v1/client/user-authenticators");
      const verified = new Set(authenticators.filter((a) => a.verifiedAt).map((a) => a.verificationMethod));
      const offered = Object.keys(methods).filter((method) => allowed.has(method) && verified.has(method) && methods[method].available !== false);
      if (offered.length === 0 && verified.size === 0) {
        enrol();
        return;
      }
      const recovery = allowed.has("RECOVERY_CODE") ? button("useRecoveryCode", () => codeStep("RECOVERY_CODE")) : null;
      if (offered.length === 0) {
        notice("chooseHeading", "noMethodHere", el("div", { class: "actions" }, recovery, button("cancel", cancel)));
        return;
      }
      step(say("chooseHeading"), [
        ...offered.map((method, i) => button(methods[method].label, methods[method].run, i === 0)),
        el("div", { class: "actions" }, recovery, button("cancel", cancel)),
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
