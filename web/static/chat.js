// The chat sandbox without page reloads: forms marked data-fetch are posted with fetch and the
// chat is replaced by the HTML the server sends back; the chat is polled for notices (report
// progress, broadcasts) that arrive on their own. Without this script the forms still work.
(function () {
  "use strict";
  var page = document.querySelector(".chat-page");
  if (!page) return;
  var csrf = page.getAttribute("data-csrf");
  var busy = false;

  function scrollToEnd() {
    var end = document.getElementById("end");
    if (end) end.scrollIntoView({block: "end"});
  }

  function replaceChat(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#chat");
    var current = document.getElementById("chat");
    if (!fresh || !current) return false;
    var changed = fresh.getAttribute("data-version") !== current.getAttribute("data-version") ||
      fresh.querySelector(".toast") !== null;
    if (changed) {
      current.replaceWith(fresh);
      scrollToEnd();
    }
    return changed;
  }

  function request(url, options) {
    options.headers = {"X-Requested-With": "fetch", "X-CSRF-Token": csrf};
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) {
          var doc = document.createElement("div");
          doc.innerHTML = text;
          var message = doc.querySelector(".message");
          throw new Error(message ? message.textContent : "发送失败，请重试。");
        }
        return text;
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-fetch") || busy) return;
    event.preventDefault();
    busy = true;
    page.classList.add("busy");
    request(form.action, {method: "POST", body: new FormData(form)})
      .then(function (html) {
        replaceChat(html);
        if (form.classList.contains("composer") || form.closest("details")) form.reset();
        var details = form.closest("details");
        if (details) details.open = false;
      })
      .catch(function (error) { window.alert(error.message); })
      .then(function () {
        busy = false;
        page.classList.remove("busy");
        var input = document.querySelector(".composer input[name=text]");
        if (input) input.focus();
      });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-open]");
    if (!link) return;
    var panel = document.getElementById(link.getAttribute("data-open"));
    if (panel) panel.open = true;
  });

  window.setInterval(function () {
    if (busy || document.hidden) return;
    request("/chat/transcript", {method: "GET"}).then(replaceChat).catch(function () {});
  }, 4000);

  scrollToEnd();
})();
