// sohoa review page: plain JS, no build, no CDN.
"use strict";

const FIELD_LABELS = {
  document_number: "Số văn bản", issue_date: "Ngày ban hành", issue_place: "Nơi ban hành",
  issuing_authority: "Cơ quan ban hành", parent_authority: "Cơ quan chủ quản", title: "Tên văn bản",
  subject: "Trích yếu", holder_name: "Người / tổ chức được cấp", date_of_birth: "Ngày sinh",
  personal_id: "Số CCCD / CMND", business_code: "Mã số doanh nghiệp / thuế", address: "Địa chỉ",
  phone: "Điện thoại", recipient: "Kính gửi", scope: "Phạm vi hoạt động",
  valid_until: "Có hiệu lực đến", signer_title: "Chức vụ người ký", signer_name: "Người ký",
};
const STATUS_LABELS = { processed: "chờ duyệt", corrected: "đã sửa", approved: "đã duyệt",
  failed: "lỗi", queued: "đang chờ", processing: "đang xử lý" };
const LOW = 0.8;

const $ = (sel) => document.querySelector(sel);
const state = { key: localStorage.getItem("sohoa.apiKey") || "", vocab: null, queue: [], index: -1,
  doc: null, page: 1, edits: {}, boxEdits: {}, docType: null, selected: null, imgUrl: null,
  drawing: false, drag: null, openingId: null, openSeq: 0 };

function setStatus(text, isError) {
  const el = $("#status");
  el.textContent = text || "";
  el.classList.toggle("error", !!isError);
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {}, { Authorization: "Bearer " + state.key });
  const resp = await fetch(path, Object.assign({}, options, { headers }));
  if (!resp.ok) {
    let message = resp.status + "";
    try { const body = await resp.json(); message = body.error ? body.error.message : message; } catch (e) {}
    if (resp.status === 401) message = "Khóa API không hợp lệ: " + message;
    throw new Error(message);
  }
  return resp;
}

async function loadVocabulary() {
  state.vocab = await (await api("/v1/vocabulary")).json();
  const sel = $("#doc-type");
  sel.innerHTML = "";
  for (const [label, name] of Object.entries(state.vocab.doc_types)) {
    const opt = document.createElement("option");
    opt.value = label; opt.textContent = name + " (" + label + ")";
    sel.appendChild(opt);
  }
  const add = $("#new-field-name");
  add.innerHTML = "";
  for (const name of state.vocab.fields) {
    const opt = document.createElement("option");
    opt.value = name; opt.textContent = FIELD_LABELS[name] || name;
    add.appendChild(opt);
  }
}

async function loadQueue(keepId) {
  const statuses = $("#show-approved").checked ? "processed,corrected,approved" : "processed,corrected";
  const body = await (await api("/v1/documents?sort=confidence&limit=200&status=" + statuses)).json();
  state.queue = body.items;
  const list = $("#queue");
  list.innerHTML = "";
  body.items.forEach((d, i) => {
    const li = document.createElement("li");
    li.dataset.id = d.id;
    const conf = d.confidence == null ? "—" : d.confidence.toFixed(2);
    li.innerHTML = '<span class="conf"></span><span class="name"></span><div class="meta"></div>';
    li.querySelector(".conf").textContent = conf;
    li.querySelector(".conf").classList.toggle("low", d.confidence != null && d.confidence < LOW);
    li.querySelector(".name").textContent = d.filename;
    li.querySelector(".meta").textContent = (state.vocab.doc_types[d.doc_type] || d.doc_type || "?") +
      " · " + (STATUS_LABELS[d.status] || d.status) + " · " + d.pages + " trang";
    li.addEventListener("click", () => openDoc(i));
    list.appendChild(li);
  });
  $("#queue-empty").hidden = body.items.length > 0;
  let index = keepId ? body.items.findIndex((d) => d.id === keepId) : -1;
  if (index < 0 && body.items.length) index = Math.min(Math.max(state.index, 0), body.items.length - 1);
  if (index >= 0) await openDoc(index, true); else clearDoc();
}

function clearDoc() {
  state.doc = null; state.index = -1; state.openingId = null; state.openSeq++;
  $("#doc-title").textContent = "Chọn một văn bản";
  $("#doc-meta").textContent = "";
  $("#fields tbody").innerHTML = "";
  $("#page-img").removeAttribute("src");
  $("#boxes").innerHTML = "";
}

// Opening is async: the queue opens its first document while the reviewer may already be
// clicking. Opening the document that is open (or opening) again would rebuild the field table
// and drop the reviewer's selection and edits, so only `reload` (a refreshed queue) does that;
// and a response that a later openDoc overtook is dropped instead of drawn over the newer one.
async function openDoc(index, reload = false) {
  if (index < 0 || index >= state.queue.length) return;
  const item = state.queue[index];
  if (!reload && state.openingId === item.id) return;
  const seq = ++state.openSeq;
  state.openingId = item.id;
  state.index = index;
  document.querySelectorAll("#queue li").forEach((li, i) => li.classList.toggle("current", i === index));
  document.querySelectorAll("#queue li")[index].scrollIntoView({ block: "nearest" });
  let doc;
  try {
    doc = await (await api("/v1/documents/" + item.id)).json();
  } catch (e) {
    if (seq === state.openSeq) { state.openingId = null; setStatus("Lỗi khi mở: " + e.message, true); }
    return;
  }
  if (seq !== state.openSeq) return;
  state.doc = doc;
  state.edits = {}; state.boxEdits = {}; state.docType = null; state.selected = null; state.page = 1;
  setDrawing(false);
  renderDoc();
  await showPage(1);
}

function renderDoc() {
  const doc = state.doc;
  $("#doc-title").textContent = doc.source ? doc.source.filename : doc.id;
  const badge = '<span class="badge ' + doc.status + '">' + (STATUS_LABELS[doc.status] || doc.status) + "</span>";
  $("#doc-meta").innerHTML = badge + " ";
  $("#doc-meta").append("Loại (máy): " + (doc.review.machine_doc_type || "?") + " · tin cậy " +
    (doc.doc_type ? doc.doc_type.confidence.toFixed(2) : "—") +
    (doc.review.approved_by ? " · duyệt bởi " + doc.review.approved_by : ""));
  $("#doc-type").value = doc.doc_type ? doc.doc_type.label : "other";
  const tbody = $("#fields tbody");
  tbody.innerHTML = "";
  const names = Object.keys(doc.fields).sort((a, b) =>
    state.vocab.fields.indexOf(a) - state.vocab.fields.indexOf(b));
  for (const name of names) addFieldRow(name, doc.fields[name]);
}

function addFieldRow(name, field) {
  const tr = document.createElement("tr");
  tr.dataset.field = name;
  tr.innerHTML = '<td class="name"></td><td><input type="text"></td><td class="conf"></td>';
  tr.querySelector(".name").textContent = FIELD_LABELS[name] || name;
  const small = document.createElement("small"); small.textContent = name + (field.source === "reviewer" ? " · đã sửa" : "");
  tr.querySelector(".name").appendChild(small);
  const input = tr.querySelector("input");
  input.value = field.value || "";
  input.setAttribute("aria-label", FIELD_LABELS[name] || name);
  input.dataset.original = input.value;
  input.addEventListener("input", () => {
    if (input.value !== input.dataset.original) state.edits[name] = input.value; else delete state.edits[name];
    tr.classList.toggle("changed", name in state.edits);
  });
  input.addEventListener("focus", () => selectField(name));
  const conf = tr.querySelector(".conf");
  conf.textContent = field.confidence != null ? field.confidence.toFixed(2) : "—";
  conf.classList.toggle("low", field.confidence != null && field.confidence < LOW);
  tr.addEventListener("click", () => selectField(name));
  $("#fields tbody").appendChild(tr);
  return tr;
}

async function selectField(name) {
  state.selected = name;
  document.querySelectorAll("#fields tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.field === name));
  const field = state.doc.fields[name];
  if (field && field.page && field.page !== state.page) await showPage(field.page); else drawBoxes();
  const rect = document.querySelector('#boxes rect[data-field="' + name + '"]');
  if (rect) $("#page-img").scrollIntoView({ block: "nearest" });
}

async function showPage(n) {
  const pages = state.doc.pages || [];
  if (!pages.length) return;
  n = Math.max(1, Math.min(n, pages.length));
  state.page = n;
  $("#page-label").textContent = "Trang " + n + " / " + pages.length;
  const doc = state.doc;
  const blob = await (await api("/v1/documents/" + doc.id + "/pages/" + n + ".png")).blob();
  if (!state.doc || state.doc.id !== doc.id || state.page !== n) return;  // the reviewer moved on meanwhile
  if (state.imgUrl) URL.revokeObjectURL(state.imgUrl);
  state.imgUrl = URL.createObjectURL(blob);
  $("#page-img").src = state.imgUrl;
  drawBoxes();
}

function drawBoxes() {
  const page = (state.doc.pages || [])[state.page - 1];
  const svg = $("#boxes");
  svg.innerHTML = "";
  if (!page) return;
  svg.setAttribute("viewBox", "0 0 " + page.width + " " + page.height);
  svg.setAttribute("preserveAspectRatio", "none");
  const ns = "http://www.w3.org/2000/svg";
  const rect = (b, cls, name) => {
    const r = document.createElementNS(ns, "rect");
    r.setAttribute("x", b[0]); r.setAttribute("y", b[1]);
    r.setAttribute("width", Math.max(1, b[2] - b[0])); r.setAttribute("height", Math.max(1, b[3] - b[1]));
    if (cls) r.setAttribute("class", cls);
    if (name) r.dataset.field = name;
    svg.appendChild(r);
  };
  for (const block of page.blocks || []) for (const line of block.lines || []) rect(line.bbox, "line");
  for (const [name, f] of Object.entries(state.doc.fields)) {
    if (state.boxEdits[name]) continue;
    if (f.page === state.page && f.bbox && f.bbox.some((v) => v)) rect(f.bbox, name === state.selected ? "selected" : "", name);
  }
  for (const [name, e] of Object.entries(state.boxEdits)) {
    if (e.page === state.page) rect(e.bbox, "edited" + (name === state.selected ? " selected" : ""), name);
  }
  if (state.drag && state.drag.now) {
    const d = state.drag;
    rect([Math.min(d.x, d.now.x), Math.min(d.y, d.now.y), Math.max(d.x, d.now.x), Math.max(d.y, d.now.y)], "draft");
  }
}

// Drawing a field's box: B (or the button) with a field selected, then drag on the page.
function setDrawing(on) {
  state.drawing = !!on && !!state.selected;
  $("#page-wrap").classList.toggle("drawing", state.drawing);
  if (state.drawing) setStatus("Kéo chuột trên trang để vẽ khung cho “" + (FIELD_LABELS[state.selected] || state.selected) + "”");
}

function pagePoint(ev) {
  const page = (state.doc.pages || [])[state.page - 1];
  const r = $("#page-img").getBoundingClientRect();
  const x = Math.round((ev.clientX - r.left) * page.width / r.width);
  const y = Math.round((ev.clientY - r.top) * page.height / r.height);
  return { x: Math.max(0, Math.min(page.width, x)), y: Math.max(0, Math.min(page.height, y)) };
}

$("#page-wrap").addEventListener("mousedown", (ev) => {
  if (!state.drawing || !state.doc) return;
  ev.preventDefault();
  state.drag = pagePoint(ev);
});
document.addEventListener("mousemove", (ev) => {
  if (!state.drag) return;
  state.drag.now = pagePoint(ev);
  drawBoxes();
});
document.addEventListener("mouseup", (ev) => {
  if (!state.drag) return;
  const a = state.drag, b = pagePoint(ev);
  state.drag = null;
  const box = [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)];
  if (box[2] - box[0] > 3 && box[3] - box[1] > 3 && state.selected) {
    state.boxEdits[state.selected] = { bbox: box, page: state.page };
    const tr = document.querySelector('#fields tr[data-field="' + state.selected + '"]');
    if (tr) tr.classList.add("changed");
    setStatus("Đã vẽ khung; Ctrl+S để lưu");
  }
  setDrawing(false);
  drawBoxes();
});

async function save() {
  if (!state.doc) return false;
  const body = { fields: {} };
  for (const [name, value] of Object.entries(state.edits)) body.fields[name] = { value };
  for (const [name, e] of Object.entries(state.boxEdits)) {
    const input = document.querySelector('#fields tr[data-field="' + name + '"] input');
    body.fields[name] = Object.assign(body.fields[name] || { value: input ? input.value : "" }, { bbox: e.bbox, page: e.page });
  }
  const label = $("#doc-type").value;
  if (state.doc.doc_type && label !== state.doc.doc_type.label) body.doc_type = label;
  if (!Object.keys(body.fields).length && !body.doc_type) { setStatus("Không có gì để lưu"); return true; }
  try {
    state.doc = await (await api("/v1/documents/" + state.doc.id, { method: "PATCH",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).json();
    state.edits = {}; state.boxEdits = {};
    const selected = state.selected;
    renderDoc(); drawBoxes();
    if (selected) selectField(selected);
    setStatus("Đã lưu sửa");
    return true;
  } catch (e) { setStatus("Lỗi khi lưu: " + e.message, true); return false; }
}

async function approve() {
  if (!state.doc) return;
  if (!(await save())) return;
  try {
    const id = state.doc.id;
    await api("/v1/documents/" + id + "/approve", { method: "POST" });
    setStatus("Đã duyệt " + (state.doc.source ? state.doc.source.filename : id));
    const next = state.queue[state.index + 1];
    await loadQueue($("#show-approved").checked ? id : next && next.id);
  } catch (e) { setStatus("Lỗi khi duyệt: " + e.message, true); }
}

function addField() {
  const name = $("#new-field-name").value;
  if (!state.doc || !name) return;
  let tr = document.querySelector('#fields tr[data-field="' + name + '"]');
  if (!tr) tr = addFieldRow(name, { value: "", confidence: null, page: state.page });
  tr.querySelector("input").focus();
}

function onKey(ev) {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "s") { ev.preventDefault(); save(); return; }
  if (ev.key === "Escape") { document.activeElement.blur(); state.drag = null; setDrawing(false); return; }
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const key = ev.key.toLowerCase();
  if (key === "j") { ev.preventDefault(); openDoc(state.index + 1); }
  else if (key === "k") { ev.preventDefault(); openDoc(state.index - 1); }
  else if (key === "a") { ev.preventDefault(); approve(); }
  else if (key === "e") {
    ev.preventDefault();
    const name = state.selected || (document.querySelector("#fields tr") || {}).dataset?.field;
    const input = name && document.querySelector('#fields tr[data-field="' + name + '"] input');
    if (input) { input.focus(); input.select(); }
  }
  else if (key === "b") { ev.preventDefault(); setDrawing(!state.drawing); }
  else if (ev.key === "[") showPage(state.page - 1);
  else if (ev.key === "]") showPage(state.page + 1);
}

async function start() {
  if (!state.key) { setStatus("Nhập khóa API để bắt đầu"); return; }
  try {
    setStatus("Đang tải…");
    await loadVocabulary();
    await loadQueue();
    setStatus(state.queue.length ? state.queue.length + " văn bản" : "Hàng đợi trống");
  } catch (e) { setStatus(e.message, true); }
}

$("#api-key").value = state.key;
$("#key-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  state.key = $("#api-key").value.trim();
  localStorage.setItem("sohoa.apiKey", state.key);
  $("#api-key").blur();
  start();
});
$("#show-approved").addEventListener("change", () => loadQueue(state.doc && state.doc.id));
$("#prev-page").addEventListener("click", () => showPage(state.page - 1));
$("#next-page").addEventListener("click", () => showPage(state.page + 1));
$("#save-btn").addEventListener("click", save);
$("#approve-btn").addEventListener("click", approve);
$("#box-btn").addEventListener("click", () => setDrawing(!state.drawing));
$("#add-field-btn").addEventListener("click", addField);
document.addEventListener("keydown", onKey);
start();
