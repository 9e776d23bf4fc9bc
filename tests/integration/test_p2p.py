#!/usr/bin/env python3
"""Procure to pay end to end: the real hub (crossdock serve, SQLite on disk, real HTTP) with a
supplier, a warehouse and an ERP standing in as HTTP endpoints that record what they receive.
Each scenario runs one purchase order through the flow and asserts exactly what the ERP received
and the thread's final state and exceptions. Standard library only; prints "N passed, N failed".
"""
import contextlib
import decimal
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request

BIN = os.environ["CROSSDOCK_BIN"]
SRC = os.environ["CROSSDOCK_SRC"]
D = decimal.Decimal


def until(cond, timeout=20):
    """Wait until cond() is true (checked every 50 ms), at most <timeout> seconds; the caller
    asserts what it needs afterwards."""
    end = time.time() + timeout
    while not cond() and time.time() < end:
        time.sleep(0.05)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """A partner's HTTP endpoint: records every body once per Idempotency-Key; while down it
    answers 503 (the hub must retry)."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.keys = set()
        self.down = False
        self.refuse = False  # answer 422: the message is given up (dead letter)
        self.lock = threading.Lock()
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                if rec.down:
                    self.send_response(503)
                    self.send_header("Retry-After", "1")
                    self.end_headers()
                    return
                if rec.refuse:
                    self.send_response(422)
                    self.end_headers()
                    self.wfile.write(b"unknown purchase order")
                    return
                key = self.headers.get("Idempotency-Key")
                with rec.lock:
                    if key not in rec.keys:
                        rec.keys.add(key)
                        rec.received.append((self.headers.get("Content-Type"), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def docs(self, po_number):
        """Canonical JSON documents received that concern <po_number>."""
        out = []
        with self.lock:
            items = list(self.received)
        for ctype, body in items:
            if ctype != "application/json":
                continue
            d = json.loads(body)
            pos = {d.get("po_number")}
            for o in d.get("orders", []):
                pos.add(o.get("po_number"))
            if po_number in pos:
                out.append(d)
        return out

    def raw(self):
        with self.lock:
            return list(self.received)


class Hub:
    def __init__(self, tmp):
        self.tmp = tmp
        self.data = os.path.join(tmp, "data")
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.token = self.cli("token", "create", "--data", self.data, "--name", "admin",
                              "--role", "admin").strip()

    def cli(self, *args):
        r = subprocess.run([BIN, *args], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("crossdock %s: %s%s" % (" ".join(args[:2]), r.stdout, r.stderr))
        return r.stdout

    def start(self, config=None):
        """Start the hub; <config>: a configuration file's text (crossdock serve --config)."""
        self.log = open(os.path.join(self.tmp, "hub.log"), "a")
        args = []
        if config is not None:
            path = os.path.join(self.tmp, "crossdock.yaml")
            open(path, "w").write(config)
            args = ["--config", path]
        self.proc = subprocess.Popen([BIN, "serve", "--data", self.data, "--listen",
                                      "127.0.0.1:%d" % self.port, *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/v1/health", timeout=1)
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("the hub did not start")

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        rc = self.proc.wait(30)
        self.log.close()
        if sig == signal.SIGTERM:
            assert rc == 0, "hub exited %d" % rc
        assert "ERROR: AddressSanitizer" not in open(self.log.name).read()

    def request(self, method, path, body=None, token=None, ctype="application/json"):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + (token or self.token))
        if data is not None:
            req.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def flow(self, po):
        st, body = self.request("GET", "/v1/transactions/" + po)
        return body.get("flow") if st == 200 else None

    def wait_state(self, po, state, timeout=20):
        end = time.time() + timeout
        f = None
        while time.time() < end:
            f = self.flow(po)
            if f is not None and f["state"] == state:
                return f
            time.sleep(0.05)
        raise AssertionError("PO %s: state %s, expected %s; timeline %s" % (
            po, f and f["state"], state,
            f and [e["event"] for e in f["timeline"]]))


SUPPLIER = """
id: acme
name: Acme Fasteners
role: supplier
identifiers: {isa_qualifier: ZZ, isa_id: ACMEFAST, gs_id: ACMEFAST}
x12: {hub_qualifier: ZZ, hub_id: NORTHWIND, hub_gs_id: NORTHWIND, component_separator: ">"}
inbound:
  http: {formats: [x12]}
outbound:
  endpoints:
    - {name: edi, kind: http, url: "http://127.0.0.1:%d/edi", allow_private_networks: ["127.0.0.0/8"]}
  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 1s}
  circuit_breaker: {failures_to_open: 50, pause: 1s}
documents:
  - {type: purchase_order, direction: out, format: x12, version: "004010"}
  - {type: po_acknowledgement, direction: in, format: x12}
  - {type: ship_notice, direction: in, format: x12}
  - {type: invoice, direction: in, format: x12}
  - {type: application_advice, direction: out, format: json}
  - {type: application_advice, direction: in, format: x12}
slas:
  - {expect: po_acknowledgement, after: purchase_order, within: %s, at_risk: 1s}
"""

WAREHOUSE = """
id: wms
name: Chicago DC
role: warehouse
inbound:
  http: {formats: [json]}
outbound:
  endpoints:
    - {name: api, kind: http, url: "http://127.0.0.1:%d/asn", allow_private_networks: ["127.0.0.0/8"]}
  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 1s}
documents:
  - {type: ship_notice, direction: out, format: json}
  - {type: receipt, direction: in, format: json}
mapping:
  locations:
    - {location_id: DC-CHI, code: CHI01}
"""

ERP = """
id: erp
name: ERP
role: erp
outbound:
  endpoints:
    - {name: postings, kind: http, url: "http://127.0.0.1:%d/erp", allow_private_networks: ["127.0.0.0/8"], ordered: true}
  retry: {max_attempts: 100, max_age: 1h, backoff_base: 200ms, backoff_max: 1s}
documents:
  - {type: purchase_order, direction: in, format: json}
  - {type: po_acknowledgement, direction: out, format: json}
  - {type: ship_notice, direction: out, format: json}
  - {type: receipt, direction: out, format: json}
  - {type: invoice, direction: out, format: json}
"""


class World:
    def __init__(self, tmp):
        self.tmp = tmp
        self.sup, self.wh, self.erp = Recorder(), Recorder(), Recorder()
        self.hub = Hub(tmp)
        self.hub.start()
        self.apply("acme.yaml", SUPPLIER % (self.sup.port, "1h"))
        self.apply("wms.yaml", WAREHOUSE % self.wh.port)
        self.apply("erp.yaml", ERP % self.erp.port)
        self.tok_sup = self.hub.cli("token", "create", "--data", self.hub.data, "--name", "acme",
                                    "--role", "partner", "--partner", "acme").strip()
        self.tok_wh = self.hub.cli("token", "create", "--data", self.hub.data, "--name", "wms",
                                   "--role", "partner", "--partner", "wms").strip()
        self.po_template = json.load(open(os.path.join(SRC, "examples/documents/purchase_order.json")))
        self.x12_seq = 100

    def apply(self, name, text):
        path = os.path.join(self.tmp, name)
        open(path, "w").write(text)
        self.hub.cli("partner", "apply", path, "--url", self.hub.url, "--token", self.hub.token)

    # -- what the ERP sends -------------------------------------------------------------------
    def order(self, po_number):
        po = json.loads(json.dumps(self.po_template))
        po["po_number"] = po_number
        po["supplier"]["party_id"] = "acme"
        del po["correlation_id"]
        st, body = self.hub.request("POST", "/v1/documents", po,)
        assert st == 201, body
        return po

    # -- what the supplier sends (X12, as its profile says) -----------------------------------
    def supplier_sends(self, doc, expect=201, *more):
        """One interchange holding <doc> and <more> documents (one transaction set each)."""
        path = os.path.join(self.tmp, "out.json")
        json.dump([doc, *more] if more else doc, open(path, "w"))
        self.x12_seq += 1
        x12 = subprocess.run([BIN, "x12", "render", "--sender-qual", "ZZ", "--sender-id", "ACMEFAST",
                              "--receiver-qual", "ZZ", "--receiver-id", "NORTHWIND",
                              "--component-sep", ">", "--control-number", str(self.x12_seq), path],
                             check=True, capture_output=True).stdout
        st, body = self.hub.request("POST", "/v1/inbound/acme", x12, token=self.tok_sup,
                                    ctype="application/edi-x12")
        assert st == expect, (st, body)
        return body

    def warehouse_sends(self, doc, expect=201):
        st, body = self.hub.request("POST", "/v1/inbound/wms", doc, token=self.tok_wh)
        assert st == expect, (st, body)
        return body

    def ack(self, po, status="accepted", lines=None):
        out = []
        for l in po["lines"]:
            a = {"line_number": l["line_number"], "sku": l["sku"], "uom": l["uom"],
                 "status": "accepted", "ordered_quantity": l["quantity"],
                 "confirmed_quantity": l["quantity"]}
            a.update((lines or {}).get(l["line_number"], {}))
            out.append(a)
        return {"type": "po_acknowledgement", "po_number": po["po_number"], "status": status,
                "po_date": po["order_date"], "ack_date": "2026-03-03", "lines": out}

    def asn(self, po, number, qty=None):
        items = []
        for l in po["lines"]:
            q = (qty or {}).get(l["line_number"], l["quantity"])
            if q is not None and D(q) > 0:
                items.append({"line_number": l["line_number"], "sku": l["sku"], "quantity": q,
                              "uom": l["uom"]})
        return {"type": "ship_notice", "asn_number": number, "purpose": "original",
                "ship_date": "2026-03-08", "ship_to": {"location_id": "DC-CHI", "name": "Chicago DC"},
                "orders": [{"po_number": po["po_number"], "items": items}]}

    def receipt(self, po, number, asn_number, qty=None, damaged=None):
        lines = []
        for l in po["lines"]:
            q = (qty or {}).get(l["line_number"], l["quantity"])
            if q is None:
                continue
            r = {"line_number": l["line_number"], "po_line_number": l["line_number"],
                 "sku": l["sku"], "received_quantity": q, "uom": l["uom"]}
            if damaged and l["line_number"] in damaged:
                r["damaged_quantity"] = damaged[l["line_number"]]
            lines.append(r)
        r = {"type": "receipt", "receipt_number": number, "asn_number": asn_number,
             "po_number": po["po_number"], "location_id": "DC-CHI",
             "received_at": "2026-03-12T10:00:00Z", "lines": lines}
        if asn_number is None:  # received against the order, naming no ship notice
            del r["asn_number"]
        return r

    def invoice(self, po, number, asn_number, qty=None, price=None):
        lines, sub = [], D(0)
        for l in po["lines"]:
            q = D((qty or {}).get(l["line_number"], l["quantity"]) or 0)
            if q == 0:
                continue
            p = D((price or {}).get(l["line_number"], l["unit_price"]))
            lines.append({"line_number": l["line_number"], "po_line_number": l["line_number"],
                          "sku": l["sku"], "quantity": str(q), "uom": l["uom"],
                          "unit_price": str(p), "amount": str((q * p).quantize(D("0.0001")))})
            sub += (q * p).quantize(D("0.0001"))
        return {"type": "invoice", "invoice_number": number, "invoice_type": "invoice",
                "invoice_date": "2026-03-13", "po_number": po["po_number"],
                "asn_number": asn_number, "buyer": po["buyer"], "supplier": po["supplier"],
                "currency": "USD", "lines": lines,
                "totals": {"subtotal": str(sub), "total_amount": str(sub)}}

    def erp_types(self, po_number, wait_for=None, timeout=20):
        if wait_for is not None:
            until(lambda: len(self.erp.docs(po_number)) >= wait_for, timeout)
        return [d["type"] for d in self.erp.docs(po_number)]

    def exceptions(self, po_number, state="open"):
        f = self.hub.flow(po_number)
        return sorted(x["type"] for x in f["exceptions"] if x["state"] == state)

    def subjects(self, po_number, state="open"):
        """(type, subject number) of the thread's exceptions in <state>, sorted."""
        f = self.hub.flow(po_number)
        return sorted((x["type"], (x.get("subject") or {}).get("number"))
                      for x in f["exceptions"] if x["state"] == state)

    def exception_id(self, po_number, type_):
        f = self.hub.flow(po_number)
        return [x["id"] for x in f["exceptions"] if x["type"] == type_ and x["state"] == "open"][0]

    @contextlib.contextmanager
    def supplier_profile(self, old="", new="", within="1h"):
        """The supplier's profile with <old> replaced by <new> and the acknowledgement due
        <within>, for the with-block; then the usual one again."""
        self.apply("acme.yaml", (SUPPLIER % (self.sup.port, within)).replace(old, new))
        try:
            yield
        finally:
            self.apply("acme.yaml", SUPPLIER % (self.sup.port, "1h"))

    @contextlib.contextmanager
    def hub_configured(self, config):
        """The hub restarted with the configuration file <config> for the with-block; then
        restarted as usual again."""
        self.hub.stop()
        self.hub.start(config)
        try:
            yield
        finally:
            self.hub.stop()
            self.hub.start()

    def acknowledged(self, name):
        """Order <name> sent to the supplier and acknowledged in full. Returns the order."""
        po = self.order(name)
        self.hub.wait_state(name, "sent")
        self.supplier_sends(self.ack(po))
        self.hub.wait_state(name, "acknowledged")
        return po

    def invoiced_at_wrong_price(self, name, asn, receipt, invoice):
        """Order <name> acknowledged, shipped (<asn>) and received (<receipt>; receipt numbers
        are the warehouse's, one per receipt across orders), then invoiced (<invoice>) at 7.10
        for line 1, agreed 6.85: a price mismatch. Returns the thread as it stands then."""
        po = self.order(name)
        self.hub.wait_state(name, "sent")
        self.supplier_sends(self.ack(po))
        self.supplier_sends(self.asn(po, asn))
        self.warehouse_sends(self.receipt(po, receipt, asn))
        self.hub.wait_state(name, "received")
        self.supplier_sends(self.invoice(po, invoice, asn, price={1: "7.10"}))
        return self.hub.wait_state(name, "invoiced")

    def act(self, xid, action, comment=None, expect=200):
        body = {"action": action}
        if comment:
            body["comment"] = comment
        st, out = self.hub.request("POST", "/v1/exceptions/%s/actions" % xid, body)
        assert st == expect, (st, out)
        return out


# --------------------------------------------------------------------------------------------
# Scenarios

def happy_path(w):
    po = w.order("HAPPY-1")
    f = w.hub.wait_state("HAPPY-1", "sent")
    assert f["owner"] == "supplier" and f["next_step"] == "po_acknowledgement"
    w.supplier_sends(w.ack(po))
    w.hub.wait_state("HAPPY-1", "acknowledged")
    w.supplier_sends(w.asn(po, "ASN-H1"))
    f = w.hub.wait_state("HAPPY-1", "shipped")
    assert f["owner"] == "warehouse"
    w.warehouse_sends(w.receipt(po, "RCV-H1", "ASN-H1"))
    w.hub.wait_state("HAPPY-1", "received")
    w.supplier_sends(w.invoice(po, "INV-H1", "ASN-H1"))
    f = w.hub.wait_state("HAPPY-1", "closed")
    assert w.exceptions("HAPPY-1") == []
    assert w.erp_types("HAPPY-1", 4) == ["po_acknowledgement", "ship_notice", "receipt", "invoice"]
    # The supplier got the order as an 850 in its envelope; the warehouse the ship notice.
    x12 = [b for c, b in w.sup.raw() if b"HAPPY-1" in b]
    assert len(x12) == 1 and x12[0].startswith(b"ISA*") and b"ST*850*" in x12[0], x12
    assert b"*ZZ*ACMEFAST" in x12[0] and b"BEG*00*SA*HAPPY-1" in x12[0]
    assert [d["asn_number"] for d in w.wh.docs("HAPPY-1")] == ["ASN-H1"]
    ev = [e["event"] for e in f["timeline"]]
    for want in ["sent.purchase_order", "po.sent", "ack.received", "asn.received",
                 "receipt.received", "invoice.matched"]:
        assert want in ev, (want, ev)
    # The same from the shell, by PO number.
    out = w.hub.cli("tx", "show", "HAPPY-1", "--url", w.hub.url, "--token", w.hub.token)
    assert "PO HAPPY-1: closed" in out and "invoice.matched" in out, out
    assert "NW-31190" in out and "supplier acme, warehouse wms, ERP erp" in out, out


def rejected_line(w):
    po = w.order("REJ-1")
    w.hub.wait_state("REJ-1", "sent")
    w.supplier_sends(w.ack(po, "accepted_with_changes",
                           {2: {"status": "rejected", "confirmed_quantity": "0"}}))
    f = w.hub.wait_state("REJ-1", "acknowledged")
    line2 = [l for l in f["lines"] if l["line_number"] == 2][0]
    assert line2["status"] == "rejected" and line2["confirmed"] == "0"
    w.supplier_sends(w.asn(po, "ASN-R1", {2: None}))
    w.hub.wait_state("REJ-1", "shipped")  # line 2 is not owed any more
    w.warehouse_sends(w.receipt(po, "RCV-R1", "ASN-R1", {2: None}))
    w.supplier_sends(w.invoice(po, "INV-R1", "ASN-R1", {2: None}))
    w.hub.wait_state("REJ-1", "closed")
    acks = [d for d in w.erp.docs("REJ-1") if d["type"] == "po_acknowledgement"]
    assert acks and acks[0]["lines"][1]["status"] == "rejected"
    assert w.erp_types("REJ-1", 4) == ["po_acknowledgement", "ship_notice", "receipt", "invoice"]


def partial_shipment(w):
    po = w.order("PART-1")
    w.hub.wait_state("PART-1", "sent")
    w.supplier_sends(w.ack(po, "accepted_with_changes",
                           {3: {"status": "backordered", "confirmed_quantity": "36",
                                "backordered_quantity": "16"}}))
    w.supplier_sends(w.asn(po, "ASN-P1", {3: "20"}))
    f = w.hub.wait_state("PART-1", "partially_shipped")
    assert f["owner"] == "supplier" and f["next_step"] == "ship_notice"
    w.warehouse_sends(w.receipt(po, "RCV-P1", "ASN-P1", {3: "20"}))
    w.hub.wait_state("PART-1", "partially_received")
    w.supplier_sends(w.asn(po, "ASN-P2", {1: None, 2: None, 3: "16"}))
    w.warehouse_sends(w.receipt(po, "RCV-P2", "ASN-P2", {1: None, 2: None, 3: "16"}))
    w.hub.wait_state("PART-1", "received")
    w.supplier_sends(w.invoice(po, "INV-P1", "ASN-P1"))
    w.hub.wait_state("PART-1", "closed")
    assert w.erp_types("PART-1", 6).count("ship_notice") == 2


def short_receipt(w):
    po = w.order("SHORT-1")
    w.hub.wait_state("SHORT-1", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-S1"))
    w.hub.wait_state("SHORT-1", "shipped")
    w.warehouse_sends(w.receipt(po, "RCV-S1", "ASN-S1", {3: "30"}))
    f = w.hub.wait_state("SHORT-1", "partially_received")
    assert w.exceptions("SHORT-1") == ["receipt_variance"]
    assert {"kind": "short", "line_number": 3, "sku": "NW-31190", "expected": "36",
            "actual": "30", "document": "RCV-S1"} in f["variances"]
    # The supplier bills what was shipped: more than received on line 3, but the 6 missing are
    # still awaited on the ship notice (the warehouse may receive them yet): held.
    w.supplier_sends(w.invoice(po, "INV-S1", "ASN-S1"))
    f = w.hub.wait_state("SHORT-1", "invoiced")
    assert f["invoices"]["INV-S1"]["state"] == "held", f["invoices"]
    assert w.exceptions("SHORT-1") == ["receipt_variance"]
    assert f["owner"] == "warehouse" and f["next_step"] == "receipt", f
    # The buyer writes the shortage off: nothing is awaited any more, the invoice bills 36 for
    # 30 received: a mismatch now, which accounts payable rejects.
    out = w.hub.cli("tx", "exceptions", "--owner", "buyer", "--url", w.hub.url,
                    "--token", w.hub.token)
    assert w.exception_id("SHORT-1", "receipt_variance") in out, out
    assert "[ship_notice ASN-S1]" in out, out  # what the variance is about
    w.hub.cli("tx", "act", w.exception_id("SHORT-1", "receipt_variance"), "accept_variance",
              "--comment", "6 cases lost", "--url", w.hub.url, "--token", w.hub.token)
    until(lambda: w.exceptions("SHORT-1") == ["invoice_mismatch"], 10)
    assert w.subjects("SHORT-1") == [("invoice_mismatch", "INV-S1")]
    assert "invoice" not in w.erp_types("SHORT-1")
    w.act(w.exception_id("SHORT-1", "invoice_mismatch"), "reject_invoice", "bill what we got")
    f = w.hub.flow("SHORT-1")
    assert f["invoices"]["INV-S1"]["state"] == "rejected", f["invoices"]
    assert f["invoices"]["INV-S1"]["rejected_reason"] == "bill what we got", f["invoices"]
    rej = [e for e in f["timeline"] if e["event"] == "invoice.rejected"]
    assert [e["detail"] for e in rej] == [{"invoice_number": "INV-S1",
                                          "reason": "bill what we got",
                                          "advice_number": "REJ-INV-S1"}], rej
    # The supplier is told why, in an application advice (JSON, as its profile says).
    until(lambda: [d for d in w.sup.docs("SHORT-1") if d["type"] == "application_advice"])
    adv = [d for d in w.sup.docs("SHORT-1") if d["type"] == "application_advice"]
    assert len(adv) == 1, adv
    a = adv[0]
    assert (a["advice_number"], a["status"], a["document_type"], a["document_number"],
            a["reason"]) == ("REJ-INV-S1", "rejected", "invoice", "INV-S1",
                             "bill what we got"), a
    assert [(p["kind"], p["line_number"], p["expected"], p["actual"]) for p in a["problems"]] == [
        ("quantity", 3, "30", "36")], a["problems"]
    w.supplier_sends(w.invoice(po, "INV-S2", "ASN-S1", {3: "30"}))
    w.hub.wait_state("SHORT-1", "closed")
    assert w.exceptions("SHORT-1") == []
    assert [d["invoice_number"] for d in w.erp.docs("SHORT-1") if d["type"] == "invoice"] == ["INV-S2"]


def rejected_invoice_x12_supplier(w):
    # A supplier that trades X12 takes the application advice as an 824: the hub renders it
    # like any outbound X12 (its envelope, control numbers) and it translates back to the
    # advice (status, invoice, reason, the problem).
    with w.supplier_profile("{type: application_advice, direction: out, format: json}",
                            "{type: application_advice, direction: out, format: x12}"):
        w.invoiced_at_wrong_price("ADV-1", "ASN-ADV1", "RCV-ADV1", "INV-ADV1")
        reason = ("Line 1 is billed at 7.10, the price agreed on the acknowledgement is 6.85; "
                  "send a corrected invoice at the agreed price, or a credit memo for the "
                  "difference, quoting PO ADV-1 and this advice number.")
        w.act(w.exception_id("ADV-1", "invoice_mismatch"), "reject_invoice", reason)
        until(lambda: [b for c, b in w.sup.raw() if b"ST*824*" in b and b"INV-ADV1" in b])
        x12 = [b for c, b in w.sup.raw() if b"ST*824*" in b and b"INV-ADV1" in b]
        assert len(x12) == 1, x12
        assert x12[0].startswith(b"ISA*") and b"*ZZ*ACMEFAST" in x12[0], x12
        assert b"GS*AG*NORTHWIND*ACMEFAST*" in x12[0] and b"OTI*TR*IV*INV-ADV1~" in x12[0], x12
        assert not [d for d in w.sup.docs("ADV-1") if d["type"] == "application_advice"]
        out = subprocess.run([BIN, "x12", "translate", "-"], input=x12[0], capture_output=True)
        assert out.returncode == 0, out.stderr
        a = json.loads(out.stdout)
        assert (a["type"], a["advice_number"], a["status"], a["document_type"],
                a["document_number"], a["po_number"], a["reason"]) == (
            "application_advice", "REJ-INV-ADV1", "rejected", "invoice", "INV-ADV1", "ADV-1",
            reason), a
        assert [(p["kind"], p["line_number"], p["expected"], p["actual"]) for p in
                a["problems"]] == [("price", 1, "6.85", "7.1")], a["problems"]


def two_receipts_for_one_asn(w):
    # The warehouse unloads a ship notice in two goes and the invoice comes in between. The
    # first receipt is short (a variance on the ship notice); the invoice billing everything
    # shipped is held, not a mismatch, while the rest is awaited; the second receipt makes it
    # up: the variance closes, the invoice matches, the order closes with nothing open.
    po = w.order("TWO-1")
    w.hub.wait_state("TWO-1", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-T1"))
    w.hub.wait_state("TWO-1", "shipped")
    w.warehouse_sends(w.receipt(po, "RCV-T1", "ASN-T1", {3: "20"}))
    w.hub.wait_state("TWO-1", "partially_received")
    w.supplier_sends(w.invoice(po, "INV-T1", "ASN-T1"))
    f = w.hub.wait_state("TWO-1", "invoiced")
    assert f["invoices"]["INV-T1"]["state"] == "held", f["invoices"]
    assert "invoice.held" in [e["event"] for e in f["timeline"]]
    assert w.subjects("TWO-1") == [("receipt_variance", "ASN-T1")], f["exceptions"]
    assert f["owner"] == "warehouse" and f["next_step"] == "receipt", f
    assert w.erp_types("TWO-1", 3) == ["po_acknowledgement", "ship_notice", "receipt"]
    w.warehouse_sends(w.receipt(po, "RCV-T2", "ASN-T1", {1: None, 2: None, 3: "16"}))
    f = w.hub.wait_state("TWO-1", "closed")
    assert w.exceptions("TWO-1") == [], f["exceptions"]
    assert w.exceptions("TWO-1", "resolved") == ["receipt_variance"], f["exceptions"]
    assert "held_until" not in f["invoices"]["INV-T1"], f["invoices"]
    assert w.erp_types("TWO-1", 5) == ["po_acknowledgement", "ship_notice", "receipt", "receipt",
                                       "invoice"]
    assert [v["kind"] for v in f["variances"]] == ["short"]  # only the first receipt's
    assert [l["received"] for l in f["lines"]] == ["400", "2500", "36"]
    assert [d["invoice_number"] for d in w.erp.docs("TWO-1") if d["type"] == "invoice"] == ["INV-T1"]


def held_invoice_hold_expires(w):
    # An invoice held for goods that never come does not wait forever: when its hold ends
    # (match_hold_s, 3 s here) it is matched against what arrived and accounts payable gets an
    # invoice_mismatch. The goods coming after all still match it and close the exception.
    with w.hub_configured("match_hold_s: 3\n"):
        po = w.order("HOLD-1")
        w.hub.wait_state("HOLD-1", "sent")
        w.supplier_sends(w.ack(po))
        w.supplier_sends(w.asn(po, "ASN-HX1"))
        w.warehouse_sends(w.receipt(po, "RCV-HX1", "ASN-HX1", {3: "20"}))
        w.supplier_sends(w.invoice(po, "INV-HX1", "ASN-HX1"))
        f = w.hub.wait_state("HOLD-1", "invoiced")
        assert f["invoices"]["INV-HX1"]["state"] == "held", f["invoices"]
        assert w.exceptions("HOLD-1") == ["receipt_variance"], f["exceptions"]
        until(lambda: "invoice_mismatch" in w.exceptions("HOLD-1"), 15)
        f = w.hub.flow("HOLD-1")
        x = [x for x in f["exceptions"] if x["type"] == "invoice_mismatch"]
        assert len(x) == 1, f["exceptions"]
        x = x[0]
        assert x["subject"] == {"document": "invoice", "number": "INV-HX1"}, x
        assert x["detail"]["hold_expired"] is True, x
        assert x["detail"]["problems"] == [{"line_number": 3, "kind": "quantity",
                                            "invoiced": "36", "received": "20"}], x
        assert f["invoices"]["INV-HX1"]["state"] == "mismatch"
        assert f["owner"] == "accounts_payable" and f["state"] == "invoiced", f
        assert "invoice.hold_expired" in [e["event"] for e in f["timeline"]]
        assert w.subjects("HOLD-1") == [("invoice_mismatch", "INV-HX1"),
                                         ("receipt_variance", "ASN-HX1")]
        assert w.erp_types("HOLD-1", 3) == ["po_acknowledgement", "ship_notice", "receipt"]
        # The rest is received after all: the invoice matches, both exceptions close.
        w.warehouse_sends(w.receipt(po, "RCV-HX2", "ASN-HX1", {1: None, 2: None, 3: "16"}))
        f = w.hub.wait_state("HOLD-1", "closed")
        assert w.exceptions("HOLD-1") == [], f["exceptions"]
        assert w.erp_types("HOLD-1", 5) == ["po_acknowledgement", "ship_notice", "receipt",
                                            "receipt", "invoice"]



def exceptions_close_by_subject(w):
    # Two ship notices and two mismatched invoices on one order: the receipt that completes
    # ASN-B closes ASN-B's variance and the re-match it makes closes INV-B's mismatch; ASN-A's
    # variance and INV-P's price mismatch stay open for a person.
    po = w.order("SUBJ-1")
    w.hub.wait_state("SUBJ-1", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-A", {3: None}))
    w.hub.wait_state("SUBJ-1", "partially_shipped")
    # Billed before line 3 shipped (a quantity mismatch), and line 1 at another price.
    w.supplier_sends(w.invoice(po, "INV-B", "ASN-B", {1: None, 2: None}))
    w.supplier_sends(w.invoice(po, "INV-P", "ASN-A", {2: None, 3: None}, {1: "7.10"}))
    until(lambda: w.exceptions("SUBJ-1") == ["invoice_mismatch", "invoice_mismatch"], 10)
    w.supplier_sends(w.asn(po, "ASN-B", {1: None, 2: None}))
    w.warehouse_sends(w.receipt(po, "RCV-A1", "ASN-A", {2: "2400", 3: None}))
    w.warehouse_sends(w.receipt(po, "RCV-B1", "ASN-B", {1: None, 2: None, 3: "20"}))
    until(lambda: len(w.subjects("SUBJ-1")) == 4, 10)
    assert w.subjects("SUBJ-1") == [("invoice_mismatch", "INV-B"), ("invoice_mismatch", "INV-P"),
                                     ("receipt_variance", "ASN-A"),
                                     ("receipt_variance", "ASN-B")]
    w.warehouse_sends(w.receipt(po, "RCV-B2", "ASN-B", {1: None, 2: None, 3: "16"}))
    until(lambda: w.subjects("SUBJ-1", "resolved") != [], 10)
    f = w.hub.flow("SUBJ-1")
    assert w.subjects("SUBJ-1") == [("invoice_mismatch", "INV-P"),
                                     ("receipt_variance", "ASN-A")], f["exceptions"]
    assert w.subjects("SUBJ-1", "resolved") == [("invoice_mismatch", "INV-B"),
                                                 ("receipt_variance", "ASN-B")], f["exceptions"]
    for x in f["exceptions"]:
        if x["state"] == "resolved":
            assert [h["action"] for h in x["history"]] == ["auto_resolved"], x
    assert f["state"] == "invoiced" and f["owner"] == "accounts_payable", f
    assert {k: v["state"] for k, v in f["invoices"].items()} == {"INV-B": "matched",
                                                                  "INV-P": "mismatch"}
    assert w.erp_types("SUBJ-1", 7) == ["po_acknowledgement", "ship_notice", "ship_notice",
                                        "receipt", "receipt", "receipt", "invoice"]
    assert [d["invoice_number"] for d in w.erp.docs("SUBJ-1") if d["type"] == "invoice"] == ["INV-B"]
    # What is open about ship notice ASN-A, found by its subject, over the API and the shell.
    st, body = w.hub.request("GET", "/v1/exceptions?subject_document=ship_notice"
                                    "&subject_number=ASN-A&state=open")
    assert st == 200 and body["count"] == 1, body
    xa = body["exceptions"][0]
    assert (xa["type"], xa["po_number"], xa["subject"]) == (
        "receipt_variance", "SUBJ-1", {"document": "ship_notice", "number": "ASN-A"}), xa
    st, body = w.hub.request("GET", "/v1/exceptions?subject_number=INV-B")
    assert st == 200 and [(x["type"], x["state"]) for x in body["exceptions"]] == [
        ("invoice_mismatch", "resolved")], body
    st, body = w.hub.request("GET", "/v1/exceptions?subject_document=receipt&subject_number=ASN-A")
    assert st == 200 and body["count"] == 0, body  # ASN-A is a ship notice, not a receipt
    out = w.hub.cli("tx", "exceptions", "--subject-document", "ship_notice", "--subject-number",
                    "ASN-A", "--url", w.hub.url, "--token", w.hub.token)
    assert xa["id"] in out and "[ship_notice ASN-A]" in out and "1 exception(s)" in out, out


def receipt_names_no_asn(w):
    # The warehouse receives against the PO, naming no ship notice (a 944 without the ASN
    # number). Its goods count on the order's ship notices, oldest first, as far as each awaits
    # them: the invoice held for the goods matches at once, not when its hold ends.
    po = w.order("NOASN-1")
    w.hub.wait_state("NOASN-1", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-N1", {3: "20"}))
    w.supplier_sends(w.asn(po, "ASN-N2", {1: None, 2: None, 3: "16"}))
    w.hub.wait_state("NOASN-1", "shipped")
    w.supplier_sends(w.invoice(po, "INV-N1", "ASN-N1"))
    f = w.hub.wait_state("NOASN-1", "invoiced")
    assert f["invoices"]["INV-N1"]["state"] == "held", f["invoices"]
    w.warehouse_sends(w.receipt(po, "RCV-N1", None))
    f = w.hub.wait_state("NOASN-1", "closed")
    assert w.exceptions("NOASN-1") == [] and w.exceptions("NOASN-1", "resolved") == [], f
    assert f["invoices"]["INV-N1"]["state"] == "matched", f["invoices"]
    rec = [e for e in f["timeline"] if e["event"] == "receipt.received"]
    assert len(rec) == 1 and rec[0]["detail"]["variances"] == [], rec
    assert rec[0]["detail"]["counted_on"] == {"ASN-N1": {"1": "400", "2": "2500", "3": "20"},
                                              "ASN-N2": {"3": "16"}}, rec
    assert "variances" not in f or f["variances"] == [], f.get("variances")
    # The same receipt again counts once.
    w.warehouse_sends(w.receipt(po, "RCV-N1", None))
    until(lambda: "receipt.duplicate" in [e["event"] for e in w.hub.flow("NOASN-1")["timeline"]])
    f = w.hub.flow("NOASN-1")
    assert f["state"] == "closed" and [l["received"] for l in f["lines"]] == ["400", "2500", "36"]
    assert rec[0]["detail"]["asn_numbers_inferred"] == ["ASN-N1", "ASN-N2"], rec
    # The ERP books receipts per incoming shipment: one copy per ship notice, with what was
    # counted on it.
    assert w.erp_types("NOASN-1", 6) == ["po_acknowledgement", "ship_notice", "ship_notice",
                                         "receipt", "receipt", "invoice"]
    erp_recs = sorted((d for d in w.erp.docs("NOASN-1") if d["type"] == "receipt"),
                      key=lambda d: d["asn_number"])
    assert [(d["receipt_number"], d["asn_number"]) for d in erp_recs] == [
        ("RCV-N1", "ASN-N1"), ("RCV-N1", "ASN-N2")], erp_recs
    assert [(l["po_line_number"], l["received_quantity"]) for l in erp_recs[0]["lines"]] == [
        (1, "400"), (2, "2500"), (3, "20")], erp_recs[0]
    assert [(l["po_line_number"], l["received_quantity"]) for l in erp_recs[1]["lines"]] == [
        (3, "16")], erp_recs[1]
    assert [d["invoice_number"] for d in w.erp.docs("NOASN-1") if d["type"] == "invoice"] == [
        "INV-N1"]


def receipt_names_no_asn_of_one_shipment(w):
    # Only one ship notice awaits the goods: the receipt naming none is plainly of it, and the
    # ERP (which books receipts against the incoming shipment) gets it naming that ASN.
    po = w.order("NOASN-2")
    w.hub.wait_state("NOASN-2", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-N3"))
    w.hub.wait_state("NOASN-2", "shipped")
    w.warehouse_sends(w.receipt(po, "RCV-N3", None))
    f = w.hub.wait_state("NOASN-2", "received")
    assert w.exceptions("NOASN-2") == [], f["exceptions"]
    rec = [e for e in f["timeline"] if e["event"] == "receipt.received"][0]
    assert rec["detail"]["asn_numbers_inferred"] == ["ASN-N3"], rec
    assert w.erp_types("NOASN-2", 3) == ["po_acknowledgement", "ship_notice", "receipt"]
    erp_rec = [d for d in w.erp.docs("NOASN-2") if d["type"] == "receipt"][0]
    assert (erp_rec["receipt_number"], erp_rec["asn_number"]) == ("RCV-N3", "ASN-N3"), erp_rec
    # The journal keeps the warehouse's document as it came.
    st, body = w.hub.request("GET", "/v1/transactions/NOASN-2")
    recs = [d for d in body["documents"] if d["type"] == "receipt"]
    assert len(recs) == 1, body["documents"]
    st, doc = w.hub.request("GET", "/v1/documents/" + recs[0]["id"])
    assert st == 200 and "asn_number" not in doc, doc


def receipt_before_its_asn(w):
    # The warehouse receives the goods before the supplier's 856 reaches the hub: the receipt
    # names a ship notice the order does not know yet (unannounced, for now). The ERP, which
    # books receipts against the incoming shipment, is sent it after the ship notice, not
    # before. When the ship notice comes, what was counted is counted on it and the exception
    # closes by itself; the invoice then matches and the order closes.
    po = w.acknowledged("EARLY-1")
    w.warehouse_sends(w.receipt(po, "RCV-E1", "ASN-E1"))
    until(lambda: w.subjects("EARLY-1") == [("receipt_variance", "RCV-E1")])
    assert w.subjects("EARLY-1") == [("receipt_variance", "RCV-E1")], w.exceptions("EARLY-1")
    rec = [e for e in w.hub.flow("EARLY-1")["timeline"] if e["event"] == "receipt.received"]
    assert len(rec) == 1 and rec[0]["detail"]["erp_held_for"] == "ASN-E1", rec
    w.supplier_sends(w.asn(po, "ASN-E1"))
    until(lambda: w.exceptions("EARLY-1") == [])
    f = w.hub.flow("EARLY-1")
    assert w.exceptions("EARLY-1") == [], f["exceptions"]
    assert w.subjects("EARLY-1", "resolved") == [("receipt_variance", "RCV-E1")]
    ev = [e for e in f["timeline"] if e["event"] == "asn.early_receipts"]
    assert len(ev) == 1 and ev[0]["detail"]["variances"] == [], ev
    assert [r["receipt_number"] for r in ev[0]["detail"]["receipts"]] == ["RCV-E1"], ev
    assert ev[0]["detail"]["posted_to_erp"] == 1, ev
    w.supplier_sends(w.invoice(po, "INV-E1", "ASN-E1"))
    f = w.hub.wait_state("EARLY-1", "closed")
    assert f["invoices"]["INV-E1"]["state"] == "matched", f["invoices"]
    assert w.exceptions("EARLY-1") == [], f["exceptions"]
    assert w.erp_types("EARLY-1", 4) == ["po_acknowledgement", "ship_notice", "receipt",
                                         "invoice"]


def supplier_rejects_order_by_824(w):
    # The supplier's system rejects the order with an 824 naming it only in OTI03 (no REF PO):
    # the advice joins the order's thread, the buyer gets document_rejected with the reason and
    # the problems (and may send the order again), the same advice again counts once, and an
    # advice accepting the order closes the exception.
    po = w.order("R824-1")
    w.hub.wait_state("R824-1", "sent")
    advice = {"type": "application_advice", "advice_number": "ADV-R1",
              "advice_date": "2026-03-03", "status": "rejected",
              "document_type": "purchase_order", "document_number": "R824-1",
              "reason": "Line 2 is priced below our catalog",
              "problems": [{"kind": "price", "line_number": 2, "sku": po["lines"][1]["sku"],
                            "expected": "0.15", "actual": po["lines"][1]["unit_price"]}]}
    w.supplier_sends(advice)
    until(lambda: w.subjects("R824-1") == [("document_rejected", "R824-1")])
    f = w.hub.flow("R824-1")
    x = [x for x in f["exceptions"] if x["type"] == "document_rejected"][0]
    assert x["owner"] == "buyer" and x["actions"] == ["resend", "resolve"], x
    assert x["detail"]["reason"] == "Line 2 is priced below our catalog", x
    assert [(p["kind"], p["line_number"]) for p in x["detail"]["problems"]] == [("price", 2)], x
    assert f["state"] == "sent", f
    ev = [e for e in f["timeline"] if e["event"] == "advice.received"]
    assert len(ev) == 1 and ev[0]["detail"]["status"] == "rejected", ev
    w.supplier_sends(advice)  # a new interchange, the same advice
    until(lambda: "application_advice.duplicate" in
          [e["event"] for e in w.hub.flow("R824-1")["timeline"]])
    assert w.subjects("R824-1") == [("document_rejected", "R824-1")]
    # The supplier accepts the order after all (its catalog corrected): the exception closes.
    accepted = {k: v for k, v in advice.items() if k not in ("reason", "problems")}
    w.supplier_sends(dict(accepted, advice_number="ADV-A1", status="accepted"))
    until(lambda: w.exceptions("R824-1") == [])
    assert w.exceptions("R824-1") == [], w.hub.flow("R824-1")["exceptions"]
    assert w.subjects("R824-1", "resolved") == [("document_rejected", "R824-1")]
    ev = [e for e in w.hub.flow("R824-1")["timeline"] if e["event"] == "advice.received"]
    assert [e["detail"]["status"] for e in ev] == ["rejected", "accepted"], ev
    # Accepted with errors: the buyer is told, and nothing is to be sent again.
    w.supplier_sends(dict(advice, advice_number="ADV-E1", status="accepted_with_errors"))
    until(lambda: w.subjects("R824-1") == [("document_errors", "R824-1")])
    x = [x for x in w.hub.flow("R824-1")["exceptions"] if x["type"] == "document_errors"][0]
    assert x["actions"] == ["resolve"] and x["owner"] == "buyer", x
    w.supplier_sends(w.ack(po))
    f = w.hub.wait_state("R824-1", "acknowledged")
    assert w.subjects("R824-1") == [("document_errors", "R824-1")], f["exceptions"]


def receipt_hold_expires(w):
    # A receipt names a ship notice that never comes (the warehouse mistyped it): the ERP is
    # not kept waiting for it forever. When the hold ends (match_hold_s, 3 s here) it is sent
    # as it came; its unannounced variance stays open for the buyer, and its counts stay kept
    # for that ship notice.
    with w.hub_configured("match_hold_s: 3\n"):
        po = w.acknowledged("EARLY-2")
        w.warehouse_sends(w.receipt(po, "RCV-E2", "ASN-TYPO"))
        until(lambda: w.subjects("EARLY-2") == [("receipt_variance", "RCV-E2")])
        assert w.erp_types("EARLY-2", 1) == ["po_acknowledgement"]
        until(lambda: "receipt.hold_expired" in
              [e["event"] for e in w.hub.flow("EARLY-2")["timeline"]], 15)
        f = w.hub.flow("EARLY-2")
        ev = [e for e in f["timeline"] if e["event"] == "receipt.hold_expired"]
        assert len(ev) == 1 and ev[0]["detail"]["asn_number"] == "ASN-TYPO", ev
        assert ev[0]["detail"]["posted_to_erp"] == 1, ev
        assert w.erp_types("EARLY-2", 2) == ["po_acknowledgement", "receipt"]
        erp_rec = [d for d in w.erp.docs("EARLY-2") if d["type"] == "receipt"][0]
        assert (erp_rec["receipt_number"], erp_rec["asn_number"]) == ("RCV-E2", "ASN-TYPO")
        assert w.subjects("EARLY-2") == [("receipt_variance", "RCV-E2")], f["exceptions"]



def accept_variance_of_one_asn(w):
    # Two ship notices; the first is received 2 short, the second is still on its way. The
    # buyer accepts the first one's shortage: only those 2 are written off, the second ship
    # notice is still awaited (the invoice stays held for it), and its receipt closes the order.
    po = w.order("WOFF-1")
    w.hub.wait_state("WOFF-1", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-W1", {3: "20"}))
    w.supplier_sends(w.asn(po, "ASN-W2", {1: None, 2: None, 3: "16"}))
    w.warehouse_sends(w.receipt(po, "RCV-W1", "ASN-W1", {3: "18"}))
    f = w.hub.wait_state("WOFF-1", "partially_received")
    assert w.subjects("WOFF-1") == [("receipt_variance", "ASN-W1")], f["exceptions"]
    w.supplier_sends(w.invoice(po, "INV-W1", "ASN-W1", {3: "34"}))  # all but the 2 lost
    f = w.hub.wait_state("WOFF-1", "invoiced")
    assert f["invoices"]["INV-W1"]["state"] == "held", f["invoices"]
    w.hub.cli("tx", "act", w.exception_id("WOFF-1", "receipt_variance"), "accept_variance",
              "--comment", "2 cases broken in transit", "--url", w.hub.url, "--token", w.hub.token)
    until(lambda: w.exceptions("WOFF-1") == [] and
          "exception.action" in [e["event"] for e in w.hub.flow("WOFF-1")["timeline"]], 10)
    f = w.hub.flow("WOFF-1")
    act = [e for e in f["timeline"] if e["event"] == "exception.action"][0]
    assert act["detail"]["written_off"] == {"3": "2"}, act
    assert f["invoices"]["INV-W1"]["state"] == "held", f["invoices"]  # ASN-W2's 16 still come
    assert (f["state"], f["owner"], f["next_step"]) == ("invoiced", "warehouse", "receipt"), f
    assert [l.get("short_accepted") for l in f["lines"]] == [None, None, "2"], f["lines"]
    assert "invoice" not in w.erp_types("WOFF-1")
    w.warehouse_sends(w.receipt(po, "RCV-W2", "ASN-W2", {1: None, 2: None, 3: "16"}))
    f = w.hub.wait_state("WOFF-1", "closed")
    assert w.exceptions("WOFF-1") == [], f["exceptions"]
    assert w.subjects("WOFF-1", "resolved") == [("receipt_variance", "ASN-W1")]
    assert f["invoices"]["INV-W1"]["state"] == "matched", f["invoices"]
    assert [l["received"] for l in f["lines"]] == ["400", "2500", "34"]
    assert w.erp_types("WOFF-1", 6) == ["po_acknowledgement", "ship_notice", "ship_notice",
                                        "receipt", "receipt", "invoice"]
    inv = [d for d in w.erp.docs("WOFF-1") if d["type"] == "invoice"]
    assert [(d["invoice_number"], d["lines"][2]["quantity"]) for d in inv] == [("INV-W1", "34")]


def damaged_goods(w):
    po = w.order("DMG-1")
    w.hub.wait_state("DMG-1", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-D1"))
    w.hub.wait_state("DMG-1", "shipped")
    w.warehouse_sends(w.receipt(po, "RCV-D1", "ASN-D1", damaged={1: "10"}))
    f = w.hub.wait_state("DMG-1", "partially_received")
    kinds = [v["kind"] for v in f["variances"]]
    assert kinds == ["damaged"], kinds
    line1 = [l for l in f["lines"] if l["line_number"] == 1][0]
    assert line1["received"] == "400" and line1["damaged"] == "10"
    assert w.exceptions("DMG-1") == ["receipt_variance"]
    assert w.erp_types("DMG-1", 3) == ["po_acknowledgement", "ship_notice", "receipt"]


def price_mismatch(w):
    f = w.invoiced_at_wrong_price("PRICE-1", "ASN-X1", "RCV-X1", "INV-X1")
    assert f["owner"] == "accounts_payable"
    x = [x for x in f["exceptions"] if x["type"] == "invoice_mismatch"][0]
    assert x["detail"]["problems"] == [{"line_number": 1, "kind": "price", "invoiced_price": "7.1",
                                        "agreed_price": "6.85"}], x
    assert x["actions"] == ["accept_variance", "reject_invoice", "resolve"]
    # An action that does not apply is refused with the ones that do; resolve needs a comment.
    st, body = w.hub.request("POST", "/v1/exceptions/%s/actions" % x["id"], {"action": "resend"})
    assert st == 409 and "accept_variance" in body["detail"], body
    w.act(x["id"], "resolve", expect=422)
    assert "invoice" not in w.erp_types("PRICE-1")
    out = w.act(x["id"], "accept_variance", "price increase agreed by phone")
    assert out["state"] == "resolved" and out["history"][0]["comment"] == "price increase agreed by phone"
    w.hub.wait_state("PRICE-1", "closed")
    assert w.erp_types("PRICE-1", 4)[-1] == "invoice"
    w.act(x["id"], "resolve", "again", expect=409)  # no longer open


def rejection_to_a_supplier_without_advices(w):
    # A supplier whose profile does not take application advices is not sent one when its
    # invoice is rejected: the timeline says so, and no exception is raised for it.
    with w.supplier_profile("  - {type: application_advice, direction: out, format: json}\n"):
        w.invoiced_at_wrong_price("NOADV-1", "ASN-NA1", "RCV-NA1", "INV-NA1")
        w.act(w.exception_id("NOADV-1", "invoice_mismatch"), "reject_invoice", "wrong price")
        until(lambda: "send.skipped" in [e["event"] for e in w.hub.flow("NOADV-1")["timeline"]])
        f = w.hub.flow("NOADV-1")
        skipped = [e for e in f["timeline"] if e["event"] == "send.skipped"]
        assert [e["detail"]["document"] for e in skipped] == ["application_advice"], skipped
        assert w.exceptions("NOADV-1") == [], f["exceptions"]
        assert [d for d in w.sup.docs("NOADV-1") if d["type"] == "application_advice"] == []


def duplicate_asn(w):
    po = w.order("DUP-1")
    w.hub.wait_state("DUP-1", "sent")
    w.supplier_sends(w.ack(po))
    w.supplier_sends(w.asn(po, "ASN-DUP"))
    w.hub.wait_state("DUP-1", "shipped")
    w.supplier_sends(w.asn(po, "ASN-DUP"))  # the same ASN again, in a new interchange
    w.warehouse_sends(w.receipt(po, "RCV-DUP", "ASN-DUP"))
    w.supplier_sends(w.invoice(po, "INV-DUP", "ASN-DUP"))
    f = w.hub.wait_state("DUP-1", "closed")
    assert [l["shipped"] for l in f["lines"]] == ["400", "2500", "36"]
    assert "ship_notice.duplicate" in [e["event"] for e in f["timeline"]]
    w.supplier_sends(w.invoice(po, "INV-DUP", "ASN-DUP"))  # and the invoice twice
    time.sleep(0.5)
    f = w.hub.flow("DUP-1")
    assert f["state"] == "closed" and [l["invoiced"] for l in f["lines"]] == ["400", "2500", "36"]
    assert w.erp_types("DUP-1", 4) == ["po_acknowledgement", "ship_notice", "receipt", "invoice"]


def supplier_down(w):
    w.sup.down = True
    po = w.order("DOWN-1")
    w.hub.wait_state("DOWN-1", "sent")
    time.sleep(1.5)
    assert not [b for c, b in w.sup.raw() if b"DOWN-1" in b]
    st, body = w.hub.request("GET", "/v1/outbox?partner=acme&state=pending")
    assert st == 200 and any(m["attempts"] >= 1 for m in body["messages"]), body
    w.sup.down = False
    until(lambda: [b for c, b in w.sup.raw() if b"DOWN-1" in b])
    assert len([b for c, b in w.sup.raw() if b"DOWN-1" in b]) == 1


def erp_refuses_a_posting(w):
    # The ERP refuses the acknowledgement: delivery gives it up (dead letter) and the order gets
    # an exception saying so, with the ERP's answer.
    po = w.order("ERPX-1")
    w.hub.wait_state("ERPX-1", "sent")
    w.erp.refuse = True
    try:
        w.supplier_sends(w.ack(po))
        until(lambda: "delivery_failed" in w.exceptions("ERPX-1"))
    finally:
        w.erp.refuse = False
    f = w.hub.flow("ERPX-1")
    x = [x for x in f["exceptions"] if x["type"] == "delivery_failed"]
    assert len(x) == 1, f["exceptions"]
    assert x[0]["detail"]["partner"] == "erp" and "422" in x[0]["detail"]["reason"], x[0]
    assert "delivery.dead" in [e["event"] for e in f["timeline"]]
    assert f["state"] == "acknowledged"  # the flow itself goes on


def warehouse_rerouted(w):
    # The warehouse refuses the ship notice (dead letter): the buyer re-routes the goods to the
    # alternate warehouse its profile names; the open ship notice goes there.
    wh2 = Recorder()
    w.apply("wms2.yaml", WAREHOUSE.replace("id: wms", "id: wms2").replace(
        "name: Chicago DC", "name: Dallas DC") % wh2.port)
    w.apply("wms.yaml", (WAREHOUSE % w.wh.port).replace(
        "  retry:", "  failover: {alternate: wms2, after: 1m}\n  retry:"))
    po = w.order("RR-1")
    w.hub.wait_state("RR-1", "sent")
    w.supplier_sends(w.ack(po))
    w.wh.refuse = True
    try:
        w.supplier_sends(w.asn(po, "ASN-RR"))
        until(lambda: "delivery_failed" in w.exceptions("RR-1"))
    finally:
        w.wh.refuse = False
    x = [x for x in w.hub.flow("RR-1")["exceptions"] if x["type"] == "delivery_failed"][0]
    assert x["actions"] == ["reroute", "resolve"], x
    assert not wh2.docs("RR-1")
    out = w.act(x["id"], "reroute", "Chicago dock closed")
    assert out["state"] == "resolved"
    until(lambda: wh2.docs("RR-1"))
    assert [d["asn_number"] for d in wh2.docs("RR-1")] == ["ASN-RR"]
    f = w.hub.flow("RR-1")
    assert f["participants"]["warehouse"] == "wms2"
    assert "warehouse.rerouted" in [e["event"] for e in f["timeline"]]
    w.apply("wms.yaml", WAREHOUSE % w.wh.port)  # the profile as the other scenarios know it
    wh2.server.shutdown()


def restart_every_step(w):
    po = w.order("RST-1")
    steps = [
        ("sent", None),
        ("acknowledged", lambda: w.supplier_sends(w.ack(po))),
        ("shipped", lambda: w.supplier_sends(w.asn(po, "ASN-RST"))),
        ("received", lambda: w.warehouse_sends(w.receipt(po, "RCV-RST", "ASN-RST"))),
        ("closed", lambda: w.supplier_sends(w.invoice(po, "INV-RST", "ASN-RST"))),
    ]
    for i, (state, send) in enumerate(steps):
        if send:
            send()
        # Stop it at once, sometimes before the step committed: the journal holds the document
        # and the engine takes the step after the restart, exactly once.
        w.hub.stop(signal.SIGKILL if i % 2 else signal.SIGTERM)
        w.hub.start()
        w.hub.wait_state("RST-1", state)
    f = w.hub.flow("RST-1")
    assert [l["received"] for l in f["lines"]] == ["400", "2500", "36"]
    assert w.erp_types("RST-1", 4) == ["po_acknowledgement", "ship_notice", "receipt", "invoice"]
    assert len([b for c, b in w.sup.raw() if b"RST-1" in b]) == 1


def sla_timer_survives_restart(w):
    with w.supplier_profile(within="3s"):
        po = w.order("SLA-1")
        w.hub.wait_state("SLA-1", "sent")
        w.hub.stop()
        time.sleep(3.5)  # both timers fall due while the hub is down
        w.hub.start()
        until(lambda: w.hub.flow("SLA-1")["sla"] == "missed", 10)
        f = w.hub.flow("SLA-1")
        assert f["sla"] == "missed", f
        assert w.exceptions("SLA-1") == ["sla_missed"]
        assert w.exceptions("SLA-1", "resolved") == ["sla_at_risk"]
        w.supplier_sends(w.ack(po))
        f = w.hub.wait_state("SLA-1", "acknowledged")
        assert f["sla"] == "ok" and w.exceptions("SLA-1") == []


def timer_cancelled_in_the_same_batch(w):
    # A ship notice and the invoice in one interchange: their steps commit in one batch, the
    # first arming the invoice SLA, the second cancelling it. The cancel must win: the invoice
    # came (it is held for the goods), so no sla_missed may follow.
    with w.supplier_profile("slas:\n",
                            "slas:\n  - {expect: invoice, after: ship_notice, within: 2s}\n"):
        po = w.acknowledged("BATCH-1")
        w.supplier_sends(w.asn(po, "ASN-B1"), 201, w.invoice(po, "INV-B1", "ASN-B1"))
        f = w.hub.wait_state("BATCH-1", "invoiced")
        assert f["invoices"]["INV-B1"]["state"] == "held", f["invoices"]
        time.sleep(3.5)  # past the SLA's deadline
        f = w.hub.flow("BATCH-1")
        assert w.exceptions("BATCH-1") == [], f["exceptions"]
        assert f["sla"] == "ok", f
        assert "sla.missed" not in [e["event"] for e in f["timeline"]], f["timeline"]


def bad_input(w):
    # Unknown exception, malformed action body, unknown action: clear errors, nothing changes.
    st, _ = w.hub.request("GET", "/v1/exceptions/nope")
    assert st == 404
    st, body = w.hub.request("POST", "/v1/exceptions/nope/actions", b"{not json")
    assert st == 400, body
    st, body = w.hub.request("POST", "/v1/exceptions/nope/actions", {"action": "explode"})
    assert st == 422 and "resend" in body["detail"], body
    st, body = w.hub.request("GET", "/v1/exceptions?min_age_seconds=abc")
    assert st == 400
    # Subject filters: a document type that does not exist, an empty or over-long number.
    st, body = w.hub.request("GET", "/v1/exceptions?subject_document=shipnotice")
    assert st == 400 and body["type"].endswith("invalid-filter"), body
    assert "subject_document must be a document type" in body["detail"], body
    st, body = w.hub.request("GET", "/v1/exceptions?subject_number=")
    assert st == 400 and "subject_number must be 1-128 characters" in body["detail"], body
    st, body = w.hub.request("GET", "/v1/exceptions?subject_number=" + "N" * 129)
    assert st == 400 and "subject_number must be 1-128 characters" in body["detail"], body
    # A receipt for a PO nobody ordered is journaled and starts no flow.
    rec = {"type": "receipt", "receipt_number": "RCV-ORPHAN", "po_number": "NOPE-1",
           "location_id": "DC-CHI", "received_at": "2026-03-12T10:00:00Z",
           "lines": [{"line_number": 1, "sku": "X", "received_quantity": "1", "uom": "EA"}]}
    w.warehouse_sends(rec)
    time.sleep(0.3)
    assert w.hub.flow("NOPE-1") is None
    st, body = w.hub.request("GET", "/v1/exceptions?type=invoice_mismatch&state=open&owner=accounts_payable")
    assert st == 200 and all(x["owner"] == "accounts_payable" for x in body["exceptions"])
    # An order the supplier's format cannot carry (its component separator in a note): nothing
    # goes out, the timeline and a send_failed exception say why, with resend among the actions.
    po = json.loads(json.dumps(w.po_template))
    po.update(po_number="SEP-1", note="deliver > 07:00")
    po["supplier"]["party_id"] = "acme"
    del po["correlation_id"]
    st, body = w.hub.request("POST", "/v1/documents", po)
    assert st == 201, body
    until(lambda: w.hub.flow("SEP-1") is not None and "send_failed" in w.exceptions("SEP-1"), 10)
    f = w.hub.flow("SEP-1")
    x = [x for x in f["exceptions"] if x["type"] == "send_failed"][0]
    assert x["actions"] == ["resend", "resolve"] and x["partner"] == "acme", x
    assert "separator" in x["detail"]["error"], x
    assert "send.failed" in [e["event"] for e in f["timeline"]]
    assert not [b for c, b in w.sup.raw() if b"SEP-1" in b]
    # Ship notices whose quantities add up past what an exact decimal holds: canon accepts each
    # one, the step that would overflow fails alone: the order keeps its state and quantities,
    # an exception says so, and the flow goes on.
    po = w.order("OVF-1")
    w.hub.wait_state("OVF-1", "sent")
    w.supplier_sends(w.ack(po))
    huge = {1: "5000000000000.000001", 2: None, 3: None}
    for n in ("ASN-O1", "ASN-O2"):
        st, body = w.hub.request("POST", "/v1/documents", w.asn(po, n, huge))
        assert st == 201, body
    until(lambda: "processing_failed" in w.exceptions("OVF-1"), 10)
    f = w.hub.flow("OVF-1")
    assert "processing_failed" in w.exceptions("OVF-1"), f["exceptions"]
    assert f["lines"][0]["shipped"] == "5000000000000.000001", f["lines"][0]
    assert "step.failed" in [e["event"] for e in f["timeline"]]
    # Retrying it while the cause lasts is refused with the reason, and changes nothing.
    x = [x for x in f["exceptions"] if x["type"] == "processing_failed"][0]
    assert x["actions"] == ["retry", "resolve"] and x["detail"]["document"] == "ship_notice", x
    st, body = w.hub.request("POST", "/v1/exceptions/%s/actions" % x["id"], {"action": "retry"})
    assert st == 409 and "still cannot be applied" in body["detail"], (st, body)
    assert "processing_failed" in w.exceptions("OVF-1")
    assert w.hub.flow("OVF-1")["lines"][0]["shipped"] == "5000000000000.000001"
    w.warehouse_sends(w.receipt(po, "RCV-O1", "ASN-O1", {2: None, 3: None}))
    w.hub.wait_state("OVF-1", "partially_received")
    # The engine's work in the metrics: closed flows and open exceptions by type.
    req = urllib.request.Request(w.hub.url + "/metrics")
    req.add_header("Authorization", "Bearer " + w.hub.token)
    text = urllib.request.urlopen(req, timeout=10).read().decode()
    closed = [l for l in text.splitlines() if l.startswith('crossdock_flows{state="closed"}')]
    assert closed and int(closed[0].split()[1]) >= 5, closed
    assert 'crossdock_exceptions_open{type="processing_failed"} 1' in text, text[-2000:]
    assert "crossdock_flow_steps_total" in text
    assert "\ncrossdock_flow_set_aside_total 0\n" in text  # the rules' failures are no stop


SCENARIOS = [happy_path, rejected_line, partial_shipment, short_receipt,
             rejected_invoice_x12_supplier,
             two_receipts_for_one_asn, held_invoice_hold_expires, exceptions_close_by_subject,
             receipt_names_no_asn, receipt_names_no_asn_of_one_shipment, receipt_before_its_asn,
             receipt_hold_expires, supplier_rejects_order_by_824,
             accept_variance_of_one_asn,
             damaged_goods,
             price_mismatch, rejection_to_a_supplier_without_advices, duplicate_asn, supplier_down, erp_refuses_a_posting,
             warehouse_rerouted,
             restart_every_step,
             sla_timer_survives_restart, timer_cancelled_in_the_same_batch, bad_input]


def main():
    tmp = tempfile.mkdtemp(prefix="xd-p2p-")
    passed = failed = 0
    w = None
    try:
        w = World(tmp)
        for s in SCENARIOS:
            try:
                s(w)
                passed += 1
                print("ok   %s" % s.__name__, flush=True)
            except Exception:
                failed += 1
                print("FAIL %s" % s.__name__, flush=True)
                traceback.print_exc()
                if w.hub.proc.poll() is not None:
                    w.hub.start()
        w.hub.stop()
        rc = subprocess.run([BIN, "audit", "verify", "--data", w.hub.data], capture_output=True)
        if rc.returncode != 0:
            failed += 1
            print("FAIL audit verify", rc.stdout, rc.stderr)
    except Exception:
        failed += 1
        traceback.print_exc()
    finally:
        if w is not None and w.hub.proc is not None and w.hub.proc.poll() is None:
            w.hub.proc.kill()
        if failed and os.path.exists(os.path.join(tmp, "hub.log")):
            print(open(os.path.join(tmp, "hub.log")).read()[-4000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
