/* SPDX-License-Identifier: MIT
 * The canonical documents, defined once. XD_CANON_FIELDS_<struct>(F, S) lists a struct's members
 * in JSON order as F(S, KIND, member, PRESENCE, A, B, KEY, DOC). Two expansions consume it: the C
 * structs (canon_types.h) and the descriptor tables (canon_desc.c) that drive the codec, the
 * validator, the JSON Schema and the reference; nothing else lists fields. See the table below. */
#ifndef XD_CANON_CANON_DEFS_H
#define XD_CANON_CANON_DEFS_H

/* KIND      C member                       A                        B
 * STRING    const char *                   max characters           string class (canon_codes.h)
 * CODE      const char *                   code list (canon_codes.h) unused (0)
 * DECIMAL   struct xd_decimal              sign: ANY, NONNEG, POS   most fraction digits
 * INT       int64_t                        minimum                  maximum
 * BOOL      bool                           unused (0)               unused (0)
 * DATE      const char * "YYYY-MM-DD"      unused (0)               unused (0)
 * DATETIME  const char * RFC 3339          unused (0)               unused (0)
 * OBJECT    struct xd_canon_A * (NULL: absent)  struct              unused (0)
 * INLINE    struct xd_canon_A, embedded; its members appear in this JSON object
 * ARRAY     struct xd_canon_A *, size_t n_  element struct          most items
 * STRINGS   const char **, size_t n_        most items              max characters (IDENT class)
 *
 * PRESENCE is REQ or OPT. Optional DECIMAL, INT and BOOL members get a `bool has_<member>`;
 * pointers are absent when NULL, arrays when n_<member> is 0. Strings and arrays are never
 * empty: an optional one is absent or holds something. KEY is NULL or the name of the business
 * key the member's value correlates documents by. A struct must be defined before a struct that
 * INLINEs it (XD_CANON_STRUCTS order). */

/* --- Shared parts --------------------------------------------------------------------------- */

#define XD_CANON_FIELDS_control_numbers(F, S)                                                      \
    F(S, STRING, interchange, OPT, 14, IDENT, NULL, "Interchange control number (ISA13, UNB05)")   \
    F(S, STRING, group, OPT, 14, IDENT, NULL, "Functional group control number (GS06)")            \
    F(S, STRING, transaction_set, OPT, 14, IDENT, NULL, "Transaction set control number (ST02)")

#define XD_CANON_FIELDS_source(F, S)                                                               \
    F(S, STRING, partner, OPT, 64, IDENT, NULL, "Partner profile id the document came from")       \
    F(S, CODE, channel, OPT, channel, 0, NULL, "How the message reached the hub")                  \
    F(S, CODE, format, OPT, format, 0, NULL, "Format of the original message")                     \
    F(S, STRING, version, OPT, 16, IDENT, NULL, "Version of that format (004010, 005010 ...)")     \
    F(S, STRING, sender_id, OPT, 35, IDENT, NULL, "Sender id in the message (ISA06, GS02)")        \
    F(S, STRING, receiver_id, OPT, 35, IDENT, NULL, "Receiver id in the message (ISA08, GS03)")    \
    F(S, OBJECT, control_numbers, OPT, control_numbers, 0, NULL, "Envelope control numbers")       \
    F(S, STRING, message_id, OPT, 64, IDENT, NULL, "Journal id of the raw message")                \
    F(S, DATETIME, received_at, OPT, 0, 0, NULL, "When the hub received the message")              \
    F(S, BOOL, test, OPT, 0, 0, NULL, "True for test traffic (ISA15 T); never reaches production")

#define XD_CANON_FIELDS_header(F, S)                                                               \
    F(S, STRING, id, OPT, 64, IDENT, NULL, "Document id, assigned by the hub; optional on input")  \
    F(S, STRING, correlation_id, OPT, 128, IDENT, NULL,                                            \
      "Transaction thread the document belongs to; the hub assigns one when absent")               \
    F(S, OBJECT, source, OPT, source, 0, NULL, "Where the document came from")

#define XD_CANON_FIELDS_address(F, S)                                                              \
    F(S, STRING, name, OPT, 60, TEXT, NULL, "Addressee (N102)")                                    \
    F(S, STRING, line1, REQ, 55, TEXT, NULL, "Street line 1 (N301)")                               \
    F(S, STRING, line2, OPT, 55, TEXT, NULL, "Street line 2 (N302)")                               \
    F(S, STRING, city, REQ, 30, TEXT, NULL, "City (N401)")                                         \
    F(S, STRING, region, OPT, 35, TEXT, NULL, "State or province code (N402)")                     \
    F(S, STRING, postal_code, OPT, 15, IDENT, NULL, "Postal code (N403)")                          \
    F(S, STRING, country, REQ, 2, COUNTRY, NULL, "Country (N404)")

#define XD_CANON_FIELDS_contact(F, S)                                                              \
    F(S, CODE, role, OPT, contact_role, 0, NULL, "What the contact is for (PER01)")                \
    F(S, STRING, name, OPT, 60, TEXT, NULL, "Name (PER02)")                                        \
    F(S, STRING, phone, OPT, 30, TEXT, NULL, "Telephone (PER03 TE)")                               \
    F(S, STRING, email, OPT, 254, EMAIL, NULL, "E-mail (PER03 EM)")

/* A party named in a transaction: resolved to a party_id by the partner mapping when it can be,
 * otherwise carried as the partner sent it (N1 loop). */
#define XD_CANON_FIELDS_party_ref(F, S)                                                            \
    F(S, STRING, party_id, OPT, 64, IDENT, NULL, "Party id in the hub (party documents)")          \
    F(S, STRING, location_id, OPT, 64, IDENT, NULL, "Location id in the hub (location documents)") \
    F(S, STRING, name, OPT, 60, TEXT, NULL, "Name (N102)")                                         \
    F(S, STRING, gln, OPT, 13, GLN, NULL, "GLN (N104 with N103 UL)")                               \
    F(S, STRING, duns, OPT, 13, DUNS, NULL, "D-U-N-S number (N104 with N103 1 or 9)")              \
    F(S, STRING, assigned_id, OPT, 80, IDENT, NULL, "Code assigned by the sender (N104 91/92)")    \
    F(S, OBJECT, address, OPT, address, 0, NULL, "Postal address")                                 \
    F(S, OBJECT, contact, OPT, contact, 0, NULL, "Contact person")

#define XD_CANON_FIELDS_carrier(F, S)                                                              \
    F(S, STRING, scac, OPT, 4, SCAC, NULL, "Standard Carrier Alpha Code (TD503)")                  \
    F(S, STRING, name, OPT, 60, TEXT, NULL, "Carrier name")                                        \
    F(S, CODE, service_level, OPT, service_level, 0, NULL, "Service level (TD512, W6605)")         \
    F(S, CODE, transport_mode, OPT, transport_mode, 0, NULL, "Mode of transport (TD504)")          \
    F(S, STRING, account_number, OPT, 35, IDENT, NULL, "Shipper's account with the carrier")

#define XD_CANON_FIELDS_payment_terms(F, S)                                                        \
    F(S, CODE, basis, OPT, terms_basis, 0, NULL, "Date the terms count from (ITD02)")              \
    F(S, DECIMAL, discount_percent, OPT, NONNEG, 4, NULL, "Early payment discount % (ITD03)")      \
    F(S, INT, discount_days, OPT, 0, 3650, NULL, "Days the discount is offered (ITD05)")           \
    F(S, INT, net_days, OPT, 0, 3650, NULL, "Days until payment is due (ITD07)")                   \
    F(S, DATE, due_date, OPT, 0, 0, NULL, "Net due date (ITD06)")                                  \
    F(S, STRING, description, OPT, 80, TEXT, NULL, "Terms as text (ITD12), e.g. 2% 10 Net 30")

#define XD_CANON_FIELDS_weight(F, S)                                                               \
    F(S, DECIMAL, value, REQ, POS, 4, NULL, "Weight")                                              \
    F(S, CODE, uom, REQ, weight_uom, 0, NULL, "Unit of the weight")

#define XD_CANON_FIELDS_dimensions(F, S)                                                           \
    F(S, DECIMAL, length, REQ, POS, 4, NULL, "Length")                                             \
    F(S, DECIMAL, width, REQ, POS, 4, NULL, "Width")                                               \
    F(S, DECIMAL, height, REQ, POS, 4, NULL, "Height")                                             \
    F(S, CODE, uom, REQ, length_uom, 0, NULL, "Unit of the three lengths")

/* A reference the partner sent that has no member of its own, kept so nothing is lost. */
#define XD_CANON_FIELDS_reference(F, S)                                                            \
    F(S, STRING, qualifier, REQ, 3, IDENT, NULL, "What it is, as the partner says (X12 REF01)")    \
    F(S, STRING, value, REQ, 80, IDENT, NULL, "The reference (REF02)")                             \
    F(S, STRING, description, OPT, 80, TEXT, NULL, "Free-form description (REF03)")

/* How a line names its item: at least one of sku, vendor_part, buyer_part, gtin (a rule). */
#define XD_CANON_ITEM_IDS(F, S)                                                                    \
    F(S, STRING, sku, OPT, 48, IDENT, NULL, "Distributor's item number (SKU)")                     \
    F(S, STRING, vendor_part, OPT, 48, IDENT, NULL, "Supplier's part number (X12 VP, VN)")         \
    F(S, STRING, buyer_part, OPT, 48, IDENT, NULL, "Buyer's part number (X12 BP, IN)")             \
    F(S, STRING, gtin, OPT, 14, GTIN, NULL, "GTIN or UPC (X12 UP, EN, UK)")                        \
    F(S, STRING, description, OPT, 80, TEXT, NULL, "Item description (PID05)")

/* --- Master data ---------------------------------------------------------------------------- */

#define XD_CANON_FIELDS_identifier(F, S)                                                           \
    F(S, CODE, scheme, REQ, identifier_scheme, 0, NULL, "Who issued the identifier")               \
    F(S, STRING, qualifier, OPT, 4, IDENT, NULL, "X12 ID qualifier (ISA05: ZZ, 01, 08, 12 ...)")   \
    F(S, STRING, value, REQ, 80, IDENT, NULL, "The identifier")

#define XD_CANON_FIELDS_party_address(F, S)                                                        \
    F(S, CODE, kind, REQ, address_kind, 0, NULL, "What the address is used for")                   \
    F(S, INLINE, address, REQ, address, 0, NULL, "The address members")

#define XD_CANON_FIELDS_packaging(F, S)                                                            \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Packaging unit (CA, PL ...)")                              \
    F(S, DECIMAL, base_quantity, REQ, POS, 6, NULL, "Base units in one of it (a CA of 12 EA: 12)") \
    F(S, STRING, gtin, OPT, 14, GTIN, NULL, "GTIN of the packaging level")                         \
    F(S, OBJECT, gross_weight, OPT, weight, 0, NULL, "Gross weight of one")                        \
    F(S, OBJECT, dimensions, OPT, dimensions, 0, NULL, "Outer dimensions of one")

#define XD_CANON_FIELDS_item(F, S)                                                                 \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, sku, REQ, 48, IDENT, "sku", "Distributor's item number")                          \
    F(S, STRING, gtin, OPT, 14, GTIN, NULL, "GTIN of the base unit")                               \
    F(S, STRING, description, REQ, 80, TEXT, NULL, "Short description")                            \
    F(S, STRING, long_description, OPT, 1000, TEXT, NULL, "Long description")                      \
    F(S, STRING, brand, OPT, 60, TEXT, NULL, "Brand")                                              \
    F(S, CODE, status, OPT, item_status, 0, NULL, "Lifecycle state")                               \
    F(S, STRING, supplier_id, OPT, 64, IDENT, NULL, "Party id of the main supplier")               \
    F(S, STRING, vendor_part, OPT, 48, IDENT, NULL, "Main supplier's part number")                 \
    F(S, STRING, manufacturer_part, OPT, 48, IDENT, NULL, "Manufacturer's part number")            \
    F(S, CODE, base_uom, REQ, uom, 0, NULL, "Unit stock is counted in")                            \
    F(S, ARRAY, packagings, OPT, packaging, 20, NULL, "Other units it is bought or sold in")       \
    F(S, OBJECT, net_weight, OPT, weight, 0, NULL, "Net weight of one base unit")                  \
    F(S, OBJECT, gross_weight, OPT, weight, 0, NULL, "Gross weight of one base unit")              \
    F(S, OBJECT, dimensions, OPT, dimensions, 0, NULL, "Dimensions of one base unit")              \
    F(S, BOOL, lot_controlled, OPT, 0, 0, NULL, "Stock is tracked by lot")                         \
    F(S, BOOL, serial_controlled, OPT, 0, 0, NULL, "Stock is tracked by serial number")            \
    F(S, INT, shelf_life_days, OPT, 1, 36500, NULL, "Shelf life from production, in days")         \
    F(S, STRING, country_of_origin, OPT, 2, COUNTRY, NULL, "Country of origin")                    \
    F(S, STRING, tariff_code, OPT, 14, IDENT, NULL, "Harmonized System tariff code")

#define XD_CANON_FIELDS_party(F, S)                                                                \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, party_id, REQ, 64, IDENT, "party_id", "Party id in the hub")                      \
    F(S, CODE, role, REQ, party_role, 0, NULL, "What the party is to the distributor")             \
    F(S, STRING, name, REQ, 60, TEXT, NULL, "Trading name")                                        \
    F(S, STRING, legal_name, OPT, 120, TEXT, NULL, "Registered legal name")                        \
    F(S, BOOL, active, OPT, 0, 0, NULL, "False when no new business is done with the party")       \
    F(S, ARRAY, identifiers, OPT, identifier, 20, NULL, "GLN, D-U-N-S, X12 and other ids")         \
    F(S, ARRAY, addresses, OPT, party_address, 20, NULL, "Addresses")                              \
    F(S, ARRAY, contacts, OPT, contact, 20, NULL, "Contacts")                                      \
    F(S, STRING, currency, OPT, 3, CURRENCY, NULL, "Default trading currency")                     \
    F(S, OBJECT, payment_terms, OPT, payment_terms, 0, NULL, "Default payment terms")

#define XD_CANON_FIELDS_location(F, S)                                                             \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, location_id, REQ, 64, IDENT, "location_id", "Location id in the hub")             \
    F(S, CODE, kind, REQ, location_kind, 0, NULL, "Kind of location")                              \
    F(S, STRING, name, REQ, 60, TEXT, NULL, "Name")                                                \
    F(S, BOOL, active, OPT, 0, 0, NULL, "False when the location is closed")                       \
    F(S, STRING, gln, OPT, 13, GLN, NULL, "GLN of the location")                                   \
    F(S, STRING, external_code, OPT, 35, IDENT, NULL, "Code the operator uses for it (N104 92)")   \
    F(S, STRING, operator_party_id, OPT, 64, IDENT, NULL, "Party that runs it (a 3PL)")            \
    F(S, STRING, parent_location_id, OPT, 64, IDENT, NULL, "Location it belongs to (a dock's DC)") \
    F(S, STRING, timezone, OPT, 64, IDENT, NULL, "IANA time zone, e.g. America/Chicago")           \
    F(S, OBJECT, address, OPT, address, 0, NULL, "Postal address")                                 \
    F(S, ARRAY, contacts, OPT, contact, 20, NULL, "Contacts at the location")

/* --- Procure to pay ------------------------------------------------------------------------- */

#define XD_CANON_FIELDS_po_line(F, S)                                                              \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "Line number, unique in the order (PO101)")       \
    F(S, STRING, line_id, OPT, 20, IDENT, NULL, "Line id as the partner wrote it, if not numeric") \
    XD_CANON_ITEM_IDS(F, S)                                                                        \
    F(S, DECIMAL, quantity, REQ, POS, 6, NULL, "Quantity ordered (PO102)")                         \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of the quantity (PO103)")                             \
    F(S, DECIMAL, unit_price, OPT, NONNEG, 6, NULL, "Price of one `uom` (PO104)")                  \
    F(S, DATE, requested_ship_date, OPT, 0, 0, NULL, "Ship no later than (DTM 010)")               \
    F(S, DATE, requested_delivery_date, OPT, 0, 0, NULL, "Deliver by (DTM 002)")                   \
    F(S, CODE, change, OPT, line_change, 0, NULL, "What the line does in a change order (POC02)")  \
    F(S, STRING, note, OPT, 264, TEXT, NULL, "Free-form note (NTE)")

#define XD_CANON_FIELDS_po_totals(F, S)                                                            \
    F(S, INT, line_count, OPT, 0, 1000000, NULL, "Number of lines (CTT01)")                        \
    F(S, DECIMAL, total_quantity, OPT, NONNEG, 6, NULL, "Sum of line quantities (CTT02)")          \
    F(S, DECIMAL, total_amount, OPT, NONNEG, 4, NULL, "Sum of quantity x unit_price (AMT TT)")

#define XD_CANON_FIELDS_purchase_order(F, S)                                                       \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, po_number, REQ, 22, IDENT, "po_number", "Purchase order number (BEG03)")          \
    F(S, STRING, release_number, OPT, 30, IDENT, NULL, "Release number (BEG04)")                   \
    F(S, CODE, purpose, REQ, purpose, 0, NULL, "Original, change, cancel ... (BEG01)")             \
    F(S, CODE, order_type, OPT, order_type, 0, NULL, "Kind of order (BEG02)")                      \
    F(S, INT, revision, OPT, 0, 9999, NULL, "Change number, for purpose change (860 BCH05)")       \
    F(S, DATE, order_date, REQ, 0, 0, NULL, "Order date (BEG05)")                                  \
    F(S, OBJECT, buyer, REQ, party_ref, 0, NULL, "Buying party (N1 BY)")                           \
    F(S, OBJECT, supplier, REQ, party_ref, 0, NULL, "Selling party (N1 SU, SE, VN)")               \
    F(S, OBJECT, ship_to, OPT, party_ref, 0, NULL, "Deliver to (N1 ST)")                           \
    F(S, OBJECT, bill_to, OPT, party_ref, 0, NULL, "Invoice to (N1 BT)")                           \
    F(S, STRING, currency, OPT, 3, CURRENCY, NULL, "Currency of prices (CUR02)")                   \
    F(S, OBJECT, payment_terms, OPT, payment_terms, 0, NULL, "Payment terms (ITD)")                \
    F(S, CODE, freight_terms, OPT, freight_terms, 0, NULL, "Who pays freight (FOB01)")             \
    F(S, OBJECT, carrier, OPT, carrier, 0, NULL, "Requested carrier and service (TD5)")            \
    F(S, DATE, requested_ship_date, OPT, 0, 0, NULL, "Ship no later than (DTM 010)")               \
    F(S, DATE, requested_delivery_date, OPT, 0, 0, NULL, "Deliver by (DTM 002)")                   \
    F(S, DATE, cancel_after_date, OPT, 0, 0, NULL, "Cancel if not shipped by (DTM 001)")           \
    F(S, STRING, note, OPT, 264, TEXT, NULL, "Free-form note (NTE)")                               \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, lines, OPT, po_line, 10000, NULL,                                                  \
      "Lines (PO1); required unless purpose is cancel")                                            \
    F(S, OBJECT, totals, OPT, po_totals, 0, NULL, "Control totals (CTT, AMT)")

#define XD_CANON_FIELDS_ack_line(F, S)                                                             \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "PO line answered (PO101)")                       \
    F(S, STRING, line_id, OPT, 20, IDENT, NULL, "Line id as the partner wrote it, if not numeric") \
    XD_CANON_ITEM_IDS(F, S)                                                                        \
    F(S, CODE, status, REQ, line_ack_status, 0, NULL, "Answer for the line (ACK01)")               \
    F(S, DECIMAL, ordered_quantity, OPT, POS, 6, NULL, "Quantity ordered (PO102)")                 \
    F(S, CODE, uom, OPT, uom, 0, NULL, "Unit of every quantity of the line (ACK03)")               \
    F(S, DECIMAL, confirmed_quantity, OPT, NONNEG, 6, NULL, "Quantity the supplier will ship")     \
    F(S, DECIMAL, confirmed_unit_price, OPT, NONNEG, 6, NULL, "Price the supplier confirms")       \
    F(S, DATE, confirmed_ship_date, OPT, 0, 0, NULL, "Scheduled ship date (ACK05 with 068)")       \
    F(S, DATE, confirmed_delivery_date, OPT, 0, 0, NULL, "Scheduled delivery (ACK05 with 067)")    \
    F(S, DECIMAL, backordered_quantity, OPT, POS, 6, NULL, "Quantity to ship later")               \
    F(S, STRING, reason, OPT, 80, TEXT, NULL, "Why the line was changed or rejected")

#define XD_CANON_FIELDS_po_acknowledgement(F, S)                                                   \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, po_number, REQ, 22, IDENT, "po_number", "Purchase order answered (BAK03)")        \
    F(S, STRING, ack_number, OPT, 30, IDENT, NULL, "Supplier's acknowledgement or order number")   \
    F(S, CODE, purpose, OPT, purpose, 0, NULL, "Original, replace ... (BAK01)")                    \
    F(S, CODE, status, REQ, ack_status, 0, NULL, "Answer to the order (BAK02)")                    \
    F(S, DATE, po_date, OPT, 0, 0, NULL, "Date of the order answered (BAK04)")                     \
    F(S, DATE, ack_date, REQ, 0, 0, NULL, "Date of the acknowledgement (BAK09)")                   \
    F(S, OBJECT, buyer, OPT, party_ref, 0, NULL, "Buying party (N1 BY)")                           \
    F(S, OBJECT, supplier, OPT, party_ref, 0, NULL, "Selling party (N1 SU, SE)")                   \
    F(S, OBJECT, ship_to, OPT, party_ref, 0, NULL, "Deliver to (N1 ST)")                           \
    F(S, STRING, currency, OPT, 3, CURRENCY, NULL, "Currency of confirmed prices (CUR02)")         \
    F(S, STRING, note, OPT, 264, TEXT, NULL, "Free-form note (NTE)")                               \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, lines, OPT, ack_line, 10000, NULL, "Line answers; absent: all lines as the header")

#define XD_CANON_FIELDS_asn_item(F, S)                                                             \
    F(S, INT, line_number, OPT, 1, 999999, NULL, "PO line shipped (LIN01, PRF)")                   \
    XD_CANON_ITEM_IDS(F, S)                                                                        \
    F(S, DECIMAL, quantity, REQ, POS, 6, NULL, "Quantity shipped (SN102)")                         \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of the quantity (SN103)")                             \
    F(S, STRING, lot_number, OPT, 48, IDENT, NULL, "Lot or batch (LIN LT)")                        \
    F(S, DATE, production_date, OPT, 0, 0, NULL, "Production date (DTM 405)")                      \
    F(S, DATE, expiry_date, OPT, 0, 0, NULL, "Expiry date (DTM 036)")                              \
    F(S, STRINGS, serial_numbers, OPT, 10000, 48, NULL,                                            \
      "Serial numbers, one per unit (SLN, REF SE)")

#define XD_CANON_FIELDS_asn_pack(F, S)                                                             \
    F(S, STRING, sscc, OPT, 18, SSCC, NULL, "SSCC on the label (MAN GM)")                          \
    F(S, CODE, kind, OPT, pack_kind, 0, NULL, "Kind of handling unit")                             \
    F(S, STRING, parent_sscc, OPT, 18, SSCC, NULL, "SSCC of the pallet this pack is on (HL tare)") \
    F(S, STRING, tracking_number, OPT, 48, IDENT, NULL, "Carrier tracking number (MAN CP)")        \
    F(S, OBJECT, gross_weight, OPT, weight, 0, NULL, "Gross weight (PO4, MEA)")                    \
    F(S, ARRAY, items, OPT, asn_item, 1000, NULL, "Items in the pack (HL I)")

#define XD_CANON_FIELDS_asn_order(F, S)                                                            \
    F(S, STRING, po_number, REQ, 22, IDENT, "po_number", "Purchase order shipped against (PRF01)") \
    F(S, STRING, release_number, OPT, 30, IDENT, NULL, "Release number (PRF02)")                   \
    F(S, DATE, po_date, OPT, 0, 0, NULL, "Date of the order (PRF04)")                              \
    F(S, ARRAY, packs, OPT, asn_pack, 10000, NULL, "Packs shipped for the order (HL P)")           \
    F(S, ARRAY, items, OPT, asn_item, 10000, NULL, "Items not in a pack (HL I under HL O)")

#define XD_CANON_FIELDS_ship_notice(F, S)                                                          \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, asn_number, REQ, 30, IDENT, "asn_number", "Shipment notice number (BSN02)")       \
    F(S, CODE, purpose, REQ, purpose, 0, NULL, "Original, replace, cancel (BSN01)")                \
    F(S, STRING, shipment_id, OPT, 30, IDENT, "shipment_id", "Shipper's shipment id (REF SI)")     \
    F(S, DATE, notice_date, OPT, 0, 0, NULL, "Date the notice was issued (BSN03)")                 \
    F(S, DATE, ship_date, REQ, 0, 0, NULL, "Date shipped (DTM 011)")                               \
    F(S, DATE, estimated_delivery_date, OPT, 0, 0, NULL, "Expected delivery (DTM 017)")            \
    F(S, OBJECT, supplier, OPT, party_ref, 0, NULL, "Selling party (N1 SU, VN)")                   \
    F(S, OBJECT, ship_from, OPT, party_ref, 0, NULL, "Shipped from (N1 SF)")                       \
    F(S, OBJECT, ship_to, REQ, party_ref, 0, NULL, "Shipped to (N1 ST)")                           \
    F(S, OBJECT, carrier, OPT, carrier, 0, NULL, "Carrier (TD5)")                                  \
    F(S, STRING, bill_of_lading, OPT, 30, IDENT, NULL, "Bill of lading number (REF BM)")           \
    F(S, STRING, pro_number, OPT, 30, IDENT, NULL, "Carrier PRO number (REF CN)")                  \
    F(S, STRING, tracking_number, OPT, 48, IDENT, NULL, "Master tracking number")                  \
    F(S, INT, package_count, OPT, 1, 100000, NULL, "Outermost handling units (TD101)")             \
    F(S, OBJECT, gross_weight, OPT, weight, 0, NULL, "Gross weight of the shipment (TD106)")       \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, orders, REQ, asn_order, 1000, NULL, "Orders in the shipment (HL O)")

#define XD_CANON_FIELDS_receipt_line(F, S)                                                         \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "Receipt line number")                            \
    F(S, STRING, po_number, OPT, 22, IDENT, "po_number", "Order received against (N9 PO)")         \
    F(S, INT, po_line_number, OPT, 1, 999999, NULL, "Line of that order")                          \
    XD_CANON_ITEM_IDS(F, S)                                                                        \
    F(S, DECIMAL, expected_quantity, OPT, NONNEG, 6, NULL, "Quantity announced by the ASN")        \
    F(S, DECIMAL, received_quantity, REQ, NONNEG, 6, NULL, "Quantity counted in (W0701)")          \
    F(S, DECIMAL, damaged_quantity, OPT, NONNEG, 6, NULL, "Of which damaged (W1302 with 01)")      \
    F(S, DECIMAL, rejected_quantity, OPT, NONNEG, 6, NULL, "Of which refused")                     \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of every quantity of the line (W0702)")               \
    F(S, CODE, condition, OPT, receipt_condition, 0, NULL, "Condition of the goods")               \
    F(S, STRING, lot_number, OPT, 48, IDENT, NULL, "Lot or batch (W0708)")                         \
    F(S, DATE, expiry_date, OPT, 0, 0, NULL, "Expiry date")                                        \
    F(S, STRING, sscc, OPT, 18, SSCC, NULL, "SSCC of the pack received")                           \
    F(S, STRINGS, serial_numbers, OPT, 10000, 48, NULL, "Serial numbers received")                 \
    F(S, STRING, note, OPT, 264, TEXT, NULL, "Free-form note")

#define XD_CANON_FIELDS_receipt(F, S)                                                              \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, receipt_number, REQ, 30, IDENT, "receipt_number", "Warehouse receipt (W1703)")    \
    F(S, STRING, asn_number, OPT, 30, IDENT, "asn_number", "Ship notice received against")         \
    F(S, STRING, po_number, OPT, 22, IDENT, "po_number", "Order received against (W1704, N9 PO)")  \
    F(S, STRING, location_id, REQ, 64, IDENT, NULL, "Location that received (N1 WH)")              \
    F(S, DATETIME, received_at, REQ, 0, 0, NULL, "When the goods were received (W1702, G62)")      \
    F(S, OBJECT, supplier, OPT, party_ref, 0, NULL, "Shipping party")                              \
    F(S, OBJECT, carrier, OPT, carrier, 0, NULL, "Delivering carrier")                             \
    F(S, STRING, bill_of_lading, OPT, 30, IDENT, NULL, "Bill of lading number")                    \
    F(S, STRING, note, OPT, 264, TEXT, NULL, "Free-form note")                                     \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, lines, REQ, receipt_line, 10000, NULL, "Lines received (W07)")

#define XD_CANON_FIELDS_invoice_line(F, S)                                                         \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "Invoice line number (IT101)")                    \
    F(S, STRING, line_id, OPT, 20, IDENT, NULL, "Line id as the partner wrote it, if not numeric") \
    F(S, INT, po_line_number, OPT, 1, 999999, NULL, "Purchase order line invoiced")                \
    XD_CANON_ITEM_IDS(F, S)                                                                        \
    F(S, DECIMAL, quantity, REQ, POS, 6, NULL, "Quantity invoiced (IT102)")                        \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of the quantity (IT103)")                             \
    F(S, DECIMAL, unit_price, REQ, NONNEG, 6, NULL, "Price of one `uom` (IT104)")                  \
    F(S, DECIMAL, amount, OPT, NONNEG, 4, NULL, "quantity x unit_price, rounded to its scale")

#define XD_CANON_FIELDS_charge(F, S)                                                               \
    F(S, CODE, code, REQ, charge_code, 0, NULL, "What it is for (SAC02)")                          \
    F(S, DECIMAL, amount, REQ, NONNEG, 4, NULL, "Amount (SAC05)")                                  \
    F(S, DECIMAL, percent, OPT, NONNEG, 4, NULL, "Percent it was computed with (SAC08)")           \
    F(S, STRING, description, OPT, 80, TEXT, NULL, "Description (SAC15)")

#define XD_CANON_FIELDS_tax(F, S)                                                                  \
    F(S, CODE, type, REQ, tax_type, 0, NULL, "Kind of tax (TXI01)")                                \
    F(S, DECIMAL, amount, REQ, NONNEG, 4, NULL, "Tax amount (TXI02)")                              \
    F(S, DECIMAL, rate_percent, OPT, NONNEG, 4, NULL, "Tax rate in percent (TXI03)")               \
    F(S, STRING, jurisdiction, OPT, 30, TEXT, NULL, "Taxing jurisdiction (TXI05)")

#define XD_CANON_FIELDS_invoice_totals(F, S)                                                       \
    F(S, INT, line_count, OPT, 0, 1000000, NULL, "Number of lines (CTT01)")                        \
    F(S, DECIMAL, subtotal, REQ, NONNEG, 4, NULL, "Sum of line amounts")                           \
    F(S, DECIMAL, charges_total, OPT, NONNEG, 4, NULL, "Sum of charges")                           \
    F(S, DECIMAL, allowances_total, OPT, NONNEG, 4, NULL, "Sum of allowances")                     \
    F(S, DECIMAL, tax_total, OPT, NONNEG, 4, NULL, "Sum of taxes")                                 \
    F(S, DECIMAL, total_amount, REQ, ANY, 4, NULL,                                                 \
      "subtotal + charges - allowances + taxes (TDS01)")

#define XD_CANON_FIELDS_invoice(F, S)                                                              \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, invoice_number, REQ, 22, IDENT, "invoice_number", "Invoice number (BIG02)")       \
    F(S, CODE, invoice_type, REQ, invoice_type, 0, NULL, "Invoice, credit or debit memo (BIG07)")  \
    F(S, DATE, invoice_date, REQ, 0, 0, NULL, "Invoice date (BIG01)")                              \
    F(S, STRING, po_number, OPT, 22, IDENT, "po_number", "Order invoiced (BIG04)")                 \
    F(S, DATE, po_date, OPT, 0, 0, NULL, "Date of that order (BIG03)")                             \
    F(S, STRING, asn_number, OPT, 30, IDENT, "asn_number", "Shipment invoiced (REF SI)")           \
    F(S, OBJECT, supplier, REQ, party_ref, 0, NULL, "Invoicing party (N1 SU, SE)")                 \
    F(S, OBJECT, buyer, REQ, party_ref, 0, NULL, "Invoiced party (N1 BY, BT)")                     \
    F(S, OBJECT, remit_to, OPT, party_ref, 0, NULL, "Where to pay (N1 RI)")                        \
    F(S, OBJECT, ship_to, OPT, party_ref, 0, NULL, "Where goods went (N1 ST)")                     \
    F(S, STRING, currency, REQ, 3, CURRENCY, NULL, "Currency of all amounts (CUR02)")              \
    F(S, OBJECT, payment_terms, OPT, payment_terms, 0, NULL, "Payment terms (ITD)")                \
    F(S, DATE, ship_date, OPT, 0, 0, NULL, "Date shipped (DTM 011)")                               \
    F(S, DATE, due_date, OPT, 0, 0, NULL, "Payment due (ITD06)")                                   \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, lines, REQ, invoice_line, 10000, NULL, "Lines (IT1)")                              \
    F(S, ARRAY, charges, OPT, charge, 100, NULL, "Charges added (SAC C)")                          \
    F(S, ARRAY, allowances, OPT, charge, 100, NULL, "Allowances deducted (SAC A)")                 \
    F(S, ARRAY, taxes, OPT, tax, 20, NULL, "Taxes (TXI)")                                          \
    F(S, OBJECT, totals, REQ, invoice_totals, 0, NULL, "Totals (TDS, CTT)")

/* --- Returns -------------------------------------------------------------------------------- */

#define XD_CANON_FIELDS_rma_line(F, S)                                                             \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "Return line number")                             \
    F(S, INT, original_line_number, OPT, 1, 999999, NULL, "Line of the original order or invoice") \
    XD_CANON_ITEM_IDS(F, S)                                                                        \
    F(S, DECIMAL, quantity, REQ, POS, 6, NULL, "Quantity to return (BLI03)")                       \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of the quantity (BLI04)")                             \
    F(S, DECIMAL, credit_unit_price, OPT, NONNEG, 6, NULL, "Credit per unit (BLI06)")              \
    F(S, CODE, reason, OPT, return_reason, 0, NULL, "Why; defaults to the header's (RDR)")         \
    F(S, CODE, disposition, OPT, disposition, 0, NULL, "What to do with it (RDR)")                 \
    F(S, STRING, lot_number, OPT, 48, IDENT, NULL, "Lot or batch")                                 \
    F(S, STRINGS, serial_numbers, OPT, 10000, 48, NULL, "Serial numbers returned")

#define XD_CANON_FIELDS_return_authorization(F, S)                                                 \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, rma_number, REQ, 30, IDENT, "rma_number", "Return authorization number (BGN02)")  \
    F(S, CODE, status, REQ, rma_status, 0, NULL, "State of the authorization")                     \
    F(S, DATE, rma_date, REQ, 0, 0, NULL, "Date issued (BGN03)")                                   \
    F(S, DATE, expiry_date, OPT, 0, 0, NULL, "Goods must arrive by")                               \
    F(S, STRING, original_order_number, OPT, 30, IDENT, "order_number", "Sales order returned")    \
    F(S, STRING, original_po_number, OPT, 22, IDENT, "po_number", "Purchase order returned (PRF)") \
    F(S, STRING, original_invoice_number, OPT, 22, IDENT, "invoice_number", "Invoice credited")    \
    F(S, OBJECT, requester, REQ, party_ref, 0, NULL, "Party returning the goods")                  \
    F(S, OBJECT, return_to, OPT, party_ref, 0, NULL, "Where to send them")                         \
    F(S, CODE, reason, OPT, return_reason, 0, NULL, "Reason for every line without one")           \
    F(S, CODE, disposition, OPT, disposition, 0, NULL, "Disposition for every line without one")   \
    F(S, OBJECT, carrier, OPT, carrier, 0, NULL, "Carrier to use")                                 \
    F(S, STRING, note, OPT, 264, TEXT, NULL, "Free-form note")                                     \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, lines, REQ, rma_line, 10000, NULL, "Lines (BLI)")

/* --- Order to ship -------------------------------------------------------------------------- */

#define XD_CANON_FIELDS_so_line(F, S)                                                              \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "Line number (LX01)")                             \
    F(S, INT, customer_line_number, OPT, 1, 999999, NULL, "Line of the customer's order")          \
    F(S, STRING, sku, REQ, 48, IDENT, NULL, "Distributor's item number (W0105 VN, W0107)")         \
    F(S, STRING, gtin, OPT, 14, GTIN, NULL, "GTIN or UPC (W0103)")                                 \
    F(S, STRING, customer_part, OPT, 48, IDENT, NULL, "Customer's part number")                    \
    F(S, STRING, description, OPT, 80, TEXT, NULL, "Description (G69)")                            \
    F(S, DECIMAL, quantity, REQ, POS, 6, NULL, "Quantity to ship (W0101)")                         \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of the quantity (W0102)")                             \
    F(S, STRING, lot_number, OPT, 48, IDENT, NULL, "Ship from this lot only (N9 LT)")              \
    F(S, DECIMAL, unit_price, OPT, NONNEG, 6, NULL, "Selling price, for packing slips and customs")

#define XD_CANON_FIELDS_shipping_order(F, S)                                                       \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, order_number, REQ, 30, IDENT, "order_number", "Depositor order number (W0502)")   \
    F(S, STRING, customer_po_number, OPT, 22, IDENT, "po_number", "Customer's PO number (W0503)")  \
    F(S, CODE, purpose, REQ, purpose, 0, NULL, "Original, change, cancel (W0501)")                 \
    F(S, DATE, order_date, REQ, 0, 0, NULL, "Order date (G62 04)")                                 \
    F(S, STRING, location_id, REQ, 64, IDENT, NULL, "Warehouse to ship from (N1 WH)")              \
    F(S, OBJECT, warehouse, OPT, party_ref, 0, NULL, "Warehouse operator (N1 WH)")                 \
    F(S, OBJECT, ship_to, REQ, party_ref, 0, NULL, "Ship to (N1 ST)")                              \
    F(S, OBJECT, bill_to, OPT, party_ref, 0, NULL, "Bill to (N1 BT)")                              \
    F(S, OBJECT, carrier, OPT, carrier, 0, NULL, "Carrier and service (W66)")                      \
    F(S, CODE, freight_terms, OPT, freight_terms, 0, NULL, "Who pays freight (W6601)")             \
    F(S, CODE, priority, OPT, priority, 0, NULL, "Fulfilment priority")                            \
    F(S, DATE, requested_ship_date, OPT, 0, 0, NULL, "Ship on (G62 10)")                           \
    F(S, DATE, requested_delivery_date, OPT, 0, 0, NULL, "Deliver by (G62 02)")                    \
    F(S, STRING, instructions, OPT, 264, TEXT, NULL, "Handling instructions (NTE WHI)")            \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, lines, REQ, so_line, 10000, NULL, "Lines (LX, W01)")

#define XD_CANON_FIELDS_sc_line(F, S)                                                              \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "Shipping order line (LX01)")                     \
    F(S, STRING, sku, REQ, 48, IDENT, NULL, "Distributor's item number (W1207)")                   \
    F(S, STRING, gtin, OPT, 14, GTIN, NULL, "GTIN or UPC (W1205)")                                 \
    F(S, DECIMAL, ordered_quantity, OPT, POS, 6, NULL, "Quantity ordered (W1202)")                 \
    F(S, DECIMAL, shipped_quantity, REQ, NONNEG, 6, NULL, "Quantity shipped (W1203)")              \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of every quantity of the line (W1204)")               \
    F(S, CODE, status, OPT, shipment_line_status, 0, NULL, "Outcome of the line (W1201)")          \
    F(S, STRING, lot_number, OPT, 48, IDENT, NULL, "Lot shipped (N9 LT)")                          \
    F(S, STRINGS, serial_numbers, OPT, 10000, 48, NULL, "Serial numbers shipped")

#define XD_CANON_FIELDS_package_content(F, S)                                                      \
    F(S, INT, line_number, REQ, 1, 999999, NULL, "Line of `lines` packed")                         \
    F(S, DECIMAL, quantity, REQ, POS, 6, NULL, "Quantity of it in the package, in the line's uom")

#define XD_CANON_FIELDS_sc_package(F, S)                                                           \
    F(S, STRING, sscc, OPT, 18, SSCC, NULL, "SSCC on the label (MAN GM)")                          \
    F(S, CODE, kind, OPT, pack_kind, 0, NULL, "Kind of handling unit")                             \
    F(S, STRING, tracking_number, OPT, 48, IDENT, NULL, "Carrier tracking number (MAN CP)")        \
    F(S, OBJECT, gross_weight, OPT, weight, 0, NULL, "Gross weight")                               \
    F(S, OBJECT, dimensions, OPT, dimensions, 0, NULL, "Outer dimensions")                         \
    F(S, ARRAY, contents, OPT, package_content, 1000, NULL, "What is in it")

#define XD_CANON_FIELDS_shipment_confirmation(F, S)                                                \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, order_number, REQ, 30, IDENT, "order_number", "Shipping order shipped (W0602)")   \
    F(S, STRING, shipment_id, REQ, 30, IDENT, "shipment_id", "Warehouse's shipment id (W0604)")    \
    F(S, STRING, customer_po_number, OPT, 22, IDENT, "po_number", "Customer's PO number (W0603)")  \
    F(S, STRING, location_id, REQ, 64, IDENT, NULL, "Warehouse that shipped (N1 WH)")              \
    F(S, DATETIME, shipped_at, REQ, 0, 0, NULL, "When it left the dock (G62 11)")                  \
    F(S, OBJECT, ship_to, OPT, party_ref, 0, NULL, "Shipped to (N1 ST)")                           \
    F(S, OBJECT, carrier, OPT, carrier, 0, NULL, "Carrier and service (W27)")                      \
    F(S, STRING, bill_of_lading, OPT, 30, IDENT, NULL, "Bill of lading number (N9 BM)")            \
    F(S, STRING, tracking_number, OPT, 48, IDENT, NULL, "Master tracking number")                  \
    F(S, OBJECT, gross_weight, OPT, weight, 0, NULL, "Gross weight of the shipment (W03)")         \
    F(S, ARRAY, references, OPT, reference, 50, NULL, "Other references (REF)")                    \
    F(S, ARRAY, lines, REQ, sc_line, 10000, NULL, "Lines (LX, W12)")                               \
    F(S, ARRAY, packages, OPT, sc_package, 10000, NULL, "Packages shipped")

/* --- Inventory ------------------------------------------------------------------------------ */

/* What caused a movement; each member joins the thread of that document. */
#define XD_CANON_FIELDS_movement_refs(F, S)                                                        \
    F(S, STRING, order_number, OPT, 30, IDENT, "order_number", "Shipping order picked for")        \
    F(S, STRING, shipment_id, OPT, 30, IDENT, "shipment_id", "Shipment it left with")              \
    F(S, STRING, po_number, OPT, 22, IDENT, "po_number", "Purchase order received against")        \
    F(S, STRING, asn_number, OPT, 30, IDENT, "asn_number", "Ship notice received against")         \
    F(S, STRING, receipt_number, OPT, 30, IDENT, "receipt_number", "Warehouse receipt")            \
    F(S, STRING, rma_number, OPT, 30, IDENT, "rma_number", "Return authorization")

#define XD_CANON_FIELDS_inventory_movement(F, S)                                                   \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, movement_id, REQ, 64, IDENT, "movement_id", "Warehouse's id of the movement")     \
    F(S, CODE, kind, REQ, movement_kind, 0, NULL, "Kind of movement; sets the quantity's sign")    \
    F(S, DATETIME, occurred_at, REQ, 0, 0, NULL, "When it happened")                               \
    F(S, STRING, location_id, REQ, 64, IDENT, NULL, "Location the stock is in (or leaves)")        \
    F(S, STRING, bin, OPT, 30, IDENT, NULL, "Storage bin inside the location")                     \
    F(S, STRING, to_location_id, OPT, 64, IDENT, NULL, "Destination of a transfer")                \
    F(S, STRING, sku, REQ, 48, IDENT, NULL, "Distributor's item number")                           \
    F(S, DECIMAL, quantity, REQ, ANY, 6, NULL, "Quantity moved; see `kind` for its sign")          \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of the quantity")                                     \
    F(S, CODE, stock_status, OPT, stock_status, 0, NULL, "Status of the stock moved")              \
    F(S, STRING, lot_number, OPT, 48, IDENT, NULL, "Lot or batch")                                 \
    F(S, DATE, expiry_date, OPT, 0, 0, NULL, "Expiry date of the lot")                             \
    F(S, STRING, reason_code, OPT, 16, IDENT, NULL, "Warehouse's reason code (adjustments)")       \
    F(S, OBJECT, references, OPT, movement_refs, 0, NULL, "Documents that caused it")              \
    F(S, STRING, note, OPT, 264, TEXT, NULL, "Free-form note")

#define XD_CANON_FIELDS_snapshot_line(F, S)                                                        \
    F(S, STRING, sku, REQ, 48, IDENT, NULL, "Distributor's item number (LIN)")                     \
    F(S, STRING, gtin, OPT, 14, GTIN, NULL, "GTIN or UPC")                                         \
    F(S, STRING, lot_number, OPT, 48, IDENT, NULL, "Lot, when stock is counted by lot")            \
    F(S, CODE, uom, REQ, uom, 0, NULL, "Unit of every quantity of the line")                       \
    F(S, DECIMAL, on_hand, REQ, NONNEG, 6, NULL, "Physically in the location (QTY 17)")            \
    F(S, DECIMAL, available, OPT, NONNEG, 6, NULL, "Free to promise (QTY 33)")                     \
    F(S, DECIMAL, allocated, OPT, NONNEG, 6, NULL, "Reserved for orders (QTY 74)")                 \
    F(S, DECIMAL, on_hold, OPT, NONNEG, 6, NULL, "Held: damaged, quarantine (QTY 76)")             \
    F(S, DECIMAL, in_transit, OPT, NONNEG, 6, NULL, "On its way to the location (QTY 71)")

#define XD_CANON_FIELDS_inventory_snapshot(F, S)                                                   \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, snapshot_id, REQ, 64, IDENT, "snapshot_id", "Id of the report (BIA03)")           \
    F(S, STRING, location_id, REQ, 64, IDENT, NULL, "Location reported (N1 WH)")                   \
    F(S, DATETIME, as_of, REQ, 0, 0, NULL, "Moment the quantities describe (BIA04, DTM)")          \
    F(S, STRING, owner_party_id, OPT, 64, IDENT, NULL, "Owner of the stock, when a 3PL reports")   \
    F(S, BOOL, complete, OPT, 0, 0, NULL, "True: every SKU held is listed; others are zero")       \
    F(S, ARRAY, lines, REQ, snapshot_line, 100000, NULL, "One line per SKU (and lot)")

/* --- Application advice -------------------------------------------------------------------- */

#define XD_CANON_FIELDS_advice_problem(F, S)                                                       \
    F(S, CODE, kind, REQ, advice_problem, 0, NULL, "What is wrong (TED01)")                        \
    F(S, INT, line_number, OPT, 1, 999999, NULL, "Line of the advised document it is about")       \
    F(S, STRING, sku, OPT, 48, IDENT, NULL, "Distributor's item number of that line")              \
    F(S, DECIMAL, expected, OPT, ANY, 6, NULL,                                                     \
      "What was expected: the quantity received, the agreed price, the goods' value")              \
    F(S, DECIMAL, actual, OPT, ANY, 6, NULL, "What the advised document says")                     \
    F(S, STRING, message, OPT, 60, TEXT, NULL, "The problem in words (TED02)")

#define XD_CANON_FIELDS_application_advice(F, S)                                                   \
    F(S, INLINE, header, REQ, header, 0, NULL, "Common header")                                    \
    F(S, STRING, advice_number, REQ, 30, IDENT, NULL, "Advice number (BGN02)")                     \
    F(S, DATE, advice_date, REQ, 0, 0, NULL, "Date of the advice (BGN03)")                         \
    F(S, CODE, status, REQ, advice_status, 0, NULL, "Outcome for the advised document (OTI01)")    \
    F(S, CODE, document_type, REQ, advised_document, 0, NULL, "Kind of document advised (OTI02)")  \
    F(S, STRING, document_number, REQ, 30, IDENT, NULL, "Its number (OTI03)")                      \
    F(S, DATE, document_date, OPT, 0, 0, NULL, "Its date (DTM 097)")                               \
    F(S, STRING, po_number, OPT, 22, IDENT, "po_number", "Order it concerns (REF PO)")             \
    F(S, OBJECT, sender, OPT, party_ref, 0, NULL, "Who advises (N1 FR)")                           \
    F(S, OBJECT, receiver, OPT, party_ref, 0, NULL, "Who is advised (N1 TO)")                      \
    F(S, STRING, reason, OPT, 264, TEXT, NULL, "Why, in words (NTE)")                              \
    F(S, ARRAY, problems, OPT, advice_problem, 1000, NULL, "What is wrong, one by one (TED)")

/* Every struct, as S(struct, doc). INLINEd structs come before their users. */
#define XD_CANON_STRUCTS(S)                                                                        \
    S(control_numbers, "Envelope control numbers of the original message")                         \
    S(source, "Where a document came from")                                                        \
    S(header, "Members every document carries")                                                    \
    S(address, "Postal address")                                                                   \
    S(contact, "Contact person")                                                                   \
    S(party_ref, "A party named in a transaction")                                                 \
    S(carrier, "Carrier and service")                                                              \
    S(payment_terms, "Payment terms")                                                              \
    S(weight, "A weight with its unit")                                                            \
    S(dimensions, "Length, width and height with their unit")                                      \
    S(reference, "A reference with its qualifier")                                                 \
    S(identifier, "An identifier of a party")                                                      \
    S(party_address, "An address of a party, with what it is for")                                 \
    S(packaging, "A packaging level of an item")                                                   \
    S(item, "Item master record: what is bought, stocked and sold")                                \
    S(party, "Trading partner master record")                                                      \
    S(location, "Location master record: warehouse, store, dock ...")                              \
    S(po_line, "Purchase order line")                                                              \
    S(po_totals, "Purchase order control totals")                                                  \
    S(purchase_order, "Purchase order from the distributor to a supplier (X12 850, 860)")          \
    S(ack_line, "Answer to one purchase order line")                                               \
    S(po_acknowledgement, "Supplier's answer to a purchase order (X12 855)")                       \
    S(asn_item, "Item shipped")                                                                    \
    S(asn_pack, "Pack (carton, pallet) shipped")                                                   \
    S(asn_order, "Order in a shipment")                                                            \
    S(ship_notice, "Advance ship notice: what is coming, packed how (X12 856)")                    \
    S(receipt_line, "Line of a warehouse receipt")                                                 \
    S(receipt, "Goods received at a warehouse (X12 944)")                                          \
    S(invoice_line, "Invoice line")                                                                \
    S(charge, "Charge or allowance")                                                               \
    S(tax, "Tax")                                                                                  \
    S(invoice_totals, "Invoice totals")                                                            \
    S(invoice, "Supplier's invoice (X12 810)")                                                     \
    S(rma_line, "Return line")                                                                     \
    S(return_authorization, "Return merchandise authorization (X12 180)")                          \
    S(so_line, "Shipping order line")                                                              \
    S(shipping_order, "Order to a warehouse or 3PL to ship (X12 940)")                             \
    S(sc_line, "Shipped line")                                                                     \
    S(package_content, "Quantity of one line in a package")                                        \
    S(sc_package, "Package shipped")                                                               \
    S(shipment_confirmation, "Warehouse's confirmation of a shipment (X12 945)")                   \
    S(movement_refs, "Documents an inventory movement refers to")                                  \
    S(inventory_movement, "One stock movement reported by a warehouse")                            \
    S(snapshot_line, "Stock of one SKU at a location")                                             \
    S(inventory_snapshot, "Stock of a location at a moment (X12 846)")                             \
    S(advice_problem, "One problem an application advice reports")                                 \
    S(application_advice, "Whether a document was accepted, and what is wrong with it (X12 824)")

/* The document types, as D(ENUM, struct): the order of enum xd_canon_type. A document's struct
 * INLINEs `header` as its first member. */
#define XD_CANON_DOCUMENTS(D)                                                                      \
    D(ITEM, item)                                                                                  \
    D(PARTY, party)                                                                                \
    D(LOCATION, location)                                                                          \
    D(PURCHASE_ORDER, purchase_order)                                                              \
    D(PO_ACKNOWLEDGEMENT, po_acknowledgement)                                                      \
    D(SHIP_NOTICE, ship_notice)                                                                    \
    D(RECEIPT, receipt)                                                                            \
    D(INVOICE, invoice)                                                                            \
    D(RETURN_AUTHORIZATION, return_authorization)                                                  \
    D(SHIPPING_ORDER, shipping_order)                                                              \
    D(SHIPMENT_CONFIRMATION, shipment_confirmation)                                                \
    D(INVENTORY_MOVEMENT, inventory_movement)                                                      \
    D(INVENTORY_SNAPSHOT, inventory_snapshot)                                                      \
    D(APPLICATION_ADVICE, application_advice)

#endif
