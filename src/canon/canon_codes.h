/* SPDX-License-Identifier: MIT
 * Code lists and string classes of the canonical documents, defined once as X-macros.
 * XD_CANON_CODE_LISTS(L) names every list as L(list, doc); XD_CANON_CODES_<list>(V) gives its
 * values as V("code", "meaning"). XD_CANON_STRING_CLASSES(C) gives C(CLASS, pattern, doc); the
 * pattern is written for both ECMA-262 (JSON Schema) and POSIX ERE, so tests can check it. */
#ifndef XD_CANON_CANON_CODES_H
#define XD_CANON_CANON_CODES_H

#define XD_CANON_CODE_LISTS(L)                                                                     \
    L(uom, "Unit of measure: X12 element 355 codes (UN/ECE Rec 20 equivalent in brackets)")        \
    L(weight_uom, "Unit of weight (X12 355)")                                                      \
    L(length_uom, "Unit of length (X12 355)")                                                      \
    L(party_role, "What a trading partner is to the distributor")                                  \
    L(identifier_scheme, "Who issued a party identifier")                                          \
    L(contact_role, "What a contact person is for")                                                \
    L(address_kind, "What an address of a party is used for")                                      \
    L(location_kind, "Kind of physical or logical location")                                       \
    L(channel, "How a message reached the hub")                                                    \
    L(format, "Format a message was written in")                                                   \
    L(purpose, "Why a document was sent (X12 BEG01, BSN01, W0501)")                                \
    L(order_type, "Kind of purchase order (X12 BEG02)")                                            \
    L(line_change, "What a line of a change order does (X12 POC02)")                               \
    L(ack_status, "Answer to a whole purchase order (X12 BAK02)")                                  \
    L(line_ack_status, "Answer to one purchase order line (X12 ACK01)")                            \
    L(freight_terms, "Who pays the freight (X12 FOB01)")                                           \
    L(service_level, "Carrier service level (X12 TD5 / W66)")                                      \
    L(transport_mode, "Mode of transport (X12 TD504)")                                             \
    L(pack_kind, "Kind of handling unit (X12 TD101 packaging)")                                    \
    L(receipt_condition, "Condition of received goods")                                            \
    L(invoice_type, "Kind of invoice (X12 BIG07)")                                                 \
    L(charge_code, "Charge or allowance (X12 SAC02)")                                              \
    L(tax_type, "Kind of tax (X12 TXI01)")                                                         \
    L(terms_basis, "Date payment terms count from (X12 ITD02)")                                    \
    L(return_reason, "Why goods come back")                                                        \
    L(disposition, "What happens to returned goods")                                               \
    L(rma_status, "State of a return authorization")                                               \
    L(priority, "Fulfilment priority")                                                             \
    L(shipment_line_status, "Outcome of a shipping order line")                                    \
    L(movement_kind, "Kind of inventory movement")                                                 \
    L(stock_status, "Status of stock")                                                             \
    L(item_status, "Lifecycle state of an item")                                                   \
    L(advice_status, "Outcome an application advice reports (X12 OTI01)")                          \
    L(advised_document, "Kind of document an application advice is about (X12 OTI02/OTI03)")       \
    L(advice_problem, "What is wrong with an advised document (X12 TED01)")

#define XD_CANON_CODES_uom(V)                                                                      \
    V("EA", "Each [EA]")                                                                           \
    V("PC", "Piece [H87]")                                                                         \
    V("PR", "Pair [PR]")                                                                           \
    V("DZ", "Dozen [DZN]")                                                                         \
    V("ST", "Set [SET]")                                                                           \
    V("KT", "Kit [KT]")                                                                            \
    V("PK", "Package [PK]")                                                                        \
    V("BX", "Box [BX]")                                                                            \
    V("CA", "Case [CS]")                                                                           \
    V("CT", "Carton [CT]")                                                                         \
    V("BG", "Bag [BG]")                                                                            \
    V("BD", "Bundle [BE]")                                                                         \
    V("BO", "Bottle [BO]")                                                                         \
    V("CN", "Can [CA]")                                                                            \
    V("DR", "Drum [DR]")                                                                           \
    V("RL", "Roll [RO]")                                                                           \
    V("PL", "Pallet or unit load [PF]")                                                            \
    V("LB", "Pound [LBR]")                                                                         \
    V("OZ", "Ounce, avoirdupois [ONZ]")                                                            \
    V("KG", "Kilogram [KGM]")                                                                      \
    V("GR", "Gram [GRM]")                                                                          \
    V("IN", "Inch [INH]")                                                                          \
    V("FT", "Foot [FOT]")                                                                          \
    V("YD", "Yard [YRD]")                                                                          \
    V("CM", "Centimetre [CMT]")                                                                    \
    V("MR", "Metre [MTR]")                                                                         \
    V("SF", "Square foot [FTK]")                                                                   \
    V("CF", "Cubic foot [FTQ]")                                                                    \
    V("CR", "Cubic metre [MTQ]")                                                                   \
    V("GA", "US gallon [GLL]")                                                                     \
    V("LT", "Litre [LTR]")                                                                         \
    V("ML", "Millilitre [MLT]")

#define XD_CANON_CODES_weight_uom(V)                                                               \
    V("LB", "Pound")                                                                               \
    V("OZ", "Ounce, avoirdupois")                                                                  \
    V("KG", "Kilogram")                                                                            \
    V("GR", "Gram")

#define XD_CANON_CODES_length_uom(V)                                                               \
    V("IN", "Inch")                                                                                \
    V("FT", "Foot")                                                                                \
    V("CM", "Centimetre")                                                                          \
    V("MR", "Metre")

#define XD_CANON_CODES_party_role(V)                                                               \
    V("supplier", "Sells goods to the distributor")                                                \
    V("customer", "Buys goods from the distributor")                                               \
    V("carrier", "Moves goods")                                                                    \
    V("warehouse_operator", "Runs a warehouse the distributor stocks")                             \
    V("3pl", "Third-party logistics provider: stores and ships for the distributor")               \
    V("marketplace", "Sales channel that passes on its customers' orders")

#define XD_CANON_CODES_identifier_scheme(V)                                                        \
    V("gln", "GS1 Global Location Number (13 digits)")                                             \
    V("duns", "Dun & Bradstreet number (9 digits)")                                                \
    V("duns_plus4", "D-U-N-S number with a 4-digit suffix (13 digits)")                            \
    V("x12_isa", "X12 interchange ID (ISA06/ISA08); `qualifier` holds ISA05/ISA07")                \
    V("x12_gs", "X12 application code (GS02/GS03)")                                                \
    V("scac", "Standard Carrier Alpha Code")                                                       \
    V("tax_id", "Tax registration number")                                                         \
    V("buyer_assigned", "Number the buyer assigned (X12 N103 92)")                                 \
    V("supplier_assigned", "Number the supplier assigned (X12 N103 91)")                           \
    V("internal", "Number in the distributor's ERP")

#define XD_CANON_CODES_contact_role(V)                                                             \
    V("buyer", "Buyer or purchasing")                                                              \
    V("sales", "Sales or account manager")                                                         \
    V("receiving", "Receiving dock")                                                               \
    V("shipping", "Shipping department")                                                           \
    V("accounts_payable", "Accounts payable")                                                      \
    V("accounts_receivable", "Accounts receivable")                                                \
    V("customer_service", "Customer service")                                                      \
    V("edi", "EDI or integration support")                                                         \
    V("other", "Any other function")

#define XD_CANON_CODES_address_kind(V)                                                             \
    V("billing", "Where invoices are sent")                                                        \
    V("shipping", "Where goods are delivered")                                                     \
    V("remit_to", "Where payments are sent")                                                       \
    V("physical", "Head office or site")                                                           \
    V("mailing", "Postal correspondence")

#define XD_CANON_CODES_location_kind(V)                                                            \
    V("warehouse", "Warehouse holding stock")                                                      \
    V("distribution_center", "Distribution centre")                                                \
    V("store", "Retail store")                                                                     \
    V("dock", "Dock door of a warehouse")                                                          \
    V("cross_dock", "Cross-dock facility (no storage)")                                            \
    V("returns_center", "Returns processing centre")                                               \
    V("supplier_site", "Supplier's shipping site")                                                 \
    V("customer_site", "Customer's receiving site")                                                \
    V("virtual", "Logical location (in transit, consignment)")

#define XD_CANON_CODES_channel(V)                                                                  \
    V("http", "HTTP API")                                                                          \
    V("webhook", "Webhook call from the partner")                                                  \
    V("file", "File dropped into the partner's inbox folder")                                      \
    V("sftp", "SFTP upload")                                                                       \
    V("as2", "AS2 transfer")                                                                       \
    V("van", "Value-added network mailbox")                                                        \
    V("email", "E-mail attachment")                                                                \
    V("nats", "NATS subject")                                                                      \
    V("manual", "Entered by a person")                                                             \
    V("erp", "Fetched from the ERP by its connector")

#define XD_CANON_CODES_format(V)                                                                   \
    V("json", "Canonical or partner JSON")                                                         \
    V("x12", "ANSI ASC X12")                                                                       \
    V("edifact", "UN/EDIFACT")                                                                     \
    V("csv", "Delimited flat file")                                                                \
    V("fixed_width", "Fixed-width flat file")                                                      \
    V("xml", "XML")

#define XD_CANON_CODES_purpose(V)                                                                  \
    V("original", "First issue (X12 00)")                                                          \
    V("replace", "Replaces the earlier document in full (X12 05)")                                 \
    V("change", "Changes the earlier document (X12 04, 860)")                                      \
    V("cancel", "Cancels the earlier document (X12 01)")                                           \
    V("confirmation", "Confirms an order placed by other means (X12 06)")                          \
    V("duplicate", "A re-sent copy of a document already sent (X12 07)")

#define XD_CANON_CODES_order_type(V)                                                               \
    V("standard", "Stand-alone order (X12 SA)")                                                    \
    V("blanket", "Blanket order (X12 BK)")                                                         \
    V("release", "Release against a blanket order (X12 RL)")                                       \
    V("drop_ship", "Shipped straight to the customer (X12 DS)")                                    \
    V("rush", "Rush order (X12 RO)")                                                               \
    V("consignment", "Consigned stock (X12 CN)")                                                   \
    V("sample", "Samples (X12 SP)")

#define XD_CANON_CODES_line_change(V)                                                              \
    V("add", "New line (X12 AI)")                                                                  \
    V("delete", "Line cancelled (X12 DI)")                                                         \
    V("change", "Quantity, price, date or item changed (X12 CA, QI, QD, PC, RZ)")                  \
    V("unchanged", "Line repeated without change (X12 NC)")

#define XD_CANON_CODES_ack_status(V)                                                               \
    V("accepted", "Accepted as ordered (X12 AD, AK)")                                              \
    V("accepted_with_changes", "Accepted with changes to lines (X12 AC, AE)")                      \
    V("rejected", "Rejected (X12 RD, RJ)")

#define XD_CANON_CODES_line_ack_status(V)                                                          \
    V("accepted", "Accepted as ordered (X12 IA)")                                                  \
    V("changed", "Accepted with a changed quantity, price or date (X12 IC, IQ, IP, DR)")           \
    V("rejected", "Rejected (X12 IR, ID)")                                                         \
    V("backordered", "Accepted, to ship later (X12 IB)")

#define XD_CANON_CODES_freight_terms(V)                                                            \
    V("prepaid", "Shipper pays (X12 PP)")                                                          \
    V("collect", "Consignee pays (X12 CC)")                                                        \
    V("prepaid_and_add", "Shipper pays and adds it to the invoice (X12 PA)")                       \
    V("third_party", "A third party pays (X12 TP)")

#define XD_CANON_CODES_service_level(V)                                                            \
    V("ground", "Ground parcel")                                                                   \
    V("express", "Express")                                                                        \
    V("next_day", "Next day")                                                                      \
    V("second_day", "Second day")                                                                  \
    V("same_day", "Same day")                                                                      \
    V("economy", "Economy or deferred")                                                            \
    V("ltl", "Less than truckload")                                                                \
    V("ftl", "Full truckload")                                                                     \
    V("pickup", "Collected by the customer")

#define XD_CANON_CODES_transport_mode(V)                                                           \
    V("motor", "Motor carrier (X12 M)")                                                            \
    V("rail", "Rail (X12 R)")                                                                      \
    V("air", "Air (X12 A)")                                                                        \
    V("ocean", "Ocean (X12 S)")                                                                    \
    V("parcel", "Small parcel (X12 U)")                                                            \
    V("private_fleet", "Own fleet (X12 P)")                                                        \
    V("customer_pickup", "Customer pick-up (X12 H)")

#define XD_CANON_CODES_pack_kind(V)                                                                \
    V("pallet", "Pallet (X12 PLT)")                                                                \
    V("carton", "Carton (X12 CTN)")                                                                \
    V("case", "Case (X12 CAS)")                                                                    \
    V("tote", "Tote (X12 TOT)")                                                                    \
    V("bag", "Bag (X12 BAG)")                                                                      \
    V("crate", "Crate (X12 CRT)")                                                                  \
    V("drum", "Drum (X12 DRM)")                                                                    \
    V("envelope", "Envelope or pak (X12 ENV)")

#define XD_CANON_CODES_receipt_condition(V)                                                        \
    V("good", "Received in good condition")                                                        \
    V("damaged", "Damaged")                                                                        \
    V("expired", "Past its expiry date")                                                           \
    V("wrong_item", "Not the item announced or ordered")                                           \
    V("quarantine", "Held for inspection")

#define XD_CANON_CODES_invoice_type(V)                                                             \
    V("invoice", "Invoice (X12 DI or no BIG07)")                                                   \
    V("credit_memo", "Credit memo (X12 CR)")                                                       \
    V("debit_memo", "Debit memo (X12 DR)")

#define XD_CANON_CODES_charge_code(V)                                                              \
    V("freight", "Freight (X12 D240)")                                                             \
    V("fuel_surcharge", "Fuel surcharge (X12 D803)")                                               \
    V("handling", "Handling (X12 G821)")                                                           \
    V("insurance", "Insurance (X12 F050)")                                                         \
    V("packaging", "Packaging (X12 H090)")                                                         \
    V("small_order", "Small order charge (X12 I530)")                                              \
    V("restocking", "Restocking fee")                                                              \
    V("discount", "Trade discount (X12 C310)")                                                     \
    V("promotional", "Promotional allowance (X12 F800)")                                           \
    V("volume_discount", "Volume discount (X12 H970)")                                             \
    V("early_payment", "Early payment allowance (X12 A260)")                                       \
    V("defective", "Defective goods allowance (X12 C290)")                                         \
    V("other", "Other; explain in `description`")

#define XD_CANON_CODES_tax_type(V)                                                                 \
    V("sales", "Sales tax (X12 ST)")                                                               \
    V("use", "Use tax (X12 UT)")                                                                   \
    V("vat", "Value-added tax (X12 VA)")                                                           \
    V("gst", "Goods and services tax (X12 GS)")                                                    \
    V("excise", "Excise tax (X12 EV)")                                                             \
    V("other", "Other tax")

#define XD_CANON_CODES_terms_basis(V)                                                              \
    V("invoice_date", "Invoice date (X12 3)")                                                      \
    V("ship_date", "Ship date (X12 1)")                                                            \
    V("delivery_date", "Delivery date (X12 2)")                                                    \
    V("receipt_date", "Receipt of goods (X12 15)")                                                 \
    V("end_of_month", "End of the invoice month")

#define XD_CANON_CODES_return_reason(V)                                                            \
    V("damaged", "Damaged in transit")                                                             \
    V("defective", "Defective")                                                                    \
    V("wrong_item", "Wrong item shipped")                                                          \
    V("not_ordered", "Not ordered")                                                                \
    V("excess_quantity", "More than ordered")                                                      \
    V("expired", "Expired or short-dated")                                                         \
    V("recall", "Product recall")                                                                  \
    V("late_delivery", "Delivered too late")                                                       \
    V("customer_return", "End customer returned it")                                               \
    V("other", "Other; explain in a note")

#define XD_CANON_CODES_disposition(V)                                                              \
    V("restock", "Put back into sellable stock")                                                   \
    V("return_to_vendor", "Send back to the supplier")                                             \
    V("scrap", "Destroy")                                                                          \
    V("repair", "Repair or refurbish")                                                             \
    V("inspect", "Decide after inspection")

#define XD_CANON_CODES_rma_status(V)                                                               \
    V("requested", "Return requested, not yet decided")                                            \
    V("authorized", "Return authorized")                                                           \
    V("rejected", "Return refused")

#define XD_CANON_CODES_priority(V)                                                                 \
    V("low", "Ship when convenient")                                                               \
    V("normal", "Normal")                                                                          \
    V("high", "Ahead of normal orders")                                                            \
    V("urgent", "Ship today")

#define XD_CANON_CODES_shipment_line_status(V)                                                     \
    V("shipped", "Shipped in full")                                                                \
    V("partial", "Shipped in part, the rest cancelled")                                            \
    V("backordered", "Shipped in part or not at all, the rest to follow")                          \
    V("cancelled", "Not shipped and will not be")

#define XD_CANON_CODES_movement_kind(V)                                                            \
    V("receipt", "Goods received into the location (quantity > 0)")                                \
    V("pick", "Goods picked for shipping (quantity > 0, taken out)")                               \
    V("adjustment", "Correction, signed (quantity != 0)")                                          \
    V("transfer", "Moved to `to_location_id` (quantity > 0)")                                      \
    V("count", "Cycle count result: the quantity counted (quantity >= 0)")                         \
    V("return", "Returned goods put back (quantity > 0)")

#define XD_CANON_CODES_stock_status(V)                                                             \
    V("available", "Sellable")                                                                     \
    V("on_hold", "Held, not sellable")                                                             \
    V("damaged", "Damaged")                                                                        \
    V("quarantine", "Under inspection")                                                            \
    V("expired", "Past expiry")

#define XD_CANON_CODES_item_status(V)                                                              \
    V("active", "Orderable")                                                                       \
    V("inactive", "Not orderable for now")                                                         \
    V("discontinued", "No longer made or sold")

#define XD_CANON_CODES_advice_status(V)                                                            \
    V("accepted", "Accepted as sent (OTI01 TA)")                                                   \
    V("accepted_with_errors", "Accepted; the problems listed are to be fixed next time (TE)")      \
    V("rejected", "Rejected; a corrected document is owed (TR)")

#define XD_CANON_CODES_advised_document(V)                                                         \
    V("purchase_order", "Purchase order (OTI02 PO)")                                               \
    V("po_acknowledgement", "Purchase order acknowledgement")                                      \
    V("ship_notice", "Advance ship notice (OTI02 SI)")                                             \
    V("receipt", "Warehouse receipt")                                                              \
    V("invoice", "Invoice (OTI02 IV)")

#define XD_CANON_CODES_advice_problem(V)                                                           \
    V("quantity", "Quantity differs from what was received or ordered")                            \
    V("price", "Unit price differs from the agreed price")                                         \
    V("amount", "Total differs from the goods' value at the agreed prices")                        \
    V("not_ordered", "An item that is not on the order")                                           \
    V("duplicate", "The document was received before")                                             \
    V("missing_data", "Data the document needs is missing")                                        \
    V("invalid_data", "Data that is not valid")                                                    \
    V("other", "Another reason, given in the message")

/* String classes: every STRING member belongs to one. TEXT and IDENT have no fixed length; the
 * others also carry a check the pattern cannot express (GS1 check digits). */
#define XD_CANON_STRING_CLASSES(C)                                                                 \
    C(TEXT, NULL, "Free text: any characters except control characters")                           \
    C(IDENT, "^[!-~]([ -~]*[!-~])?$", "Identifier: printable ASCII, no leading or trailing space") \
    C(CURRENCY, "^[A-Z]{3}$", "ISO 4217 currency code, e.g. USD")                                  \
    C(COUNTRY, "^[A-Z]{2}$", "ISO 3166-1 alpha-2 country code, e.g. US")                           \
    C(SCAC, "^[A-Z]{2,4}$", "Standard Carrier Alpha Code: 2 to 4 capital letters")                 \
    C(GTIN, "^([0-9]{8}|[0-9]{12,14})$", "GS1 GTIN-8, -12 (UPC), -13 or -14 with its check digit") \
    C(GLN, "^[0-9]{13}$", "GS1 Global Location Number: 13 digits with its check digit")            \
    C(SSCC, "^[0-9]{18}$", "GS1 Serial Shipping Container Code: 18 digits with its check digit")   \
    C(DUNS, "^([0-9]{9}|[0-9]{13})$", "D-U-N-S number: 9 digits, or 13 with a suffix")             \
    C(EMAIL, "^[^@ ]+@[^@ ]+$", "E-mail address")

#endif
