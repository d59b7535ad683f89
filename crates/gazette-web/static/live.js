// Live comments for the article page: progressive enhancement, no framework, no build step.
// The page works without this file; with it, comments approved while the reader is on the page
// appear in their thread. The server sends each comment's HTML exactly as the page renders it.
(function () {
  "use strict";
  var section = document.getElementById("comments");
  if (!section || !window.EventSource || !window.JSON) {
    return;
  }
  var url = section.getAttribute("data-live");
  if (!url) {
    return;
  }
  var heading = section.querySelector("h2");
  var status = document.createElement("p");
  status.className = "live-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  heading.parentNode.insertBefore(status, heading.nextSibling);

  var added = 0;
  var elsewhere = 0;
  function report() {
    var parts = [];
    if (added) {
      parts.push(added === 1 ? "1 new comment below." : added + " new comments below.");
    }
    if (elsewhere) {
      parts.push(elsewhere === 1 ? "1 new reply on another page." : elsewhere + " new replies on other pages.");
    }
    status.textContent = parts.join(" ");
  }

  function listFor(comment) {
    if (!comment.parent) {
      var top = section.querySelector("ol.comment-list");
      if (!top) {
        top = document.createElement("ol");
        top.className = "comment-list";
        status.parentNode.insertBefore(top, status.nextSibling);
      }
      return top;
    }
    var parent = document.getElementById("comment-" + comment.parent);
    if (!parent || !parent.parentNode) {
      return null;
    }
    var item = parent.parentNode;
    for (var i = 0; i < item.children.length; i++) {
      if (item.children[i].tagName === "OL" && item.children[i].classList.contains("children")) {
        return item.children[i];
      }
    }
    var children = document.createElement("ol");
    children.className = "children";
    item.appendChild(children);
    return children;
  }

  var after = section.getAttribute("data-after") || "0";
  var source = new EventSource(url + "?after=" + encodeURIComponent(after));
  source.addEventListener("comment", function (event) {
    var comment;
    try {
      comment = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (comment.heading) {
      heading.textContent = comment.heading;
    }
    var template = document.createElement("template");
    template.innerHTML = comment.html;
    var node = template.content.firstElementChild;
    if (!node) {
      return;
    }
    // The reader's own comment, shown as awaiting moderation, has just been approved.
    var existing = document.getElementById("comment-" + comment.id);
    if (existing) {
      existing.parentNode.replaceChild(node, existing);
      return;
    }
    var list = listFor(comment);
    if (!list) {
      elsewhere += 1;
      report();
      return;
    }
    var item = document.createElement("li");
    item.className = "depth-" + comment.depth + " comment-new";
    item.appendChild(node);
    list.appendChild(item);
    added += 1;
    report();
  });
  source.addEventListener("reload", function () {
    status.textContent = "Many new comments: reload the page to see them.";
    source.close();
  });
})();
