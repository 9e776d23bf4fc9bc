#!/usr/bin/env python3
"""The hub's added latency per procure-to-pay step, from a finished run's store (read only):
for every step the engine took for a document, the time from the document's journal commit to
the step's commit; for every outbound message, the time from queued to delivered."""
import sqlite3
import sys

STEPS = {
    "po.sent": "purchase order -> sent to supplier",
    "ack.received": "acknowledgement -> applied, posted",
    "asn.received": "ship notice -> matched, forwarded",
    "receipt.received": "receipt -> variances, posted",
    "invoice.matched": "invoice -> three-way match, posted",
}


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0


db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
rows = db.execute(
    "SELECT e.event, e.at - j.received_at FROM flow_events e "
    "JOIN documents d ON d.id = e.document_id JOIN journal j ON j.seq = d.seq "
    "WHERE e.event IN (%s)" % ",".join("'%s'" % k for k in STEPS)).fetchall()
print("  engine step (document journaled -> step committed), ms:")
for ev, label in STEPS.items():
    v = [r[1] for r in rows if r[0] == ev]
    print("    %-40s p50 %4d  p99 %4d  max %4d  (n %d)" % (label, pct(v, .5), pct(v, .99),
                                                          max(v) if v else 0, len(v)))
out = db.execute("SELECT partner, delivered_at - created_at FROM outbox "
                 "WHERE delivered_at IS NOT NULL").fetchall()
v = [r[1] for r in out]
print("  outbound message queued -> delivered, ms: p50 %d  p99 %d  (n %d)" %
      (pct(v, .5), pct(v, .99), len(v)))
