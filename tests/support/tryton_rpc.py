#!/usr/bin/python3
# Test helper for the Tryton integration test (tests/support/tryton.sh): a JSON-RPC client of
# trytond with the few commands the tests need to prepare data and to read Tryton's records.
# Standard library only. Usage: tryton_rpc.py URL DB COMMAND [ARGS...]; answers JSON on stdout.
import base64
import json
import sys
import urllib.request

URL, DB, CMD, ARGS = sys.argv[1].rstrip('/') + '/' + sys.argv[2] + '/', sys.argv[2], sys.argv[3], sys.argv[4:]
PASSWORD = 'admin-secret'
auth, ctx, n = None, {}, 0


def D(s):
    return {'__class__': 'Decimal', 'decimal': s}


def call(method, *params):
    global n
    n += 1
    req = urllib.request.Request(URL, json.dumps({'id': n, 'method': method, 'params': list(params)}).encode(),
                                 {'Content-Type': 'application/json'})
    if auth:
        req.add_header('Authorization', 'Session ' + auth)
    r = json.load(urllib.request.urlopen(req, timeout=60))
    if r.get('error'):
        raise SystemExit(f'{method}: {r["error"]}')
    return r['result']


def login():
    global auth, ctx
    uid, session = call('common.db.login', 'admin', {'password': PASSWORD}, 'en')
    auth = base64.b64encode(f'admin:{uid}:{session}'.encode()).decode()
    company = call('model.res.user.read', [uid], ['company'], {})[0]['company']
    ctx = {'company': company} if company else {}
    return uid, company


def one(model, domain):
    ids = call(f'model.{model}.search', domain, 0, None, None, ctx)
    return ids[0] if ids else None


def setup():
    """Company, currency, a minimal chart of accounts, the crossdock user, parties, products."""
    uid, company = login()
    if company is None:
        cur = call('model.currency.currency.create', [{'name': 'US Dollar', 'code': 'USD', 'symbol': '$',
                   'rounding': D('0.01'), 'digits': 2}], ctx)[0]
        cparty = call('model.party.party.create', [{'name': 'Northwind Industrial Supply', 'code': 'NORTHWIND'}], ctx)[0]
        company = call('model.company.company.create', [{'party': cparty, 'currency': cur}], ctx)[0]
        call('model.res.user.write', [uid], {'companies': [['add', [company]]], 'company': company}, ctx)
    globals()['ctx'] = {'company': company}
    # A minimal chart of accounts: payable and expense, enough for supplier invoices.
    if one('account.account', [('code', '=', '2100')]) is None:
        tp = call('model.account.account.type.create', [{'name': 'Payable', 'statement': 'balance',
                  'payable': True, 'company': company}], ctx)[0]
        te = call('model.account.account.type.create', [{'name': 'Expense', 'statement': 'income',
                  'expense': True, 'company': company}], ctx)[0]
        call('model.account.account.create', [
            {'name': 'Accounts Payable', 'code': '2100', 'type': tp, 'reconcile': True,
             'party_required': True, 'company': company},
            {'name': 'Purchases', 'code': '6000', 'type': te, 'company': company}], ctx)
    # A fiscal year with its sequences, so supplier invoices can be posted (invoice_state: posted).
    if one('account.fiscalyear', [('name', '=', '2026')]) is None:
        def type_id(module, fs_id):
            return call('model.ir.model.data.search_read', [('module', '=', module), ('fs_id', '=', fs_id)],
                        0, 1, None, ['db_id'], ctx)[0]['db_id']
        move_seq = call('model.ir.sequence.create', [{'name': 'Account moves', 'company': company,
                        'sequence_type': type_id('account', 'sequence_type_account_move')}], ctx)[0]
        inv_seq = call('model.ir.sequence.strict.create', [{'name': 'Invoices', 'company': company,
                       'sequence_type': type_id('account_invoice', 'sequence_type_account_invoice')}], ctx)[0]
        fy = call('model.account.fiscalyear.create', [{
            'name': '2026', 'company': company, 'post_move_sequence': move_seq,
            'start_date': {'__class__': 'date', 'year': 2026, 'month': 1, 'day': 1},
            'end_date': {'__class__': 'date', 'year': 2026, 'month': 12, 'day': 31},
            'invoice_sequences': [['create', [{'company': company, 'in_invoice_sequence': inv_seq,
                                               'in_credit_note_sequence': inv_seq, 'out_invoice_sequence': inv_seq,
                                               'out_credit_note_sequence': inv_seq}]]]}], ctx)[0]
        call('model.account.fiscalyear.create_period', [fy], ctx)
    payable = one('account.account', [('code', '=', '2100')])
    expense = one('account.account', [('code', '=', '6000')])
    unit = one('product.uom', [('symbol', '=', 'u')])
    for code, name in (('SUP-0001', 'Acme Fasteners Inc.'), ('SUP-0002', 'SafeHands Medical')):
        if one('party.party', [('code', '=', code)]) is None:
            call('model.party.party.create', [{'name': name, 'code': code, 'account_payable': payable,
                 'addresses': [['create', [{'street': '1 Main St', 'city': 'Springfield'}]]]}], ctx)
    cat = one('product.category', [('name', '=', 'Goods')])
    if cat is None:
        cat = call('model.product.category.create', [{'name': 'Goods', 'accounting': True,
                   'account_expense': expense}], ctx)[0]
    for code, name, price in (('NW-20417', 'Nitrile gloves L', '6.85'), ('NW-10042', 'Hex bolt M8x40', '0.1325'),
                              ('NW-55555', 'Unmapped thing', '1.00')):
        if one('product.product', [('code', '=', code)]) is None:
            call('model.product.template.create', [{'name': name, 'type': 'goods', 'default_uom': unit,
                 'purchasable': True, 'purchase_uom': unit, 'list_price': D(price), 'account_category': cat,
                 'code': code, 'products': [['create', [{}]]]}], ctx)
    # The user the hub logs in as.
    if one('res.user', [('login', '=', 'crossdock')]) is None:
        groups = call('model.res.group.search', [], 0, None, None, ctx)
        call('model.res.user.create', [{'name': 'Crossdock', 'login': 'crossdock', 'password': 'Kq7-Vw3Zr9Ln',
             'companies': [['add', [company]]], 'company': company, 'groups': [['add', groups]]}], ctx)
    wh = call('model.stock.location.search_read', [('type', '=', 'warehouse')], 0, None, None, ['code', 'name'], ctx)
    print(json.dumps({'company': company, 'warehouses': wh}))


def po_create(party_code, *lines, process=True):
    """po_create SUP-0001 NW-20417:10:2.50 ... -> confirmed (and processed) purchase."""
    login()
    party = one('party.party', [('code', '=', party_code)])
    addr = call('model.party.party.read', [party], ['addresses'], ctx)[0]['addresses'][0]
    company = ctx['company']
    cur = call('model.company.company.read', [company], ['currency'], ctx)[0]['currency']
    wh = one('stock.location', [('type', '=', 'warehouse')])
    unit = one('product.uom', [('symbol', '=', 'u')])
    create = []
    for spec in lines:
        code, qty, price = spec.split(':')
        product = one('product.product', [('code', '=', code)])
        create.append({'type': 'line', 'product': product, 'quantity': float(qty), 'unit': unit,
                       'unit_price': D(price), 'description': code})
    po = call('model.purchase.purchase.create', [{'party': party, 'company': company, 'currency': cur,
              'warehouse': wh, 'invoice_address': addr, 'invoice_method': 'manual',
              'purchase_date': {'__class__': 'date', 'year': 2026, 'month': 3, 'day': 2},
              'lines': [['create', create]]}], ctx)[0]
    call('model.purchase.purchase.quote', [po], ctx)
    call('model.purchase.purchase.confirm', [po], ctx)
    if process:
        call('model.purchase.purchase.process', [po], ctx)
    print(json.dumps(call('model.purchase.purchase.read', [po], ['number', 'state', 'lines'], ctx)[0]))


def po_change(po, line, qty):
    """A confirmed purchase back to draft, a line's quantity changed, confirmed again."""
    login()
    po, line = int(po), int(line)
    call('model.purchase.purchase.draft', [po], ctx)
    call('model.purchase.line.write', [line], {'quantity': float(qty)}, ctx)
    call('model.purchase.purchase.quote', [po], ctx)
    call('model.purchase.purchase.confirm', [po], ctx)
    print(json.dumps(call('model.purchase.purchase.read', [po], ['number', 'state'], ctx)[0]))


def po_cancel(po):
    """A confirmed purchase withdrawn: back to draft, then cancelled."""
    login()
    po = int(po)
    call('model.purchase.purchase.draft', [po], ctx)
    call('model.purchase.purchase.cancel', [po], ctx)
    print(json.dumps(call('model.purchase.purchase.read', [po], ['number', 'state'], ctx)[0]))


def product_create(code, name):
    login()
    unit = one('product.uom', [('symbol', '=', 'u')])
    call('model.product.template.create', [{'name': name, 'type': 'goods', 'default_uom': unit,
         'purchasable': True, 'purchase_uom': unit, 'list_price': D('1.00'), 'code': code,
         'products': [['create', [{}]]]}], ctx)
    print(json.dumps({'code': code}))


def main():
    if CMD == 'setup':
        setup()
    elif CMD == 'po-create':
        po_create(*ARGS)
    elif CMD == 'po-confirm':
        po_create(*ARGS, process=False)
    elif CMD == 'po-change':
        po_change(*ARGS)
    elif CMD == 'po-cancel':
        po_cancel(*ARGS)
    elif CMD == 'product-create':
        product_create(*ARGS)
    elif CMD == 'call':  # call METHOD JSON-PARAMS (the context is appended)
        login()
        print(json.dumps(call(ARGS[0], *json.loads(ARGS[1]), ctx)))
    elif CMD == 'read':  # read MODEL JSON-DOMAIN JSON-FIELDS
        login()
        print(json.dumps(call(f'model.{ARGS[0]}.search_read', json.loads(ARGS[1]), 0, None, None,
                              json.loads(ARGS[2]), ctx)))
    else:
        raise SystemExit(f'unknown command {CMD}')


main()
