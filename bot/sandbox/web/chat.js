// WarmDrive sandbox web chat: the user's side of a Telegram chat, played through the local Bot API
// server's control API (/control/{token}/...), the same API the tests' SandboxClient uses.
// Bot text is rendered from the entities the server parsed, with DOM text nodes only: no HTML
// from a message is ever injected.
"use strict";

const UI = {
  zh: {
    actingAs: "身份", private: "💬 私聊", group: "👥 管理群", bot: "机器人", typing: "正在输入…",
    voice: "语音", topicCreated: "话题已创建", topic: "话题",
    members: "群组", start: "开始", commands: "命令菜单", attach: "附件", keyboard: "键盘",
    send: "发送", message: "消息", photo: "🖼 照片", location: "📍 位置", contact: "👤 联系人",
    shareLocation: "分享位置", presetHint: "选一个示例地点（来自示例驿站数据）：",
    manualHint: "或输入坐标（WGS-84，十进制度）：", latitude: "纬度", longitude: "经度",
    cancel: "取消", share: "分享", ok: "好", shareContact: "分享手机号",
    contactText: "把您的手机号 {phone} 分享给 {bot}？",
    badNumber: "请输入数字，例如 29.415", badLat: "纬度必须在 -90 到 90 之间",
    badLon: "经度必须在 -180 到 180 之间", notImage: "请选择图片文件（JPEG、PNG、GIF 或 WebP）",
    tooLarge: "照片太大：{size} MB，最大 {limit} MB", empty: "还没有消息。点击“开始”与机器人对话。",
    emptyGroup: "管理群还没有消息。机器人发到管理群（ADMIN_CHAT_ID）的内容会显示在这里。",
    offline: "与沙盒的连接已断开，正在重连…", unsupported: "沙盒中不支持此按钮",
    edited: "已编辑", file: "文件", noCommands: "机器人还没有设置命令", copied: "已复制",
    download: "下载", samplePhoto: "📸 示例照片", sampleTitle: "发送示例照片",
    sampleHint: "以文件发送：Telegram 会去掉压缩照片的 EXIF（GPS、拍摄时间），文件则原样保留。",
    asFile: "📎 以文件发送", asPhoto: "🖼 以照片发送",
    asPhotoTitle: "以压缩照片发送（Telegram 会去掉 EXIF）", sampleFailed: "无法读取示例照片：{error}",
  },
  en: {
    actingAs: "Acting as", private: "💬 Private", group: "👥 Admin group", bot: "bot",
    voice: "Voice message", topicCreated: "Topic created", topic: "Topic",
    typing: "typing…", members: "group", start: "START", commands: "Commands", attach: "Attach",
    keyboard: "Keyboard", send: "Send", message: "Message", photo: "🖼 Photo",
    location: "📍 Location", contact: "👤 Contact", shareLocation: "Share location",
    presetHint: "Pick a sample place (from the sample stations):",
    manualHint: "or enter coordinates (WGS-84, decimal degrees):", latitude: "Latitude",
    longitude: "Longitude", cancel: "Cancel", share: "Share", ok: "OK",
    shareContact: "Share phone number", contactText: "Share your phone number {phone} with {bot}?",
    badNumber: "Enter a number, e.g. 29.415", badLat: "Latitude must be between -90 and 90",
    badLon: "Longitude must be between -180 and 180",
    notImage: "Choose an image file (JPEG, PNG, GIF or WebP)",
    tooLarge: "Photo too large: {size} MB, at most {limit} MB",
    empty: "No messages yet. Press START to talk to the bot.",
    emptyGroup: "Nothing in the admin group yet. What the bot posts to ADMIN_CHAT_ID shows here.",
    offline: "Lost the connection to the sandbox, reconnecting…",
    unsupported: "This button is not supported in the sandbox", edited: "edited", file: "File",
    noCommands: "The bot has set no commands", copied: "Copied",
    download: "Download", samplePhoto: "📸 Sample photo", sampleTitle: "Send a sample photo",
    sampleHint: "Sent as a file: Telegram strips EXIF (GPS, time) from compressed photos, "
      + "files keep it.",
    asFile: "📎 Send as file", asPhoto: "🖼 As photo",
    asPhotoTitle: "Send as a compressed photo (Telegram strips the EXIF)",
    sampleFailed: "Could not load the sample photo: {error}",
  },
};

const $ = (id) => document.getElementById(id);
const state = {
  config: null,
  lang: "zh",
  userKey: null,
  chatKind: "private",
  seq: 0,
  rendered: new Map(), // message_id -> {key, el}
  topics: new Map(), // message_thread_id -> name, in a forum group
  replyKeyboard: null,
  keyboardOpen: true,
  typingTimer: null,
  refreshing: null,
  refreshAgain: false,
  unread: new Set(), // chat kinds ("private", "group") the bot wrote in while another was open
};

class ApiError extends Error {}

function t(key, values = {}) {
  const text = (UI[state.lang] || UI.zh)[key] || UI.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// --- control API ------------------------------------------------------------------------------
async function api(method, path, body) {
  const response = await fetch(`/control/${state.config.token}/${path}`, {
    method,
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new ApiError(data.error || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function user() {
  return state.config.users.find((u) => u.key === state.userKey) || state.config.users[0];
}

function chatId() {
  return state.chatKind === "group" && state.config.group ? state.config.group.id : user().id;
}

function userPayload() {
  const u = user();
  const payload = { id: u.id, first_name: u.first_name, language_code: state.lang };
  if (u.last_name) payload.last_name = u.last_name;
  return payload;
}

async function inject(spec) {
  const full = { ...spec, user: userPayload() };
  if (state.chatKind === "group" && state.config.group) {
    full.chat_id = state.config.group.id;
    full.chat_title = state.config.group.title;
  }
  try {
    await api("POST", "updates", full);
  } catch (error) {
    toast(error.message, true);
    return false;
  }
  await refresh();
  return true;
}

// --- rendering: text with entities --------------------------------------------------------------
// Entity offsets are UTF-16 code units, which is exactly how JavaScript strings index.
function renderEntities(text, entities, tappable = false) {
  const fragment = document.createDocumentFragment();
  const sorted = (entities || [])
    .filter((e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(fragment, text, 0, text.length, sorted, tappable);
  return fragment;
}

function build(parent, text, start, end, list, tappable) {
  let pos = start;
  let i = 0;
  while (i < list.length) {
    const entity = list[i];
    const entityEnd = entity.offset + entity.length;
    let j = i + 1;
    while (j < list.length && list[j].offset < entityEnd) j += 1; // nested inside this one
    const from = Math.max(entity.offset, pos);
    const to = Math.min(entityEnd, end);
    if (from < to) {
      if (pos < from) appendText(parent, text.slice(pos, from), tappable);
      const [outer, inner] = entityElement(entity, text.slice(from, to));
      // Nothing inside a link or code is tappable again.
      const inside = tappable && !["text_link", "url", "code", "pre"].includes(entity.type);
      build(inner, text, from, to, list.slice(i + 1, j), inside);
      parent.append(outer);
      pos = to;
    }
    i = j;
  }
  if (pos < end) appendText(parent, text.slice(pos, end), tappable);
}

// Like a Telegram client: /commands and web addresses in the bot's text can be tapped.
const TAPPABLE = /(\/[A-Za-z0-9_]{1,32}(?:@\w+)?(?![\w/])|https?:\/\/[^\s<>"'，。）)]+)/g;

function appendText(parent, text, tappable) {
  if (!tappable) return parent.append(text);
  let pos = 0;
  for (const match of text.matchAll(TAPPABLE)) {
    const before = match.index > 0 ? text[match.index - 1] : " ";
    if (match[0].startsWith("/") && /[\w/:.]/.test(before)) continue; // a path, not a command
    parent.append(text.slice(pos, match.index));
    parent.append(match[0].startsWith("/") ? commandLink(match[0]) : safeLink(match[0], match[0]));
    pos = match.index + match[0].length;
  }
  parent.append(text.slice(pos));
}

function commandLink(command) {
  const a = document.createElement("a");
  a.href = "#";
  a.className = "command";
  a.textContent = command;
  a.addEventListener("click", (event) => {
    event.preventDefault();
    inject({ kind: "text", text: command });
  });
  return a;
}

function isSafeUrl(url) {
  return /^(https?:|tg:|mailto:)/i.test(url || "");
}

function safeLink(url, text) {
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  if (text !== undefined) a.textContent = text;
  return a;
}

function entityElement(entity, text) {
  const tags = {
    bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
    blockquote: "blockquote", expandable_blockquote: "blockquote",
  };
  const url = entity.type === "url" ? text : entity.type === "text_link" ? entity.url : null;
  if (isSafeUrl(url)) {
    const a = safeLink(url);
    return [a, a];
  }
  if (entity.type === "pre") {
    const pre = document.createElement("pre");
    const code = document.createElement("code");
    if (entity.language) code.dataset.language = entity.language;
    pre.append(code);
    return [pre, code];
  }
  if (entity.type === "spoiler") {
    const span = document.createElement("span");
    span.className = "spoiler";
    span.addEventListener("click", () => span.classList.add("revealed"));
    return [span, span];
  }
  const el = document.createElement(tags[entity.type] || "span");
  return [el, el];
}

function textBlock(text, entities, tappable) {
  const div = document.createElement("div");
  div.className = "text";
  div.append(renderEntities(text, entities, tappable));
  return div;
}

// --- rendering: messages --------------------------------------------------------------------------
function fileUrl(fileId) {
  return `/control/${state.config.token}/files/${encodeURIComponent(fileId)}`;
}

function mapLinks(lat, lon, name) {
  // The providers' own WGS-84 flags: the point lands right without converting coordinates here.
  const label = encodeURIComponent(name || `${lat},${lon}`);
  return [
    ["高德 Amap", `https://uri.amap.com/marker?position=${lon},${lat}&name=${label}&coordinate=wgs84`],
    ["百度 Baidu", `https://api.map.baidu.com/marker?location=${lat},${lon}&title=${label}&content=${label}&output=html&coord_type=wgs84`],
    ["OpenStreetMap", `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`],
  ];
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function card(icon, title, subtitle, links) {
  const div = document.createElement("div");
  div.className = "card";
  const iconEl = document.createElement("div");
  iconEl.className = "icon";
  iconEl.textContent = icon;
  const body = document.createElement("div");
  const titleEl = document.createElement("div");
  titleEl.className = "card-title";
  titleEl.textContent = title;
  body.append(titleEl);
  for (const line of subtitle) {
    const sub = document.createElement("div");
    sub.className = "card-sub";
    sub.textContent = line;
    body.append(sub);
  }
  if (links && links.length) {
    const row = document.createElement("div");
    row.className = "links";
    for (const [text, href, download] of links) {
      const a = document.createElement("a");
      a.textContent = text;
      a.href = href;
      if (download) a.download = download;
      else {
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      }
      row.append(a);
    }
    body.append(row);
  }
  div.append(iconEl, body);
  return div;
}

function locationCard(location, venue) {
  const lat = Number(location.latitude).toFixed(6);
  const lon = Number(location.longitude).toFixed(6);
  const coords = `${lat}, ${lon}`;
  if (venue) return card("📍", venue.title, [venue.address, coords], mapLinks(lat, lon, venue.title));
  return card("📍", t("location").replace(/^\S+\s/, ""), [coords], mapLinks(lat, lon, ""));
}

function contentOf(m) {
  const parts = [];
  if (m.photo && m.photo.length) {
    const img = document.createElement("img");
    img.className = "photo";
    img.alt = "photo";
    img.src = fileUrl(m.photo[m.photo.length - 1].file_id);
    parts.push(img);
  }
  if (m.document) {
    const d = m.document;
    const size = d.file_size ? formatSize(d.file_size) : "";
    parts.push(card("📄", d.file_name || t("file"), [size, d.mime_type || ""].filter(Boolean),
      [[`⬇ ${t("download")}`, fileUrl(d.file_id), d.file_name || "file"]]));
  }
  if (m.voice) {
    const v = m.voice;
    const size = v.file_size ? formatSize(v.file_size) : "";
    parts.push(card("🎤", `${t("voice")} · ${v.duration || 0}s`, [size, v.mime_type || ""].filter(Boolean),
      [[`⬇ ${t("download")}`, fileUrl(v.file_id), "voice.oga"]]));
  }
  if (m.forum_topic_created) {
    parts.push(card("💬", m.forum_topic_created.name, [t("topicCreated")]));
  }
  if (m.venue) parts.push(locationCard(m.venue.location, m.venue));
  else if (m.location) parts.push(locationCard(m.location, null));
  if (m.contact) {
    const c = m.contact;
    parts.push(card("👤", [c.first_name, c.last_name].filter(Boolean).join(" "), [c.phone_number]));
  }
  const tappable = Boolean(m.from_bot);
  if (typeof m.text === "string") parts.push(textBlock(m.text, m.entities, tappable));
  if (typeof m.caption === "string") {
    parts.push(textBlock(m.caption, m.caption_entities, tappable));
  }
  if (!parts.length) parts.push(textBlock("[unsupported message]", []));
  return parts;
}

function inlineKeyboard(m) {
  const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
  if (!rows.length) return null;
  const kb = document.createElement("div");
  kb.className = "inline-kb";
  for (const row of rows) {
    const rowEl = document.createElement("div");
    rowEl.className = "row";
    for (const button of row) {
      let el;
      if (isSafeUrl(button.url)) {
        el = safeLink(button.url);
      } else {
        el = document.createElement("button");
        el.type = "button";
        el.addEventListener("click", () => pressInline(m.message_id, button));
      }
      el.textContent = button.text;
      rowEl.append(el);
    }
    kb.append(rowEl);
  }
  return kb;
}

function formatTime(seconds) {
  const d = new Date(seconds * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function fillMessage(el, m) {
  const mine = !m.from_bot && m.from && m.from.id === user().id;
  el.className = `msg ${mine ? "out" : "in"} ${m.from_bot ? "from-bot" : "from-user"}`;
  el.dataset.messageId = m.message_id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (state.chatKind === "group" && !mine) {
    const sender = document.createElement("div");
    sender.className = "sender";
    sender.textContent = m.from ? [m.from.first_name, m.from.last_name].filter(Boolean).join(" ") : "";
    bubble.append(sender);
  }
  if (m.is_topic_message && m.message_thread_id && !m.forum_topic_created) {
    const topic = document.createElement("div");
    topic.className = "topic";
    topic.textContent = `# ${state.topics.get(m.message_thread_id) || `${t("topic")} ${m.message_thread_id}`}`;
    bubble.append(topic);
  }
  if (m.reply_to_message) {
    const quote = document.createElement("div");
    quote.className = "quote";
    const r = m.reply_to_message;
    quote.textContent = r.text || r.caption || "…";
    bubble.append(quote);
  }
  bubble.append(...contentOf(m));
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = (m.edit_date ? `${t("edited")} ` : "") + formatTime(m.edit_date || m.date);
  bubble.append(meta);
  const kb = inlineKeyboard(m);
  el.replaceChildren(bubble, ...(kb ? [kb] : []));
}

// Keyed by message_id: an edited message keeps its element and position (edited in place).
function renderMessages(messages) {
  const box = $("messages");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const seen = new Set();
  let appended = false;
  let previous = null;
  box.querySelector(".empty")?.remove();
  for (const m of messages) {
    seen.add(m.message_id);
    const key = JSON.stringify(m);
    let entry = state.rendered.get(m.message_id);
    if (!entry) {
      const el = document.createElement("div");
      fillMessage(el, m);
      entry = { key, el, editDate: m.edit_date };
      state.rendered.set(m.message_id, entry);
      if (previous) previous.after(el);
      else box.prepend(el);
      appended = true;
    } else if (entry.key !== key) {
      fillMessage(entry.el, m);
      if (m.edit_date && m.edit_date !== entry.editDate) {
        entry.el.classList.remove("flash");
        void entry.el.offsetWidth; // restart the highlight animation
        entry.el.classList.add("flash");
      }
      entry.key = key;
      entry.editDate = m.edit_date;
    }
    previous = entry.el;
  }
  for (const [id, entry] of state.rendered) {
    if (!seen.has(id)) {
      entry.el.remove();
      state.rendered.delete(id);
    }
  }
  if (!messages.length) {
    const empty = document.createElement("div");
    empty.className = "empty";
    empty.textContent = state.chatKind === "group" ? t("emptyGroup") : t("empty");
    box.append(empty);
  }
  $("start-panel").hidden = messages.length > 0 || state.chatKind === "group";
  if (appended || nearBottom) box.scrollTop = box.scrollHeight;
}

// --- reply keyboard -----------------------------------------------------------------------------
function renderReplyKeyboard(markup) {
  const panel = $("reply-keyboard");
  const changed = JSON.stringify(markup) !== JSON.stringify(state.replyKeyboard);
  state.replyKeyboard = markup;
  if (changed) state.keyboardOpen = true;
  panel.replaceChildren();
  const rows = (markup && markup.keyboard) || [];
  $("keyboard-btn").hidden = !rows.length;
  panel.hidden = !rows.length || !state.keyboardOpen;
  $("text").placeholder = (markup && markup.input_field_placeholder) || t("message");
  for (const row of rows) {
    const rowEl = document.createElement("div");
    rowEl.className = "row";
    for (const raw of row) {
      const button = typeof raw === "string" ? { text: raw } : raw;
      const el = document.createElement("button");
      el.type = "button";
      el.textContent = button.text;
      el.addEventListener("click", () => pressReply(button, markup));
      rowEl.append(el);
    }
    panel.append(rowEl);
  }
}

function pressReply(button, markup) {
  if (markup.one_time_keyboard) {
    state.keyboardOpen = false;
    $("reply-keyboard").hidden = true;
  }
  if (button.request_location) return openLocationDialog();
  if (button.request_contact) return openContactDialog();
  if (button.request_poll || button.request_users || button.request_chat || button.web_app) {
    return toast(t("unsupported"), true);
  }
  return inject({ kind: "text", text: button.text });
}

async function pressInline(messageId, button) {
  if (button.callback_data !== undefined) {
    return inject({ kind: "callback", message_id: messageId, data: button.callback_data });
  }
  if (button.copy_text && navigator.clipboard) {
    await navigator.clipboard.writeText(button.copy_text.text || "");
    return toast(t("copied"));
  }
  return toast(t("unsupported"), true);
}

// --- chat state -------------------------------------------------------------------------------
async function refresh() {
  // One refresh at a time; a request during one schedules exactly one more.
  if (state.refreshing) {
    state.refreshAgain = true;
    return state.refreshing;
  }
  state.refreshing = (async () => {
    do {
      state.refreshAgain = false;
      const id = chatId();
      // A chat exists once someone wrote in it; ask the list first rather than provoke a 404.
      const known = (await api("GET", "chats")).chats.some((c) => c.chat.id === id);
      const body = known
        ? await api("GET", `chats/${id}/messages`)
        : { messages: [], reply_keyboard: null };
      if (id !== chatId()) continue; // switched chats meanwhile
      state.topics = new Map((body.topics || []).map((tp) => [tp.message_thread_id, tp.name]));
      renderReplyKeyboard(body.reply_keyboard);
      renderMessages(body.messages);
    } while (state.refreshAgain);
  })();
  try {
    await state.refreshing;
  } finally {
    state.refreshing = null;
  }
}

function handleRecord(record) {
  if (record.method === "answerCallbackQuery" && record.ok && record.chat_id === chatId()) {
    if (record.text) {
      if (record.show_alert) showAlert(record.text);
      else toast(record.text);
    }
    return false;
  }
  if (record.method === "sendChatAction" && record.ok && record.chat_id === chatId()) {
    setTyping(true);
    return false;
  }
  if (record.chat_id === chatId()) {
    if (record.method.startsWith("send")) setTyping(false);
    return true;
  }
  const other = state.config.group && record.chat_id === state.config.group.id ? "group"
    : record.chat_id === user().id ? "private" : null;
  if (other && record.ok && record.method.startsWith("send")) {
    state.unread.add(other);
    renderChrome();
  }
  return false;
}

// Long poll of the call log: every bot call after `seq`; changes to the open chat re-read it.
async function pollLoop() {
  for (;;) {
    try {
      const body = await api("GET", `sent?after=${state.seq}&wait=25`);
      setOffline(false);
      let dirty = false;
      for (const record of body.records) dirty = handleRecord(record) || dirty;
      state.seq = Math.max(state.seq, body.last_seq);
      if (dirty) await refresh();
    } catch (error) {
      setOffline(true);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await reconnect();
    }
  }
}

async function reconnect() {
  // A restarted sandbox has a new bot token: reload the page to pick it up.
  try {
    const response = await fetch("/chat/config.json", { cache: "no-store" });
    const config = await response.json();
    if (config.token !== state.config.token) window.location.reload();
  } catch (error) {
    /* still down; the poll loop retries */
  }
}

function setOffline(offline) {
  $("offline").hidden = !offline;
}

function setTyping(on) {
  clearTimeout(state.typingTimer);
  $("chat-subtitle").textContent = on ? t("typing") : subtitle();
  if (on) state.typingTimer = setTimeout(() => setTyping(false), 5000);
}

function subtitle() {
  return state.chatKind === "group" ? t("members") : t("bot");
}

// --- dialogs, toasts ------------------------------------------------------------------------------
function toast(text, isError = false) {
  const el = $("toast");
  el.textContent = text;
  el.classList.toggle("error", isError);
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, isError ? 5000 : 3000);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert-dialog").showModal();
}

function openLocationDialog() {
  $("location-error").textContent = "";
  for (const id of ["lat", "lon"]) $(id).removeAttribute("aria-invalid");
  $("location-dialog").showModal();
}

function parseCoordinate(raw, limit, message) {
  const text = raw.trim().replace(/，/g, ",");
  if (!/^[-+]?\d+(\.\d+)?$/.test(text)) return { error: t("badNumber") };
  const value = Number(text);
  if (Math.abs(value) > limit) return { error: t(message) };
  return { value };
}

async function sendLocation(latitude, longitude) {
  $("location-dialog").close();
  await inject({ kind: "location", latitude, longitude });
}

function submitManualLocation() {
  // A pasted "29.415, 103.55" in the first field fills both.
  const latInput = $("lat");
  const lonInput = $("lon");
  const pair = latInput.value.split(/[,，\s]+/).filter(Boolean);
  if (pair.length === 2 && !lonInput.value.trim()) [latInput.value, lonInput.value] = pair;
  const lat = parseCoordinate(latInput.value, 90, "badLat");
  const lon = parseCoordinate(lonInput.value, 180, "badLon");
  latInput.setAttribute("aria-invalid", String(Boolean(lat.error)));
  lonInput.setAttribute("aria-invalid", String(Boolean(lon.error)));
  const error = lat.error ? `${t("latitude")}: ${lat.error}` : lon.error ? `${t("longitude")}: ${lon.error}` : "";
  $("location-error").textContent = error;
  if (!error) sendLocation(lat.value, lon.value);
}

function openContactDialog() {
  $("contact-text").textContent = t("contactText", { phone: user().phone, bot: state.config.title });
  $("contact-dialog").showModal();
}

async function sendContact() {
  $("contact-dialog").close();
  const u = user();
  await inject({ kind: "contact", phone_number: u.phone, first_name: u.first_name, user_id: u.id });
}

function sendPhoto(file) {
  const limit = state.config.limits.photo_bytes;
  if (!/^image\/(jpeg|png|gif|webp)$/.test(file.type)) return toast(t("notImage"), true);
  if (file.size > limit) {
    const mb = (n) => String(Number((n / 1024 / 1024).toFixed(1))); // 10, 12.5
    return toast(t("tooLarge", { size: mb(file.size), limit: mb(limit) }), true);
  }
  const reader = new FileReader();
  reader.onload = async () => {
    const base64 = String(reader.result).split(",", 2)[1] || "";
    const caption = $("text").value.trim();
    const ok = await inject({ kind: "photo", content_base64: base64, caption: caption || undefined });
    if (ok) $("text").value = "";
  };
  reader.readAsDataURL(file);
}

// The bundled sample photos: as a file by default (a document keeps its EXIF GPS and time on
// Telegram), or as a compressed photo.
function openSampleDialog() {
  $("sample-dialog").showModal();
}

function bytesToBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

async function sendSample(sample, asPhoto) {
  $("sample-dialog").close();
  let base64;
  try {
    const response = await fetch(sample.url, { cache: "no-cache" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    base64 = bytesToBase64(await response.arrayBuffer());
  } catch (error) {
    return toast(t("sampleFailed", { error: error.message }), true);
  }
  const caption = $("text").value.trim() || undefined; // as with a chosen photo
  const spec = asPhoto
    ? { kind: "photo", content_base64: base64, caption }
    : {
      kind: "document",
      content_base64: base64,
      file_name: sample.file_name || `${sample.name}.jpg`,
      mime_type: "image/jpeg",
      caption,
    };
  if (await inject(spec)) $("text").value = "";
}

async function showCommands() {
  const menu = $("commands-menu");
  if (!menu.hidden) return (menu.hidden = true);
  const lists = (await api("GET", "commands")).commands;
  // Telegram's precedence: this chat's scope, then the chat type's, then default; per language.
  const id = chatId();
  const scopes = [
    (s) => s.type === "chat" && Number(s.chat_id) === id,
    (s) => s.type === (state.chatKind === "group" ? "all_group_chats" : "all_private_chats"),
    (s) => s.type === "default",
  ];
  let chosen = null;
  for (const matches of scopes) {
    const candidates = lists.filter((l) => matches(l.scope));
    chosen = candidates.find((l) => l.language_code === state.lang)
      || candidates.find((l) => l.language_code === "");
    if (chosen) break;
  }
  menu.replaceChildren();
  for (const command of (chosen && chosen.commands) || []) {
    const button = document.createElement("button");
    button.type = "button";
    const name = document.createElement("span");
    name.className = "cmd";
    name.textContent = `/${command.command}`;
    const desc = document.createElement("span");
    desc.className = "desc";
    desc.textContent = command.description;
    button.append(name, desc);
    button.addEventListener("click", () => {
      menu.hidden = true;
      inject({ kind: "text", text: `/${command.command}` });
    });
    menu.append(button);
  }
  if (!menu.childElementCount) {
    const none = document.createElement("button");
    none.disabled = true;
    none.textContent = t("noCommands");
    menu.append(none);
  }
  menu.hidden = false;
}

// --- chrome ---------------------------------------------------------------------------------------
function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-title]")) el.title = t(el.dataset.tTitle);
  $("lang-toggle").textContent = state.lang === "zh" ? "EN" : "中文";
  $("note").textContent = state.config.notes[state.lang] || "";
  const select = $("identity");
  select.replaceChildren();
  for (const u of state.config.users) {
    const option = document.createElement("option");
    option.value = u.key;
    option.textContent = `${u.first_name} · ${state.lang === "zh" ? u.role_zh : u.role_en}`;
    select.append(option);
  }
  select.value = state.userKey;
  renderPresets();
  renderSamples();
  renderChrome();
}

function renderChrome() {
  const group = state.chatKind === "group" && state.config.group;
  $("chat-title").textContent = group ? state.config.group.title : state.config.title;
  $("chat-subtitle").textContent = subtitle();
  $("chat-avatar").textContent = group ? "管" : "暖";
  $("chat-avatar").classList.toggle("group", Boolean(group));
  const tabs = $("chat-tabs");
  tabs.replaceChildren();
  const kinds = state.config.group ? ["private", "group"] : ["private"];
  for (const kind of kinds) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.role = "tab";
    tab.dataset.chat = kind;
    tab.textContent = t(kind);
    tab.setAttribute("aria-selected", String(kind === state.chatKind));
    tab.classList.toggle("unread", state.unread.has(kind));
    tab.addEventListener("click", () => switchTo(state.userKey, kind));
    tabs.append(tab);
  }
}

function renderPresets() {
  const box = $("presets");
  box.replaceChildren();
  for (const place of state.config.places) {
    const button = document.createElement("button");
    button.type = "button";
    button.append(place.label);
    const small = document.createElement("small");
    small.textContent = `${place.latitude.toFixed(4)}, ${place.longitude.toFixed(4)}`;
    button.append(small);
    button.addEventListener("click", () => sendLocation(place.latitude, place.longitude));
    box.append(button);
  }
}

const sampleThumbs = new Map(); // name -> <img>, kept across languages (loaded once)

function sampleThumb(sample) {
  let img = sampleThumbs.get(sample.name);
  if (!img) {
    img = document.createElement("img");
    img.className = "thumb";
    img.alt = "";
    img.loading = "lazy";
    img.src = sample.url;
    sampleThumbs.set(sample.name, img);
  }
  return img;
}

function renderSamples() {
  const samples = state.config.samples || [];
  document.querySelector('#attach-menu [data-action="sample"]').hidden = !samples.length;
  const box = $("samples");
  box.replaceChildren();
  for (const sample of samples) {
    const row = document.createElement("div");
    row.className = "sample";
    row.dataset.sample = sample.name;
    const asFile = document.createElement("button");
    asFile.type = "button";
    asFile.className = "sample-file";
    const text = document.createElement("span");
    text.className = "sample-text";
    text.append(state.lang === "zh" ? sample.label_zh : sample.label_en);
    const coords = document.createElement("small");
    coords.textContent = `${sample.lat.toFixed(4)}, ${sample.lon.toFixed(4)}`;
    const how = document.createElement("small");
    how.textContent = t("asFile");
    text.append(coords, how);
    asFile.append(sampleThumb(sample), text);
    asFile.addEventListener("click", () => sendSample(sample, false));
    const asPhoto = document.createElement("button");
    asPhoto.type = "button";
    asPhoto.className = "sample-photo";
    asPhoto.textContent = t("asPhoto");
    asPhoto.title = t("asPhotoTitle");
    asPhoto.addEventListener("click", () => sendSample(sample, true));
    row.append(asFile, asPhoto);
    box.append(row);
  }
}

function switchTo(userKey, chatKind) {
  if (userKey !== state.userKey) state.unread.clear();
  state.userKey = userKey;
  state.chatKind = chatKind;
  state.unread.delete(chatKind);
  localStorage.setItem("sandbox.user", userKey);
  localStorage.setItem("sandbox.chat", chatKind);
  const url = new URL(window.location.href);
  url.searchParams.set("as", userKey);
  url.searchParams.set("chat", chatKind);
  history.replaceState(null, "", url);
  state.rendered.clear();
  state.replyKeyboard = null;
  $("messages").replaceChildren();
  $("commands-menu").hidden = true;
  $("attach-menu").hidden = true;
  renderChrome();
  $("identity").value = userKey;
  refresh().catch(() => setOffline(true));
}

function bind() {
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    inject({ kind: "text", text });
  });
  $("start-btn").addEventListener("click", () => inject({ kind: "text", text: "/start" }));
  $("identity").addEventListener("change", (event) => switchTo(event.target.value, state.chatKind));
  $("lang-toggle").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("sandbox.lang", state.lang);
    applyLanguage();
    state.rendered.clear();
    $("messages").replaceChildren();
    refresh();
  });
  $("keyboard-btn").addEventListener("click", () => {
    state.keyboardOpen = !state.keyboardOpen;
    $("reply-keyboard").hidden = !state.keyboardOpen;
  });
  $("attach-btn").addEventListener("click", () => {
    $("commands-menu").hidden = true;
    $("attach-menu").hidden = !$("attach-menu").hidden;
  });
  $("commands-btn").addEventListener("click", () => {
    $("attach-menu").hidden = true;
    showCommands().catch((error) => toast(error.message, true));
  });
  $("attach-menu").addEventListener("click", (event) => {
    const action = event.target.closest("button")?.dataset.action;
    $("attach-menu").hidden = true;
    if (action === "photo") $("photo-input").click();
    if (action === "location") openLocationDialog();
    if (action === "contact") openContactDialog();
    if (action === "sample") openSampleDialog();
  });
  $("photo-input").addEventListener("change", (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (file) sendPhoto(file);
  });
  $("location-send").addEventListener("click", submitManualLocation);
  $("location-cancel").addEventListener("click", () => $("location-dialog").close());
  $("contact-send").addEventListener("click", sendContact);
  $("contact-cancel").addEventListener("click", () => $("contact-dialog").close());
  $("sample-cancel").addEventListener("click", () => $("sample-dialog").close());
}

async function main() {
  state.config = await (await fetch("/chat/config.json", { cache: "no-store" })).json();
  const params = new URLSearchParams(window.location.search);
  const keys = state.config.users.map((u) => u.key);
  const pick = (value, allowed, fallback) => (allowed.includes(value) ? value : fallback);
  state.lang = pick(params.get("lang") || localStorage.getItem("sandbox.lang"), ["zh", "en"], "zh");
  state.userKey = pick(params.get("as") || localStorage.getItem("sandbox.user"), keys, keys[0]);
  const chats = state.config.group ? ["private", "group"] : ["private"];
  state.chatKind = pick(params.get("chat") || localStorage.getItem("sandbox.chat"), chats, "private");
  bind();
  applyLanguage();
  const body = await api("GET", "chats");
  state.seq = body.last_seq; // answers to callbacks before this page load are not toasted
  await refresh();
  document.body.dataset.ready = "true";
  pollLoop();
}

main().catch((error) => {
  setOffline(true);
  console.error(error);
});
