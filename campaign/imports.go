package campaign

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// RowError names the row and column of a bad value in an imported file.
type RowError struct {
	Row    int    // 1-based line of the file (the header is row 1)
	Column string // as the file's header spells it; "" for the whole row
	Err    error
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %v", e.Row, e.Err)
	}
	return fmt.Sprintf("row %d, column %q: %v", e.Row, e.Column, e.Err)
}

func (e *RowError) Unwrap() error { return e.Err }

// Import is the result of reading one file: every conversion in it, or an
// error and nothing (a file is never half imported).
type Import struct {
	Format      string       `json:"format"`
	Conversions []Conversion `json:"conversions"`
	// Skipped counts rows that are not sales or refunds (e.g. an affiliate
	// network's click and signup commissions), by reason.
	Skipped map[string]int `json:"skipped,omitempty"`
}

// Formats ReadFile understands.
const (
	FormatShopify = "shopify"
	FormatPAP     = "pap"
	FormatGeneric = "generic"
)

// maxImportBytes bounds one file (a year of a busy shop's orders is far less).
const maxImportBytes = 256 << 20

// Read reads conversions from a CSV in the given format, or detects the
// format from the header when format is "" or "auto".
func Read(r io.Reader, format string) (Import, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return Import{}, err
	}
	if len(b) > maxImportBytes {
		return Import{}, fmt.Errorf("file larger than %d MiB", maxImportBytes>>20)
	}
	if !utf8.Valid(b) {
		line := 1 + bytes.Count(b[:firstInvalid(b)], []byte("\n"))
		return Import{}, &RowError{Row: line, Err: errors.New("not UTF-8 text (save the file as UTF-8)")}
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	t, err := newTable(b)
	if err != nil {
		return Import{}, err
	}
	if format == "" || format == "auto" {
		format = detect(t)
		if format == "" {
			return Import{}, fmt.Errorf("unknown file: the header %q matches neither Shopify's orders export, Post Affiliate Pro's transactions nor the generic format", strings.Join(t.header, ","))
		}
	}
	var im Import
	switch format {
	case FormatShopify:
		im, err = readShopify(t)
	case FormatPAP:
		im, err = readPAP(t)
	case FormatGeneric:
		im, err = readGeneric(t)
	default:
		return Import{}, fmt.Errorf("unknown format %q (use shopify, pap, generic or auto)", format)
	}
	if err != nil {
		return Import{}, err
	}
	im.Format = format
	return im, nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// table is a CSV with its header, read whole.
type table struct {
	header []string
	col    map[string]int // normalised header name → index
	rows   [][]string
	lines  []int // the file line each row starts on
}

// norm folds a header name: lower case, no "!" (PAP), spaces, dashes and
// underscores removed.
func norm(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "!")))
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s)
}

func newTable(b []byte) (*table, error) {
	sep := ','
	if first, _, _ := bytes.Cut(b, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		sep = ';' // Post Affiliate Pro lets the merchant choose
	}
	cr := csv.NewReader(bufio.NewReader(bytes.NewReader(b)))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: no header")
	}
	if err != nil {
		return nil, csvErr(err)
	}
	t := &table{header: header, col: map[string]int{}}
	for i, h := range header {
		if n := norm(h); n != "" {
			if _, dup := t.col[n]; !dup {
				t.col[n] = i
			}
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	if len(t.rows) == 0 {
		return nil, errors.New("the file has a header and no rows")
	}
	return t, nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{Row: pe.StartLine, Err: pe.Err}
	}
	return err
}

// find returns the index of the first of names the header has.
func (t *table) find(names ...string) (int, bool) {
	for _, n := range names {
		if i, ok := t.col[norm(n)]; ok {
			return i, true
		}
	}
	return -1, false
}

// cell is row r's value in column i ("" when the row is short or i < 0).
func (t *table) cell(r, i int) string {
	if i < 0 || i >= len(t.rows[r]) {
		return ""
	}
	return strings.TrimSpace(t.rows[r][i])
}

func (t *table) errAt(r, i int, err error) error {
	col := ""
	if i >= 0 && i < len(t.header) {
		col = strings.TrimSpace(t.header[i])
	}
	return &RowError{Row: t.lines[r], Column: col, Err: err}
}

func detect(t *table) string {
	has := func(names ...string) bool { _, ok := t.find(names...); return ok }
	switch {
	case has("Financial Status") && has("Discount Code") && has("Name"):
		return FormatShopify
	case has("!ORDERID", "Order ID") && has("!RSTATUS", "Status") && has("!USERID", "Affiliate ID", "!REFID", "Affiliate") &&
		has("!TOTALCOST", "Total cost"):
		return FormatPAP
	case has("order_id") && has("amount"):
		return FormatGeneric
	}
	return ""
}

// need returns the columns named, or an error listing what is missing.
func (t *table) need(format string, cols map[string][]string) (map[string]int, error) {
	out := map[string]int{}
	var missing []string
	for key, names := range cols {
		i, ok := t.find(names...)
		if !ok {
			missing = append(missing, fmt.Sprintf("%q", names[0]))
			continue
		}
		out[key] = i
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing column(s) %s in the %s file", strings.Join(slices.Sorted(slices.Values(missing)), ", "), format)
	}
	return out, nil
}

// readShopify reads Shopify's orders export: one row per line item, the
// order's totals on its first row (rows of one order share "Name").
func readShopify(t *table) (Import, error) {
	c, err := t.need("Shopify orders", map[string][]string{
		"name": {"Name"}, "status": {"Financial Status"}, "total": {"Total"},
		"code": {"Discount Code"}, "currency": {"Currency"},
	})
	if err != nil {
		return Import{}, err
	}
	paidAt, _ := t.find("Paid at")
	createdAt, _ := t.find("Created at")
	if paidAt < 0 && createdAt < 0 {
		return Import{}, errors.New(`missing column(s) "Paid at" (or "Created at") in the Shopify orders file`)
	}
	refunded, _ := t.find("Refunded Amount")
	cancelled, _ := t.find("Cancelled at")
	var im Import
	seen := map[string]bool{}
	for r := range t.rows {
		name := t.cell(r, c["name"])
		if name == "" {
			return Import{}, t.errAt(r, c["name"], errors.New("empty order name"))
		}
		status := strings.ToLower(t.cell(r, c["status"]))
		if seen[name] {
			if status != "" && t.cell(r, c["total"]) != "" {
				// A second "first row" of the same order: the export was concatenated.
				return Import{}, t.errAt(r, c["name"], fmt.Errorf("order %s appears twice with totals", name))
			}
			continue // a further line item of an order already read
		}
		seen[name] = true
		cv := Conversion{OrderID: name, Source: SourceShopify, Row: t.lines[r],
			Currency: strings.ToUpper(t.cell(r, c["currency"]))}
		if cv.Amount, err = ParseMoney(t.cell(r, c["total"])); err != nil {
			return Import{}, t.errAt(r, c["total"], err)
		}
		if len(cv.Currency) != 3 {
			return Import{}, t.errAt(r, c["currency"], fmt.Errorf("%q is not a currency code", cv.Currency))
		}
		switch status {
		case "paid", "partially_refunded":
			cv.Status = StatusPaid
		case "refunded":
			cv.Status = StatusRefunded
		case "voided":
			cv.Status = StatusVoided
		case "pending", "authorized", "partially_paid", "unpaid", "expired":
			cv.Status = StatusPending
		default:
			return Import{}, t.errAt(r, c["status"], fmt.Errorf("unknown financial status %q (paid, partially_refunded, refunded, voided, pending, authorized, partially_paid)", status))
		}
		if v := t.cell(r, refunded); v != "" {
			if cv.Refunded, err = ParseMoney(v); err != nil {
				return Import{}, t.errAt(r, refunded, err)
			}
		}
		if cv.Status == StatusRefunded && cv.Refunded == 0 {
			cv.Refunded = cv.Amount
		}
		if t.cell(r, cancelled) != "" && cv.Status != StatusRefunded {
			cv.Status = StatusVoided
		}
		ti, col := t.cell(r, paidAt), paidAt
		if ti == "" {
			ti, col = t.cell(r, createdAt), createdAt
		}
		if ti == "" {
			if cv.Status == StatusPaid {
				return Import{}, t.errAt(r, paidAt, errors.New("a paid order without a time"))
			}
		} else if cv.Time, err = parseTime(ti); err != nil {
			return Import{}, t.errAt(r, col, err)
		}
		// Several codes are joined with ", " in some exports: the first one that
		// is a campaign's wins at attribution; keep them all.
		cv.Code = t.cell(r, c["code"])
		im.Conversions = append(im.Conversions, cv)
	}
	return im, nil
}

// readPAP reads Post Affiliate Pro's transactions export (Tools > Import /
// Export, "!ORDERID,!TOTALCOST,!RSTATUS,…") or the commission grid's CSV
// ("Affiliate ID,Order ID,Total Cost,Status,…").
func readPAP(t *table) (Import, error) {
	c, err := t.need("Post Affiliate Pro transactions", map[string][]string{
		"order": {"!ORDERID", "Order ID"}, "total": {"!TOTALCOST", "Total cost", "Total"},
		"status": {"!RSTATUS", "Status"}, "aff": {"!USERID", "Affiliate ID", "!REFID", "Affiliate", "Referral ID"},
	})
	if err != nil {
		return Import{}, err
	}
	date, _ := t.find("!DATEINSERTED", "Date inserted", "Created", "Date", "Date created")
	if date < 0 {
		return Import{}, errors.New(`missing column(s) "!DATEINSERTED" (or "Created") in the Post Affiliate Pro transactions file`)
	}
	typ, _ := t.find("!RTYPE", "Type")
	cur, _ := t.find("!ORIGINALCURRENCYID", "Currency", "Original currency")
	var im Import
	for r := range t.rows {
		cv := Conversion{OrderID: t.cell(r, c["order"]), AffiliateID: t.cell(r, c["aff"]), Source: SourcePAP, Row: t.lines[r]}
		kind := strings.ToUpper(t.cell(r, typ))
		switch kind {
		case "", "S", "SALE":
			kind = "S"
		case "R", "REFUND", "H", "CHARGEBACK":
			kind = "R"
		default:
			if im.Skipped == nil {
				im.Skipped = map[string]int{}
			}
			im.Skipped["not a sale (type "+kind+")"]++
			continue
		}
		if cv.OrderID == "" {
			return Import{}, t.errAt(r, c["order"], errors.New("empty order id"))
		}
		if cv.AffiliateID == "" {
			return Import{}, t.errAt(r, c["aff"], errors.New("empty affiliate id"))
		}
		total, err := ParseMoney(t.cell(r, c["total"]))
		if err != nil {
			return Import{}, t.errAt(r, c["total"], err)
		}
		if cv.Time, err = parseTime(t.cell(r, date)); err != nil {
			return Import{}, t.errAt(r, date, err)
		}
		if v := strings.ToUpper(t.cell(r, cur)); len(v) == 3 {
			cv.Currency = v
		}
		st := strings.ToLower(t.cell(r, c["status"]))
		switch st {
		case "a", "approved":
			cv.Status = StatusPaid
		case "p", "pending":
			cv.Status = StatusPending
		case "d", "declined":
			cv.Status = StatusDeclined
		default:
			return Import{}, t.errAt(r, c["status"], fmt.Errorf("unknown status %q (A approved, P pending, D declined)", st))
		}
		if kind == "R" {
			if total < 0 {
				total = -total
			}
			if cv.Status != StatusPaid { // a pending or declined refund changes nothing yet
				continue
			}
			cv.Status, cv.Refunded = StatusRefunded, total
		} else {
			if total < 0 {
				return Import{}, t.errAt(r, c["total"], fmt.Errorf("negative total %s on a sale", total))
			}
			cv.Amount = total
		}
		im.Conversions = append(im.Conversions, cv)
	}
	return im, nil
}

// Generic columns: order_id, time, amount, currency are required; code,
// affiliate_id, utm_campaign, utm_content say who sold it (at least one of
// them); status (paid, pending, refunded, voided, declined, cancelled;
// default paid) and refunded are optional.
func readGeneric(t *table) (Import, error) {
	c, err := t.need("generic conversions", map[string][]string{
		"order": {"order_id"}, "time": {"time", "date", "created_at"}, "amount": {"amount"}, "currency": {"currency"},
	})
	if err != nil {
		return Import{}, err
	}
	code, _ := t.find("code", "discount_code", "promo_code")
	aff, _ := t.find("affiliate_id", "affiliate")
	uc, _ := t.find("utm_campaign")
	ut, _ := t.find("utm_content")
	if code < 0 && aff < 0 && uc < 0 {
		return Import{}, errors.New(`generic conversions file: need at least one of the columns "code", "affiliate_id", "utm_campaign"`)
	}
	status, _ := t.find("status")
	refunded, _ := t.find("refunded", "refunded_amount")
	var im Import
	for r := range t.rows {
		cv := Conversion{OrderID: t.cell(r, c["order"]), Source: SourceGeneric, Row: t.lines[r],
			Currency: strings.ToUpper(t.cell(r, c["currency"])), Code: t.cell(r, code), AffiliateID: t.cell(r, aff),
			UTMCampaign: t.cell(r, uc), UTMContent: t.cell(r, ut)}
		if cv.OrderID == "" {
			return Import{}, t.errAt(r, c["order"], errors.New("empty order id"))
		}
		if cv.Amount, err = ParseMoney(t.cell(r, c["amount"])); err != nil {
			return Import{}, t.errAt(r, c["amount"], err)
		}
		if cv.Amount < 0 {
			return Import{}, t.errAt(r, c["amount"], errors.New("negative amount: record a refund in the refunded column or with status refunded"))
		}
		if len(cv.Currency) != 3 {
			return Import{}, t.errAt(r, c["currency"], fmt.Errorf("%q is not a currency code", cv.Currency))
		}
		if cv.Time, err = parseTime(t.cell(r, c["time"])); err != nil {
			return Import{}, t.errAt(r, c["time"], err)
		}
		if cv.Status, err = genericStatus(t.cell(r, status)); err != nil {
			return Import{}, t.errAt(r, status, err)
		}
		if v := t.cell(r, refunded); v != "" {
			if cv.Refunded, err = ParseMoney(v); err != nil {
				return Import{}, t.errAt(r, refunded, err)
			}
		}
		if cv.Status == StatusRefunded && cv.Refunded == 0 {
			cv.Refunded = cv.Amount
		}
		im.Conversions = append(im.Conversions, cv)
	}
	return im, nil
}

func genericStatus(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", "paid", "approved", "completed":
		return StatusPaid, nil
	case "pending", "authorized":
		return StatusPending, nil
	case "refunded":
		return StatusRefunded, nil
	case "voided", "cancelled", "canceled":
		return StatusVoided, nil
	case "declined":
		return StatusDeclined, nil
	}
	return "", fmt.Errorf("unknown status %q (paid, pending, refunded, voided, declined)", s)
}
