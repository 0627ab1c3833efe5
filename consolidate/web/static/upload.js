// Drag and drop (or choose) many files: each is sent on its own request, one after the
// other, and its outcome is written beside its name as soon as the server has ingested it.
(function () {
  "use strict";
  const zone = document.getElementById("drop");
  const input = document.getElementById("files");
  const body = document.querySelector("#results tbody");
  const bar = document.getElementById("bar");
  const count = document.getElementById("count");
  const queue = [];
  let total = 0, done = 0, running = false;

  function cell(row, text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text || "";
    row.appendChild(td);
    return td;
  }

  function addRow(file) {
    const row = document.createElement("tr");
    row.className = "waiting";
    cell(row, file.name);
    cell(row, "Đang chờ…", "outcome");
    cell(row, "");
    cell(row, "");
    body.appendChild(row);
    document.getElementById("empty").hidden = true;
    return row;
  }

  function findings(td, items) {
    if (!items || !items.length) return;
    const ul = document.createElement("ul");
    ul.className = "findings";
    for (const f of items) {
      const li = document.createElement("li");
      li.className = f.severity;
      const sev = document.createElement("span");
      sev.className = "sev";
      sev.textContent = f.label;
      li.appendChild(sev);
      li.appendChild(document.createTextNode(" " + f.where + f.message));
      ul.appendChild(li);
    }
    td.appendChild(ul);
  }

  function show(row, result) {
    row.className = result.outcome;
    const text = result.outcome_text;
    row.children[1].textContent = text.charAt(0).toUpperCase() + text.slice(1);
    if (result.unit) {
      row.children[2].textContent = (result.unit_name || result.unit) + " (" + result.unit + ")";
    }
    findings(row.children[3], result.findings);
  }

  function fail(row, message) {
    row.className = "rejected";
    row.children[1].textContent = "Không tải lên được";
    row.children[3].textContent = message;
  }

  function progress(extra) {
    document.getElementById("progress").hidden = false;
    bar.value = total ? (done + extra) / total : 0;
    count.textContent = "Đã xử lý " + done + "/" + total + " tệp";
  }

  function send(item) {
    return new Promise(function (resolve) {
      const xhr = new XMLHttpRequest();
      const data = new FormData();
      data.append("files", item.file, item.file.name);
      xhr.open("POST", zone.dataset.url);
      xhr.setRequestHeader("X-CSRF-Token", zone.dataset.csrf);
      xhr.setRequestHeader("Accept", "application/json");
      item.row.children[1].textContent = "Đang tải lên…";
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) {
          progress(e.loaded / e.total * 0.5);
          if (e.loaded === e.total) item.row.children[1].textContent = "Đang kiểm tra…";
        }
      };
      xhr.onload = function () {
        let answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (xhr.status === 200 && answer && answer.files && answer.files.length) {
          show(item.row, answer.files[0]);
        } else {
          fail(item.row, (answer && answer.error) || ("Lỗi " + xhr.status));
        }
        resolve();
      };
      xhr.onerror = function () {
        fail(item.row, "Mất kết nối với chương trình: hãy kiểm tra cửa sổ chạy consolidate serve.");
        resolve();
      };
      xhr.send(data);
    });
  }

  function next() {
    const item = queue.shift();
    if (!item) {
      running = false;
      document.body.classList.remove("busy");
      return;
    }
    running = true;
    document.body.classList.add("busy");
    send(item).then(function () {
      done += 1;
      progress(0);
      next();
    });
  }

  function add(files) {
    for (const file of files) {
      queue.push({ file: file, row: addRow(file) });
      total += 1;
    }
    progress(0);
    if (!running) next();
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (e) {
      e.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) add(e.dataTransfer.files);
  });
  input.addEventListener("change", function () {
    add(Array.from(input.files));
    input.value = "";
  });
  window.addEventListener("beforeunload", function (e) {
    if (running) { e.preventDefault(); e.returnValue = ""; }
  });
  zone.dataset.ready = "1";  // files dropped from now on are taken
})();
