/*!
 * 粤法助手 web chat widget. Embed with:
 *   <link rel="stylesheet" href="https://HOST/widget/yuefa-widget.css">
 *   <script src="https://HOST/widget/yuefa-widget.js" data-server="https://HOST" defer></script>
 * Optional attributes: data-open="true" (panel open on load), data-title="…".
 * Talks to Rasa's socket.io channel (session_persistence) and falls back to the REST
 * channel. The server issues the session id and a token proving this tab owns it; both
 * stay in sessionStorage so a reload resumes the conversation. Messages are only ever
 * inserted as text: nothing from a message becomes HTML.
 * License: Apache-2.0 (the vendored socket.io client is MIT, see socket.io-LICENSE.txt).
 */
(function () {
  "use strict";

  var SOCKET_IO_FILE = "socket.io-4.8.4.min.js";
  var SESSION_KEY = "yuefa-widget-session";
  var TOKEN_KEY = "yuefa-widget-session-token";
  var OPEN_KEY = "yuefa-widget-open";
  var LARGE_FONT_KEY = "yuefa-widget-large-font";
  var MAX_CHARS = 1000;
  var OFFLINE_GRACE_MS = 2500;
  var TYPING_TIMEOUT_MS = 30000;
  var SESSION_ID = /^[0-9a-f]{32}$/;
  // Shown when the server cannot be reached; the hotline is the human fallback.
  var OFFLINE_TEXT = "暂时无法连接到服务器，正在自动重试……恢复后您的消息会自动发送。" +
    "急需帮助请拨打12348公共法律服务热线；遇到危险请立即拨打110。";
  var EMPTY_TEXT = "请先输入您的问题。";

  if (window.__yuefaWidget) return; // embedded twice: keep the first
  window.__yuefaWidget = true;

  var script = document.currentScript;
  var scriptUrl = new URL(script && script.src ? script.src : "/widget/yuefa-widget.js", location.href);
  var staticBase = scriptUrl.href.replace(/[^/]*([?#].*)?$/, "");
  var server = ((script && script.getAttribute("data-server")) || scriptUrl.origin).replace(/\/+$/, "");
  var title = (script && script.getAttribute("data-title")) || "粤法助手";
  var openOnLoad = !!(script && script.getAttribute("data-open") === "true");

  // ---- small helpers ---------------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function store(kind) {
    try { return window[kind]; } catch (e) { return null; } // blocked storage (privacy mode)
  }

  function getItem(kind, key) {
    var s = store(kind);
    try { return s ? s.getItem(key) : null; } catch (e) { return null; }
  }

  function setItem(kind, key, value) {
    var s = store(kind);
    try { if (s) { if (value == null) s.removeItem(key); else s.setItem(key, value); } } catch (e) { /* ignore */ }
  }

  function safeUrl(value, allowRelative) {
    if (typeof value !== "string" || !value) return null;
    try {
      var url = allowRelative ? new URL(value, server + "/") : new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function timeLabel(date) {
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // Text with clickable http(s) links. Chinese punctuation ends a link.
  var LINK = /https?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+/g;

  function appendTextWithLinks(parent, text) {
    var last = 0;
    text.replace(LINK, function (match, offset) {
      var link = match.replace(/[.,;:!?)\]]+$/, "");
      var href = safeUrl(link, false);
      if (!href) return match;
      if (offset > last) parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = el("a", "yf-link", link);
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer nofollow";
      parent.appendChild(a);
      last = offset + link.length;
      return match;
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Socket.io, REST and history messages in one shape: {text, buttons, image}.
  function normalize(raw) {
    var message = { text: "", buttons: [], image: null };
    if (!raw || typeof raw !== "object") return message;
    if (typeof raw.text === "string") message.text = raw.text;
    var buttons = raw.buttons || raw.quick_replies;
    if (Array.isArray(buttons)) {
      buttons.forEach(function (b) {
        if (b && typeof b.title === "string" && b.title && typeof b.payload === "string" && b.payload) {
          message.buttons.push({ title: b.title, payload: b.payload });
        }
      });
    }
    if (typeof raw.image === "string") message.image = raw.image;
    var att = raw.attachment;
    if (att && att.type === "image" && att.payload && typeof att.payload.src === "string") {
      message.image = att.payload.src;
    }
    return message;
  }

  // ---- the DOM ---------------------------------------------------------------------

  var root = el("div", "yf-root");
  root.setAttribute("lang", "zh-CN");
  root.setAttribute("data-transport", "connecting");

  var launcher = el("button", "yf-launcher", "在线法律咨询");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "yf-panel");

  var panel = el("section", "yf-panel");
  panel.id = "yf-panel";
  panel.setAttribute("aria-label", title + " 在线咨询");
  panel.hidden = true;

  var header = el("header", "yf-header");
  var heading = el("h2", "yf-title", title);
  var subtitle = el("span", "yf-subtitle", "公共法律服务智能咨询");
  var titles = el("div", "yf-titles");
  titles.appendChild(heading);
  titles.appendChild(subtitle);
  var fontButton = el("button", "yf-tool yf-font", "大字");
  fontButton.type = "button";
  fontButton.setAttribute("aria-pressed", "false");
  fontButton.title = "放大文字（再按一次还原）";
  var restartButton = el("button", "yf-tool yf-restart", "重新开始");
  restartButton.type = "button";
  restartButton.title = "清空本次对话，重新开始";
  var closeButton = el("button", "yf-tool yf-close", "×");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", "关闭对话窗口");
  header.appendChild(titles);
  header.appendChild(fontButton);
  header.appendChild(restartButton);
  header.appendChild(closeButton);

  var status = el("div", "yf-status");
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.hidden = true;

  var log = el("div", "yf-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "对话记录");
  log.tabIndex = 0; // scrollable by keyboard

  var typing = el("div", "yf-typing");
  typing.setAttribute("aria-hidden", "true");
  typing.appendChild(el("span", "yf-typing-label", title + "正在输入"));
  for (var i = 0; i < 3; i++) typing.appendChild(el("span", "yf-dot"));
  typing.hidden = true;

  var form = el("form", "yf-form");
  var inputId = "yf-input";
  var label = el("label", "yf-sr-only", "输入您的问题");
  label.htmlFor = inputId;
  var input = el("textarea", "yf-input");
  input.id = inputId;
  input.rows = 2;
  input.maxLength = MAX_CHARS;
  input.placeholder = "请输入您的问题，按回车键发送";
  input.setAttribute("enterkeyhint", "send");
  var sendButton = el("button", "yf-send", "发送");
  sendButton.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);

  var notice = el("p", "yf-notice",
    "本助手提供一般法律信息，不代替律师意见。法律咨询热线12348，紧急情况请拨打110。");

  panel.appendChild(header);
  panel.appendChild(status);
  panel.appendChild(log);
  panel.appendChild(typing);
  panel.appendChild(form);
  panel.appendChild(notice);
  root.appendChild(launcher);
  root.appendChild(panel);

  // ---- rendering -------------------------------------------------------------------

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function removeQuickReplies() {
    var groups = log.querySelectorAll(".yf-replies");
    for (var k = 0; k < groups.length; k++) groups[k].parentNode.removeChild(groups[k]);
  }

  function addMessage(sender, message, when) {
    var date = when ? new Date(when) : new Date();
    var item = el("div", "yf-msg yf-msg--" + sender);
    item.appendChild(el("span", "yf-sr-only", sender === "user" ? "我说：" : sender === "bot" ? title + "说：" : "提示："));
    var bubble = el("div", "yf-bubble");
    if (message.text) {
      var text = el("p", "yf-text");
      appendTextWithLinks(text, message.text);
      bubble.appendChild(text);
    }
    var src = message.image ? safeUrl(message.image, true) : null;
    if (src) {
      var img = el("img", "yf-image");
      img.alt = "图片";
      img.loading = "lazy";
      img.referrerPolicy = "no-referrer";
      img.src = src;
      img.addEventListener("load", scrollToEnd);
      bubble.appendChild(img);
    }
    if (!bubble.firstChild) return null;
    item.appendChild(bubble);
    var time = el("time", "yf-time", timeLabel(date));
    time.dateTime = date.toISOString();
    item.appendChild(time);
    if (sender === "bot" && message.buttons && message.buttons.length) {
      var group = el("div", "yf-replies");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "快捷回复");
      message.buttons.forEach(function (b) {
        var button = el("button", "yf-reply", b.title);
        button.type = "button";
        button.addEventListener("click", function () { send(b.payload, b.title); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  var typingTimer = null;

  function showTyping() {
    typing.hidden = false;
    scrollToEnd();
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT_MS);
  }

  function hideTyping() {
    typing.hidden = true;
    clearTimeout(typingTimer);
  }

  // Rasa's socket.io channel sends each paragraph ("\n\n") as its own message; REST and
  // history send one. Splitting here shows an answer the same way on every path.
  function addBotMessage(message, when) {
    var parts = message.text ? message.text.trim().split("\n\n") : [""];
    parts.forEach(function (part, index) {
      var last = index === parts.length - 1;
      addMessage("bot", { text: part, buttons: last ? message.buttons : [], image: last ? message.image : null }, when);
    });
  }

  function onBotMessage(raw) {
    hideTyping();
    addBotMessage(normalize(raw));
  }

  // ---- conversation state and transports --------------------------------------------

  // Server-issued; sessionStorage, not localStorage: on a shared computer the conversation
  // ends with the tab. null until the server has issued one.
  var sessionId = getItem("sessionStorage", SESSION_KEY);
  var sessionToken = getItem("sessionStorage", TOKEN_KEY);
  var resumed = !!(sessionId && SESSION_ID.test(sessionId) && sessionToken);
  if (!resumed) setSession(null);

  function setSession(session) {
    sessionId = session ? session.session_id : null;
    sessionToken = session ? session.session_token : null;
    setItem("sessionStorage", SESSION_KEY, sessionId);
    setItem("sessionStorage", TOKEN_KEY, sessionToken);
  }

  function sessionBody(extra) {
    var body = { session_id: sessionId, session_token: sessionToken };
    for (var key in extra) body[key] = extra[key];
    return JSON.stringify(body);
  }

  function postJson(path, body) {
    return fetch(server + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: body,
      cache: "no-store",
    });
  }

  // A session from the server over HTTP, for the REST path (the socket gets its own).
  function ensureSession() {
    if (sessionId) return Promise.resolve();
    return postJson("/widget/session", sessionBody({}))
      .then(function (res) { if (!res.ok) throw new Error("session " + res.status); return res.json(); })
      .then(function (session) { if (!sessionId) setSession(session); });
  }

  var outbox = [];           // texts not yet delivered, in order
  var socket = null;
  var socketReady = false;   // connected and joined to our session's room
  var sessionRequests = 0;   // session_request events sent and not yet confirmed
  var requestedId = null;    // the session the last session_request asked for
  var restOk = false;        // the REST channel answered the last probe or message
  var restBusy = false;
  var probeTimer = null;
  var probeDelay = 2000;
  var startedAt = Date.now();
  var greeted = false;

  function mode() {
    if (socketReady) return "socket";
    if (restOk) return "rest";
    return Date.now() - startedAt < OFFLINE_GRACE_MS ? "connecting" : "offline";
  }

  function update() {
    var m = mode();
    root.setAttribute("data-transport", m);
    var offline = m === "offline";
    if (offline !== !status.hidden) {
      status.hidden = !offline;
      status.textContent = offline ? OFFLINE_TEXT : "";
    }
    if (offline) hideTyping();
    flush();
  }

  function flush() {
    if (!outbox.length) return;
    if (socketReady) {
      while (outbox.length) {
        socket.emit("user_uttered", { message: outbox.shift(), session_id: sessionId });
      }
      showTyping();
    } else if (restOk && !restBusy) {
      sendRest();
    }
  }

  function sendRest() {
    restBusy = true;
    var text = outbox[0];
    var session = null;
    showTyping();
    ensureSession().then(function () {
      session = sessionId;
      return postJson("/webhooks/rest/webhook", JSON.stringify({ sender: session, message: text, session_token: sessionToken }));
    }).then(function (res) {
      return res.json().then(function (body) { return { status: res.status, body: body }; });
    }).then(function (result) {
      restBusy = false;
      if (result.status >= 500) throw new Error("server error " + result.status);
      if (outbox[0] === text) outbox.shift();
      if (session !== sessionId) return; // restarted meanwhile
      hideTyping();
      if (result.status >= 400) {
        var error = result.body && typeof result.body.error === "string" ? result.body.error : "消息发送失败，请重试。";
        addMessage("system", { text: error });
      } else if (Array.isArray(result.body)) {
        result.body.forEach(onBotMessage);
      }
      flush();
    }).catch(function () {
      restBusy = false;
      restOk = false;
      update();
      scheduleProbe();
    });
  }

  function probeRest() {
    probeTimer = null;
    if (socketReady) return;
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, 5000);
    fetch(server + "/webhooks/rest/", { signal: controller ? controller.signal : undefined, cache: "no-store" })
      .then(function (res) { return res.ok; }, function () { return false; })
      .then(function (ok) {
        clearTimeout(timer);
        restOk = ok;
        if (ok) probeDelay = 2000;
        update();
        if (!ok) scheduleProbe();
      });
  }

  function scheduleProbe() {
    if (probeTimer || socketReady) return;
    probeTimer = setTimeout(probeRest, probeDelay);
    probeDelay = Math.min(probeDelay * 2, 15000);
  }

  function connectSocket(io) {
    socket = io(server, {
      path: "/socket.io",
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      timeout: 8000,
    });
    socket.on("connect", requestSession);
    socket.on("session_confirm", function (session) {
      sessionRequests = Math.max(0, sessionRequests - 1);
      if (sessionRequests > 0) return; // an older request (before a restart)
      if (!session || typeof session.session_id !== "string" || !SESSION_ID.test(session.session_id)) return;
      if (session.session_id !== requestedId) {
        // The REST path got a session while we waited: join that one instead.
        if (!requestedId && sessionId) { requestSession(); return; }
        if (requestedId) {
          // The server did not recognise our session (expired, or restarted without a
          // shared secret): the old history no longer belongs to this conversation.
          while (log.firstChild) log.removeChild(log.firstChild);
          greeted = false;
        }
      }
      setSession(session);
      socketReady = true;
      clearTimeout(probeTimer);
      probeTimer = null;
      update();
      if (!panel.hidden) greetIfEmpty();
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", function () {
      socketReady = false;
      update();
      scheduleProbe();
    });
    socket.on("connect_error", function () {
      socketReady = false;
      if (!restOk) scheduleProbe();
      update();
    });
  }

  function requestSession() {
    requestedId = sessionId;
    sessionRequests += 1;
    socket.emit("session_request", { session_id: sessionId, session_token: sessionToken });
  }

  // Loads the vendored client without taking over a site's own `window.io`.
  function loadSocketClient() {
    var previous = window.io;
    var tag = document.createElement("script");
    tag.src = staticBase + SOCKET_IO_FILE;
    tag.async = true;
    tag.onload = function () {
      var io = window.io;
      if (previous === undefined) { try { delete window.io; } catch (e) { window.io = undefined; } } else { window.io = previous; }
      if (typeof io === "function") connectSocket(io); else probeRest();
    };
    tag.onerror = function () { probeRest(); };
    document.head.appendChild(tag);
  }

  // Sends text (a typed question or a button payload) and shows what the citizen chose.
  function send(text, shown) {
    if (typeof text !== "string" || !text.trim()) {
      addMessage("system", { text: EMPTY_TEXT });
      return;
    }
    removeQuickReplies();
    if (shown !== null) addMessage("user", { text: shown || text });
    outbox.push(text.slice(0, MAX_CHARS));
    if (mode() === "offline") update(); else flush();
  }

  // The bot's own greeting (with its service buttons) starts a new conversation.
  function greetIfEmpty() {
    if (greeted || log.querySelector(".yf-msg--bot, .yf-msg--user")) return;
    greeted = true;
    send("/greet", null);
  }

  function loadHistory() {
    // POST: the session id never appears in a URL (proxy and access logs).
    return postJson("/widget/history", sessionBody({}))
      .then(function (res) { return res.ok ? res.json() : { messages: [] }; })
      .then(function (body) {
        var messages = (body && Array.isArray(body.messages)) ? body.messages : [];
        messages.forEach(function (m, index) {
          var message = normalize(m);
          // Old buttons are stale; only the last message's buttons still make sense.
          if (index < messages.length - 1) message.buttons = [];
          var when = m.timestamp ? m.timestamp * 1000 : null;
          if (m.sender === "user") addMessage("user", message, when); else addBotMessage(message, when);
        });
      })
      .catch(function () { /* history is a convenience; the conversation goes on */ });
  }

  function restart() {
    outbox = [];
    hideTyping();
    while (log.firstChild) log.removeChild(log.firstChild);
    setSession(null);
    greeted = false;
    if (socket && socket.connected) {
      socketReady = false;
      requestSession();
    }
    greetIfEmpty();
    input.focus();
  }

  // ---- user interaction ------------------------------------------------------------

  function setOpen(open, focusTarget) {
    panel.hidden = !open;
    root.classList.toggle("yf-root--open", open);
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    setItem("sessionStorage", OPEN_KEY, open ? "1" : null);
    if (open) {
      scrollToEnd();
      greetIfEmpty();
      (focusTarget || input).focus();
    } else {
      launcher.focus();
    }
  }

  function setLargeFont(large) {
    root.classList.toggle("yf-root--large", large);
    fontButton.setAttribute("aria-pressed", large ? "true" : "false");
    setItem("localStorage", LARGE_FONT_KEY, large ? "1" : null);
    scrollToEnd();
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  fontButton.addEventListener("click", function () { setLargeFont(!root.classList.contains("yf-root--large")); });
  restartButton.addEventListener("click", restart);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) {
      addMessage("system", { text: EMPTY_TEXT });
      return;
    }
    input.value = "";
    send(text.trim());
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter is a new line; Enter that confirms a Chinese IME word is not a send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  // ---- start -----------------------------------------------------------------------

  function start() {
    document.body.appendChild(root);
    setLargeFont(getItem("localStorage", LARGE_FONT_KEY) === "1");
    var history = resumed ? loadHistory() : Promise.resolve();
    history.then(function () {
      if (openOnLoad || getItem("sessionStorage", OPEN_KEY) === "1") {
        panel.hidden = false;
        root.classList.add("yf-root--open");
        launcher.setAttribute("aria-expanded", "true");
        setItem("sessionStorage", OPEN_KEY, "1");
        scrollToEnd();
        greetIfEmpty();
      }
    });
    loadSocketClient();
    // Leave "connecting" after the grace period even if nothing has answered yet.
    setTimeout(update, OFFLINE_GRACE_MS + 50);
  }

  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
