// Select to code: the reviewer selects a passage of the paper text; the component returns
// {start, end, text, nonce} with start/end as code-point offsets into the text it was given
// (Python string offsets), so the excerpt is stored exactly as selected.
// Streamlit component protocol (postMessage) written out here: no npm package, no CDN.
(function () {
  "use strict";
  var box = document.getElementById("text");
  var useBtn = document.getElementById("use");
  var info = document.getElementById("info");
  var fullText = "";
  var pending = null;
  var lastKey = null;

  function send(type, data) {
    var msg = Object.assign({ isStreamlitMessage: true, type: type }, data || {});
    window.parent.postMessage(msg, "*");
  }
  var wanted = 320;
  function setHeight() {
    // a fixed height: the frame may be laid out while hidden (a collapsed expander) and measure 0
    var measured = document.body.scrollHeight;
    send("streamlit:setFrameHeight", { height: Math.max(measured, Math.min(wanted, box.scrollHeight || wanted) + 52) });
  }
  window.addEventListener("resize", setHeight);
  // offset (UTF-16 units) of a DOM position within the whole text
  function offsetOf(node, offset) {
    var walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT, null);
    var total = 0, n;
    while ((n = walker.nextNode())) {
      if (n === node) { return total + offset; }
      total += n.nodeValue.length;
    }
    if (node === box) {  // a position between child nodes
      var t = 0;
      for (var i = 0; i < offset && i < box.childNodes.length; i++) { t += box.childNodes[i].textContent.length; }
      return t;
    }
    return null;
  }
  function codePoints(units) { return Array.from(fullText.slice(0, units)).length; }

  function onSelect() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    var r = sel.getRangeAt(0);
    if (!box.contains(r.startContainer) || !box.contains(r.endContainer)) { return; }
    var a = offsetOf(r.startContainer, r.startOffset), b = offsetOf(r.endContainer, r.endOffset);
    if (a === null || b === null || b <= a) { return; }
    // trim surrounding whitespace like a careful coder would
    while (a < b && /\s/.test(fullText[a])) { a++; }
    while (b > a && /\s/.test(fullText[b - 1])) { b--; }
    if (b <= a) { return; }
    pending = { start: codePoints(a), end: codePoints(b), text: fullText.slice(a, b) };
    useBtn.disabled = false;
    info.textContent = "Selected " + (pending.end - pending.start) + " characters (" + pending.start + "-" + pending.end + ")";
  }
  box.addEventListener("mouseup", onSelect);
  box.addEventListener("keyup", onSelect);
  document.addEventListener("selectionchange", function () { /* keep the last complete selection */ });
  useBtn.addEventListener("click", function () {
    if (!pending) { return; }
    send("streamlit:setComponentValue", { value: Object.assign({ nonce: Date.now() + Math.random() }, pending), dataType: "json" });
    info.textContent = "Sent: " + pending.start + "-" + pending.end;
  });

  function render(args) {
    var key = (args.text || "") + "|" + args.mark_start + "|" + args.mark_end + "|" + args.height;
    if (key === lastKey) { return; }
    lastKey = key;
    fullText = args.text || "";
    wanted = args.height || 320;
    box.style.maxHeight = wanted + "px";
    box.textContent = "";
    var s = args.mark_start, e = args.mark_end;
    // mark offsets come as code points; convert to UTF-16 units
    var cps = Array.from(fullText);
    if (s !== null && s !== undefined && e > s) {
      var su = cps.slice(0, s).join("").length, eu = cps.slice(0, e).join("").length;
      box.appendChild(document.createTextNode(fullText.slice(0, su)));
      var m = document.createElement("mark");
      m.textContent = fullText.slice(su, eu);
      box.appendChild(m);
      box.appendChild(document.createTextNode(fullText.slice(eu)));
      setTimeout(function () { m.scrollIntoView({ block: "center" }); }, 0);
    } else {
      box.appendChild(document.createTextNode(fullText));
    }
    useBtn.textContent = args.button || "Code selection";
    pending = null;
    useBtn.disabled = true;
    info.textContent = "Select a passage in the text.";
    setHeight();
  }

  window.addEventListener("message", function (event) {
    var d = event.data;
    if (d && d.type === "streamlit:render") { render(d.args || {}); }
  });
  send("streamlit:componentReady", { apiVersion: 1 });
})();
